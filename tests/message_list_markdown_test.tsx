/** How a message's text shows in the list: who counts as a mention, and where "(edited)" goes. */
import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import { renderMarkdown } from "../islands/shared/markdown.tsx";
import type { MarkdownOptions } from "../islands/shared/markdown.tsx";

const html = (text: string, options: MarkdownOptions) =>
  renderToString(<div>{renderMarkdown(text, options)}</div>);
const strip = (markup: string) => markup.replace(/ class="[^"]*"/g, "");

Deno.test("renderMarkdown - only members are highlighted as mentions", () => {
  const out = html("hi @Alice, @nobody and @meg <b>", {
    me: "meg",
    mentionable: new Set(["alice", "bob"]),
  });
  assert.match(out, /data-mention="alice"/);
  assert.match(out, /data-mention="meg"/, "the reader is always a member");
  assert.doesNotMatch(out, /data-mention="nobody"/);
  assert.match(out, /, @nobody and /, "a non-member's name stays plain text");
  assert.match(out, /&lt;b>|&lt;b&gt;/, "text stays escaped");
});

Deno.test("renderMarkdown - without a member list every @name is a mention", () => {
  assert.match(html("@nobody", {}), /data-mention="nobody"/);
});

Deno.test("renderMarkdown - the trailer joins the last paragraph's line", () => {
  const trailer = <span>(edited)</span>;
  assert.equal(
    strip(html("one\ntwo", { trailer })),
    "<div><span>one\ntwo<span>(edited)</span></span></div>",
  );
  assert.equal(
    strip(html("> quoted", { trailer })),
    "<div><blockquote>quoted</blockquote><span>(edited)</span></div>",
    "after a block it follows the block",
  );
});
