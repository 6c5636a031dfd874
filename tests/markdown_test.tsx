/** The messages' markdown-lite: what each mark renders, and that user text stays text. */
import assert from "node:assert/strict";
import fc from "fast-check";
import { renderToString } from "preact-render-to-string";
import { renderMarkdown } from "../islands/shared/markdown.tsx";

const html = (text: string, me?: string) => renderToString(<div>{renderMarkdown(text, me)}</div>);
const strip = (markup: string) => markup.replace(/ class="[^"]*"/g, "");

Deno.test("markdown - inline marks", () => {
  assert.equal(
    strip(html("a **b** _c_ `d` e")),
    "<div><span>a <strong>b</strong> <em>c</em> <code>d</code> e</span></div>",
  );
  assert.equal(
    strip(html("snake_case_name stays")),
    "<div><span>snake_case_name stays</span></div>",
  );
});

Deno.test("markdown - links only for http(s), with rel=noopener noreferrer", () => {
  const out = html("see https://example.com/a?b=1, or javascript:alert(1) or data:text/html,x");
  assert.match(
    out,
    /<a href="https:\/\/example.com\/a\?b=1" target="_blank" rel="noopener noreferrer"[^>]*>https:\/\/example.com\/a\?b=1<\/a>,/,
  );
  assert.equal(out.match(/<a /g)?.length, 1);
  assert.doesNotMatch(out, /href="(javascript|data):/);
});

Deno.test("markdown - mentions are highlighted, the reader's own more", () => {
  const out = html("hi @Alice and @bob", "bob");
  assert.match(out, /data-mention="alice"/);
  assert.match(out, /bg-amber-200[^>]*data-mention="bob"/);
  assert.doesNotMatch(html("mail me: a@bob.com"), /data-mention/);
});

Deno.test("markdown - fenced code and quotes are blocks; code is not formatted", () => {
  const out = strip(html("before\n```\nconst **x** = `y`;\n```\n> quoted _line_\n> second\nafter"));
  assert.equal(
    out,
    "<div><span>before</span><pre><code>const **x** = `y`;</code></pre>" +
      "<blockquote>quoted <em>line</em>\nsecond</blockquote><span>after</span></div>",
  );
  assert.equal(strip(html("```\nno end")), "<div><span>```\nno end</span></div>");
});

Deno.test("property - markdown output has only our elements, whatever the text", () => {
  const allowed = new Set(["div", "span", "strong", "em", "code", "pre", "blockquote", "a"]);
  const hostile = fc.oneof(
    fc.string({ unit: "grapheme" }),
    fc.array(
      fc.constantFrom(
        "**",
        "_",
        "`",
        "```\n",
        "> ",
        "\n",
        "https://x.test/",
        "javascript:",
        "<b>",
        "@bob",
        '"',
        "' onmouseover='",
      ),
      { maxLength: 12 },
    ).map((parts) => parts.join("")),
  );
  fc.assert(
    fc.property(hostile, (text) => {
      const out = html(text);
      for (const [, tag] of out.matchAll(/<\/?([a-z0-9]+)/gi)) {
        assert.ok(allowed.has(tag.toLowerCase()), tag);
      }
      for (const [, href] of out.matchAll(/href="([^"]*)"/g)) assert.match(href, /^https?:\/\//);
      assert.doesNotMatch(out, /<[^>]+\son\w+=/i);
    }),
    { numRuns: 500 },
  );
});
