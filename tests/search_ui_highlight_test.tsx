/**
 * The search results' highlighting (islands/search/highlight.tsx): whole words in <mark>, case
 * and accents ignored; user text stays text; nothing interactive left in a result; long
 * messages cut around their first match.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { renderToString } from "preact-render-to-string";
import { excerpt, markText, markTree, matchRanges } from "../islands/search/highlight.tsx";
import { renderMarkdown } from "../islands/shared/markdown.tsx";

const html = (text: string, terms: string[]) =>
  renderToString(<div>{markTree(renderMarkdown(text), terms)}</div>)
    .replace(/ class="[^"]*"/g, "");

Deno.test("search ui - whole words are marked, any case, accents ignored", () => {
  assert.deepEqual(matchRanges("Cats and a cat. Concatenate CAT", ["cat"]), [[11, 14], [28, 31]]);
  assert.deepEqual(matchRanges("Le Café est ouvert", ["cafe"]), [[3, 7]]);
  assert.deepEqual(matchRanges("un cafe", ["café"]), [[3, 7]]);
  assert.deepEqual(matchRanges("good morning", ["good", "morning"]), [[0, 4], [5, 12]]);
  assert.deepEqual(matchRanges("東京タワーに行く", ["タワ"]), [[2, 4]], "no spaces in CJK");
  assert.deepEqual(matchRanges("nothing here", ["absent"]), []);
  assert.deepEqual(matchRanges("aaa", [""]), []);
});

Deno.test("search ui - marks inside markdown, links made plain text, spoilers kept hidden", () => {
  assert.equal(
    html("say **hello** world", ["hello"]),
    "<div><span>say <strong><mark>hello</mark></strong> world</span></div>",
  );
  const link = html("see https://example.com/hello now", ["hello"]);
  assert.doesNotMatch(link, /<a |href=/);
  assert.match(link, /<span>https:\/\/example.com\/<mark>hello<\/mark><\/span>/);
  const spoiler = html("the end: ||hello there||", ["hello"]);
  assert.doesNotMatch(spoiler, /hello|role="button"|tabindex/);
  assert.match(spoiler, /<span>spoiler<\/span>/);
});

Deno.test("search ui - user text stays text when marked", () => {
  fc.assert(
    fc.property(fc.string(), fc.string({ minLength: 1 }), (text, term) => {
      const out = renderToString(<p>{markText(text, [term])}</p>);
      // Taking the marks away gives the text back, escaped: nothing of it became markup.
      const plain = out.replace(/<mark[^>]*>|<\/mark>/g, "").slice(3, -4);
      const escaped = renderToString(<p>{text}</p>).slice(3, -4);
      assert.equal(plain, escaped);
    }),
  );
});

Deno.test("search ui - a long message is cut around its first match", () => {
  const long = `${"lorem ipsum ".repeat(40)}needle ${"dolor sit ".repeat(40)}`;
  const cut = excerpt(long, ["needle"], 200);
  assert.ok(cut.startsWith("…") && cut.endsWith("…"), cut);
  assert.ok(cut.includes("needle"));
  assert.ok(cut.length <= 202);
  assert.match(cut, /^…lorem|^…ipsum/, "it starts at a word");
  assert.equal(excerpt("short one", ["one"], 200), "short one");
  assert.ok(excerpt(long, ["absent"], 200).startsWith("lorem"), "no match: the start");
});
