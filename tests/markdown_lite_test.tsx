/** Markdown-lite's issue 15 marks: ~~strike~~, lists and ||spoilers||, user text still text. */
import assert from "node:assert/strict";
import fc from "fast-check";
import { renderToString } from "preact-render-to-string";
import { renderMarkdown } from "../islands/shared/markdown.tsx";

const html = (text: string) => renderToString(<div>{renderMarkdown(text)}</div>);
const strip = (markup: string) => markup.replace(/ class="[^"]*"/g, "");

Deno.test("markdown-lite - ~~strike~~ is struck, and may hold other marks", () => {
  assert.equal(strip(html("a ~~b~~ c")), "<div><span>a <s>b</s> c</span></div>");
  assert.equal(strip(html("~~**x**~~")), "<div><span><s><strong>x</strong></s></span></div>");
  assert.equal(strip(html("~~ not closed")), "<div><span>~~ not closed</span></div>");
});

Deno.test("markdown-lite - ||spoilers|| are hidden buttons that reveal on click or Enter", () => {
  const out = html("the end: ||they win|| !");
  assert.match(
    out,
    /<span role="button" tabindex="0" aria-pressed="false" aria-label="Spoiler" data-spoiler[^>]*>they win<\/span>/,
  );
  assert.match(out, /text-transparent/);
  assert.doesNotMatch(html("a || b"), /data-spoiler/);
  assert.doesNotMatch(html("`||code||`"), /data-spoiler/, "code is not formatted");
});

Deno.test("markdown-lite - - and * lines make a list, 1. lines a numbered one", () => {
  assert.equal(
    strip(html("shopping:\n- milk\n* **eggs**\n1. first\n2) second\nafter")),
    "<div><span>shopping:</span><ul><li>milk</li><li><strong>eggs</strong></li></ul>" +
      "<ol><li>first</li><li>second</li></ol><span>after</span></div>",
  );
  assert.equal(strip(html("-not a list")), "<div><span>-not a list</span></div>");
});

Deno.test("markdown-lite - the trailer follows a list", () => {
  const out = strip(renderToString(<div>{renderMarkdown("- a", { trailer: "(edited)" })}</div>));
  assert.equal(out, "<div><ul><li>a</li></ul>(edited)</div>");
});

Deno.test("markdown-lite - a server's :custom: emoji shows as its image, others as text", () => {
  const emoji = new Map([["party", "/api/emojis/e1"]]);
  const out = renderToString(
    <div>{renderMarkdown("hi :party: at 10:30:45 :nope:", { emoji })}</div>,
  );
  assert.match(out, /<img src="\/api\/emojis\/e1" alt=":party:"/);
  assert.equal(out.match(/<img /g)?.length, 1);
  assert.match(out, /at 10:30:45 :nope:/);
  assert.doesNotMatch(html("hi :party:"), /<img/, "without the server's list, text");
});

Deno.test("markdown-lite - whatever the text, markup never comes from it", () => {
  const marks = fc.constantFrom("~~", "||", "- ", "1. ", "\n", "<", ">", "&", '"', "*", "_", "`");
  const text = fc.array(fc.oneof(marks, fc.string({ maxLength: 4 })), { maxLength: 30 })
    .map((parts) => parts.join(""));
  fc.assert(fc.property(text, (input) => {
    const out = html(input);
    // Tags only from the renderer's own set; user text escaped.
    for (const [, tag] of out.matchAll(/<\/?([a-z]+)/g)) {
      assert.ok(
        ["div", "span", "s", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a"]
          .includes(tag),
        `${tag} from ${JSON.stringify(input)}`,
      );
    }
    assert.doesNotMatch(out, /<script|onerror=|javascript:/i);
  }));
});
