/**
 * db/postgres/search_backfill.ts: a database that had messages before search (migration 010)
 * opens at once, finds its older messages while the backfill runs, and ends with every message
 * indexed and both indexes built and valid.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { v7 as uuidv7 } from "uuid";
import { migrate } from "../db/postgres/migrate.ts";
import { openPostgresStore } from "../db/postgres/postgres_store.ts";
import { parseQuery } from "../lib/search/query.ts";
import { needs, POSTGRES_BACKEND, testDatabaseUrl } from "./helpers/backends.ts";

Deno.test(
  "search backfill - older messages are found before and after it, then indexed",
  needs(POSTGRES_BACKEND),
  async () => {
    const url = testDatabaseUrl();
    const schema = `test_${crypto.randomUUID().replaceAll("-", "")}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin`CREATE SCHEMA ${admin(schema)}`;
    const old = postgres(url, { max: 1, onnotice: () => {}, connection: { search_path: schema } });
    try {
      await migrate(old, { through: 9 });
      const [user, server, channel] = [
        crypto.randomUUID(),
        crypto.randomUUID(),
        crypto.randomUUID(),
      ];
      await old`INSERT INTO users (id, username, display_name, bio, password_hash, created_at)
        VALUES (${user}, 'old_user', 'Old', '', 'x', now())`;
      await old`INSERT INTO servers (id, name, owner_id, created_at)
        VALUES (${server}, 'S', ${user}, now())`;
      await old`INSERT INTO channels (id, server_id, name, created_at)
        VALUES (${channel}, ${server}, 'general', now())`;
      // More than one batch of the backfill (5,000), one of them worth finding.
      await old`INSERT INTO messages (id, channel_id, seq, author_id, content, created_at)
        SELECT ${uuidv7({ msecs: 1_700_000_000_000 })} || lpad(g::text, 8, '0'), ${channel}, g,
          ${user}, CASE WHEN g = 7000 THEN 'the Needle is here' ELSE 'hay ' || g END, now()
        FROM generate_series(1, 12000) AS g`;
      await old.end();

      const store = await openPostgresStore(url, { schema, max: 2 });
      try {
        const criteria = (q: string) => {
          const query = parseQuery(q);
          return {
            channels: [{ channelId: channel, serverId: server }],
            required: query.required,
            excluded: query.excluded,
            authorIds: null,
            mentionIds: null,
            hasLink: false,
            pinned: false,
            before: null,
            after: null,
            beforeId: null,
            limit: 5,
          };
        };
        // Found whatever the backfill's progress (computed on the fly for rows not yet filled).
        assert.deepEqual(
          (await store.searchMessages(criteria("needle"))).map((m) => m.content),
          ["the Needle is here"],
        );
        await store.searchBackfill.finished();
        assert.equal(await store.searchBackfill.complete(), true);
        assert.deepEqual(
          (await store.searchMessages(criteria("needle"))).map((m) => m.content),
          ["the Needle is here"],
        );
        const [{ rows }] = await store.sql<{ rows: number }[]>`
          SELECT count(*)::int AS rows FROM message_search`;
        assert.equal(rows, 12000);
        const indexes = await store.sql<{ name: string; valid: boolean }[]>`
          SELECT c.relname AS name, i.indisvalid AS valid
          FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          WHERE c.relname IN ('message_search_vector', 'messages_search_trgm')
            AND c.relnamespace = ${schema}::regnamespace
          ORDER BY name`;
        assert.deepEqual([...indexes], [
          { name: "message_search_vector", valid: true },
          { name: "messages_search_trgm", valid: true },
        ]);
      } finally {
        await store.close();
      }
    } finally {
      await admin`DROP SCHEMA ${admin(schema)} CASCADE`;
      await admin.end();
    }
  },
);
