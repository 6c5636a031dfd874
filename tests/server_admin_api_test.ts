/**
 * PATCH / DELETE /api/servers/:id and the server icon, through the real app on both stores:
 * permissions, transfers, bad input, audit entries and the events other members see live.
 */
import assert from "node:assert/strict";
import { SERVER_ICON_MAX_BYTES } from "../lib/limits.ts";
import { appTest } from "./helpers/app_test.ts";
import { GIF_1X1, PNG_1X1 } from "./helpers/fixtures.ts";
import { grant } from "./helpers/grant_role.ts";
import { room } from "./helpers/people.ts";

interface ErrorBody {
  error: { code: string; message: string };
}

interface ServerBody {
  server: { id: string; name: string; ownerId: string; iconUrl: string | null };
}

interface AuditBody {
  entries: { action: string; actorId: string; targetId: string; changes: unknown[] }[];
}

appTest("PATCH /api/servers/:id - renames with manage_server, audited, live", async (app) => {
  const { serverId, owner, member, outsider } = await room(app);
  const memberWs = await member.connect();
  const renamed = await owner.http.json<ServerBody>("PATCH", `/api/servers/${serverId}`, {
    json: { name: "  Reading Room  " },
  });
  assert.equal(renamed.status, 200);
  assert.equal(renamed.body.server.name, "Reading Room");
  const event = await memberWs.next("server_updated");
  assert.equal(event.server.name, "Reading Room");
  assert.equal(event.server.id, serverId);

  const refused = await member.http.json<ErrorBody>("PATCH", `/api/servers/${serverId}`, {
    json: { name: "Mine" },
  });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.code, "missing_permissions");
  assert.match(refused.body.error.message, /manage_server/);
  const hidden = await outsider.http.json<ErrorBody>("PATCH", `/api/servers/${serverId}`, {
    json: { name: "Mine" },
  });
  assert.equal(hidden.status, 404);
  for (const name of ["", "x".repeat(101), 7]) {
    const bad = await owner.http.json<ErrorBody>("PATCH", `/api/servers/${serverId}`, {
      json: { name },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, "invalid_server_name");
  }
  const notJson = await owner.http.json<ErrorBody>("PATCH", `/api/servers/${serverId}`, {
    body: "name=x",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  assert.equal(notJson.status, 415);

  await grant(owner, serverId, member, ["manage_server"]);
  const byManager = await member.http.json<ServerBody>("PATCH", `/api/servers/${serverId}`, {
    json: { name: "Managed" },
  });
  assert.equal(byManager.status, 200);
  const log = await owner.http.json<AuditBody>(
    "GET",
    `/api/servers/${serverId}/audit-log?action=server_update`,
  );
  assert.deepEqual(
    log.body.entries.map((e) => [e.actorId, e.changes]),
    [
      [member.id, [{ key: "name", old: "Reading Room", new: "Managed" }]],
      [owner.id, [{ key: "name", old: "Room", new: "Reading Room" }]],
    ],
  );
  const same = await owner.http.json<ServerBody>("PATCH", `/api/servers/${serverId}`, {
    json: { name: "Managed" },
  });
  assert.equal(same.status, 200);
  const after = await owner.http.json<AuditBody>(
    "GET",
    `/api/servers/${serverId}/audit-log?action=server_update`,
  );
  assert.equal(after.body.entries.length, 2, "an unchanged name writes no entry");
  await memberWs.close();
});

appTest("PATCH /api/servers/:id ownerId - only the owner hands over, to a member", async (app) => {
  const { serverId, owner, member, outsider } = await room(app);
  await grant(owner, serverId, member, ["manage_server"]);
  const byManager = await member.http.json<ErrorBody>("PATCH", `/api/servers/${serverId}`, {
    json: { ownerId: member.id },
  });
  assert.equal(byManager.status, 403);
  assert.equal(byManager.body.error.code, "not_owner");
  for (const ownerId of [outsider.id, "nobody", 42, null]) {
    const bad = await owner.http.json<ErrorBody>("PATCH", `/api/servers/${serverId}`, {
      json: { ownerId },
    });
    assert.equal(bad.status, 400, String(ownerId));
    assert.equal(bad.body.error.code, "invalid_owner");
  }
  const cannotLeave = await owner.http.json<ErrorBody>(
    "DELETE",
    `/api/servers/${serverId}/members/me`,
  );
  assert.equal(cannotLeave.status, 409);

  const ownerWs = await owner.connect();
  const moved = await owner.http.json<ServerBody>("PATCH", `/api/servers/${serverId}`, {
    json: { ownerId: member.id },
  });
  assert.equal(moved.status, 200);
  assert.equal(moved.body.server.ownerId, member.id);
  assert.equal((await ownerWs.next("server_updated")).server.ownerId, member.id);
  // The old owner is an ordinary member now: no more manage_server, and free to leave.
  const renameAfter = await owner.http.json<ErrorBody>("PATCH", `/api/servers/${serverId}`, {
    json: { name: "Still mine?" },
  });
  assert.equal(renameAfter.status, 403);
  const left = await owner.http.request("DELETE", `/api/servers/${serverId}/members/me`);
  assert.equal(left.status, 204);
  const log = await member.http.json<AuditBody>("GET", `/api/servers/${serverId}/audit-log`);
  assert.deepEqual(log.body.entries.find((e) => e.action === "server_update")?.changes, [
    { key: "ownerId", old: owner.id, new: member.id },
  ]);
  await ownerWs.close();
});

appTest("DELETE /api/servers/:id - the owner only; everything is gone; live", async (app) => {
  const { serverId, channelId, owner, member, outsider } = await room(app);
  const invite = await owner.http.json<{ code: string }>(
    "POST",
    `/api/servers/${serverId}/invites`,
  );
  await owner.http.json("POST", `/api/channels/${channelId}/messages`, {
    json: { content: "bye" },
  });
  await grant(owner, serverId, member, ["administrator"]);
  const byAdmin = await member.http.json<ErrorBody>("DELETE", `/api/servers/${serverId}`);
  assert.equal(byAdmin.status, 403);
  assert.equal(byAdmin.body.error.code, "not_owner");
  const byOutsider = await outsider.http.json<ErrorBody>("DELETE", `/api/servers/${serverId}`);
  assert.equal(byOutsider.status, 404);

  const memberWs = await member.connect();
  const deleted = await owner.http.request("DELETE", `/api/servers/${serverId}`);
  assert.equal(deleted.status, 204);
  assert.equal((await memberWs.next("server_deleted")).serverId, serverId);
  for (const person of [owner, member]) {
    assert.equal((await person.http.json("GET", `/api/servers/${serverId}`)).status, 404);
    assert.equal(
      (await person.http.json("GET", `/api/channels/${channelId}/messages`)).status,
      404,
    );
    const list = await person.http.json<{ servers: unknown[] }>("GET", "/api/servers");
    assert.deepEqual(list.body.servers, []);
  }
  const preview = await fetch(`${app.url}/api/invites/${invite.body.code}`);
  assert.equal(preview.status, 404);
  assert.equal((await preview.json()).error.code, "invite_invalid");
  const again = await owner.http.request("DELETE", `/api/servers/${serverId}`);
  assert.equal(again.status, 404);
  await memberWs.close();
});

appTest("PUT /api/servers/:id/icon - checked like avatars, served to members", async (app) => {
  const { serverId, owner, member, outsider } = await room(app);
  const put = (who: typeof owner, body: Uint8Array<ArrayBuffer>, type: string) =>
    who.http.json<ServerBody & ErrorBody>("PUT", `/api/servers/${serverId}/icon`, {
      body,
      headers: { "Content-Type": type },
    });
  const memberWs = await member.connect();
  const stored = await put(owner, PNG_1X1, "image/png");
  assert.equal(stored.status, 200);
  const url = stored.body.server.iconUrl!;
  assert.match(url, new RegExp(`^/api/servers/${serverId}/icon\\?v=.+`));
  assert.equal((await memberWs.next("server_updated")).server.iconUrl, url);

  const image = await member.http.request("GET", url);
  assert.equal(image.status, 200);
  assert.equal(image.headers.get("Content-Type"), "image/png");
  assert.equal(image.headers.get("X-Content-Type-Options"), "nosniff");
  assert.match(image.headers.get("Cache-Control")!, /immutable/);
  assert.deepEqual(new Uint8Array(await image.arrayBuffer()), PNG_1X1);
  const hidden = await outsider.http.request("GET", url);
  assert.equal(hidden.status, 404);
  await hidden.body?.cancel();
  const anonymous = await fetch(app.url + url);
  assert.equal(anonymous.status, 401);
  await anonymous.body?.cancel();

  const replaced = await put(owner, GIF_1X1, "image/gif");
  assert.notEqual(replaced.body.server.iconUrl, url);
  const detail = await member.http.json<ServerBody>("GET", `/api/servers/${serverId}`);
  assert.equal(detail.body.server.iconUrl, replaced.body.server.iconUrl);

  const byMember = await put(member, PNG_1X1, "image/png");
  assert.equal(byMember.status, 403);
  assert.equal(byMember.body.error.code, "missing_permissions");
  assert.equal((await put(owner, PNG_1X1, "text/plain")).status, 415);
  const mismatch = await put(owner, PNG_1X1, "image/gif");
  assert.equal(mismatch.status, 400);
  assert.equal(mismatch.body.error.code, "invalid_image");
  const truncated = await put(owner, PNG_1X1.slice(0, 20), "image/png");
  assert.equal(truncated.status, 400);
  assert.equal(truncated.body.error.code, "invalid_image");
  const notImage = await put(owner, new TextEncoder().encode("<svg/>"), "image/png");
  assert.equal(notImage.body.error.code, "invalid_image");
  const big = new Uint8Array(SERVER_ICON_MAX_BYTES + 1);
  big.set(PNG_1X1);
  assert.equal((await put(owner, big, "image/png")).status, 413);

  const log = await owner.http.json<AuditBody>(
    "GET",
    `/api/servers/${serverId}/audit-log?action=server_update`,
  );
  assert.deepEqual(log.body.entries.at(-1)?.changes, [{ key: "iconUrl", old: null, new: url }]);
  await memberWs.close();
});

appTest("GET /api/servers/:id/icon - 404 for a server without one", async (app) => {
  const { serverId, member } = await room(app);
  const missing = await member.http.json<ErrorBody>("GET", `/api/servers/${serverId}/icon`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, "not_found");
});

appTest("governance routes - ids far past any real one are 404, never 500", async (app) => {
  const { serverId, owner } = await room(app);
  const long = "x".repeat(5000); // past what Deno KV takes as a key
  const routes: [string, string, unknown][] = [
    ["PATCH", `/api/servers/${long}`, { name: "x" }],
    ["DELETE", `/api/servers/${long}`, undefined],
    ["GET", `/api/servers/${long}/icon`, undefined],
    ["GET", `/api/servers/${long}/audit-log`, undefined],
    ["GET", `/api/servers/${long}/bans`, undefined],
    ["POST", `/api/servers/${long}/invites`, undefined],
    ["PATCH", `/api/channels/${long}`, { topic: "x" }],
    ["DELETE", `/api/channels/${long}`, undefined],
    ["PUT", `/api/servers/${serverId}/bans/${long}`, undefined],
    ["DELETE", `/api/servers/${serverId}/bans/${long}`, undefined],
    ["DELETE", `/api/servers/${serverId}/members/${long}`, undefined],
    ["PATCH", `/api/servers/${serverId}/members/${long}`, { timeoutUntil: null }],
    ["DELETE", `/api/invites/${long}`, undefined],
  ];
  for (const [method, path, json] of routes) {
    const answer = await owner.http.json(method, path, { json });
    assert.equal(answer.status, 404, `${method} ${path.slice(0, 50)}`);
  }
});
