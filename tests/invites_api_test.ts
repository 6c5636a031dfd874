/**
 * Invites through the real app on both stores: limits on creation, the logged-out preview,
 * expired and used-up codes, listing and deleting, and who may do each.
 */
import assert from "node:assert/strict";
import { INVITE_MAX_AGE_MAX_S, INVITE_MAX_USES_MAX } from "../lib/limits.ts";
import type { WireInvite } from "../lib/realtime/protocol.ts";
import { appTest } from "./helpers/app_test.ts";
import { PNG_1X1 } from "./helpers/fixtures.ts";
import { grant, setEveryone } from "./helpers/grant_role.ts";
import { register, room } from "./helpers/people.ts";

interface ErrorBody {
  error: { code: string; message: string };
}

type Created = { code: string; invite: WireInvite } & ErrorBody;

appTest("POST /api/servers/:id/invites - limits, the contract's shape, audited", async (app) => {
  const { serverId, owner, member, outsider } = await room(app);
  const before = Date.now();
  const limited = await owner.http.json<Created>("POST", `/api/servers/${serverId}/invites`, {
    json: { maxAgeSeconds: 3600, maxUses: 5 },
  });
  assert.equal(limited.status, 201);
  const { code, invite } = limited.body;
  assert.equal(invite.code, code);
  assert.deepEqual(invite.server, { id: serverId, name: "Room", iconUrl: null, memberCount: 2 });
  assert.equal(invite.createdBy, owner.id);
  assert.deepEqual([invite.uses, invite.maxUses], [0, 5]);
  const expires = Date.parse(invite.expiresAt!);
  assert.ok(expires >= before + 3600_000 && expires <= Date.now() + 3600_000);

  // No body at all, an empty object, and zeros: never expires, unlimited.
  const bare = await member.http.json<Created>("POST", `/api/servers/${serverId}/invites`);
  assert.equal(bare.status, 201);
  assert.deepEqual([bare.body.invite.expiresAt, bare.body.invite.maxUses], [null, 0]);
  const zeros = await member.http.json<Created>("POST", `/api/servers/${serverId}/invites`, {
    json: { maxAgeSeconds: 0, maxUses: 0 },
  });
  assert.equal(zeros.body.invite.expiresAt, null);

  const bad: [unknown, string][] = [
    [{ maxAgeSeconds: -1 }, "invalid_max_age"],
    [{ maxAgeSeconds: INVITE_MAX_AGE_MAX_S + 1 }, "invalid_max_age"],
    [{ maxAgeSeconds: "60" }, "invalid_max_age"],
    [{ maxUses: INVITE_MAX_USES_MAX + 1 }, "invalid_max_uses"],
    [{ maxUses: 1.5 }, "invalid_max_uses"],
  ];
  for (const [json, codeName] of bad) {
    const answer = await owner.http.json<ErrorBody>("POST", `/api/servers/${serverId}/invites`, {
      json,
    });
    assert.equal(answer.status, 400, JSON.stringify(json));
    assert.equal(answer.body.error.code, codeName);
  }
  const notJson = await owner.http.json("POST", `/api/servers/${serverId}/invites`, {
    body: "maxUses=1",
    headers: { "Content-Type": "text/plain" },
  });
  assert.equal(notJson.status, 415);
  assert.equal((await outsider.http.json("POST", `/api/servers/${serverId}/invites`)).status, 404);

  // create_invites is @everyone's by default; without it, a member is refused.
  await setEveryone(owner, serverId, ["view_channel", "send_messages", "read_history"]);
  const refused = await member.http.json<ErrorBody>("POST", `/api/servers/${serverId}/invites`);
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.code, "missing_permissions");
  assert.match(refused.body.error.message, /create_invites/);

  const log = await owner.http.json<{ entries: { actorId: string; targetId: string }[] }>(
    "GET",
    `/api/servers/${serverId}/audit-log?action=invite_create`,
  );
  const logged = log.body.entries.map((e) => e.targetId);
  for (const made of [code, bare.body.code, zeros.body.code]) assert.ok(logged.includes(made));
});

appTest("GET /api/invites/:code - a preview for anyone, even logged out", async (app) => {
  const { serverId, owner } = await room(app);
  const { body } = await owner.http.json<Created>("POST", `/api/servers/${serverId}/invites`);
  const response = await fetch(`${app.url}/api/invites/${body.code}`);
  assert.equal(response.status, 200);
  const { invite } = await response.json() as { invite: WireInvite };
  assert.deepEqual(invite, body.invite);
  for (const code of ["nope", "x".repeat(5000)]) {
    const unknown = await fetch(`${app.url}/api/invites/${code}`);
    assert.equal(unknown.status, 404);
    assert.equal((await unknown.json()).error.code, "invite_invalid");
  }
});

appTest(
  "invites - an expired or used-up code is invite_invalid, to preview and join",
  async (app) => {
    const { serverId, owner, outsider } = await room(app);
    const once = await owner.http.json<Created>("POST", `/api/servers/${serverId}/invites`, {
      json: { maxUses: 1 },
    });
    const joined = await outsider.http.json("POST", `/api/invites/${once.body.code}/join`);
    assert.equal(joined.status, 200);
    const late = await register(app, "late");
    const usedUp = await late.http.json<ErrorBody>("POST", `/api/invites/${once.body.code}/join`);
    assert.equal(usedUp.status, 404);
    assert.equal(usedUp.body.error.code, "invite_invalid");
    assert.equal((await fetch(`${app.url}/api/invites/${once.body.code}`)).status, 404);

    // An invite whose time ran out (written with an expiry in the past: no clock is waited on).
    await app.testStore.store.createInvite({
      code: "expired-code",
      serverId,
      createdBy: owner.id,
      createdAt: new Date(Date.now() - 7200_000),
      expiresAt: new Date(Date.now() - 3600_000),
      maxUses: 0,
      uses: 0,
    });
    const preview = await fetch(`${app.url}/api/invites/expired-code`);
    assert.equal(preview.status, 404);
    assert.equal((await preview.json()).error.code, "invite_invalid");
    const expired = await late.http.json<ErrorBody>("POST", "/api/invites/expired-code/join");
    assert.equal(expired.status, 404);
    assert.equal(expired.body.error.code, "invite_invalid");

    const list = await owner.http.json<{ invites: WireInvite[] }>(
      "GET",
      `/api/servers/${serverId}/invites`,
    );
    const used = list.body.invites.find((i) => i.code === once.body.code)!;
    assert.deepEqual([used.uses, used.maxUses], [1, 1]);
  },
);

appTest("GET and DELETE invites - manage_invites, or one's own", async (app) => {
  const { serverId, owner, member, outsider } = await room(app);
  const byOwner = await owner.http.json<Created>("POST", `/api/servers/${serverId}/invites`);
  const byMember = await member.http.json<Created>("POST", `/api/servers/${serverId}/invites`);

  const refusedList = await member.http.json<ErrorBody>("GET", `/api/servers/${serverId}/invites`);
  assert.equal(refusedList.status, 403);
  assert.equal(refusedList.body.error.code, "missing_permissions");
  assert.equal((await outsider.http.json("GET", `/api/servers/${serverId}/invites`)).status, 404);
  const list = await owner.http.json<{ invites: WireInvite[] }>(
    "GET",
    `/api/servers/${serverId}/invites`,
  );
  // room() made one invite before these two.
  assert.equal(list.body.invites.length, 3);
  assert.ok(list.body.invites.some((i) => i.code === byMember.body.code));

  const notTheirs = await member.http.json<ErrorBody>(
    "DELETE",
    `/api/invites/${byOwner.body.code}`,
  );
  assert.equal(notTheirs.status, 403);
  assert.equal(notTheirs.body.error.code, "missing_permissions");
  assert.equal(
    (await outsider.http.json("DELETE", `/api/invites/${byOwner.body.code}`)).status,
    404,
  );
  const own = await member.http.request("DELETE", `/api/invites/${byMember.body.code}`);
  assert.equal(own.status, 204);
  assert.equal((await fetch(`${app.url}/api/invites/${byMember.body.code}`)).status, 404);

  await grant(owner, serverId, member, ["manage_invites"]);
  const managed = await member.http.request("DELETE", `/api/invites/${byOwner.body.code}`);
  assert.equal(managed.status, 204);
  const gone = await member.http.json<ErrorBody>("DELETE", `/api/invites/${byOwner.body.code}`);
  assert.equal(gone.status, 404);
  const joined = await outsider.http.json<ErrorBody>(
    "POST",
    `/api/invites/${byOwner.body.code}/join`,
  );
  assert.equal(joined.body.error.code, "invite_invalid");

  const log = await owner.http.json<{ entries: { actorId: string; targetId: string }[] }>(
    "GET",
    `/api/servers/${serverId}/audit-log?action=invite_delete`,
  );
  assert.deepEqual(log.body.entries.map((e) => [e.actorId, e.targetId]), [
    [member.id, byOwner.body.code],
    [member.id, byMember.body.code],
  ]);
});

appTest(
  "POST /api/invites/:code/join - the joiner sees only the channels they may view",
  async (app) => {
    const { serverId, channelId, owner, outsider } = await room(app);
    const secret = await owner.http.json<{ channel: { id: string } }>(
      "POST",
      `/api/servers/${serverId}/channels`,
      { json: { name: "staff" } },
    );
    const hidden = await owner.http.request(
      "PUT",
      `/api/channels/${secret.body.channel.id}/overwrites/${serverId}`,
      { json: { type: "role", allow: [], deny: ["view_channel"] } },
    );
    assert.equal(hidden.status, 204, await hidden.text());
    const invite = await owner.http.json<Created>("POST", `/api/servers/${serverId}/invites`);
    const ws = await outsider.connect();
    const joined = await outsider.http.json<{ channels: { id: string }[] }>(
      "POST",
      `/api/invites/${invite.body.code}/join`,
    );
    assert.deepEqual(joined.body.channels.map((c) => c.id), [channelId]);
    const event = await ws.next("server_joined");
    assert.deepEqual(event.channels.map((c) => c.id), [channelId]);
    await ws.close();
  },
);

appTest("invites.icon - the server's icon for anyone holding a usable code", async (app) => {
  const { serverId, owner } = await room(app);
  const { body } = await owner.http.json<Created>("POST", `/api/servers/${serverId}/invites`);
  await assert.rejects(
    () => app.chat.invites.icon(body.code),
    (error: { code?: string }) => error.code === "not_found",
  );
  const put = await owner.http.request("PUT", `/api/servers/${serverId}/icon`, {
    body: PNG_1X1,
    headers: { "Content-Type": "image/png" },
  });
  assert.equal(put.status, 200, await put.text());
  const icon = await app.chat.invites.icon(body.code);
  assert.equal(icon.contentType, "image/png");
  assert.deepEqual(new Uint8Array(icon.bytes), PNG_1X1);
  await assert.rejects(
    () => app.chat.invites.icon("nope"),
    (error: { code?: string }) => error.code === "invite_invalid",
  );
});
