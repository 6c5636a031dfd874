/**
 * Property-based tests (fast-check): for any input, the frame parser answers without throwing,
 * the islands props codec round-trips, validation either accepts clean text or throws Invalid,
 * and message rendering never turns user text into markup.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { renderToString } from "preact-render-to-string";
import { Invalid } from "../lib/errors.ts";
import { parseClientFrame } from "../lib/realtime/frames.ts";
import { escapeForScript, reviveProps, serializeProps } from "../islands/runtime/props.ts";
import { cleanBio, cleanDisplayName, cleanMessageContent, normalizeUsername } from "../lib/text.ts";
import MessageList from "../islands/MessageList.tsx";
import type { WireMessage } from "../lib/realtime/protocol.ts";

const RUNS = { numRuns: 500 };

Deno.test("property - the frame parser never throws and only accepts well-formed frames", () => {
  const frameLike = fc.oneof(
    fc.string(),
    fc.json(),
    fc.record({
      type: fc.constantFrom("send", "typing", "resume", "auth", "ping", "x"),
      channelId: fc.anything(),
      content: fc.anything(),
      nonce: fc.anything(),
      token: fc.anything(),
      channels: fc.anything(),
    }).map((o) => JSON.stringify(o)),
  );
  fc.assert(
    fc.property(frameLike, (text) => {
      const result = parseClientFrame(text);
      if ("error" in result) {
        assert.equal(typeof result.error.code, "string");
        assert.ok(result.error.message.length > 0);
        return;
      }
      const { frame } = result;
      switch (frame.type) {
        case "send":
          assert.equal(typeof frame.channelId, "string");
          assert.equal(typeof frame.nonce, "string");
          break;
        case "typing":
          assert.equal(typeof frame.channelId, "string");
          break;
        case "resume":
          for (const seq of Object.values(frame.channels)) {
            assert.ok(Number.isSafeInteger(seq) && seq >= 0);
          }
          break;
        case "auth":
          assert.equal(typeof frame.token, "string");
          break;
      }
    }),
    RUNS,
  );
});

Deno.test("property - island props survive serialise, script-escape and revive", () => {
  const value = fc.letrec((tie) => ({
    leaf: fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.bigInt(),
      fc.date({ noInvalidDate: true }),
    ),
    node: fc.oneof(
      { depthSize: "small" },
      tie("leaf"),
      fc.array(tie("node"), { maxLength: 4 }),
      fc.dictionary(fc.string(), tie("node"), { maxKeys: 4, noNullPrototype: true }),
      fc.array(tie("leaf"), { maxLength: 4 }).map((items) => new Set(items)),
      fc.array(fc.tuple(fc.string(), tie("node")), { maxLength: 3 }).map((pairs) => new Map(pairs)),
    ),
  })).node;
  fc.assert(
    fc.property(value, (input) => {
      const text = escapeForScript(serializeProps(input));
      assert.doesNotMatch(text, /<\/script|<!--/i);
      assert.deepEqual(reviveProps(text), input);
    }),
    RUNS,
  );
});

Deno.test("property - validation returns clean text or throws Invalid, nothing else", () => {
  const checks = [normalizeUsername, cleanDisplayName, cleanBio, cleanMessageContent];
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: "binary" }), fc.anything()), (input) => {
      for (const check of checks) {
        try {
          const clean = check(input);
          assert.equal(typeof clean, "string");
          assert.ok(clean.isWellFormed(), "never returns broken Unicode");
          assert.equal(clean, clean.trim(), "always trimmed");
          // deno-lint-ignore no-control-regex -- asserting their absence is the point
          assert.doesNotMatch(clean, /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/);
        } catch (error) {
          assert.ok(error instanceof Invalid, `${check.name} threw ${error}`);
        }
      }
    }),
    RUNS,
  );
});

Deno.test("property - message rendering shows any text as text", () => {
  const message = (content: string): WireMessage => ({
    id: "m1",
    channelId: "c1",
    seq: 1,
    author: { id: "u1", username: "u", displayName: "<b>U</b>", avatarUrl: "/a" },
    content,
    createdAt: "2026-01-01T00:00:00.000Z",
    editedAt: null,
  });
  const hostile = fc.oneof(
    fc.string({ unit: "grapheme" }),
    fc.constantFrom(
      "<script>alert(1)</script>",
      "<img src=x onerror=alert(1)>",
      "</p><svg onload=alert(1)>",
      "&lt;b&gt;",
      "[x](javascript:alert(1))",
    ),
  );
  // Our own markup only: the markdown-lite elements, links to http(s) only, no handlers.
  const allowed = new Set([
    "div",
    "span",
    "strong",
    "em",
    "s",
    "code",
    "pre",
    "blockquote",
    "a",
    "ul",
    "ol",
  ]);
  fc.assert(
    fc.property(hostile, (content) => {
      const html = renderToString(
        <MessageList
          channelId="c1"
          channelName="general"
          initial={[message(content)]}
          hasOlder={false}
          pageSize={50}
        />,
      );
      const body = html.slice(html.indexOf('data-seq="1"'));
      const inner = body.slice(body.indexOf(">") + 1, body.lastIndexOf("</ol>"));
      for (const [, tag] of inner.matchAll(/<\/?([a-z0-9]+)/gi)) {
        assert.ok(allowed.has(tag.toLowerCase()) || tag === "li", `unexpected <${tag}>`);
      }
      for (const [, href] of inner.matchAll(/href="([^"]*)"/g)) assert.match(href, /^https?:\/\//);
      assert.doesNotMatch(inner, /<[^>]+\son\w+=/i);
      // Without marks, the text comes back exactly.
      if (!/[*_`>@~|]|https?:|^\s*([-*]|\d+\.) /m.test(content)) {
        const text = inner.replace(/<[^>]*>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">")
          .replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
        assert.equal(text, content);
      }
      assert.doesNotMatch(html, /<b>U<\/b>/);
    }),
    RUNS,
  );
});
