/**
 * A bulk path into the messages table for bench/search.ts only: a million messages through one
 * INSERT … SELECT generate_series per chunk, written by the store's own table and trigger (so
 * every row is indexed exactly as a send indexes it), which the send path would take hours to
 * reach. Never used by the app.
 *
 * The content is a deterministic function of the message's number `g` (the bench knows what
 * each query should find): `hello` in every third message, `zyzzyva` in one in 50,000, the
 * phrase `good morning` in one in a hundred (and `good`, `morning` apart more often), and three
 * filler words of a 5,000-word vocabulary. Ids are UUIDv7-shaped, one millisecond apart.
 */
import type { Sql } from "postgres";

export interface BenchSeed {
  channelIds: string[];
  authorIds: string[];
  /** Numbers of the first and last message (inclusive), so chunks can follow each other. */
  from: number;
  to: number;
  /** The time of message 0, in ms. */
  epochMs: number;
}

/** Inserts messages `from`…`to` spread over the channels (round robin), then moves counters. */
export async function seedBenchMessages(sql: Sql, seed: BenchSeed): Promise<void> {
  const channels = seed.channelIds.length;
  await sql`
    INSERT INTO messages (id, channel_id, seq, author_id, content, created_at)
    SELECT
      substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || substr(r, 1, 3) || '-8' ||
        substr(r, 4, 3) || '-' || substr(r, 7, 12),
      (${seed.channelIds}::text[])[1 + g % ${channels}],
      1 + g / ${channels},
      (${seed.authorIds}::text[])[1 + (g / 7) % ${seed.authorIds.length}],
      concat_ws(' ',
        CASE WHEN g % 3 = 0 THEN 'hello' END,
        CASE WHEN g % 50000 = 7 THEN 'zyzzyva' END,
        CASE WHEN g % 100 = 1 THEN 'good morning' END,
        CASE WHEN g % 20 = 2 THEN 'good' END,
        CASE WHEN g % 17 = 3 THEN 'morning' END,
        'w' || (g * 7919) % 5000,
        'w' || (g * 104729) % 5000,
        'w' || (g * 1299709) % 5000),
      to_timestamp((${seed.epochMs}::bigint + g) / 1000.0)
    FROM generate_series(${seed.from}::bigint, ${seed.to}::bigint) AS g,
      LATERAL (SELECT lpad(to_hex(${seed.epochMs}::bigint + g), 12, '0') AS h,
        lpad(to_hex(g), 18, '0') AS r) AS parts`;
  await sql`UPDATE channels c SET last_seq = m.last
    FROM (SELECT channel_id, max(seq) AS last FROM messages
      WHERE channel_id = ANY(${seed.channelIds}) GROUP BY channel_id) m
    WHERE c.id = m.channel_id`;
}

/** The content message `g` has (the same function as the SQL above), for the KV seed. */
export function benchContent(g: number): string {
  const parts = [
    g % 3 === 0 ? "hello" : null,
    g % 50000 === 7 ? "zyzzyva" : null,
    g % 100 === 1 ? "good morning" : null,
    g % 20 === 2 ? "good" : null,
    g % 17 === 3 ? "morning" : null,
    `w${(g * 7919) % 5000}`,
    `w${(g * 104729) % 5000}`,
    `w${(g * 1299709) % 5000}`,
  ];
  return parts.filter((p) => p !== null).join(" ");
}
