/**
 * Pins through the real app on both stores: manage_messages, live events, newest first with
 * who and when, `pinned` on messages, audit entries, and a deleted message's pin going with it.
 */
import assert from "node:assert/strict";
import type { WirePin } from "../lib/realtime/protocol.ts";
import { appTest } from "./helpers/app_test.ts";
import { readBack, say } from "./helpers/conversations.ts";
import { assertError } from "./helpers/governance.ts";
import { grant } from "./helpers/grant_role.ts";
import { room } from "./helpers/people.ts";

appTest("pins - pin, list newest first, unpin, live, audited", async (app) => {
  const { serverId, channelId, owner, member, outsider } = await room(app);
  const first = await say(member, channelId, "first");
  const second = await say(member, channelId, "second");
  const memberWs = await member.connect();
  const pin = (id: string, method = "PUT", who = owner) =>
    who.http.request(method, `/api/channels/${channelId}/pins/${id}`);

  assert.equal((await pin(first.id)).status, 204);
  const pinned = await memberWs.next("message_pinned");
  assert.deepEqual(pinned, {
    type: "message_pinned",
    channelId,
    messageId: first.id,
    by: owner.id,
  });
  assert.equal((await pin(second.id)).status, 204);
  // Pinning again is fine and silent.
  assert.equal((await pin(second.id)).status, 204);
  await memberWs.next("message_pinned", (e) => e.messageId === second.id);
  assert.equal(memberWs.all("message_pinned").length, 2);

  const listed = await member.http.json<{ pins: WirePin[] }>(
    "GET",
    `/api/channels/${channelId}/pins`,
  );
  assert.equal(listed.status, 200);
  assert.deepEqual(listed.body.pins.map((p) => [p.message.id, p.pinnedBy]), [
    [second.id, owner.id],
    [first.id, owner.id],
  ]);
  assert.ok(!Number.isNaN(Date.parse(listed.body.pins[0].pinnedAt)));
  assert.equal(listed.body.pins[0].message.pinned, true);
  assert.equal((await readBack(member, channelId, first.id)).pinned, true);

  // A member without manage_messages may not; a stranger sees nothing.
  assertError(
    await member.http.json("PUT", `/api/channels/${channelId}/pins/${first.id}`),
    403,
    "missing_permissions",
  );
  assertError(
    await outsider.http.json("GET", `/api/channels/${channelId}/pins`),
    404,
    "not_found",
  );
  assertError(
    await owner.http.json("PUT", `/api/channels/${channelId}/pins/nope`),
    404,
    "not_found",
  );

  assert.equal((await pin(first.id, "DELETE")).status, 204);
  const unpinned = await memberWs.next("message_unpinned");
  assert.deepEqual([unpinned.messageId, unpinned.by], [first.id, owner.id]);
  assert.equal((await readBack(member, channelId, first.id)).pinned, false);

  // With manage_messages, a member may pin.
  await grant(owner, serverId, member, ["manage_messages"]);
  assert.equal((await pin(first.id, "PUT", member)).status, 204);

  // A deleted message's pin goes with it.
  assert.equal((await member.http.request("DELETE", `/api/messages/${second.id}`)).status, 204);
  const after = await member.http.json<{ pins: WirePin[] }>(
    "GET",
    `/api/channels/${channelId}/pins`,
  );
  assert.deepEqual(after.body.pins.map((p) => p.message.id), [first.id]);

  const audit = await owner.http.json<{ entries: { action: string; targetId: string }[] }>(
    "GET",
    `/api/servers/${serverId}/audit-log`,
  );
  const actions = audit.body.entries
    .filter((e) => e.action.startsWith("message_"))
    .map((e) => [e.action, e.targetId]);
  assert.deepEqual(actions, [
    ["message_pin", first.id],
    ["message_unpin", first.id],
    ["message_pin", second.id],
    ["message_pin", first.id],
  ]);
  await memberWs.close();
});
