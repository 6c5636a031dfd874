/**
 * Running a server without JavaScript: the settings page and its plain form posts (rename the
 * server, create, rename and delete a channel, create and revoke an invite, kick, ban, unban,
 * time out), each a 303 back to the settings page or the refusal shown on it; confirmation
 * pages before the destructive ones; a cross-site post is refused; the invite page names the
 * server (logged out too) and says plainly when an invite is no longer valid.
 */
import assert from "node:assert/strict";
import { appTest } from "./helpers/app_test.ts";
import { HttpClient } from "./helpers/http_client.ts";
import { PNG_1X1 } from "./helpers/fixtures.ts";
import { register, room } from "./helpers/people.ts";
import type { TestApp } from "./helpers/test_app.ts";

/** A form post as a browser without JavaScript sends it, from the app's own page. */
function post(client: HttpClient, app: TestApp, path: string, fields: Record<string, string> = {}) {
  return client.request("POST", path, {
    body: new URLSearchParams(fields),
    headers: { Origin: app.url },
  });
}

async function page(client: HttpClient, path: string): Promise<{ status: number; html: string }> {
  const response = await client.request("GET", path);
  return { status: response.status, html: await response.text() };
}

appTest("governance without JS - settings page, server and channel forms", async (app) => {
  const { serverId, channelId, owner, member } = await room(app);
  const settings = `/chat/${serverId}/settings`;

  const shown = await page(owner.http, settings);
  assert.equal(shown.status, 200);
  assert.match(shown.html, /<label for="server-name"[^>]*>Server name<\/label>/);
  assert.match(shown.html, />Save<\/button>/);
  // A plain member has nothing to manage there: no forms, and posts are refused.
  const plain = await page(member.http, settings);
  assert.doesNotMatch(plain.html, /server-name/);
  const refused = await post(member.http, app, settings, { name: "Mine now" });
  assert.equal(refused.status, 403);
  assert.match(await refused.text(), /You need the manage_server permission/);

  const renamed = await post(owner.http, app, settings, { name: "No Script Club" });
  assert.equal(renamed.status, 303);
  assert.match(renamed.headers.get("Location")!, /\/settings\?done=Saved\./);
  const server = await owner.http.json<{ server: { name: string } }>(
    "GET",
    `/api/servers/${serverId}`,
  );
  assert.equal(server.body.server.name, "No Script Club");
  const empty = await post(owner.http, app, settings, { name: "  " });
  assert.equal(empty.status, 400, "a refusal is shown on the page again");
  assert.match(await empty.text(), /role="alert"/);

  const created = await post(owner.http, app, `/chat/${serverId}/channels`, { name: "plain" });
  assert.equal(created.status, 303);
  const newId = created.headers.get("Location")!.split("/").at(-1)!;
  const category = await post(owner.http, app, `/chat/${serverId}/channels`, {
    name: "Talk",
    kind: "category",
  });
  assert.equal(category.headers.get("Location"), `/chat/${serverId}`);
  const renamedChannel = await post(owner.http, app, `/chat/${serverId}/${newId}/rename`, {
    name: "renamed",
  });
  assert.equal(renamedChannel.status, 303);
  const confirm = await page(owner.http, `/chat/${serverId}/${newId}/delete`);
  assert.match(confirm.html, /Delete #renamed\?/);
  assert.match(confirm.html, new RegExp(`action="/chat/${serverId}/${newId}/delete"`));
  const deleted = await post(owner.http, app, `/chat/${serverId}/${newId}/delete`);
  assert.equal(deleted.status, 303);
  const channels = await owner.http.json<{ channels: { id: string }[] }>(
    "GET",
    `/api/servers/${serverId}`,
  );
  assert.deepEqual(
    channels.body.channels.filter((c) => c.id === newId),
    [],
    "the channel is gone",
  );
  assert.ok(channels.body.channels.some((c) => c.id === channelId));

  // Same-origin protection, as for every other form.
  const foreign = await owner.http.request("POST", settings, {
    body: new URLSearchParams({ name: "Hijacked" }),
    headers: { Origin: "https://evil.example" },
  });
  assert.equal(foreign.status, 403);
});

appTest("governance without JS - invites, kick, ban, unban, time out", async (app) => {
  const { serverId, owner, member } = await room(app);
  const third = await register(app, "third");
  const settings = `/chat/${serverId}/settings`;

  const made = await post(owner.http, app, `/chat/${serverId}/invites`, {
    maxAgeSeconds: "3600",
    maxUses: "5",
  });
  assert.equal(made.status, 303);
  const code = decodeURIComponent(made.headers.get("Location")!.split("invite=")[1]);
  const listed = await page(owner.http, settings);
  assert.match(listed.html, new RegExp(`<code>${code}</code>`));
  assert.match(listed.html, /0 of 5 uses/);

  // The invite page, logged out: the server's name and member count, and the limits.
  const visitor = new HttpClient(app.url);
  const preview = await page(visitor, `/invite/${code}`);
  assert.equal(preview.status, 200);
  assert.match(preview.html, /Room/);
  assert.match(preview.html, /2 members/);
  assert.match(preview.html, /5 uses left/);
  // With an icon: shown to the visitor through the invite (the server's own URL is for members).
  const iconSet = await owner.http.request("PUT", `/api/servers/${serverId}/icon`, {
    body: PNG_1X1,
    headers: { "Content-Type": "image/png" },
  });
  assert.equal(iconSet.status, 200);
  await iconSet.body?.cancel();
  const withIcon = await page(visitor, `/invite/${code}`);
  const src = withIcon.html.match(/<img src="(\/invite\/[^"]+\/icon[^"]*)"/)?.[1];
  assert.ok(src, "the invite page shows the icon");
  const icon = await visitor.request("GET", src.replaceAll("&amp;", "&"));
  assert.equal(icon.status, 200);
  assert.equal(icon.headers.get("Content-Type"), "image/png");
  await icon.body?.cancel();
  assert.equal((await third.http.json("POST", `/api/invites/${code}/join`)).status, 200);

  const revoked = await post(owner.http, app, `/chat/${serverId}/invites/${code}/revoke`);
  assert.equal(revoked.status, 303);
  const gone = await page(visitor, `/invite/${code}`);
  assert.equal(gone.status, 404);
  assert.match(gone.html, /This invite is not valid/);
  assert.match(gone.html, /expired, has been used up, was revoked, or never existed/);
  assert.equal((await page(visitor, "/invite/nonsense")).status, 404);

  const timedOut = await post(owner.http, app, `/chat/${serverId}/members/${third.id}/timeout`, {
    seconds: "3600",
  });
  assert.equal(timedOut.status, 303);
  const members = await owner.http.json<
    { members: { user: { id: string }; timeoutUntil: string }[] }
  >(
    "GET",
    `/api/servers/${serverId}`,
  );
  assert.ok(members.body.members.find((m) => m.user.id === third.id)?.timeoutUntil);

  const kickPage = await page(owner.http, `/chat/${serverId}/members/${third.id}/kick`);
  assert.match(kickPage.html, /Kick third\?/);
  const kicked = await post(owner.http, app, `/chat/${serverId}/members/${third.id}/kick`, {
    reason: "no js",
  });
  assert.equal(kicked.status, 303);
  assert.equal((await third.http.json("GET", `/api/servers/${serverId}`)).status, 404);
  // A member cannot kick the owner: shown on the page, not a crash.
  const upward = await post(member.http, app, `/chat/${serverId}/members/${owner.id}/kick`);
  assert.equal(upward.status, 403);

  const banPage = await page(owner.http, `/chat/${serverId}/members/${member.id}/ban`);
  assert.match(banPage.html, /Delete their recent messages/);
  const banned = await post(owner.http, app, `/chat/${serverId}/members/${member.id}/ban`, {
    reason: "spam",
    deleteMessagesSeconds: "3600",
  });
  assert.equal(banned.status, 303);
  const bans = await page(owner.http, settings);
  assert.match(bans.html, /Unban member/);
  const again = await owner.http.json<{ code: string }>("POST", `/api/servers/${serverId}/invites`);
  assert.equal(
    (await member.http.json("POST", `/api/invites/${again.body.code}/join`)).status,
    403,
  );
  const unbanned = await post(owner.http, app, `/chat/${serverId}/bans/${member.id}/unban`);
  assert.equal(unbanned.status, 303);
  assert.equal(
    (await member.http.json("POST", `/api/invites/${again.body.code}/join`)).status,
    200,
  );
});
