/**
 * Unread state: badges on channels with messages the reader has not seen, a "New messages"
 * divider at the first unread one, and the read marker following the reader.
 */
import assert from "node:assert/strict";
import { islandsReady, socketReady, watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import { room } from "./helpers/people.ts";

browserTest("unread - badges, the New messages divider, and the read marker", {
  env: { RATE_LIMITS: "off" },
}, async ({ app, pageAs }) => {
  const { serverId, channelId, owner, member } = await room(app);
  const random = await owner.http.json<{ channel: { id: string } }>(
    "POST",
    `/api/servers/${serverId}/channels`,
    {
      json: { name: "random" },
    },
  );
  const post = (channel: string, content: string) =>
    owner.http.json("POST", `/api/channels/${channel}/messages`, { json: { content } });
  await member.http.request("PUT", `/api/channels/${channelId}/read`, { json: { seq: 0 } });
  for (const text of ["old one", "old two"]) await post(channelId, text);
  await member.http.request("PUT", `/api/channels/${channelId}/read`, { json: { seq: 2 } });
  for (const text of ["new one", "new two", "new three"]) await post(channelId, text);
  for (const text of ["elsewhere 1", "elsewhere, @Member"]) {
    await post(random.body.channel.id, text);
  }

  const page = await pageAs(member);
  const problems = watchProblems(page);
  await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
  await islandsReady(page);
  assert.equal(
    await page.getByRole("navigation", { name: "Channels" }).locator("[data-unread]")
      .getAttribute("data-unread"),
    "2",
    "random has 2 unread",
  );
  assert.equal(
    await page.getByRole("navigation", { name: "Channels" }).locator("[data-mentions]")
      .getAttribute("data-mentions"),
    "1",
    "one of them mentions the reader",
  );
  // The divider sits right before "new one".
  const order = await page.locator("[role=separator][aria-label='New messages'], [data-seq]")
    .evaluateAll((els) => els.map((el) => el.getAttribute("aria-label") ?? el.textContent));
  assert.deepEqual(order, [
    "old one",
    "old two",
    "New messages",
    "new one",
    "new two",
    "new three",
  ]);

  // Seen at the bottom of a visible page: the marker moves to the latest message.
  const reader = await app.accounts.getUser(member.id);
  const readOf = async () =>
    (await app.chat.reads.ofServer(reader, serverId)).get(channelId)!.readSeq;
  for (let i = 0; i < 100 && (await readOf()) !== 5; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(await readOf(), 5);
  await page.reload();
  await islandsReady(page);
  assert.equal(
    await page.getByRole("separator", { name: "New messages" }).count(),
    0,
    "nothing new any more",
  );
  assert.deepEqual(problems, []);
});

browserTest("unread - badges, mentions, server dots and the tab title follow the socket", {
  env: { RATE_LIMITS: "off" },
}, async ({ app, pageAs }) => {
  const { serverId, channelId, owner, member } = await room(app);
  const random = (await owner.http.json<{ channel: { id: string } }>(
    "POST",
    `/api/servers/${serverId}/channels`,
    { json: { name: "random" } },
  )).body.channel.id;
  // A second server the member belongs to, where nobody has said anything yet.
  const other = await owner.http.json<{ server: { id: string }; channels: { id: string }[] }>(
    "POST",
    "/api/servers",
    { json: { name: "Other place" } },
  );
  const invite = await owner.http.json<{ code: string }>(
    "POST",
    `/api/servers/${other.body.server.id}/invites`,
  );
  await member.http.request("POST", `/api/invites/${invite.body.code}/join`);
  const post = (channel: string, content: string) =>
    owner.http.json("POST", `/api/channels/${channel}/messages`, { json: { content } });

  const page = await pageAs(member);
  const problems = watchProblems(page);
  await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
  await socketReady(page);
  const randomLink = page.getByRole("navigation", { name: "Channels" }).locator(
    `a[href$="/${random}"]`,
  );
  const otherIcon = page.getByRole("navigation", { name: "Servers" }).locator(
    `a[href="/chat/${other.body.server.id}"]`,
  );
  assert.equal(await randomLink.locator("[data-unread]").count(), 0);
  assert.doesNotMatch(await page.title(), /^\(/);

  await post(random, "plain news");
  await post(random, "hey @member, look");
  await randomLink.locator("[data-mentions='1'][data-unread='2']").waitFor();
  await page.waitForFunction(() => document.title.startsWith("(2) #general"));

  await post(other.body.channels[0].id, "over here");
  await otherIcon.locator("xpath=self::*[@data-unread='1']").waitFor();

  // Read in another tab (here: the API): the `read` event clears the badge and the title.
  await member.http.request("PUT", `/api/channels/${random}/read`, { json: { seq: 2 } });
  await randomLink.locator("[data-unread]").waitFor({ state: "detached" });
  await page.waitForFunction(() => document.title.startsWith("(1) #general"));

  // Messages in the open channel, read at the bottom of a visible page, never count.
  await post(channelId, "in view");
  await page.getByText("in view").waitFor();
  await page.waitForTimeout(600);
  assert.match(await page.title(), /^\(1\) #general/);
  assert.deepEqual(problems, []);
});
