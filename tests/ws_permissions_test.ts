/**
 * Permissions on the socket (API.md "Permissions and roles"): a member receives a channel's
 * events only while they may view it, and hears `channel_deleted` / `channel_created` the
 * moment an overwrite or a role takes that right away or gives it back, through the HTTP API.
 */
import assert from "node:assert/strict";
import { appTest } from "./helpers/app_test.ts";
import type { HttpClient } from "./helpers/http_client.ts";
import { room } from "./helpers/people.ts";
import type { WsClient } from "./helpers/ws_client.ts";

/** Sends a message over HTTP and checks it was stored. */
async function say(http: HttpClient, channelId: string, content: string): Promise<void> {
  const sent = await http.json("POST", `/api/channels/${channelId}/messages`, {
    json: { content },
  });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
}

async function expectStatus(
  http: HttpClient,
  method: string,
  path: string,
  status: number,
  json?: unknown,
): Promise<unknown> {
  const answer = await http.json(method, path, json === undefined ? {} : { json });
  assert.equal(answer.status, status, `${method} ${path}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** A second channel everyone keeps seeing: its messages mark "everything before has arrived". */
async function lobby(http: HttpClient, serverId: string): Promise<string> {
  const body = await expectStatus(http, "POST", `/api/servers/${serverId}/channels`, 201, {
    name: "lobby",
  }) as { channel: { id: string } };
  return body.channel.id;
}

/** Messages of one channel a socket received. */
function messagesIn(ws: WsClient, channelId: string): string[] {
  return ws.all("message").filter((m) => m.message.channelId === channelId).map((m) =>
    m.message.content
  );
}

appTest(
  "ws permissions - an overwrite hides a channel live, and removing it shows it again",
  async (app) => {
    const { serverId, channelId, owner, member } = await room(app);
    const lobbyId = await lobby(owner.http, serverId);
    const memberWs = await member.connect();
    const ownerWs = await owner.connect();

    await expectStatus(
      owner.http,
      "PUT",
      `/api/channels/${channelId}/overwrites/${serverId}`,
      204,
      {
        type: "role",
        allow: [],
        deny: ["view_channel"],
      },
    );
    const gone = await memberWs.next("channel_deleted", (e) => e.channelId === channelId);
    assert.equal(gone.serverId, serverId);
    // The owner still sees it, so hears of the change as an update carrying the overwrite.
    const updated = await ownerWs.next("channel_updated", (e) => e.channel.id === channelId);
    assert.deepEqual(updated.channel.permissionOverwrites, [
      { id: serverId, type: "role", allow: [], deny: ["view_channel"] },
    ]);
    assert.equal(ownerWs.all("channel_deleted").length, 0);
    assert.equal(memberWs.all("channel_updated").some((e) => e.channel.id === channelId), false);

    // Nothing of the hidden channel reaches the member any more: not messages, not typing.
    await say(owner.http, channelId, "secret");
    // Typing in both, the lobby's last: once the member sees that one, the other was handled.
    ownerWs.send({ type: "typing", channelId });
    ownerWs.send({ type: "typing", channelId: lobbyId });
    await memberWs.next("typing", (t) => t.channelId === lobbyId);
    await say(owner.http, lobbyId, "after the secret");
    await memberWs.next("message", (m) => m.message.content === "after the secret");
    assert.deepEqual(messagesIn(memberWs, channelId), []);
    assert.equal(memberWs.all("typing").some((t) => t.channelId === channelId), false);
    await expectStatus(member.http, "GET", `/api/channels/${channelId}/messages`, 404);
    // Renamed while hidden: only those who see it hear of it.
    await expectStatus(owner.http, "PATCH", `/api/channels/${channelId}`, 200, { name: "hidden" });
    await ownerWs.next("channel_updated", (e) => e.channel.name === "hidden");
    await say(owner.http, lobbyId, "after the rename");
    await memberWs.next("message", (m) => m.message.content === "after the rename");
    assert.equal(memberWs.all("channel_updated").some((e) => e.channel.id === channelId), false);

    // A new socket's `ready` does not list it.
    const fresh = await member.connect();
    const ready = fresh.all("ready")[0];
    const listed = ready.servers.find((s) => s.server.id === serverId)!.channels.map((c) => c.id);
    assert.deepEqual(listed.includes(channelId), false);
    assert.ok(listed.includes(lobbyId));

    // The overwrite goes: both sockets get the channel back, with its current state.
    await expectStatus(
      owner.http,
      "DELETE",
      `/api/channels/${channelId}/overwrites/${serverId}`,
      204,
    );
    for (const ws of [memberWs, fresh]) {
      const back = await ws.next("channel_created", (e) => e.channel.id === channelId);
      assert.deepEqual(back.channel.permissionOverwrites, []);
    }
    await say(owner.http, channelId, "visible again");
    await memberWs.next("message", (m) => m.message.content === "visible again");
    assert.deepEqual(messagesIn(memberWs, channelId), ["visible again"]);
    await Promise.all([memberWs.close(), ownerWs.close(), fresh.close()]);
  },
);

appTest(
  "ws permissions - a role given and taken shows and hides a channel; @everyone losing view hides all",
  async (app) => {
    const { serverId, channelId, owner, member } = await room(app);
    const lobbyId = await lobby(owner.http, serverId);
    const { role } = await expectStatus(owner.http, "POST", `/api/servers/${serverId}/roles`, 201, {
      name: "readers",
    }) as { role: { id: string } };
    // #general: hidden from @everyone, open to readers.
    await expectStatus(
      owner.http,
      "PUT",
      `/api/channels/${channelId}/overwrites/${serverId}`,
      204,
      {
        type: "role",
        allow: [],
        deny: ["view_channel"],
      },
    );
    await expectStatus(owner.http, "PUT", `/api/channels/${channelId}/overwrites/${role.id}`, 204, {
      type: "role",
      allow: ["view_channel"],
      deny: [],
    });
    const memberWs = await member.connect();
    const listed = memberWs.all("ready")[0].servers[0].channels.map((c) => c.id);
    assert.equal(listed.includes(channelId), false);

    await expectStatus(
      owner.http,
      "PUT",
      `/api/servers/${serverId}/members/${member.id}/roles/${role.id}`,
      204,
    );
    const shown = await memberWs.next("channel_created", (e) => e.channel.id === channelId);
    assert.equal(shown.channel.permissionOverwrites.length, 2);
    await say(owner.http, channelId, "for readers");
    await memberWs.next("message", (m) => m.message.content === "for readers");

    await expectStatus(
      owner.http,
      "DELETE",
      `/api/servers/${serverId}/members/${member.id}/roles/${role.id}`,
      204,
    );
    await memberWs.next("channel_deleted", (e) => e.channelId === channelId);
    await say(owner.http, channelId, "readers only");
    await say(owner.http, lobbyId, "marker");
    await memberWs.next("message", (m) => m.message.content === "marker");
    assert.deepEqual(messagesIn(memberWs, channelId), ["for readers"]);

    // @everyone loses view_channel: the lobby goes too.
    await expectStatus(owner.http, "PATCH", `/api/servers/${serverId}/roles/${serverId}`, 200, {
      permissions: ["send_messages", "read_history"],
    });
    await memberWs.next("channel_deleted", (e) => e.channelId === lobbyId);
    await expectStatus(owner.http, "PATCH", `/api/servers/${serverId}/roles/${serverId}`, 200, {
      permissions: ["view_channel", "send_messages", "read_history"],
    });
    const lobbyBack = await memberWs.next("channel_created", (e) => e.channel.id === lobbyId);
    assert.equal(lobbyBack.channel.name, "lobby");
    assert.equal(
      memberWs.all("channel_created").some((e) => e.channel.id === channelId && e !== shown),
      false,
    );
    await memberWs.close();
  },
);

appTest("ws permissions - a kicked member's sockets leave the server at once", async (app) => {
  const { serverId, channelId, owner, member } = await room(app);
  const memberWs = await member.connect();
  const ownerWs = await owner.connect();
  await expectStatus(
    owner.http,
    "DELETE",
    `/api/servers/${serverId}/members/${member.id}`,
    204,
    {},
  );
  await memberWs.next("server_deleted", (e) => e.serverId === serverId);
  const left = await ownerWs.next("member_left", (e) => e.user.id === member.id);
  assert.equal(left.reason, "kicked");
  await say(owner.http, channelId, "after the kick");
  await ownerWs.next("message", (m) => m.message.content === "after the kick");
  // The owner's message went out after the kick was applied here: the kicked socket has none.
  assert.deepEqual(messagesIn(memberWs, channelId), []);
  await Promise.all([memberWs.close(), ownerWs.close()]);
});
