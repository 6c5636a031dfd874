/**
 * The contract every bus between instances keeps, run against each (bus_contract_test.ts): two
 * instances (two bus objects on the same transport) exchange envelopes of every target kind,
 * never hear their own echo, carry payloads over 8,000 bytes whole, keep one channel's order, and
 * come back after their connection is cut (the events of the outage replayed, or the hub told to
 * read back from the store).
 */
import assert from "node:assert/strict";
import type { Bus } from "../lib/realtime/bus.ts";
import { serverKey, sessionKey, targetKeys, userKey } from "../lib/realtime/bus_frames.ts";
import type { BusEnvelope, Envelope } from "../lib/realtime/envelope.ts";
import type { WireAuthor, WireMessage } from "../lib/realtime/protocol.ts";
import { eventually } from "./helpers/wait.ts";

/** One instance's end of a bus under test. */
export interface BusEnd {
  bus: Bus;
  heard: BusEnvelope[];
  resubscribed: number;
}

/** A transport two instances share, for one test. */
export interface BusWorld {
  start(instanceId: string): Promise<BusEnd>;
  /** Cuts this instance's connection to the transport (it reconnects by itself)... */
  cut?(end: BusEnd, instanceId: string): Promise<void>;
  /** ...at once, or once this lets it (the outage lasts until then). */
  heal?(end: BusEnd, instanceId: string): Promise<void>;
  dispose(): Promise<void>;
}

export interface BusUnderTest {
  name: string;
  ignore: boolean;
  /** Delivers only the keys an instance follows (Redis, NATS). */
  routes: boolean;
  /** After a reconnect, replays what was missed instead of asking for a read back (NATS). */
  replays: boolean;
  /** Has a connection to cut (not Deno KV, which is a database handle). */
  cuts: boolean;
  /** Carries an envelope of megabytes (not Deno KV: one envelope is one commit, under 800 KiB). */
  carriesMegabytes: boolean;
  /** Opens a fresh world; `messages` are what a bus sending by reference loads back. */
  open(messages: Map<string, WireMessage>): Promise<BusWorld>;
}

const author: WireAuthor = { id: "u1", username: "ann", displayName: "Ann", avatarUrl: "" };

function message(channelId: string, seq: number, content: string): WireMessage {
  return {
    id: crypto.randomUUID(),
    channelId,
    seq,
    author,
    content,
    createdAt: new Date().toISOString(),
    editedAt: null,
  };
}

/** Envelopes without their origin, for comparison with what was sent. */
function sent(heard: BusEnvelope[]): BusEnvelope[] {
  return heard.map(({ origin: _origin, ...rest }) => rest as BusEnvelope);
}

function ofType(heard: BusEnvelope[], type: string): BusEnvelope[] {
  return heard.filter((e) => e.event.type === type);
}

/** Registers the contract's tests for one bus. */
export function busContract(under: BusUnderTest): void {
  const test = (
    name: string,
    fn: (world: BusWorld, messages: Map<string, WireMessage>) => Promise<void>,
  ) =>
    Deno.test(`bus contract (${under.name}) - ${name}`, { ignore: under.ignore }, async () => {
      const messages = new Map<string, WireMessage>();
      const world = await under.open(messages);
      try {
        await fn(world, messages);
      } finally {
        await world.dispose();
      }
    });

  /** A published message envelope, known to the world's loader. */
  const messageEnvelope = (
    messages: Map<string, WireMessage>,
    server: string,
    channel: string,
    seq: number,
    content = `m${seq}`,
  ): Envelope => {
    const wire = message(channel, seq, content);
    messages.set(wire.id, wire);
    return {
      target: { servers: [server], channel },
      event: { type: "message", message: wire },
      order: { channelId: channel, seq },
    };
  };

  const follow = async (end: BusEnd, envelopes: BusEnvelope[]) => {
    await end.bus.follow?.(envelopes.flatMap((e) => targetKeys(e.target)));
  };

  test("every target kind reaches the other instance, whole", async (world, messages) => {
    const a = await world.start("a");
    const b = await world.start("b");
    const envelopes: BusEnvelope[] = [
      { target: { servers: ["s1"] }, event: { type: "role_deleted", serverId: "s1", roleId: "r" } },
      messageEnvelope(messages, "s1", "c1", 1),
      {
        target: { servers: ["s1"], channel: "c1" },
        event: { type: "typing", channelId: "c1", user: author },
      },
      {
        target: { user: "u9" },
        event: { type: "server_left", serverId: "s1" },
      },
      {
        target: { session: "sess9" },
        event: { type: "error", code: "session_ended", message: "You have been logged out." },
      },
      { target: { instances: true }, event: { type: "heartbeat" } },
    ];
    await follow(b, envelopes);
    for (const envelope of envelopes) a.bus.publish(envelope);
    await eventually(() => b.heard.length === envelopes.length, "every envelope on B");
    assert.deepEqual(sent(b.heard), envelopes);
    assert.ok(b.heard.every((e) => e.origin === "a"), "stamped with the sender");
    // The sender's own hub had each at once, and never again from the bus.
    assert.deepEqual(a.heard, envelopes);
  });

  test("an instance never hears its own echo", async (world) => {
    const a = await world.start("a");
    const b = await world.start("b");
    const first: BusEnvelope = {
      target: { servers: ["s1"] },
      event: { type: "role_deleted", serverId: "s1", roleId: "1" },
    };
    const reply: BusEnvelope = {
      target: { servers: ["s1"] },
      event: { type: "role_deleted", serverId: "s1", roleId: "2" },
    };
    await Promise.all([follow(a, [first]), follow(b, [first])]);
    a.bus.publish(first);
    await eventually(() => b.heard.length === 1, "the first on B");
    b.bus.publish(reply);
    // A hears B's reply after its own first went by on the same target.
    await eventually(() => a.heard.length === 2, "the reply on A");
    assert.deepEqual(sent(a.heard), [first, reply]);
    assert.deepEqual(sent(b.heard), [first, reply]);
  });

  test("payloads over 8,000 bytes arrive whole and in order", async (world, messages) => {
    const a = await world.start("a");
    const b = await world.start("b");
    const long = messageEnvelope(messages, "s1", "c1", 1, 'é✓"\\'.repeat(5000));
    const updated: BusEnvelope = {
      target: { servers: ["s1"], channel: "c1" },
      event: {
        type: "channel_updated",
        channel: {
          id: "c1",
          serverId: "s1",
          name: "big",
          createdAt: "2026-01-01T00:00:00.000Z",
          kind: "text",
          parentId: null,
          topic: "🙂".repeat(3000),
          position: 0,
          permissionOverwrites: [],
        },
      },
    };
    const after = messageEnvelope(messages, "s1", "c1", 2);
    assert.ok(new TextEncoder().encode(JSON.stringify(long)).length > 8000);
    assert.ok(new TextEncoder().encode(JSON.stringify(updated)).length > 8000);
    await follow(b, [long]);
    a.bus.publish(long);
    a.bus.publish(updated);
    a.bus.publish(after);
    await eventually(() => b.heard.length === 3, "the three envelopes on B");
    assert.deepEqual(sent(b.heard), [long, updated, after]);
  });

  if (under.carriesMegabytes) {
    test("an envelope of 1.5 MB arrives whole, in order with the others", async (world) => {
      const a = await world.start("a");
      const b = await world.start("b");
      // Over NATS's default max_payload (1 MB), NOTIFY's 8000 bytes and a KV value's 64 KiB;
      // quotes, backslashes and characters of 2, 3 and 4 bytes, so no part may cut one wrongly.
      const topic = 'é✓"\\🙂'.repeat(130_000);
      const huge: Envelope = {
        target: { servers: ["s1"], channel: "c1" },
        event: {
          type: "channel_updated",
          channel: {
            id: "c1",
            serverId: "s1",
            name: "huge",
            createdAt: "2026-01-01T00:00:00.000Z",
            kind: "text",
            parentId: null,
            topic,
            position: 0,
            permissionOverwrites: [],
          },
        },
      };
      const small = (roleId: string): BusEnvelope => ({
        target: { servers: ["s1"] },
        event: { type: "role_deleted", serverId: "s1", roleId },
      });
      assert.ok(new TextEncoder().encode(JSON.stringify(huge)).length > 1_500_000);
      await follow(b, [huge]);
      a.bus.publish(small("before"));
      a.bus.publish(huge);
      a.bus.publish(small("after"));
      await eventually(() => b.heard.length === 3, "the three envelopes on B", 30_000);
      assert.deepEqual(sent(b.heard), [small("before"), huge, small("after")]);
    });
  }

  test("one channel's events keep their order", async (world, messages) => {
    const a = await world.start("a");
    const b = await world.start("b");
    const envelopes = Array.from(
      { length: 300 },
      (_, i) =>
        messageEnvelope(messages, "s1", "c1", i + 1, i % 50 === 7 ? "x".repeat(9000) : `m${i}`),
    );
    await follow(b, envelopes);
    for (const envelope of envelopes) a.bus.publish(envelope);
    await eventually(() => b.heard.length === envelopes.length, "every message on B", 30_000);
    assert.deepEqual(
      b.heard.map((e) => e.order?.seq),
      envelopes.map((e) => e.order?.seq),
    );
  });

  test("an envelope for several servers arrives once", async (world) => {
    const a = await world.start("a");
    const b = await world.start("b");
    const both: BusEnvelope = {
      target: { servers: ["s1", "s2"] },
      event: { type: "presence", userId: "u1", status: "online" },
    };
    const marker: BusEnvelope = {
      target: { servers: ["s2"] },
      event: { type: "role_deleted", serverId: "s2", roleId: "r" },
    };
    await follow(b, [both]);
    a.bus.publish(both);
    a.bus.publish(marker);
    await eventually(() => ofType(b.heard, "role_deleted").length === 1, "the marker on B");
    assert.deepEqual(sent(b.heard), [both, marker]);
  });

  if (under.routes) {
    test("an instance hears only the targets it follows, until it stops", async (world) => {
      const a = await world.start("a");
      const b = await world.start("b");
      const other = (id: string): BusEnvelope => ({
        target: { servers: [id] },
        event: { type: "role_deleted", serverId: id, roleId: "r" },
      });
      await b.bus.follow!([serverKey("s1"), userKey("u1"), sessionKey("x1")]);
      a.bus.publish(other("s2"));
      a.bus.publish({ target: { user: "u2" }, event: { type: "server_left", serverId: "s1" } });
      a.bus.publish({ target: { session: "x2" }, event: { type: "server_left", serverId: "s1" } });
      a.bus.publish(other("s1"));
      await eventually(() => b.heard.length > 0, "s1's envelope");
      assert.deepEqual(sent(b.heard), [other("s1")]);
      b.bus.unfollow!([serverKey("s1")]);
      await b.bus.follow!([serverKey("s3")]);
      a.bus.publish(other("s1"));
      a.bus.publish(other("s3"));
      await eventually(() => b.heard.length > 1, "s3's envelope");
      assert.deepEqual(sent(b.heard), [other("s1"), other("s3")]);
    });
  }

  if (!under.cuts) return;
  test("after its connection is cut, an instance catches up", async (world, messages) => {
    if (!world.cut) throw new Error(`${under.name}: no way to cut the connection`);
    const a = await world.start("a");
    const b = await world.start("b");
    const first = messageEnvelope(messages, "s1", "c1", 1);
    await follow(b, [first]);
    a.bus.publish(first);
    await eventually(() => b.heard.length === 1, "before the cut");
    await world.cut(b, "b");
    const during = Array.from(
      { length: 5 },
      (_, i) => messageEnvelope(messages, "s1", "c1", i + 2),
    );
    for (const envelope of during) a.bus.publish(envelope);
    // Out while A publishes them: B can only hear them through a replay or a read back.
    await world.heal?.(b, "b");
    if (under.replays) {
      // Replayed from the stream: every event once, in order, nothing to read back.
      await eventually(() => b.heard.length === 6, "the outage's events replayed on B", 20_000);
      assert.deepEqual(b.heard.map((e) => e.order?.seq), [1, 2, 3, 4, 5, 6]);
    } else {
      // Pub/sub keeps nothing: the hub is told to read back by seq.
      await eventually(() => b.resubscribed > 0, "B resubscribed", 20_000);
    }
    const later = messageEnvelope(messages, "s1", "c1", 7);
    a.bus.publish(later);
    await eventually(() => b.heard.some((e) => e.order?.seq === 7), "live again on B", 20_000);
    const seqs = b.heard.map((e) => e.order?.seq!);
    assert.deepEqual(seqs, [...new Set(seqs)], "nothing twice");
    assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y), "in order");
  });
}
