/** lib/search/query.ts and lib/search/text.ts: the query language and how text is folded. */
import assert from "node:assert/strict";
import { HttpError } from "../lib/errors.ts";
import { parseQuery } from "../lib/search/query.ts";
import { containsSequence, hasLink, tokenize } from "../lib/search/text.ts";

function refusal(q: string): string {
  try {
    parseQuery(q);
  } catch (error) {
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, 400);
    assert.equal(error.code, "invalid_query");
    return error.message;
  }
  throw new Error(`"${q}" was accepted`);
}

Deno.test("tokenize - folds case and accents, splits on what is not a letter or digit", () => {
  assert.deepEqual(tokenize("Crème BRÛLÉE, s'il-vous-plaît!"), [
    "creme",
    "brulee",
    "s",
    "il",
    "vous",
    "plait",
  ]);
  assert.deepEqual(tokenize("ｆｕｌｌｗｉｄｔｈ ５"), ["fullwidth", "5"]);
  assert.deepEqual(tokenize("https://Example.com/a_b?x=1"), [
    "https",
    "example",
    "com",
    "a",
    "b",
    "x",
    "1",
  ]);
  assert.deepEqual(tokenize("!!! ..."), []);
});

Deno.test("tokenize - CJK runs become bigrams, a lone character stays itself", () => {
  assert.deepEqual(tokenize("東京タワー"), ["東京", "京タ", "タワ", "ワー"]);
  assert.deepEqual(tokenize("東 abc京都"), ["東", "abc", "京都"]);
  assert.deepEqual(tokenize("안녕하세요"), ["안녕", "녕하", "하세", "세요"]);
});

Deno.test("tokenize - a very long token is cut", () => {
  assert.equal(tokenize("a".repeat(500))[0].length, 64);
});

Deno.test("containsSequence and hasLink", () => {
  assert.ok(containsSequence(["a", "b", "c"], ["b", "c"]));
  assert.ok(!containsSequence(["a", "b", "c"], ["c", "b"]));
  assert.ok(hasLink("see https://x.example/y"));
  assert.ok(hasLink("HTTP://X.ORG"));
  assert.ok(!hasLink("https:// nothing"));
  assert.ok(!hasLink("xhttps://a.b"));
});

Deno.test("parseQuery - words, phrases, exclusions", () => {
  const query = parseQuery('  Café  "Good Morning"  -spam -"bad news" example.com ');
  assert.deepEqual(query.required.map((t) => t.tokens), [
    ["cafe"],
    ["good", "morning"],
    ["example", "com"],
  ]);
  assert.deepEqual(query.required.map((t) => t.text), ["Café", "Good Morning", "example.com"]);
  assert.deepEqual(query.excluded.map((t) => t.tokens), [["spam"], ["bad", "news"]]);
});

Deno.test("parseQuery - an unclosed quote runs to the end; punctuation alone is dropped", () => {
  assert.deepEqual(parseQuery('say "hello there').required.map((t) => t.tokens), [
    ["say"],
    ["hello", "there"],
  ]);
  assert.deepEqual(parseQuery("word !!! -").required.map((t) => t.tokens), [["word"]]);
});

Deno.test("parseQuery - filters", () => {
  const query = parseQuery(
    "FROM:Alice from:@bob in:#General mentions:carol has:link has:file is:pinned " +
      "before:2024-03-01 after:2024-01-31",
  );
  assert.deepEqual(query.from, ["alice", "bob"]);
  assert.deepEqual(query.in, ["general"]);
  assert.deepEqual(query.mentions, ["carol"]);
  assert.deepEqual(query.has, ["link", "file"]);
  assert.equal(query.pinned, true);
  assert.equal(query.before?.toISOString(), "2024-03-01T00:00:00.000Z");
  // after: excludes its day: from the next one on.
  assert.equal(query.after?.toISOString(), "2024-02-01T00:00:00.000Z");
  assert.deepEqual(query.required, []);
});

Deno.test("parseQuery - the tightest of repeated date bounds wins", () => {
  const query = parseQuery(
    "x before:2024-05-01 before:2024-04-01 after:2024-01-01 after:2024-02-01",
  );
  assert.equal(query.before?.toISOString(), "2024-04-01T00:00:00.000Z");
  assert.equal(query.after?.toISOString(), "2024-02-02T00:00:00.000Z");
});

Deno.test("parseQuery - what only looks like a filter stays a word", () => {
  const query = parseQuery("12:30 https://a.example/x foo:bar");
  assert.deepEqual(query.required.map((t) => t.tokens), [
    ["12", "30"],
    ["https", "a", "example", "x"],
    ["foo", "bar"],
  ]);
});

Deno.test("parseQuery - bad filters are refused, naming the filter and the value", () => {
  assert.match(refusal("has:video"), /has: must be link, file or image: got "video"/);
  assert.match(refusal("is:starred"), /is: must be pinned: got "starred"/);
  assert.match(
    refusal("before:2024-02-31"),
    /before: must be a date as YYYY-MM-DD: got "2024-02-31"/,
  );
  assert.match(refusal("after:yesterday"), /after: must be a date .*"yesterday"/);
  assert.match(refusal("from:"), /from: needs a value/);
  assert.match(refusal("-from:alice"), /cannot be negated: "-from:alice"/);
});

Deno.test("parseQuery - empty and oversized queries are refused", () => {
  assert.match(refusal(""), /at least one word/);
  assert.match(refusal("  !!! "), /at least one word/);
  assert.match(refusal("x".repeat(501)), /at most 500 characters: got 501/);
  assert.match(refusal(Array.from({ length: 17 }, (_, i) => `w${i}`).join(" ")), /at most 16/);
});
