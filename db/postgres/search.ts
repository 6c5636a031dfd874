/**
 * Search on PostgreSQL (db/migrations/010_search.sql): one query per search.
 *
 * Words and phrases become one tsquery with websearch_to_tsquery's semantics, built from
 * parts each folded by the same SQL function as the messages (`salon_search_text`): a word or a
 * phrase is `phraseto_tsquery` (a word that folds to several, `example.com`, is a phrase of
 * them), `-x` is its negation, all joined with `&&`, matched against `message_search`'s GIN
 * index. A term with CJK characters, which the parser cannot split into words, is a substring
 * match of the folded content instead, served by the trigram index. Filters are plain columns (attachments: the message's jsonb array).
 * Newest first is descending id (UUIDv7), the cursor an id bound.
 *
 * Until the background backfill (search_backfill.ts) has given every older message its row, a
 * message without one is matched on a vector computed on the fly: results are complete, only
 * slower, while it runs.
 */
import type { Fragment, Sql } from "postgres";
import { hasCjk } from "../../lib/search/text.ts";
import { INLINE_IMAGE_TYPES, type SearchCriteria, type SearchTerm } from "../search_store.ts";
import type { MessageRecord } from "../store.ts";
import { type MessageRow, toMessage } from "./rows.ts";

/** A term as a tsquery, folded in SQL like the messages were. */
function tsqueryOf(sql: Sql, term: SearchTerm): Fragment {
  return sql`phraseto_tsquery('simple', salon_search_text(${term.text}))`;
}

/** A CJK term: a substring of the folded content (trigram index). */
function substringOf(sql: Sql, term: SearchTerm): Fragment {
  return sql`salon_search_text(m.content) LIKE '%' || salon_search_text(${term.text}) || '%'`;
}

function and(sql: Sql, parts: Fragment[]): Fragment {
  if (parts.length === 0) return sql`TRUE`;
  return parts.reduce((all, part) => sql`${all} AND ${part}`);
}

/**
 * The newest `limit` matches, newest first. `complete`: every message has its index row (the
 * backfill is done), so the query needs no fallback for missing ones.
 */
export async function searchMessages(
  sql: Sql,
  criteria: SearchCriteria,
  complete: boolean,
): Promise<MessageRecord[]> {
  if (criteria.channels.length === 0 || criteria.limit < 1) return [];
  const channelIds = criteria.channels.map((c) => c.channelId);
  const wordsIn = criteria.required.filter((t) => !hasCjk(t.text));
  const wordsOut = criteria.excluded.filter((t) => !hasCjk(t.text));
  const conditions: Fragment[] = [];
  for (const term of criteria.required.filter((t) => hasCjk(t.text))) {
    conditions.push(substringOf(sql, term));
  }
  for (const term of criteria.excluded.filter((t) => hasCjk(t.text))) {
    conditions.push(sql`NOT (${substringOf(sql, term)})`);
  }
  if (criteria.beforeId !== null) conditions.push(sql`m.id < ${criteria.beforeId}`);
  if (criteria.authorIds !== null) conditions.push(sql`m.author_id = ANY(${criteria.authorIds})`);
  if (criteria.mentionIds !== null) {
    conditions.push(sql`m.mention_user_ids && ${criteria.mentionIds}::text[]`);
  }
  if (criteria.hasLink) conditions.push(sql`m.content ~* '\\mhttps?://[^\\s/$.?#]'`);
  // Attachments are the message's own jsonb array (migration 012): no index needed to test it.
  if (criteria.hasFile) conditions.push(sql`jsonb_array_length(m.attachments) > 0`);
  if (criteria.hasImage) {
    conditions.push(sql`EXISTS (SELECT 1 FROM jsonb_array_elements(m.attachments) a
      WHERE a->>'contentType' = ANY(${INLINE_IMAGE_TYPES as string[]}::text[]))`);
  }
  if (criteria.pinned) {
    conditions.push(sql`EXISTS (SELECT 1 FROM pins p WHERE p.message_id = m.id)`);
  }
  if (criteria.before !== null) conditions.push(sql`m.created_at < ${criteria.before}`);
  if (criteria.after !== null) conditions.push(sql`m.created_at >= ${criteria.after}`);

  let rows: MessageRow[];
  if (wordsIn.length === 0 && wordsOut.length === 0) {
    rows = await sql<MessageRow[]>`SELECT m.* FROM messages m
      WHERE m.channel_id = ANY(${channelIds}) AND ${and(sql, conditions)}
      ORDER BY m.id DESC LIMIT ${criteria.limit}`;
  } else {
    const parts = [
      ...wordsIn.map((term) => tsqueryOf(sql, term)),
      ...wordsOut.map((term) => sql`!! ${tsqueryOf(sql, term)}`),
    ];
    const query = parts.reduce((all, part) => sql`${all} && ${part}`);
    // Only exclusions: a negated tsquery cannot use the index; "not any of" reads the same.
    const vector = complete
      ? sql`s.search_vector`
      : sql`coalesce(s.search_vector, salon_search_vector(m.content))`;
    const match = wordsIn.length > 0
      ? sql`${vector} @@ (${query})`
      : sql`NOT (${vector} @@ (${
        wordsOut.map((term) => tsqueryOf(sql, term)).reduce((all, part) => sql`${all} || ${part}`)
      }))`;
    rows = complete
      ? await sql<MessageRow[]>`SELECT m.* FROM message_search s
          JOIN messages m ON m.id = s.message_id
          WHERE s.channel_id = ANY(${channelIds}) AND ${match} AND ${and(sql, conditions)}
          ORDER BY s.message_id DESC LIMIT ${criteria.limit}`
      : await sql<MessageRow[]>`SELECT m.* FROM messages m
          LEFT JOIN message_search s ON s.message_id = m.id
          WHERE m.channel_id = ANY(${channelIds}) AND ${match} AND ${and(sql, conditions)}
          ORDER BY m.id DESC LIMIT ${criteria.limit}`;
  }
  return rows.map(toMessage);
}
