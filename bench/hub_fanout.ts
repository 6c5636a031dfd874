/**
 * The hub's fan-out alone, in this process: two servers of `receivers` members each, one plain
 * and one governed (three role overwrites on the channel, every member holding two roles),
 * each with one do-nothing socket per member, and `message` envelopes dispatched to each in
 * turn (ABBA…). What it shows is the hot path's own cost of permissions: a look-up of cached
 * bits per socket, whatever the overwrites, against sockets that cost nothing themselves (so
 * the relative figure is an upper bound of what a real socket's send would show).
 */
import type { ChannelRecord, RoleRecord, ServerRecord, Store, UserRecord } from "../db/store.ts";
import { AccessBook } from "../lib/permissions/access_book.ts";
import { Hub } from "../lib/realtime/hub.ts";
import type { Envelope } from "../lib/realtime/envelope.ts";
import type { Subscriber } from "../lib/realtime/subscriber.ts";

/** The bench's role overwrites: each keeps the channel visible. */
const OVERWRITES = [
  { allow: ["view_channel", "send_messages"], deny: ["attach_files"] },
  { allow: ["add_reactions"], deny: ["mention_everyone"] },
  { allow: ["read_history"], deny: ["manage_messages"] },
];

export interface HubFanoutResult {
  /** Median nanoseconds per delivery over the rounds. */
  plainNs: number;
  governedNs: number;
  /** plain ÷ governed: the governed server's relative fan-out rate (1: the same). */
  ratio: number;
  deliveries: number;
}

function user(i: number): UserRecord {
  return {
    id: crypto.randomUUID(),
    username: `hub${i}${crypto.randomUUID().slice(0, 6)}`,
    displayName: `hub${i}`,
    bio: "",
    passwordHash: "$2a$04$bench",
    avatarVersion: null,
    createdAt: new Date(),
  };
}

/** A server of `members` users (the first owns it) and its first channel, in the store. */
async function seedServer(store: Store, members: number, governed: boolean) {
  const users = Array.from({ length: members }, (_, i) => user(i));
  for (const u of users) await store.createUser(u);
  const server: ServerRecord = {
    id: crypto.randomUUID(),
    name: governed ? "governed" : "plain",
    ownerId: users[0].id,
    createdAt: new Date(),
    iconVersion: null,
  };
  const channel: ChannelRecord = {
    id: crypto.randomUUID(),
    serverId: server.id,
    name: "general",
    createdAt: new Date(),
    kind: "text",
    parentId: null,
    topic: "",
    position: 0,
  };
  await store.createServer(server, channel);
  for (const u of users.slice(1)) await store.addMember(server.id, u.id, new Date());
  if (governed) {
    const roles: RoleRecord[] = OVERWRITES.map((_, i) => ({
      id: crypto.randomUUID(),
      serverId: server.id,
      name: `bench${i}`,
      color: null,
      position: i + 1,
      permissions: ["view_channel", "send_messages"],
      mentionable: false,
    }));
    for (const [i, role] of roles.entries()) {
      await store.createRole(role, null);
      await store.putOverwrite({
        channelId: channel.id,
        targetId: role.id,
        type: "role",
        ...OVERWRITES[i],
      }, null);
    }
    for (const [i, u] of users.slice(1).entries()) {
      for (const k of [0, 1]) {
        await store.setMemberRole(server.id, u.id, roles[(i + k) % roles.length].id, true, null);
      }
    }
  }
  return { users, server, channel };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Measures the hub's fan-out of plain and governed servers over `store`. */
export async function hubFanout(
  store: Store,
  { receivers = 100, messages = 2000, rounds = 8 } = {},
): Promise<HubFanoutResult> {
  const access = new AccessBook(store);
  const hub = new Hub({ instanceId: "bench", access, loadMessages: () => Promise.resolve([]) });
  // Nothing leaves this process: the bus drops what the hub publishes (presence, heartbeats).
  hub.attach({ publish: () => {}, close: () => Promise.resolve() });
  let delivered = 0;
  let nextId = 1;
  const variants = [];
  for (const governed of [false, true]) {
    const { users, server, channel } = await seedServer(store, receivers, governed);
    await hub.prepare([server.id]);
    for (const u of users) {
      const socket: Subscriber = {
        id: nextId++,
        userId: u.id,
        sessionId: u.id,
        deliver: () => void delivered++,
        close: () => {},
      };
      hub.add(socket, [server.id]);
    }
    let seq = 0;
    const author = { id: users[0].id, username: "a", displayName: "a", avatarUrl: "/a" };
    const envelope = (): Envelope => ({
      target: { servers: [server.id], channel: channel.id },
      event: {
        type: "message",
        message: {
          id: crypto.randomUUID(),
          channelId: channel.id,
          seq: ++seq,
          author,
          content: `m${seq}`,
          createdAt: new Date().toISOString(),
          editedAt: null,
        },
      },
      order: { channelId: channel.id, seq },
    });
    const run = () => {
      const before = delivered;
      const start = performance.now();
      for (let i = 0; i < messages; i++) hub.dispatch(envelope());
      const ns = ((performance.now() - start) * 1e6) / (delivered - before);
      if (delivered - before !== messages * receivers) throw new Error("a delivery went missing");
      return ns;
    };
    variants.push({ governed, run, ns: [] as number[] });
  }
  // Warm-up (the JIT), then ABBA… rounds.
  for (const variant of variants) variant.run();
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) variant.ns.push(variant.run());
  }
  hub.close();
  const [plain, governed] = variants.map((variant) => median(variant.ns));
  return {
    plainNs: plain,
    governedNs: governed,
    ratio: plain / governed,
    deliveries: messages * receivers * rounds * 2,
  };
}
