/**
 * The load generator: its own process, speaking Salon's public API (or the raw baseline's
 * bare WebSocket). Reads one scenario as JSON from argv, prints one result line as JSON.
 *
 * Fan-out steps are open loop (bench/paced_fanout.ts, shared with bench/bus_fanout_clients.ts):
 * message k of a step is due at `start + k / rate`; it carries that intended time, and latency
 * is receive time minus intended time, so a stalled server cannot hide its delay. Every
 * delivery is recorded: lost, doubled and out-of-order deliveries are counted.
 */
import { HttpClient } from "../tests/helpers/http_client.ts";
import { searchRates, stepPasses } from "./rate_search.ts";
import type { RateSearch } from "./rate_search.ts";
import {
  inBatches,
  localReceivers,
  now,
  openSocket,
  pacedStepRunner,
  salonContent,
} from "./paced_fanout.ts";
import type { SendFn } from "./paced_fanout.ts";

interface FanoutScenario extends RateSearch {
  mode: "fanout";
  target: "salon" | "raw";
  base: string;
  receivers: number;
  senders: number;
  stepSeconds: number;
}
/**
 * Fan-out on two servers of the same Salon process at fixed rates, step by step in turn: a
 * plain one, and a governed one whose channel has three role overwrites and whose members hold
 * two roles each (bench/fanout_permissions.ts compares the server's CPU per delivery).
 */
interface FanoutPermissionsScenario {
  mode: "fanoutPermissions";
  base: string;
  receivers: number;
  senders: number;
  stepSeconds: number;
  /** Messages per second of every judged step. */
  rate: number;
  /** Pairs of steps (plain and governed, their order alternating: ABBA…). */
  rounds: number;
  /** One unjudged step of each at this rate first. */
  warmUpRate: number;
}
interface IngestScenario {
  mode: "ingest";
  base: string;
  senders: number;
  seconds: number;
  /** Sends each sender keeps unacknowledged (1: wait for each ack before the next send). */
  window?: number;
}
interface IdleScenario {
  mode: "idle";
  target: "salon" | "raw";
  base: string;
  sockets: number;
  holdSeconds: number;
}
interface SsrScenario {
  mode: "ssr";
  base: string;
  concurrency: number;
  seconds: number;
}
type Scenario =
  | FanoutScenario
  | FanoutPermissionsScenario
  | IngestScenario
  | IdleScenario
  | SsrScenario;

const scenario = JSON.parse(Deno.args[0]) as Scenario;
const open = openSocket;

let userSeq = 0;
async function newUser(base: string): Promise<HttpClient> {
  const http = new HttpClient(base);
  const name = `b${crypto.randomUUID().slice(0, 8)}${userSeq++}`;
  const { status } = await http.json("POST", "/api/auth/register", {
    json: { username: name, password: "correct horse" },
  });
  if (status !== 201) throw new Error(`register: ${status}`);
  return http;
}

/** A server with `members` users in its general channel; the first one owns it. */
async function salonChannel(base: string, members: number) {
  const users = await inBatches(members, 20, () => newUser(base));
  const created = await users[0].json<{ server: { id: string }; channels: { id: string }[] }>(
    "POST",
    "/api/servers",
    {
      json: { name: "Bench" },
    },
  );
  const invite = await users[0].json<{ code: string }>(
    "POST",
    `/api/servers/${created.body.server.id}/invites`,
  );
  await inBatches(
    members - 1,
    20,
    (i) => users[i + 1].json("POST", `/api/invites/${invite.body.code}/join`),
  );
  return { users, serverId: created.body.server.id, channelId: created.body.channels[0].id };
}

/** The bench's roles: what each one's overwrite on the channel allows and denies (view stays). */
const BENCH_ROLES = [
  { allow: ["view_channel", "send_messages"], deny: ["attach_files"] },
  { allow: ["add_reactions"], deny: ["mention_everyone"] },
  { allow: ["read_history"], deny: ["manage_messages"] },
];

/**
 * Governs a bench server through the HTTP API: three roles, an overwrite for each on the
 * channel, and every member but the owner holding two of them.
 */
async function govern(users: HttpClient[], serverId: string, channelId: string): Promise<void> {
  const owner = users[0];
  const roleIds: string[] = [];
  for (const [i, { allow, deny }] of BENCH_ROLES.entries()) {
    const created = await owner.json<{ role: { id: string } }>(
      "POST",
      `/api/servers/${serverId}/roles`,
      { json: { name: `bench${i}`, permissions: ["view_channel", "send_messages"] } },
    );
    if (created.status !== 201) throw new Error(`role: ${created.status}`);
    roleIds.push(created.body.role.id);
    const put = await owner.json(
      "PUT",
      `/api/channels/${channelId}/overwrites/${created.body.role.id}`,
      { json: { type: "role", allow, deny } },
    );
    if (put.status !== 204) throw new Error(`overwrite: ${put.status}`);
  }
  const members = await Promise.all(
    users.slice(1).map(async (user) => {
      const me = await user.json<{ user: { id: string } }>("GET", "/api/me");
      return me.body.user.id;
    }),
  );
  await inBatches(members.length * 2, 20, async (j) => {
    const member = Math.floor(j / 2);
    const roleId = roleIds[(member + (j % 2)) % roleIds.length];
    const put = await owner.json(
      "PUT",
      `/api/servers/${serverId}/members/${members[member]}/roles/${roleId}`,
    );
    if (put.status !== 204) throw new Error(`member role: ${put.status}`);
  });
}

async function fanout(s: FanoutScenario) {
  let receivers: WebSocket[];
  let senders: WebSocket[];
  let send: (socket: WebSocket, text: string, nonce: string) => void;
  let contentOf: (data: string) => string | null;
  if (s.target === "raw") {
    receivers = await inBatches(s.receivers, 50, () => open(s.base));
    senders = await inBatches(s.senders, 50, () => open(s.base));
    // The same JSON shape and size as Salon's message event (an author named like the bench's
    // users, an avatar URL holding the user's id, a seq of as many digits), parsed the same way
    // on receipt, so the generator and the sockets do the same work against both servers.
    const author = crypto.randomUUID();
    let seq = 0;
    send = (socket, text, nonce) =>
      socket.send(JSON.stringify({
        type: "message",
        message: {
          id: crypto.randomUUID(),
          channelId: crypto.randomUUID(),
          seq: ++seq,
          author: {
            id: author,
            username: `b${author.slice(0, 8)}10`,
            displayName: `b${author.slice(0, 8)}10`,
            avatarUrl: `/api/users/${author}/avatar`,
          },
          content: text,
          createdAt: new Date().toISOString(),
          editedAt: null,
          nonce,
        },
      }));
    contentOf = salonContent;
  } else {
    const { users, channelId } = await salonChannel(s.base, s.receivers + s.senders);
    receivers = await inBatches(s.receivers, 50, (i) => open(s.base, users[i].cookie));
    senders = await inBatches(s.senders, 50, (i) => open(s.base, users[s.receivers + i].cookie));
    send = (socket, text, nonce) =>
      socket.send(JSON.stringify({ type: "send", channelId, content: text, nonce }));
    contentOf = salonContent;
  }
  const runStep = stepRunner(s.stepSeconds, receivers, senders, send, contentOf);
  const steps = await searchRates(
    s,
    runStep,
    stepPasses,
    // Let the server drain what the failed step left queued.
    () => new Promise((resolve) => setTimeout(resolve, 1000)),
  );
  for (const socket of [...receivers, ...senders]) socket.close();
  return { steps };
}

/** One open-loop step at `rate` over these sockets, the receivers read in this thread. */
function stepRunner(
  stepSeconds: number,
  receivers: WebSocket[],
  senders: WebSocket[],
  send: SendFn,
  contentOf: (data: string) => string | null,
) {
  return pacedStepRunner({
    stepSeconds,
    senders,
    send,
    groups: [localReceivers(receivers, contentOf)],
  });
}

/** Plain and governed fan-out in turn at one rate (see FanoutPermissionsScenario). */
async function fanoutPermissions(s: FanoutPermissionsScenario) {
  const members = s.receivers + s.senders;
  const variants = [];
  for (const governed of [false, true]) {
    const { users, serverId, channelId } = await salonChannel(s.base, members);
    if (governed) await govern(users, serverId, channelId);
    const receivers = await inBatches(s.receivers, 50, (i) => open(s.base, users[i].cookie));
    const senders = await inBatches(
      s.senders,
      50,
      (i) => open(s.base, users[s.receivers + i].cookie),
    );
    const send = (socket: WebSocket, text: string, nonce: string) =>
      socket.send(JSON.stringify({ type: "send", channelId, content: text, nonce }));
    variants.push({
      label: governed ? "governed" : "plain",
      sockets: [...receivers, ...senders],
      run: stepRunner(s.stepSeconds, receivers, senders, send, salonContent),
    });
  }
  const steps = [];
  const pause = () => new Promise((resolve) => setTimeout(resolve, 500));
  for (const variant of variants) {
    const step = await variant.run(steps.length, s.warmUpRate, variant.label);
    steps.push({ ...step, label: variant.label, warmUp: true });
    await pause();
  }
  for (let round = 0; round < s.rounds; round++) {
    // ABBA…: neither variant always runs on the warmer (or the noisier) half of a round.
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) {
      const step = await variant.run(steps.length, s.rate, variant.label);
      steps.push({ ...step, label: variant.label });
      await pause();
    }
  }
  for (const variant of variants) for (const socket of variant.sockets) socket.close();
  return { steps };
}

async function ingest(s: IngestScenario) {
  // Small channels: each sender has a channel of its own with one listener.
  const pairs = await inBatches(s.senders, 10, async () => {
    const { users, channelId } = await salonChannel(s.base, 2);
    const [sender, listener] = await Promise.all([
      open(s.base, users[0].cookie),
      open(s.base, users[1].cookie),
    ]);
    return { sender, listener, channelId };
  });
  let acked = 0;
  let received = 0;
  // Set up: the bench may start measuring the processes' CPU now.
  console.log(JSON.stringify({ phase: "ingest" }));
  const end = now() + s.seconds * 1000;
  await Promise.all(
    pairs.map(({ sender, listener, channelId }, p) =>
      new Promise<void>((resolve) => {
        let k = 0;
        const next = () => {
          if (now() >= end) return resolve();
          sender.send(
            JSON.stringify({ type: "send", channelId, content: `m${k}`, nonce: `i${p}-${k++}` }),
          );
        };
        sender.onmessage = (event) => {
          if (String(event.data).startsWith('{"type":"ack"')) {
            acked++;
            next();
          }
        };
        listener.onmessage = (event) => {
          if (String(event.data).startsWith('{"type":"message"')) received++;
        };
        for (let i = 0; i < (s.window ?? 1); i++) next();
      })
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 1000));
  for (const { sender, listener } of pairs) {
    sender.close();
    listener.close();
  }
  return { messagesPerSecond: acked / s.seconds, acked, received, lost: acked - received };
}

async function idle(s: IdleScenario) {
  let cookies: (string | undefined)[] = [undefined];
  if (s.target === "salon") {
    cookies = (await inBatches(10, 10, () => newUser(s.base))).map((u) => u.cookie);
  }
  // The bench measures the server's memory now (users made, no socket) and once all are open.
  console.log(JSON.stringify({ users: cookies.length }));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const sockets = await inBatches(s.sockets, 100, (i) => open(s.base, cookies[i % cookies.length]));
  console.log(JSON.stringify({ opened: sockets.length }));
  await new Promise((resolve) => setTimeout(resolve, s.holdSeconds * 1000));
  for (const socket of sockets) socket.close();
  return { sockets: sockets.length };
}

async function ssr(s: SsrScenario) {
  const { users, channelId } = await salonChannel(s.base, 1);
  for (let i = 0; i < 50; i++) {
    await users[0].json("POST", `/api/channels/${channelId}/messages`, {
      json: { content: `history ${i}` },
    });
  }
  const results: Record<string, number> = {};
  for (
    const [name, path, cookie] of [["chat", "/chat", users[0].cookie], [
      "login",
      "/login",
      undefined,
    ]] as const
  ) {
    let done = 0;
    const end = now() + s.seconds * 1000;
    await Promise.all(Array.from({ length: s.concurrency }, async () => {
      while (now() < end) {
        const response = await fetch(s.base + path, { headers: cookie ? { Cookie: cookie } : {} });
        await response.arrayBuffer();
        if (response.ok) done++;
      }
    }));
    results[name] = done / s.seconds;
  }
  return results;
}

const modes = { fanout, fanoutPermissions, ingest, idle, ssr } as Record<
  string,
  (s: never) => Promise<unknown>
>;
const result = await modes[scenario.mode](scenario as never);
console.log(JSON.stringify({ result }));
Deno.exit(0);
