/**
 * The reconcile after `ready` in a real browser: a page of history requested before a live
 * edit and answered after it must not bring the old text back (nor what ↑ edits).
 */
import assert from "node:assert/strict";
import type { APIResponse, Route } from "playwright-core";
import { watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import { room } from "./helpers/people.ts";
import { within } from "./helpers/wait.ts";

browserTest("message list - a reconcile answered after a live edit does not revert it", {
  env: { RATE_LIMITS: "off" },
}, async ({ app, pageAs }) => {
  const { serverId, channelId, member } = await room(app);
  const sent = await member.http.json<{ message: { id: string } }>(
    "POST",
    `/api/channels/${channelId}/messages`,
    { json: { content: "second tkae" } },
  );
  const page = await pageAs(member);
  const problems = watchProblems(page);

  // The reconcile's page is read now (before the edit) and handed over only later.
  const held = Promise.withResolvers<{ route: Route; response: APIResponse }>();
  await page.route(`**/api/channels/${channelId}/messages?limit=*`, async (route) => {
    held.resolve({ route, response: await route.fetch() });
  }, { times: 1 });
  await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
  const { route, response } = await within(held.promise, "the reconcile's request");
  assert.match(await response.text(), /second tkae/, "the held page has the old text");

  const edit = await member.http.request("PATCH", `/api/messages/${sent.body.message.id}`, {
    json: { content: "second take" },
  });
  assert.equal(edit.status, 200);
  await edit.body?.cancel();
  await page.locator("[data-seq='1']", { hasText: "second take(edited)" }).waitFor();

  const finished = page.waitForEvent(
    "requestfinished",
    (request) => request.url().includes(`/api/channels/${channelId}/messages?limit=`),
  );
  await route.fulfill({ response });
  await finished;
  // A message sent after the answer arrived shows after the reconcile has run.
  await member.http.request("POST", `/api/channels/${channelId}/messages`, {
    json: { content: "later" },
  }).then((answer) => answer.body?.cancel());
  await page.locator("[data-seq='2']", { hasText: "later" }).waitFor();
  assert.equal(await page.locator("[data-seq='1']").textContent(), "second take(edited)");
  assert.deepEqual(problems, []);
});
