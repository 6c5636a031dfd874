/**
 * Permissions across instances (PostgreSQL, LISTEN/NOTIFY bus): a change made through
 * instance A takes effect at once for a socket on instance B, whose permission snapshot follows
 * the bus; and after B's LISTEN connection dies, B reloads its snapshots, so a change whose
 * event was lost still reaches its sockets.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { needs, POSTGRES_BACKEND, testDatabaseUrl } from "./helpers/backends.ts";
import type { HttpClient } from "./helpers/http_client.ts";
import { room } from "./helpers/people.ts";
import { startTestApp } from "./helpers/test_app.ts";
import { WsClient } from "./helpers/ws_client.ts";

async function call(
  http: HttpClient,
  method: string,
  path: string,
  status: number,
  json?: unknown,
) {
  const answer = await http.json(method, path, json === undefined ? {} : { json });
  assert.equal(answer.status, status, `${method} ${path}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

const HIDE = { type: "role", allow: [], deny: ["view_channel"] };

Deno.test(
  "ws permissions, two instances - an overwrite and a role set on A take effect live on B",
  needs(POSTGRES_BACKEND),
  async () => {
    const a = await startTestApp(POSTGRES_BACKEND);
    try {
      const b = await a.startAnother();
      const { serverId, channelId, owner, member } = await room(a);
      const { channel: lobby } = await call(
        owner.http,
        "POST",
        `/api/servers/${serverId}/channels`,
        201,
        {
          name: "lobby",
        },
      ) as { channel: { id: string } };
      const onB = await WsClient.connect(b.url, { cookie: member.http.cookie });
      onB.send({ type: "resume", channels: {} });
      await onB.next("ready");

      await call(owner.http, "PUT", `/api/channels/${channelId}/overwrites/${serverId}`, 204, HIDE);
      await onB.next("channel_deleted", (e) => e.channelId === channelId);
      await call(owner.http, "POST", `/api/channels/${channelId}/messages`, 201, {
        content: "hidden",
      });
      await call(owner.http, "POST", `/api/channels/${lobby.id}/messages`, 201, {
        content: "marker",
      });
      await onB.next("message", (m) => m.message.content === "marker");
      assert.equal(onB.all("message").some((m) => m.message.channelId === channelId), false);

      // A role made and given on A opens the channel for the socket on B.
      const { role } = await call(owner.http, "POST", `/api/servers/${serverId}/roles`, 201, {
        name: "insiders",
      }) as { role: { id: string } };
      await call(owner.http, "PUT", `/api/channels/${channelId}/overwrites/${role.id}`, 204, {
        type: "role",
        allow: ["view_channel"],
        deny: [],
      });
      await call(
        owner.http,
        "PUT",
        `/api/servers/${serverId}/members/${member.id}/roles/${role.id}`,
        204,
      );
      const back = await onB.next("channel_created", (e) => e.channel.id === channelId);
      assert.equal(back.channel.permissionOverwrites.length, 2);
      await call(owner.http, "POST", `/api/channels/${channelId}/messages`, 201, {
        content: "insiders",
      });
      await onB.next("message", (m) => m.message.content === "insiders");
      assert.deepEqual(
        onB.all("message").filter((m) => m.message.channelId === channelId).map((m) =>
          m.message.content
        ),
        ["insiders"],
      );
      await onB.close();
    } finally {
      await a.close();
    }
  },
);

Deno.test(
  "ws permissions, two instances - after B's LISTEN connection dies, B reloads its snapshots and tells its sockets what changed",
  needs(POSTGRES_BACKEND),
  async () => {
    const a = await startTestApp(POSTGRES_BACKEND);
    const admin = postgres(testDatabaseUrl(), { max: 1, onnotice: () => {} });
    try {
      const b = await a.startAnother();
      const { serverId, channelId, owner, member, outsider } = await room(a);
      const invite = await call(owner.http, "POST", `/api/servers/${serverId}/invites`, 201) as {
        code: string;
      };
      await call(outsider.http, "POST", `/api/invites/${invite.code}/join`, 200);
      const memberOnB = await WsClient.connect(b.url, { cookie: member.http.cookie });
      const outsiderOnB = await WsClient.connect(b.url, { cookie: outsider.http.cookie });
      for (const ws of [memberOnB, outsiderOnB]) {
        ws.send({ type: "resume", channels: {} });
        await ws.next("ready");
      }

      // Changes no event told anyone about (written to the database directly): only a reload
      // of B's snapshots can find them.
      const store = a.testStore.store;
      await store.putOverwrite(
        { channelId, targetId: member.id, type: "member", allow: [], deny: ["view_channel"] },
        null,
      );
      await store.kickMember(serverId, outsider.id, null);
      const killed = await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE query ILIKE ${`listen%${a.testStore.busChannel}%`}`;
      assert.ok(killed.length >= 1, "found the LISTEN connections");

      await memberOnB.next("channel_deleted", (e) => e.channelId === channelId);
      await outsiderOnB.next("server_deleted", (e) => e.serverId === serverId);

      // B hears A again: a message in the hidden channel reaches neither, the next change does.
      await call(owner.http, "POST", `/api/channels/${channelId}/messages`, 201, {
        content: "hidden",
      });
      await call(owner.http, "DELETE", `/api/channels/${channelId}/overwrites/${member.id}`, 204);
      await memberOnB.next("channel_created", (e) => e.channel.id === channelId);
      await call(owner.http, "POST", `/api/channels/${channelId}/messages`, 201, {
        content: "shown",
      });
      await memberOnB.next("message", (m) => m.message.content === "shown");
      // Nothing of the channel reached the member while it was hidden. "hidden" itself may come
      // after channel_created: B may still be catching up on the channel from the store (its
      // resync after the lost connection) when the overwrite goes, and by then the member may
      // read it, as in the history.
      const regained = memberOnB.frames.findIndex((e) =>
        e.type === "channel_created" && e.channel.id === channelId
      );
      const messages = memberOnB.frames.flatMap((e, i) =>
        e.type === "message" ? [{ content: e.message.content, live: i > regained }] : []
      );
      assert.ok(messages.every((m) => m.live), "no message before access came back");
      assert.deepEqual(messages.map((m) => m.content).filter((c) => c !== "hidden"), ["shown"]);
      assert.equal(memberOnB.all("channel_deleted").length, 1);
      assert.equal(outsiderOnB.all("message").length, 0);
      await Promise.all([memberOnB.close(), outsiderOnB.close()]);
    } finally {
      await admin.end();
      await a.close();
    }
  },
);
