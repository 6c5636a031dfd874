/**
 * `deno task bench:search [--quick] [--stores kv,postgres] [--messages N] [--kv-messages N]`:
 * search with many messages in one server (issue 18).
 *
 * One server, 10 channels, 100 authors. Four queries, 20 times each, p50 and p95 of each:
 * a rare word (`zyzzyva`: 1 in 50,000 messages), a common word (`hello`: 1 in 3), a phrase
 * (`"good morning"`: 1 in 100, its words apart more often) and `from:` + the common word.
 * Each is timed through the store (`searchMessages`, what the index answers) and through the
 * whole service (parsing, the permission scope, decoration as history is decorated).
 *
 * - PostgreSQL (default 1,000,000 messages): seeded through the store's own table and trigger
 *   by a bulk INSERT … SELECT generate_series (db/postgres/search_seed.ts: the bench's own
 *   path, the send path would take hours); the baseline is a hand-written SQL query on the
 *   same index in the same run; target: the store's p95 ≤ 2 × the baseline's.
 * - Deno KV (default 100,000, what a few minutes of sends reach on 2 cores): seeded through
 *   `appendMessage` (the real write path, group commit and all); its write cost is the ingest
 *   rate with the index against a store without it (KvStoreOptions.searchIndex), same run,
 *   timed until the last send is indexed (db/kv/search_writer.ts indexes after the sends);
 *   target: ≥ 0.7 ×. `--nonces`: the sends carry nonces (as the browser's do), default without;
 *   `--ingest N`: sends measured (default 20,000, quick 2,000).
 *
 * PostgreSQL needs TEST_DATABASE_URL (a schema of its own is created and dropped).
 */
import { parseArgs } from "node:util";
import postgres from "postgres";
import { v7 as uuidv7 } from "uuid";
import { KvStore, openKvStore } from "../db/kv/kv_store.ts";
import { openPostgresStore } from "../db/postgres/postgres_store.ts";
import { benchContent, seedBenchMessages } from "../db/postgres/search_seed.ts";
import type {
  ChannelRecord,
  SearchCriteria,
  ServerRecord,
  Store,
  UserRecord,
} from "../db/store.ts";
import { AccessBook } from "../lib/permissions/access_book.ts";
import { parseQuery } from "../lib/search/query.ts";
import { SearchService } from "../lib/search/search_service.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    stores: { type: "string", default: "kv,postgres" },
    messages: { type: "string" },
    "kv-messages": { type: "string" },
    nonces: { type: "boolean", default: false },
    ingest: { type: "string" },
  },
});
const QUICK = values.quick;
const STORES = values.stores.split(",");
const PG_MESSAGES = Number(values.messages ?? (QUICK ? 20_000 : 1_000_000));
const KV_MESSAGES = Number(values["kv-messages"] ?? values.messages ?? (QUICK ? 5_000 : 100_000));
const INGEST_SAMPLE = Number(values.ingest ?? (QUICK ? 2_000 : 20_000));
const RUNS = 20;
const CHANNELS = 10;
const AUTHORS = 100;
const PG_CHUNK = 100_000;
const SENDERS = 64;
const EPOCH_MS = Date.parse("2025-01-01T00:00:00Z");

const started = performance.now();
const loadAverage = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
const log = (text: string) =>
  console.error(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${text}`);

interface Seeded {
  store: Store;
  owner: UserRecord;
  authors: UserRecord[];
  server: ServerRecord;
  channels: ChannelRecord[];
}

async function seedWorld(store: Store): Promise<Seeded> {
  const authors: UserRecord[] = [];
  for (let i = 0; i < AUTHORS; i++) {
    const user: UserRecord = {
      id: crypto.randomUUID(),
      username: `user${i}`,
      displayName: `User ${i}`,
      bio: "",
      passwordHash: "x",
      avatarVersion: null,
      createdAt: new Date(),
    };
    await store.createUser(user);
    authors.push(user);
  }
  const owner = authors[0];
  const server: ServerRecord = {
    id: crypto.randomUUID(),
    name: "Bench",
    ownerId: owner.id,
    createdAt: new Date(),
    iconVersion: null,
  };
  const channels: ChannelRecord[] = Array.from({ length: CHANNELS }, (_, i) => ({
    id: crypto.randomUUID(),
    serverId: server.id,
    name: `c${i}`,
    createdAt: new Date(EPOCH_MS + i),
    kind: "text",
    parentId: null,
    topic: "",
    position: i,
  }));
  await store.createServer(server, channels[0]);
  for (const channel of channels.slice(1)) await store.createChannel(channel);
  for (const author of authors.slice(1)) await store.addMember(server.id, author.id, new Date());
  return { store, owner, authors, server, channels };
}

const QUERIES = [
  { name: "rare word", q: "zyzzyva" },
  { name: "common word", q: "hello" },
  { name: "phrase", q: '"good morning"' },
  { name: "from: + word", q: "from:user1 hello" },
];

function criteriaOf(world: Seeded, q: string): SearchCriteria {
  const query = parseQuery(q);
  return {
    channels: world.channels.map((c) => ({ channelId: c.id, serverId: c.serverId })),
    required: query.required,
    excluded: query.excluded,
    authorIds: query.from.length ? [world.authors[1].id] : null,
    mentionIds: null,
    hasLink: false,
    pinned: false,
    before: null,
    after: null,
    beforeId: null,
    limit: 26,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

async function timed(run: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await run(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95) };
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

async function measureQueries(
  world: Seeded,
  baseline?: (q: string) => Promise<unknown>,
): Promise<string[]> {
  const service = new SearchService({
    store: world.store,
    access: new AccessBook(world.store),
    publish: () => {},
    now: Date.now,
  });
  const lines: string[] = [];
  for (const { name, q } of QUERIES) {
    const criteria = criteriaOf(world, q);
    const count = (await world.store.searchMessages(criteria)).length;
    const store = await timed(() => world.store.searchMessages(criteria));
    const full = await timed(() => service.search(world.owner, { q }));
    let line =
      `${name.padEnd(13)} (${String(count).padStart(2)} found) store p50 ${ms(store.p50)} ` +
      `p95 ${ms(store.p95)} | service p50 ${ms(full.p50)} p95 ${ms(full.p95)}`;
    if (baseline) {
      const base = await timed(() => baseline(q));
      const ratio = store.p95 / base.p95;
      line += ` | SQL p50 ${ms(base.p50)} p95 ${ms(base.p95)} | p95 ratio ${ratio.toFixed(2)} ` +
        (ratio <= 2 ? "(≤ 2: met)" : "(> 2: NOT met)");
    }
    lines.push(line);
    log(line);
  }
  return lines;
}

async function benchPostgres(): Promise<string[]> {
  const url = Deno.env.get("TEST_DATABASE_URL");
  if (!url) throw new Error("TEST_DATABASE_URL is not set: the PostgreSQL bench needs a database.");
  const schema = `bench_search_${crypto.randomUUID().slice(0, 8)}`;
  const store = await openPostgresStore(url, { schema, max: 4 });
  try {
    const world = await seedWorld(store);
    log(`postgres: seeding ${PG_MESSAGES} messages`);
    const t0 = performance.now();
    for (let from = 0; from < PG_MESSAGES; from += PG_CHUNK) {
      await seedBenchMessages(store.sql, {
        channelIds: world.channels.map((c) => c.id),
        authorIds: world.authors.map((a) => a.id),
        from,
        to: Math.min(PG_MESSAGES, from + PG_CHUNK) - 1,
        epochMs: EPOCH_MS,
      });
      log(`postgres: ${Math.min(PG_MESSAGES, from + PG_CHUNK)} messages`);
    }
    const seedSeconds = (performance.now() - t0) / 1000;
    await store.sql`VACUUM ANALYZE message_search`;
    await store.sql`ANALYZE messages`;
    const channelIds = world.channels.map((c) => c.id);
    const authorId = world.authors[1].id;
    // The hand-written query: the same GIN index, the same join and order, nothing else.
    const baseline = (q: string) => {
      const words = q === "zyzzyva"
        ? "zyzzyva"
        : q === "hello"
        ? "hello"
        : q.startsWith('"')
        ? "good <-> morning"
        : "hello";
      return q.startsWith("from:")
        ? store.sql`SELECT m.* FROM message_search s JOIN messages m ON m.id = s.message_id
            WHERE s.channel_id = ANY(${channelIds}) AND m.author_id = ${authorId}
              AND s.search_vector @@ to_tsquery('simple', ${words})
            ORDER BY s.message_id DESC LIMIT 26`
        : store.sql`SELECT m.* FROM message_search s JOIN messages m ON m.id = s.message_id
            WHERE s.channel_id = ANY(${channelIds})
              AND s.search_vector @@ to_tsquery('simple', ${words})
            ORDER BY s.message_id DESC LIMIT 26`;
    };
    const lines = await measureQueries(world, baseline);
    return [
      `PostgreSQL, ${PG_MESSAGES.toLocaleString("en")} messages (seeded in ${
        seedSeconds.toFixed(0)
      } s, ${(PG_MESSAGES / seedSeconds).toFixed(0)} messages/s with the trigger):`,
      ...lines,
    ];
  } finally {
    await store.close();
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin`DROP SCHEMA ${admin(schema)} CASCADE`;
    await admin.end();
  }
}

/** Sends messages `from`…`to` through appendMessage, SENDERS at a time; messages/s. */
async function ingest(world: Seeded, from: number, to: number): Promise<number> {
  let next = from;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: SENDERS }, async () => {
    while (next <= to) {
      const g = next++;
      const createdAt = new Date(EPOCH_MS + g);
      await world.store.appendMessage({
        id: uuidv7({ msecs: createdAt.getTime() }),
        channelId: world.channels[g % CHANNELS].id,
        authorId: world.authors[Math.floor(g / 7) % AUTHORS].id,
        content: benchContent(g),
        createdAt,
        nonce: values.nonces ? crypto.randomUUID() : null,
        replyToId: null,
        mentions: { users: [], everyone: false },
      });
      if (g % 20_000 === 0 && g > from) log(`kv: ${g} messages`);
    }
  }));
  // Timed until every send is indexed (KV writes its index a moment after the sends).
  if (world.store instanceof KvStore) await world.store.searchWriter.flush();
  return (to - from + 1) / ((performance.now() - t0) / 1000);
}

/** Plain and indexed ingest alternate in this many rounds (a loaded machine's swings hit both). */
const INGEST_ROUNDS = 4;

async function benchKv(): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "salon-bench-search-" });
  try {
    // The write cost: the same sends into a store without the index and one with it, in
    // alternating rounds; each rate is its sends over its rounds' time.
    const plain = await openKvStore(`${dir}/plain.kv`, { searchIndex: false });
    const store = await openKvStore(`${dir}/search.kv`);
    try {
      const plainWorld = await seedWorld(plain);
      const world = await seedWorld(store);
      log(`kv: seeding ${KV_MESSAGES} messages through appendMessage`);
      const t0 = performance.now();
      const round = Math.ceil(INGEST_SAMPLE / INGEST_ROUNDS);
      let plainSeconds = 0;
      let indexedSeconds = 0;
      for (let from = 0; from < INGEST_SAMPLE; from += round) {
        const to = Math.min(INGEST_SAMPLE, from + round) - 1;
        plainSeconds += (to - from + 1) / await ingest(plainWorld, from, to);
        indexedSeconds += (to - from + 1) / await ingest(world, from, to);
      }
      await plain.close();
      const plainRate = INGEST_SAMPLE / plainSeconds;
      const indexedRate = INGEST_SAMPLE / indexedSeconds;
      if (KV_MESSAGES > INGEST_SAMPLE) await ingest(world, INGEST_SAMPLE, KV_MESSAGES - 1);
      const seedSeconds = (performance.now() - t0) / 1000;
      const ratio = indexedRate / plainRate;
      const cost = `ingest of ${INGEST_SAMPLE} sends${values.nonces ? " with nonces" : ""} in ` +
        `${INGEST_ROUNDS} alternating rounds (load average ${loadAverage()}): ` +
        `${plainRate.toFixed(0)} messages/s without ` +
        `the index, ${indexedRate.toFixed(0)} with it: ${ratio.toFixed(2)} × ` +
        (ratio >= 0.7 ? "(≥ 0.7: met)" : "(< 0.7: NOT met)");
      log(cost);
      const lines = await measureQueries(world);
      return [
        `Deno KV, ${KV_MESSAGES.toLocaleString("en")} messages (seeded in ${
          seedSeconds.toFixed(0)
        } s):`,
        cost,
        ...lines,
      ];
    } finally {
      await store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const report: string[] = [];
if (STORES.includes("postgres")) report.push(...await benchPostgres(), "");
if (STORES.includes("kv")) report.push(...await benchKv());
console.log(report.join("\n"));
