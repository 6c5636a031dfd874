/**
 * The search index of a database that had messages before search existed (migration 010):
 * built in the background, without blocking start-up.
 *
 * One instance at a time (a session advisory lock) fills `message_search` for older messages in
 * batches by id, recording where it stands in `search_backfill` (a restart goes on from there),
 * logs its progress, marks the backfill done, then builds the two indexes with CREATE INDEX
 * CONCURRENTLY (an index a crash left invalid is dropped and built again). New and edited
 * messages never wait for it: the trigger indexes them as they are written, and the backfill
 * skips a message that has its row (ON CONFLICT DO NOTHING: an edit racing it wins).
 *
 * Searches ask `complete()`: until the backfill is done, they also match messages without a
 * row (db/postgres/search.ts).
 */
import type { Sql } from "postgres";

/** Messages filled per batch (one short transaction each). */
const BATCH = 5_000;
/** Log progress every this many batches. */
const LOG_EVERY = 20;
/** How often a search re-reads the state while another instance does the backfill. */
const RECHECK_MS = 2_000;
/** Arbitrary, fixed: identifies the backfill among advisory locks (the migrations use 7_245_001). */
const BACKFILL_LOCK_ID = 7_245_018;

const INDEXES = [
  {
    name: "message_search_vector",
    create: "CREATE INDEX CONCURRENTLY IF NOT EXISTS message_search_vector " +
      "ON message_search USING gin (search_vector)",
  },
  {
    name: "messages_search_trgm",
    create: "CREATE INDEX CONCURRENTLY IF NOT EXISTS messages_search_trgm ON messages " +
      "USING gin (salon_search_text(content) public.gin_trgm_ops)",
  },
];

export class SearchBackfill {
  #done = false;
  #checkedAt = 0;
  #stopped = false;
  #running: Promise<void> = Promise.resolve();

  constructor(private sql: Sql, private log: (line: string) => void = console.log) {}

  /** Starts the backfill (and the index builds) in the background. */
  start(): void {
    this.#running = this.#run().catch((error) => {
      if (!this.#stopped) console.error("search backfill failed:", error);
    });
  }

  /** True once every message has its index row (read again at most every RECHECK_MS). */
  async complete(): Promise<boolean> {
    if (this.#done || Date.now() - this.#checkedAt < RECHECK_MS) return this.#done;
    this.#checkedAt = Date.now();
    const [row] = await this.sql<{ done: boolean }[]>`SELECT done FROM search_backfill`;
    return this.#done = row?.done ?? false;
  }

  /** Stops at the next batch and waits for it (a later start goes on from there). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }

  /** Resolves when the background work has finished (for the bench and tests). */
  finished(): Promise<void> {
    return this.#running;
  }

  async #run(): Promise<void> {
    const [state] = await this.sql<{ done: boolean }[]>`SELECT done FROM search_backfill`;
    if (state?.done && await this.#indexesValid()) {
      this.#done = true;
      return;
    }
    const conn = await this.sql.reserve();
    try {
      const [{ locked }] = await conn<{ locked: boolean }[]>`
        SELECT pg_try_advisory_lock(${BACKFILL_LOCK_ID}) AS locked`;
      // Another instance is at it; searches see its progress through `complete()`.
      if (!locked) return;
      try {
        await this.#fill(conn);
        if (this.#stopped) return;
        await this.#buildIndexes(conn);
      } finally {
        await conn`SELECT pg_advisory_unlock(${BACKFILL_LOCK_ID})`;
      }
    } finally {
      conn.release();
    }
  }

  async #fill(sql: Sql): Promise<void> {
    const [state] = await sql<{ last_id: string; done: boolean }[]>`
      SELECT last_id, done FROM search_backfill`;
    if (state.done) return;
    let last = state.last_id;
    let filled = 0;
    const started = Date.now();
    this.log(`search backfill: indexing older messages from id "${last}"`);
    for (let batch = 1; !this.#stopped; batch++) {
      const [row] = await sql<{ last: string | null; count: number }[]>`
        WITH batch AS (
          SELECT id, channel_id, content FROM messages WHERE id > ${last} ORDER BY id LIMIT ${BATCH}
        ), filled AS (
          INSERT INTO message_search (message_id, channel_id, search_vector)
          SELECT id, channel_id, salon_search_vector(content) FROM batch
          ON CONFLICT (message_id) DO NOTHING
        )
        SELECT max(id) AS last, count(*)::int AS count FROM batch`;
      if (row.last === null) {
        await sql`UPDATE search_backfill SET done = true`;
        this.#done = true;
        this.log(
          `search backfill: done, ${filled} messages in ${Date.now() - started} ms; ` +
            "building indexes",
        );
        return;
      }
      last = row.last;
      filled += row.count;
      await sql`UPDATE search_backfill SET last_id = ${last}`;
      if (batch % LOG_EVERY === 0) {
        this.log(`search backfill: ${filled} messages indexed (up to id "${last}")`);
      }
    }
  }

  /** The indexes that exist and are valid, by name. */
  async #validIndexes(sql: Sql): Promise<Map<string, boolean>> {
    const rows = await sql<{ name: string; valid: boolean }[]>`
      SELECT c.relname AS name, i.indisvalid AS valid
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid IN ('messages'::regclass, 'message_search'::regclass)`;
    return new Map(rows.map((row) => [row.name, row.valid]));
  }

  async #indexesValid(): Promise<boolean> {
    const valid = await this.#validIndexes(this.sql);
    return INDEXES.every((index) => valid.get(index.name) === true);
  }

  async #buildIndexes(sql: Sql): Promise<void> {
    const valid = await this.#validIndexes(sql);
    for (const index of INDEXES) {
      if (this.#stopped) return;
      if (valid.get(index.name) === true) continue;
      // A build cut short leaves an invalid index that IF NOT EXISTS would keep.
      if (valid.has(index.name)) await sql.unsafe(`DROP INDEX CONCURRENTLY ${index.name}`);
      const started = Date.now();
      await sql.unsafe(index.create);
      this.log(`search backfill: index ${index.name} built in ${Date.now() - started} ms`);
    }
  }
}
