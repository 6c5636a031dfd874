/**
 * The buses between instances with events too large for one transport unit that are not
 * messages (a channel with many overwrites, a `server_joined` listing many channels): over
 * NOTIFY's 8000 bytes on PostgreSQL, over a KV value's 64 KiB on Deno KV. Cut into parts, put
 * back together on the other instance, intact and in order with the events around them.
 */
import assert from "node:assert/strict";
import type { Envelope } from "../lib/realtime/envelope.ts";
import { KvBus } from "../lib/realtime/kv_bus.ts";
import { PostgresBus } from "../lib/realtime/postgres_bus.ts";
import type { WireChannel } from "../lib/realtime/protocol.ts";
import { KV_BACKEND, needs, POSTGRES_BACKEND, testDatabaseUrl } from "./helpers/backends.ts";
import { eventually } from "./helpers/wait.ts";

function channel(i: number, overwrites: number): WireChannel {
  return {
    id: crypto.randomUUID(),
    serverId: "s",
    name: `channel-${i}-é✓`,
    createdAt: new Date().toISOString(),
    kind: "text",
    parentId: null,
    topic: `"quoted" \\ topic ${"🙂".repeat(20)}`,
    position: i,
    permissionOverwrites: Array.from({ length: overwrites }, () => ({
      id: crypto.randomUUID(),
      type: "member" as const,
      allow: ["view_channel", "send_messages", "read_history", "add_reactions"],
      deny: ["attach_files", "mention_everyone", "manage_messages"],
    })),
  };
}

/** A channel_updated with `overwrites` overwrites, a server_joined of `channels` channels, a small one. */
function largeEvents(overwrites: number, channels: number) {
  const updated: Envelope = {
    target: { servers: ["s"], channel: "c" },
    event: { type: "channel_updated", channel: channel(0, overwrites) },
  };
  const joined: Envelope = {
    target: { user: "u" },
    event: {
      type: "server_joined",
      server: {
        id: "s",
        name: "S",
        ownerId: "o",
        createdAt: "2026-01-01T00:00:00.000Z",
        iconUrl: null,
      },
      channels: Array.from({ length: channels }, (_, i) => channel(i, 2)),
    },
  };
  const small: Envelope = {
    target: { servers: ["s"] },
    event: { type: "role_deleted", serverId: "s", roleId: "r" },
  };
  return { updated, joined, small };
}

Deno.test(
  "PostgresBus - events too large for one NOTIFY arrive whole and in order",
  needs(POSTGRES_BACKEND),
  async () => {
    const url = testDatabaseUrl();
    const busChannel = `bus_parts_${crypto.randomUUID().replaceAll("-", "")}`;
    const heard: Envelope[] = [];
    const options = { url, channel: busChannel, loadMessage: () => Promise.resolve(null) };
    const a = await PostgresBus.start({ ...options, instanceId: "a", dispatch: () => {} });
    const b = await PostgresBus.start({
      ...options,
      instanceId: "b",
      dispatch: (envelope) => heard.push(envelope),
    });
    try {
      const { updated, joined, small } = largeEvents(100, 200);
      assert.ok(JSON.stringify(updated).length > 15_000, "well over the limit");
      a.publish(updated);
      a.publish(joined);
      a.publish(small);
      await eventually(() => heard.length === 3, "the three events on B");
      assert.deepEqual(heard.map((e) => e.event.type), [
        "channel_updated",
        "server_joined",
        "role_deleted",
      ]);
      assert.deepEqual(heard[0], { ...updated, origin: "a" });
      assert.deepEqual(heard[1], { ...joined, origin: "a" });
      assert.deepEqual(heard[2], { ...small, origin: "a" });
    } finally {
      await a.close();
      await b.close();
    }
  },
);

Deno.test(
  "KvBus - envelopes over a KV value's 64 KiB arrive whole and in order",
  needs(KV_BACKEND),
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "salon-kv-bus-" });
    const [kvA, kvB] = [await Deno.openKv(`${dir}/bus.kv`), await Deno.openKv(`${dir}/bus.kv`)];
    const heard: Envelope[] = [];
    const a = await KvBus.start({ kv: kvA, instanceId: "a", dispatch: () => {} });
    const b = await KvBus.start({ kv: kvB, instanceId: "b", dispatch: (e) => heard.push(e) });
    try {
      const { updated, joined, small } = largeEvents(100, 500);
      assert.ok(new TextEncoder().encode(JSON.stringify(joined)).length > 3 * 65_536);
      a.publish(updated);
      a.publish(joined);
      a.publish(small);
      await eventually(() => heard.length === 3, "the three events on B");
      assert.deepEqual(heard.map((e) => e.event.type), [
        "channel_updated",
        "server_joined",
        "role_deleted",
      ]);
      assert.deepEqual(heard[0], { ...updated, origin: "a" });
      assert.deepEqual(heard[1], { ...joined, origin: "a" });
      assert.deepEqual(heard[2], { ...small, origin: "a" });
    } finally {
      await a.close();
      await b.close();
      kvA.close();
      kvB.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
