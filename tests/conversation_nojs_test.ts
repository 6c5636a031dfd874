/**
 * Conversations without JavaScript: a message link (`?m=<seq>`) renders the page around that
 * message and highlights it; `?reply=<messageId>` puts a hidden field in the composer's form,
 * whose post stores a reply; the emoji data the picker fetches is its own gzipped JSON.
 */
import assert from "node:assert/strict";
import { appTest } from "./helpers/app_test.ts";
import type { HttpClient } from "./helpers/http_client.ts";
import type { Person } from "./helpers/people.ts";
import { room } from "./helpers/people.ts";
import type { TestApp } from "./helpers/test_app.ts";

async function page(client: HttpClient, path: string): Promise<{ status: number; html: string }> {
  const response = await client.request("GET", path);
  return { status: response.status, html: await response.text() };
}

async function post(who: Person, channelId: string, content: string, replyTo?: string) {
  const { status, body } = await who.http.json<{ message: { id: string; seq: number } }>(
    "POST",
    `/api/channels/${channelId}/messages`,
    { json: { content, replyTo } },
  );
  assert.equal(status, 201);
  return body.message;
}

const NO_LIMITS = { RATE_LIMITS: "off" };

appTest(
  "conversation without JS - ?m=<seq> renders the page around that message, lit",
  async (app) => {
    const { serverId, channelId, owner, member } = await room(app);
    for (let i = 1; i <= 120; i++) await post(owner, channelId, `numbered ${i}`);
    const latest = await page(member.http, `/chat/${serverId}/${channelId}`);
    assert.doesNotMatch(latest.html, /numbered 10</);

    const linked = await page(member.http, `/chat/${serverId}/${channelId}?m=10`);
    assert.equal(linked.status, 200);
    assert.match(linked.html, /data-highlighted[^>]*>(?:(?!data-message-id).)*numbered 10</s);
    assert.match(linked.html, /numbered 1</);
    assert.doesNotMatch(linked.html, /numbered 120</, "around seq 10, not the latest");
    assert.equal(linked.html.match(/data-highlighted/g)?.length, 1);

    // A seq that is not a number, or past the end, opens the channel as usual.
    for (const bad of ["abc", "-1", "99999"]) {
      const shown = await page(member.http, `/chat/${serverId}/${channelId}?m=${bad}`);
      assert.equal(shown.status, 200, bad);
      assert.doesNotMatch(shown.html, /data-highlighted/, bad);
    }
  },
  NO_LIMITS,
);

appTest("conversation without JS - ?reply= answers a message from the plain form", async (app) => {
  const { serverId, channelId, owner, member } = await room(app);
  const original = await post(owner, channelId, "what time is the meeting?");
  const shown = await page(member.http, `/chat/${serverId}/${channelId}?reply=${original.id}`);
  assert.match(shown.html, /Replying to <span[^>]*>owner<\/span>/);
  assert.match(
    shown.html,
    new RegExp(`<input type="hidden" name="replyTo" value="${original.id}"`),
  );
  assert.match(shown.html, /role="button"[^>]*>Cancel reply</);
  // Each message's Reply works without JS too: a GET form to ?reply=.
  assert.match(shown.html, new RegExp(`name="reply" value="${original.id}"`));

  const sent = await member.http.request("POST", `/chat/${serverId}/${channelId}/messages`, {
    body: new URLSearchParams({ content: "at noon", replyTo: original.id }),
    headers: { Origin: app.url },
  });
  assert.equal(sent.status, 303);
  const { body } = await member.http.json<{ messages: { content: string; replyTo: unknown }[] }>(
    "GET",
    `/api/channels/${channelId}/messages`,
  );
  const reply = body.messages.at(-1)!;
  assert.equal(reply.content, "at noon");
  assert.deepEqual(
    (reply.replyTo as { id: string; excerpt: string }).id,
    original.id,
  );
  // The reply's preview is a form that opens the page at the original, without JS.
  const after = await page(member.http, `/chat/${serverId}/${channelId}`);
  assert.match(after.html, /aria-label="Jump to what time is the meeting\?"/);
  assert.match(after.html, new RegExp(`name="m" value="${original.seq}"`));
  assert.doesNotMatch(after.html, /Replying to/, "the reply is done");
}, NO_LIMITS);

appTest("conversation - the picker's emoji data is its own gzipped JSON", async (app: TestApp) => {
  const { member } = await room(app);
  const response = await member.http.request("GET", "/emoji-data.json", {
    headers: { "Accept-Encoding": "gzip" },
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("Content-Encoding"), "gzip");
  const data = await response.json() as [string, string, string, string][];
  assert.ok(data.length > 1500);
  const thumbs = data.find(([, name]) => name === "thumbs up")!;
  assert.equal(thumbs[0], "👍", "canonical: no U+FE0F");
  assert.match(thumbs[2], /\bthumbsup\b/);
});

appTest("conversation - unread mention counts come from the stored mentions", async (app) => {
  const { serverId, channelId, owner, member, outsider } = await room(app);
  const other = await owner.http.json<{ channel: { id: string } }>(
    "POST",
    `/api/servers/${serverId}/channels`,
    { json: { name: "other" } },
  );
  const otherId = other.body.channel.id;
  const invite = await owner.http.json<{ code: string }>(
    "POST",
    `/api/servers/${serverId}/invites`,
  );
  assert.equal(
    (await outsider.http.json("POST", `/api/invites/${invite.body.code}/join`)).status,
    200,
  );
  await post(owner, otherId, "hello @member");
  await post(owner, otherId, "@everyone look"); // the owner may mention everyone
  await post(outsider, otherId, "@everyone too"); // a plain member may not: plain text
  await post(outsider, otherId, "@nobody here");
  const shown = await page(member.http, `/chat/${serverId}/${channelId}`);
  const link = shown.html.slice(shown.html.indexOf('data-channel="other"'));
  assert.match(link.slice(0, link.indexOf("</a>")), /data-mentions="2"/);
}, NO_LIMITS);
