/**
 * The hierarchy rule on members (API.md Precisions: it applies "to the members one may act on"):
 * a manager cannot lock a higher-ranked member out with a member overwrite, nor change their
 * roles, and the invite preview's icon is one a visitor may load.
 */
import assert from "node:assert/strict";
import { appTest } from "./helpers/app_test.ts";
import { assertError, createRole, giveRole, putOverwrite } from "./helpers/governance.ts";
import { PNG_1X1 } from "./helpers/fixtures.ts";
import { register, room } from "./helpers/people.ts";
import type { Person } from "./helpers/people.ts";
import type { TestApp } from "./helpers/test_app.ts";

/** A third member, `senior`, holding a role above the member's `manager` role. */
async function ranked(app: TestApp) {
  const base = await room(app);
  const { serverId, owner } = base;
  const senior: Person = await register(app, "senior");
  const invite = await owner.http.json<{ code: string }>(
    "POST",
    `/api/servers/${serverId}/invites`,
  );
  assert.equal(
    (await senior.http.json("POST", `/api/invites/${invite.body.code}/join`)).status,
    200,
  );
  // A new role goes to the bottom (position 1) and the others move up: the first made is highest.
  const high = await createRole(owner, serverId, { name: "high", permissions: ["kick_members"] });
  const manager = await createRole(owner, serverId, {
    name: "manager",
    permissions: ["manage_roles"],
  });
  const low = await createRole(owner, serverId, { name: "low", permissions: [] });
  await giveRole(owner, serverId, senior.id, high.id);
  await giveRole(owner, serverId, base.member.id, manager.id);
  return { ...base, senior, high, manager, low };
}

appTest("member overwrites - only on members below one's highest role", async (app) => {
  const { channelId, member, senior } = await ranked(app);
  const put = await member.http.json("PUT", `/api/channels/${channelId}/overwrites/${senior.id}`, {
    json: { type: "member", allow: [], deny: ["view_channel"] },
  });
  assertError(put, 403, "role_hierarchy");
  const seen = await senior.http.json("GET", `/api/channels/${channelId}/messages`);
  assert.equal(seen.status, 200, "the senior member still sees the channel");
});

appTest("member overwrites - the owner's stays; a manager may not remove it", async (app) => {
  const { channelId, owner, member, senior } = await ranked(app);
  await putOverwrite(owner, channelId, senior.id, {
    type: "member",
    allow: [],
    deny: ["send_messages"],
  });
  const removed = await member.http.json(
    "DELETE",
    `/api/channels/${channelId}/overwrites/${senior.id}`,
  );
  assertError(removed, 403, "role_hierarchy");
});

appTest("member roles - a manager cannot give or take roles of a higher member", async (app) => {
  const { serverId, member, senior, low } = await ranked(app);
  const given = await member.http.json(
    "PUT",
    `/api/servers/${serverId}/members/${senior.id}/roles/${low.id}`,
  );
  assertError(given, 403, "role_hierarchy");
  const self = await member.http.request(
    "PUT",
    `/api/servers/${serverId}/members/${member.id}/roles/${low.id}`,
  );
  assert.equal(self.status, 204, "one's own roles, below one's rank, may be changed");
});

appTest("invite preview - the icon URL is one a visitor can load", async (app) => {
  const { serverId, owner } = await room(app);
  const icon = await owner.http.request("PUT", `/api/servers/${serverId}/icon`, {
    body: PNG_1X1,
    headers: { "content-type": "image/png" },
  });
  assert.equal(icon.status, 200, await icon.text());
  const invite = await owner.http.json<{ code: string }>(
    "POST",
    `/api/servers/${serverId}/invites`,
  );
  const preview = await fetch(`${app.url}/api/invites/${invite.body.code}`);
  const { invite: shown } = await preview.json();
  assert.ok(shown.server.iconUrl, "the preview has an icon");
  const image = await fetch(new URL(shown.server.iconUrl, app.url));
  assert.equal(image.status, 200, "a logged-out visitor loads it");
  assert.equal(image.headers.get("content-type"), "image/png");
  await image.body?.cancel();
});
