/**
 * Search without JavaScript (routes/pages/search_page.tsx): the channel header's `Search` box
 * is a GET form to /search, whose page lists the results grouped by channel with the words
 * marked and links to each message, or the refusal of a bad query.
 */
import assert from "node:assert/strict";
import { appTest } from "./helpers/app_test.ts";
import type { HttpClient } from "./helpers/http_client.ts";
import type { Person } from "./helpers/people.ts";
import { room } from "./helpers/people.ts";

async function page(client: HttpClient, path: string): Promise<{ status: number; html: string }> {
  const response = await client.request("GET", path);
  return { status: response.status, html: await response.text() };
}

async function post(who: Person, channelId: string, content: string) {
  const { status, body } = await who.http.json<{ message: { id: string; seq: number } }>(
    "POST",
    `/api/channels/${channelId}/messages`,
    { json: { content } },
  );
  assert.equal(status, 201);
  return body.message;
}

/** The results page for `q`, once the search finds `count` messages (searchable within 2 s). */
async function results(who: Person, serverId: string, q: string, count: number) {
  const path = `/search?${new URLSearchParams({ q, serverId })}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const shown = await page(who.http, path);
    assert.equal(shown.status, 200);
    const found = shown.html.match(/Go to message/g)?.length ?? 0;
    if (found === count) return shown.html;
    if (Date.now() > deadline) throw new Error(`"${q}" showed ${found} results, not ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

appTest("search without JS - the header's form, the results page, a bad query", async (app) => {
  const { serverId, channelId, owner, member } = await room(app);
  const fox = await post(owner, channelId, "the <b>quick</b> brown fox");
  await post(owner, channelId, "nothing to see");

  const channel = await page(member.http, `/chat/${serverId}/${channelId}`);
  assert.match(channel.html, /<form role="search" action="\/search" method="get"/);
  assert.match(channel.html, new RegExp(`name="serverId" value="${serverId}"`));
  assert.match(channel.html, /<input id="search" type="search" name="q" aria-label="Search"/);

  const html = await results(member, serverId, "fox", 1);
  assert.match(html, /<section aria-label="#general">/);
  assert.match(html, /<mark[^>]*>fox<\/mark>/);
  assert.match(html, /&lt;b>quick&lt;\/b>/, "user text stays text");
  assert.match(html, new RegExp(`href="/chat/${serverId}/${channelId}\\?m=${fox.seq}"`));
  assert.doesNotMatch(html, /nothing to see/);

  const refused = await page(member.http, `/search?q=fox+before%3Anotadate&serverId=${serverId}`);
  assert.equal(refused.status, 400);
  assert.match(refused.html, /role="alert"[^>]*>[^<]*before/i);

  const empty = await page(member.http, `/search?serverId=${serverId}`);
  assert.equal(empty.status, 200);
  assert.doesNotMatch(empty.html, /role="alert"/);
}, { RATE_LIMITS: "off" });
