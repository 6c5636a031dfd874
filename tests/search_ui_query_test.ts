/**
 * The search box's reading of a query (islands/search/query.ts, suggest.ts, groups.ts): the
 * words to highlight, the filter at the caret and the values offered for it, and results
 * grouped by channel.
 */
import assert from "node:assert/strict";
import { groupByChannel } from "../islands/search/groups.ts";
import { appendHint, applyFilterValue, filterAt, highlightTerms } from "../islands/search/query.ts";
import { suggestValues } from "../islands/search/suggest.ts";
import type { SuggestionSources } from "../islands/search/suggest.ts";

Deno.test("search ui - highlight terms: words and phrase words, no filters or exclusions", () => {
  assert.deepEqual(highlightTerms('Hello "Good morning" -spam from:alice 12:30'), [
    "hello",
    "good",
    "morning",
    "12",
    "30",
  ]);
  assert.deepEqual(highlightTerms('-"not this" in:general has:link is:pinned'), []);
  assert.deepEqual(highlightTerms("before:2024-01-01 café café"), ["café"]);
  assert.deepEqual(highlightTerms('"unclosed phrase'), ["unclosed", "phrase"]);
  assert.deepEqual(highlightTerms(""), []);
});

Deno.test("search ui - the filter at the caret, its value, and where it ends", () => {
  assert.deepEqual(filterAt("hello from:ow", 13), {
    filter: "from",
    value: "ow",
    start: 11,
    end: 13,
  });
  assert.deepEqual(filterAt("in:", 3), { filter: "in", value: "", start: 3, end: 3 });
  // The caret inside the value: the token runs to its end.
  assert.deepEqual(filterAt("MENTIONS:bo rest", 10), {
    filter: "mentions",
    value: "b",
    start: 9,
    end: 11,
  });
  assert.equal(filterAt("from:owner ", 11), null, "a finished filter offers nothing");
  assert.equal(filterAt("before:2024", 11), null, "dates are not offered");
  assert.equal(filterAt("xfrom:a", 7), null, "a filter starts a word");
  assert.equal(filterAt("hello", 5), null);
});

Deno.test("search ui - taking a value or a hint edits the text and places the caret", () => {
  const text = "hi from:ow there";
  const token = filterAt(text, 10)!;
  assert.deepEqual(applyFilterValue(text, token, "owner"), {
    text: "hi from:owner there",
    caret: 14,
  });
  assert.deepEqual(applyFilterValue("has:", filterAt("has:", 4)!, "link"), {
    text: "has:link ",
    caret: 9,
  });
  assert.deepEqual(appendHint("", "from:"), { text: "from:", caret: 5 });
  assert.deepEqual(appendHint("cats  ", "is:pinned"), { text: "cats is:pinned ", caret: 15 });
});

const SOURCES: SuggestionSources = {
  members: [
    { username: "owner", displayName: "The Owner" },
    { username: "member", displayName: "Mona" },
    { username: "bob", displayName: "Robert" },
  ],
  channels: [
    { name: "general", kind: "text" },
    { name: "Text channels", kind: "category" },
    { name: "off-topic", kind: "text" },
    { name: "tea", kind: "text" },
  ],
};

Deno.test("search ui - values offered: members, text channels, has: and is: values", () => {
  const offer = (text: string) =>
    suggestValues(filterAt(text, text.length)!, SOURCES, 8).map((s) => s.value);
  assert.deepEqual(offer("from:"), ["bob", "member", "owner"]);
  assert.deepEqual(offer("from:o"), ["owner", "bob", "member"], "starts before contains");
  assert.deepEqual(offer("mentions:mo"), ["member"], "by display name too");
  assert.deepEqual(offer("in:t"), ["tea", "off-topic"], "no categories");
  assert.deepEqual(offer("has:"), ["link", "file", "image"]);
  assert.deepEqual(offer("has:im"), ["image"]);
  assert.deepEqual(offer("is:"), ["pinned"]);
  assert.deepEqual(offer("from:nobody"), []);
  assert.deepEqual(
    suggestValues(filterAt("from:", 5)!, SOURCES, 8)[0],
    { value: "bob", label: "Robert (@bob)" },
  );
});

Deno.test("search ui - results grouped by channel in the order of their newest result", () => {
  const results = [
    { channelId: "b", n: 1 },
    { channelId: "a", n: 2 },
    { channelId: "b", n: 3 },
    { channelId: "c", n: 4 },
  ];
  assert.deepEqual(groupByChannel(results), [
    { channelId: "b", results: [results[0], results[2]] },
    { channelId: "a", results: [results[1]] },
    { channelId: "c", results: [results[3]] },
  ]);
  assert.deepEqual(groupByChannel([]), []);
});
