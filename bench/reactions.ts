/**
 * `deno task bench:reactions [--quick] [--json] [--stores kv,postgres]`: reactions under load
 * (issue 15). One Salon process per store; 50 users in one server, each with a socket, all on
 * one message.
 *
 * - paced: 1,000 operations/s for STEP_SECONDS, each a user toggling one of five emoji on the
 *   message (PUT when they have it, DELETE when they do not, so every operation changes
 *   something and is published); a user's operations are sent one after another (so each
 *   toggle is unambiguous), the users side by side. Each socket keeps the counts from its
 *   `reaction_added` / `reaction_removed` events, as a client does; at the end every socket's
 *   counts must equal the store's (`GET …/messages`), with no event lost. Delivery latency:
 *   from the request's start to the event's arrival, on every socket (p50, p99 ≤ 50 ms).
 * - throughput: the same 50 users, one request in flight each, as fast as the server answers,
 *   for THROUGHPUT_SECONDS: reaction toggles, then message sends (`POST …/messages`); the ratio
 *   of the two rates. Both fan out to the same 50 sockets.
 *
 * The load (HTTP clients and the 50 sockets) runs in this process, beside the server on the
 * same 2 cores: the figures include the client's share. PostgreSQL needs TEST_DATABASE_URL.
 */
import { parseArgs } from "node:util";
import { startSalon } from "./servers.ts";
import type { Server } from "./servers.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    stores: { type: "string", default: "kv,postgres" },
  },
});
const QUICK = values.quick;
const STORES = values.stores.split(",") as ("kv" | "postgres")[];
const USERS = 50;
const RATE = 1000;
const STEP_SECONDS = QUICK ? 3 : 10;
const THROUGHPUT_SECONDS = QUICK ? 2 : 5;
const EMOJI = ["👍", "🎉", "❤", "😂", "👀"];
const P99_LIMIT_MS = 50;
/** How long the last events may take to arrive after the last answer. */
const DRAIN_MS = 30_000;

const started = performance.now();
const log = (text: string) =>
  values.json || console.error(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${text}`);
const loadAverage = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");

interface User {
  id: string;
  cookie: string;
  socket?: WebSocket;
}

async function call(
  base: string,
  user: User | null,
  method: string,
  path: string,
  json?: unknown,
): Promise<{ status: number; body: Record<string, unknown>; cookie?: string }> {
  const headers: Record<string, string> = {};
  if (user) headers.Cookie = user.cookie;
  if (json !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(base + path, {
    method,
    headers,
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? JSON.parse(text) : {},
    cookie: response.headers.get("Set-Cookie")?.split(";")[0],
  };
}

function must<T>(answer: { status: number; body: T }, status: number, what: string): T {
  if (answer.status !== status) {
    throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return answer.body;
}

/** 50 users in one server with one message; returns them, the channel and the message. */
async function seed(base: string) {
  const users: User[] = [];
  for (let i = 0; i < USERS; i++) {
    const answer = await call(base, null, "POST", "/api/auth/register", {
      username: `react${i}`,
      password: "correct horse battery",
    });
    const body = must(answer, 201, "register") as { user: { id: string } };
    users.push({ id: body.user.id, cookie: answer.cookie! });
  }
  const created = must(
    await call(base, users[0], "POST", "/api/servers", { name: "Reactions" }),
    201,
    "server",
  ) as { server: { id: string }; channels: { id: string }[] };
  const serverId = created.server.id;
  const channelId = created.channels[0].id;
  const { code } = must(
    await call(base, users[0], "POST", `/api/servers/${serverId}/invites`),
    201,
    "invite",
  ) as { code: string };
  for (const user of users.slice(1)) {
    must(await call(base, user, "POST", `/api/invites/${code}/join`), 200, "join");
  }
  const { message } = must(
    await call(base, users[0], "POST", `/api/channels/${channelId}/messages`, {
      content: "react here",
    }),
    201,
    "message",
  ) as { message: { id: string } };
  return { users, channelId, messageId: message.id };
}

/** What one socket has seen: counts per emoji, and how many events of each toggle key. */
interface Watch {
  counts: Map<string, number>;
  seen: Map<string, number>;
  events: number;
}

/** Opens every user's socket (waiting for `ready`); events go to `onEvent`. */
async function connect(
  base: string,
  users: User[],
  onEvent: (watch: Watch, event: Record<string, unknown>) => void,
): Promise<Watch[]> {
  const DenoWebSocket = WebSocket as unknown as new (
    url: string,
    options: { headers: Record<string, string> },
  ) => WebSocket;
  return await Promise.all(users.map((user) =>
    new Promise<Watch>((resolve, reject) => {
      const watch: Watch = { counts: new Map(), seen: new Map(), events: 0 };
      const socket = new DenoWebSocket(`${base.replace(/^http/, "ws")}/ws`, {
        headers: { Cookie: user.cookie },
      });
      user.socket = socket;
      socket.onopen = () => socket.send(JSON.stringify({ type: "resume", channels: {} }));
      socket.onerror = () => reject(new Error("socket failed"));
      socket.onmessage = (message) => {
        const event = JSON.parse(message.data);
        if (event.type === "ready") resolve(watch);
        else onEvent(watch, event);
      };
    })
  ));
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The paced phase: RATE toggles/s; delivery latencies and the final counts' agreement. */
async function paced(base: string, users: User[], channelId: string, messageId: string) {
  const index = new Map(users.map((u, i) => [u.id, i]));
  /** Per toggle key (user, emoji): the start time of each of its operations, in order. */
  const starts = new Map<string, number[]>();
  const latencies: number[] = [];
  const watches = await connect(base, users, (watch, event) => {
    if (event.type !== "reaction_added" && event.type !== "reaction_removed") return;
    const now = performance.now();
    const key = `${index.get(event.userId as string)}|${event.emoji}`;
    const nth = watch.seen.get(key) ?? 0;
    watch.seen.set(key, nth + 1);
    const start = starts.get(key)?.[nth];
    if (start !== undefined) latencies.push(now - start);
    const emoji = event.emoji as string;
    const delta = event.type === "reaction_added" ? 1 : -1;
    watch.counts.set(emoji, (watch.counts.get(emoji) ?? 0) + delta);
    watch.events++;
  });
  const has = users.map(() => EMOJI.map(() => false));
  const busy = users.map(() => false);
  let done = 0;
  let failed = 0;
  let skipped = 0;
  let next = 0;
  const operation = async (u: number, e: number) => {
    busy[u] = true;
    const key = `${u}|${EMOJI[e]}`;
    const list = starts.get(key) ?? [];
    starts.set(key, list);
    const method = has[u][e] ? "DELETE" : "PUT";
    list.push(performance.now());
    const path = `/api/messages/${messageId}/reactions/${encodeURIComponent(EMOJI[e])}`;
    const response = await fetch(base + path, { method, headers: { Cookie: users[u].cookie } });
    await response.body?.cancel();
    if (response.status === 204) {
      has[u][e] = !has[u][e];
      done++;
    } else {
      // Nothing changed: that start never gets an event.
      list.pop();
      failed++;
    }
    busy[u] = false;
  };
  const inFlight = new Set<Promise<void>>();
  const begin = performance.now();
  let issued = 0;
  while (performance.now() - begin < STEP_SECONDS * 1000) {
    const due = Math.floor(((performance.now() - begin) / 1000) * RATE);
    while (issued < due) {
      issued++;
      const u = next++ % USERS;
      if (busy[u]) {
        skipped++;
        continue;
      }
      const e = Math.floor(next / USERS) % EMOJI.length;
      const p = operation(u, e).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - begin) / 1000;
  const drainEnd = Date.now() + DRAIN_MS;
  while (watches.some((w) => w.events < done) && Date.now() < drainEnd) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const page = must(
    await call(base, users[0], "GET", `/api/channels/${channelId}/messages`),
    200,
    "history",
  ) as { messages: { id: string; reactions: { emoji: string; count: number }[] }[] };
  const stored = new Map(
    page.messages.find((m) => m.id === messageId)!.reactions.map((r) => [r.emoji, r.count]),
  );
  const expected = new Map<string, number>(
    EMOJI.map((e, i): [string, number] => [e, has.filter((h) => h[i]).length])
      .filter(([, n]) => n !== 0),
  );
  const agree = (counts: Map<string, number>) => {
    const nonZero = [...counts].filter(([, n]) => n !== 0);
    return nonZero.length === stored.size && nonZero.every(([e, n]) => stored.get(e) === n);
  };
  const storeMatchesClients = expected.size === stored.size &&
    [...expected].every(([e, n]) => stored.get(e) === n);
  latencies.sort((a, b) => a - b);
  for (const user of users) user.socket?.close();
  return {
    operations: done,
    failed,
    skipped,
    opsPerSecond: done / elapsed,
    deliveries: latencies.length,
    lost: watches.reduce((sum, w) => sum + Math.max(0, done - w.events), 0),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1],
    socketsAgreeing: watches.filter((w) => agree(w.counts)).length,
    storeMatchesRequests: storeMatchesClients,
    stored: Object.fromEntries(stored),
  };
}

/** Closed loop: every user keeps one request in flight for `seconds`; completions per second. */
async function closedLoop(
  seconds: number,
  request: (u: number, n: number) => Promise<boolean>,
): Promise<number> {
  let completed = 0;
  const end = performance.now() + seconds * 1000;
  const begin = performance.now();
  await Promise.all(Array.from({ length: USERS }, async (_, u) => {
    for (let n = 0; performance.now() < end; n++) {
      if (await request(u, n)) completed++;
    }
  }));
  return completed / ((performance.now() - begin) / 1000);
}

/** Reaction and message throughput with the 50 sockets listening. */
async function throughput(base: string, users: User[], channelId: string, messageId: string) {
  await connect(base, users, () => {});
  const has = users.map(() => false);
  const reactions = await closedLoop(THROUGHPUT_SECONDS, async (u) => {
    // Each user toggles its own emoji: a distinct one per user would pass the 20-distinct cap.
    const path = `/api/messages/${messageId}/reactions/${encodeURIComponent("🚀")}`;
    const response = await fetch(base + path, {
      method: has[u] ? "DELETE" : "PUT",
      headers: { Cookie: users[u].cookie },
    });
    await response.body?.cancel();
    if (response.status !== 204) return false;
    has[u] = !has[u];
    return true;
  });
  const messages = await closedLoop(THROUGHPUT_SECONDS, async (u, n) => {
    const response = await fetch(`${base}/api/channels/${channelId}/messages`, {
      method: "POST",
      headers: { Cookie: users[u].cookie, "Content-Type": "application/json" },
      body: JSON.stringify({ content: `load ${u} ${n}` }),
    });
    await response.body?.cancel();
    return response.status === 201;
  });
  for (const user of users) user.socket?.close();
  return {
    reactionsPerSecond: reactions,
    messagesPerSecond: messages,
    ratio: reactions / messages,
  };
}

const report: Record<string, unknown> = {
  date: new Date().toISOString(),
  quick: QUICK,
  users: USERS,
  rate: RATE,
  stepSeconds: STEP_SECONDS,
  loadAverageBefore: loadAverage(),
};
const rows: string[][] = [];
for (const store of STORES) {
  log(`reactions on ${store}: ${USERS} users, ${RATE} ops/s for ${STEP_SECONDS} s`);
  const server: Server = await startSalon(store);
  try {
    const { users, channelId, messageId } = await seed(server.base);
    const load = await paced(server.base, users, channelId, messageId);
    log(`throughput on ${store}`);
    const rates = await throughput(server.base, users, channelId, messageId);
    report[store] = { paced: load, throughput: rates };
    const met = load.p99 <= P99_LIMIT_MS && load.lost === 0 &&
      load.socketsAgreeing === USERS && load.storeMatchesRequests;
    rows.push([
      store,
      `${
        load.opsPerSecond.toFixed(0)
      } ops/s (${load.operations} ok, ${load.failed} failed, ${load.skipped} skipped)`,
      `p50 ${load.p50.toFixed(1)} / p99 ${load.p99.toFixed(1)} / max ${load.max.toFixed(1)} ms`,
      `${load.deliveries} deliveries, lost ${load.lost}`,
      `${load.socketsAgreeing}/${USERS} sockets = store${
        load.storeMatchesRequests ? "" : " (store ≠ requests!)"
      }`,
      `${rates.reactionsPerSecond.toFixed(0)} / ${rates.messagesPerSecond.toFixed(0)} = ${
        rates.ratio.toFixed(2)
      }`,
      met ? "met" : "MISSED",
    ]);
  } finally {
    await server.stop();
  }
}
report.loadAverageAfter = loadAverage();

if (values.json) {
  console.log(JSON.stringify({ reactions: report }));
} else {
  const header = [
    "store",
    "paced rate achieved",
    "delivery",
    "fan-out",
    "final counts",
    "throughput: reactions/s ÷ messages/s",
    `p99 ≤ ${P99_LIMIT_MS} ms, equal`,
  ];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  console.log(
    `\nReactions: ${USERS} users on one message, ${RATE} toggles/s for ${STEP_SECONDS} s; ` +
      `load average ${report.loadAverageBefore} → ${report.loadAverageAfter}`,
  );
  for (const row of all) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join("  "));
}
