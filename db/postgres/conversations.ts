/**
 * The conversations half of the PostgreSQL store (db/conversation_store.ts, the tables of
 * migration 009_conversations.sql): bulk message reads, reactions, pins, custom emoji and the
 * change log, plus the change-logged edit and deletion of a message.
 *
 * Every change is written with its change-log entry in one statement or one transaction. The
 * distinct-emoji cap is kept without a race and without serialising the common case; see
 * `addReaction`.
 */
import type { Sql } from "postgres";
import type {
  ConversationStore,
  EmojiRecord,
  MessageChange,
  PinRecord,
  ReactionCount,
} from "../conversation_store.ts";
import { EmojiNameTakenError, TooManyReactionsError } from "../conversation_store.ts";
import type { AuditEntryRecord } from "../governance_store.ts";
import type { MessageRecord } from "../store.ts";
import { MESSAGE_CHANGES_TTL_MS } from "../../lib/limits.ts";
import { writeAudit } from "./governance.ts";
import { isForeignKeyViolation, isUniqueViolation, type MessageRow, toMessage } from "./rows.ts";
import { beginRetrying, pipelinedRetrying, transaction } from "./transaction.ts";
import {
  type BlobsOf,
  emojiBlobKey,
  IMAGE_MOVE_BATCH,
  imageOfBytes,
  moveOneImage,
  openImageBlob,
  putImageBlob,
  readImageBlob,
  type StoredImage,
} from "../blob_moves.ts";

/**
 * The advisory lock class (first key of the two-key form; governance.ts's ban lock is 7_245_014)
 * of the per-message reaction lock: shared by adds to an emoji the message has, exclusive for
 * an emoji new to it.
 */
const REACTION_LOCK_CLASS = 7_245_015;

/**
 * Expired change-log entries of the channel each logged change deletes (more than one, so the
 * log shrinks back after a burst; few, so a write stays cheap).
 */
const PRUNE_PER_CHANGE = 8;

interface PinRow {
  message_id: string;
  channel_id: string;
  pinned_by: string;
  pinned_at: Date;
}

interface EmojiRow {
  id: string;
  server_id: string;
  name: string;
  content_type: string;
  created_by: string;
  created_at: Date;
}

/** The arguments of addReaction. */
interface ReactionAdd {
  messageId: string;
  emoji: string;
  userId: string;
  at: Date;
  maxDistinct: number;
}

/** What the reaction statement saw: the message (absent: none), the emoji, what it wrote. */
interface ReactRow {
  known: boolean;
  kinds: number;
  added: number;
}

function toPin(row: PinRow): PinRecord {
  return {
    channelId: row.channel_id,
    messageId: row.message_id,
    pinnedBy: row.pinned_by,
    pinnedAt: row.pinned_at,
  };
}

function toEmoji(row: EmojiRow): EmojiRecord {
  return {
    id: row.id,
    serverId: row.server_id,
    name: row.name,
    contentType: row.content_type,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

/**
 * The CTEs of a statement whose earlier CTE `source` returns the changed message (`id`,
 * `channel_id`; at most one row) that record its change at `at`: its change-log entry moves to
 * `at` (never back) or, if another writer holds that entry, a new one is added, so a message
 * has about as many entries as it has concurrent writers, not one per change; and a few of the
 * channel's expired entries go. SKIP LOCKED: concurrent writers never wait for each other here.
 */
function logChangesOf(sql: Sql, source: string, at: Date) {
  const expired = new Date(at.getTime() - MESSAGE_CHANGES_TTL_MS);
  return sql`moved AS (
      UPDATE message_changes SET changed_at = greatest(changed_at, ${at})
      WHERE ctid = (
        SELECT entry.ctid FROM message_changes entry JOIN ${sql(source)} changed
          ON entry.message_id = changed.id
        LIMIT 1 FOR UPDATE OF entry SKIP LOCKED)
      RETURNING message_id
    ), logged AS (
      INSERT INTO message_changes (channel_id, changed_at, message_id)
      SELECT channel_id, ${at}, id FROM ${sql(source)} WHERE NOT EXISTS (SELECT FROM moved)
    ), pruned AS (
      DELETE FROM message_changes WHERE ctid = ANY(ARRAY(
        SELECT old.ctid FROM message_changes old
        WHERE old.channel_id = (SELECT channel_id FROM ${sql(source)} LIMIT 1)
          AND old.changed_at < ${expired}
        LIMIT ${PRUNE_PER_CHANGE} FOR UPDATE SKIP LOCKED))
    )`;
}

/** The conversation methods of the PostgreSQL store, over its connection pool. */
export class PostgresConversations implements ConversationStore {
  /**
   * Set by `attachBlobs` (PostgresStore.attachBlobStore): emoji images then go to the blob
   * store at `emojis/<serverId>/<emojiId>` (migration 016, db/blob_moves.ts); emoji stored
   * before (or by a store without one) keep theirs in emoji_images until `moveEmojisToBlobs`.
   */
  #blobs: BlobsOf | null = null;

  constructor(readonly sql: Sql) {}

  attachBlobs(blobs: BlobsOf): void {
    this.#blobs = blobs;
  }

  /** Store.editMessage: the new content and its change-log entry, one statement. */
  async editMessage(id: string, content: string, editedAt: Date): Promise<MessageRecord | null> {
    const sql = this.sql;
    const [row] = await sql<MessageRow[]>`WITH edited AS (
        UPDATE messages SET content = ${content}, edited_at = ${editedAt}
        WHERE id = ${id} RETURNING *
      ), ${logChangesOf(sql, "edited", editedAt)}
      SELECT * FROM edited`;
    return row ? toMessage(row) : null;
  }

  /**
   * Store.deleteMessage: the row (its reactions and pin go with it, ON DELETE CASCADE), its
   * change-log entry and its audit entry, one transaction.
   */
  deleteMessage(id: string, audit?: AuditEntryRecord | null): Promise<boolean> {
    const at = audit?.createdAt ?? new Date();
    const remove = async (sql: Sql) => {
      const rows = await sql`WITH gone AS (
          DELETE FROM messages WHERE id = ${id} RETURNING id, channel_id
        ), ${logChangesOf(sql, "gone", at)}
        SELECT id FROM gone`;
      return rows.length === 1;
    };
    if (!audit) return remove(this.sql);
    return beginRetrying(this.sql, async (tx) => {
      const removed = await remove(tx);
      if (removed) await writeAudit(tx, audit);
      return removed;
    });
  }

  async findMessages(ids: string[]): Promise<MessageRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql<MessageRow[]>`SELECT * FROM messages WHERE id = ANY(${ids})`;
    return rows.map(toMessage);
  }

  /**
   * The cap needs every add of an emoji new to the message to count the distinct emoji with
   * no other add in flight, while adds to an emoji it already has (nearly all of them: a
   * thousand people pressing 👍) must not wait for each other. Hence a per-message advisory
   * lock, shared or exclusive: an adder first takes it shared and, in a statement that starts
   * after (so its snapshot sees every add committed before), adds only if the emoji is there;
   * otherwise that transaction ends and a second one takes the lock exclusive, counts (a loose
   * index scan: at most maxDistinct + 1 probes, whatever the number of reactions) and adds if
   * there is room. No new emoji is added while a shared holder is in flight, and each of those
   * adds an emoji that was there, so the count never passes the cap; removals only lower it
   * and take no lock.
   *
   * Not a row lock on the message: FOR KEY SHARE (which the foreign key check takes anyway)
   * does not conflict with itself, so it cannot order two adders; FOR NO KEY UPDATE on every
   * add would queue the thousand adders behind each other's commits; FOR SHARE / FOR UPDATE
   * would also make edits wait and write the message's tuple at each add. An advisory lock has
   * both modes, lives in shared memory only and conflicts with nothing else. A deletion racing
   * an add either waits for its insert's key-share lock (and cascades its row) or comes first
   * (the foreign key then fails the insert: null).
   */
  async addReaction(
    messageId: string,
    emoji: string,
    userId: string,
    at: Date,
    maxDistinct: number,
  ): Promise<boolean | null> {
    try {
      // Each attempt is one round trip: BEGIN, the lock, the statement and COMMIT go together.
      const react = async (exclusive: boolean): Promise<ReactRow | undefined> => {
        const [, [row]] = await pipelinedRetrying(
          this.sql,
          (tx) => this.#react(tx, { messageId, emoji, userId, at, maxDistinct }, exclusive),
        );
        return row;
      };
      const shared = await react(false);
      if (!shared) return null;
      if (shared.known) return shared.added === 1;
      const locked = await react(true);
      if (!locked) return null;
      if (!locked.known && locked.kinds >= maxDistinct) {
        throw new TooManyReactionsError(messageId);
      }
      return locked.added === 1;
    } catch (error) {
      if (isForeignKeyViolation(error, "reactions_message_id_fkey")) return null;
      throw error;
    }
  }

  /**
   * The statements of one attempt of addReaction, to run in that order in one transaction: the
   * message's reaction lock, then the add (with its change-log entry) if the emoji is on the
   * message or, holding the lock exclusive, if the message has fewer than `maxDistinct`
   * distinct emoji. The statement's row is absent if there is no such message.
   */
  #react(
    tx: Sql,
    { messageId, emoji, userId, at, maxDistinct }: ReactionAdd,
    exclusive: boolean,
  ) {
    const lock = exclusive
      ? tx`SELECT pg_advisory_xact_lock(${REACTION_LOCK_CLASS}, hashtext(${messageId}))`
      : tx`SELECT pg_advisory_xact_lock_shared(${REACTION_LOCK_CLASS}, hashtext(${messageId}))`;
    // Only an exclusive holder counts (and may add an emoji new to the message).
    const kinds = exclusive
      ? tx`(WITH RECURSIVE seen(emoji) AS (
          SELECT min(emoji) FROM reactions WHERE message_id = ${messageId}
          UNION ALL
          SELECT (SELECT min(r.emoji) FROM reactions r
            WHERE r.message_id = ${messageId} AND r.emoji > seen.emoji)
          FROM seen WHERE seen.emoji IS NOT NULL
        ) SELECT count(emoji)::int FROM seen)`
      : tx`0`;
    const statement = tx<ReactRow[]>`WITH target AS (
        SELECT m.id, m.channel_id,
          (SELECT r.emoji_at FROM reactions r
            WHERE r.message_id = m.id AND r.emoji = ${emoji} LIMIT 1) AS emoji_at,
          ${kinds} AS kinds
        FROM messages m WHERE m.id = ${messageId}
      ), added AS (
        INSERT INTO reactions (message_id, emoji, user_id, created_at, emoji_at)
        SELECT id, ${emoji}, ${userId}, ${at}, coalesce(emoji_at, ${at}) FROM target
        WHERE emoji_at IS NOT NULL OR (${exclusive} AND kinds < ${maxDistinct})
        ON CONFLICT DO NOTHING RETURNING message_id AS id
      ), changed AS (
        SELECT target.id, target.channel_id FROM target JOIN added ON added.id = target.id
      ), ${logChangesOf(tx, "changed", at)}
      SELECT emoji_at IS NOT NULL AS known, kinds, (SELECT count(*)::int FROM added) AS added
      FROM target`;
    // Pipelined (pipelinedRetrying): sent together, but the server starts the statement (and
    // takes its snapshot) only once the lock is held.
    return [lock, statement] as const;
  }

  async removeReaction(
    messageId: string,
    emoji: string,
    userId: string,
    at: Date,
  ): Promise<boolean> {
    const sql = this.sql;
    // One statement, no lock: a removal only ever lowers the distinct count.
    const rows = await sql`WITH gone AS (
        DELETE FROM reactions
        WHERE message_id = ${messageId} AND emoji = ${emoji} AND user_id = ${userId}
        RETURNING message_id
      ), changed AS (
        SELECT m.id, m.channel_id FROM messages m JOIN gone ON gone.message_id = m.id
      ), ${logChangesOf(sql, "changed", at)}
      SELECT message_id FROM gone`;
    return rows.length === 1;
  }

  async reactionsOf(
    messageIds: string[],
    readerId: string,
  ): Promise<Map<string, ReactionCount[]>> {
    const reactions = new Map<string, ReactionCount[]>();
    if (messageIds.length === 0) return reactions;
    const rows = await this.sql<(ReactionCount & { message_id: string })[]>`
      SELECT message_id, emoji, count(*)::int AS count, bool_or(user_id = ${readerId}) AS me
      FROM reactions WHERE message_id = ANY(${messageIds})
      GROUP BY message_id, emoji
      ORDER BY message_id, min(emoji_at), emoji COLLATE "C"`;
    for (const { message_id, emoji, count, me } of rows) {
      let list = reactions.get(message_id);
      if (!list) reactions.set(message_id, list = []);
      list.push({ emoji, count, me });
    }
    return reactions;
  }

  async listReactionUsers(
    messageId: string,
    emoji: string,
    after: string | undefined,
    limit: number,
  ): Promise<string[]> {
    const sql = this.sql;
    // After a user who no longer has the reaction, the bound is null: nothing (a lost cursor).
    const rows = await sql<{ user_id: string }[]>`SELECT user_id FROM reactions
      WHERE message_id = ${messageId} AND emoji = ${emoji}
      ${
      after === undefined ? sql`` : sql`AND (created_at, user_id COLLATE "C") > (
          SELECT created_at, user_id FROM reactions
          WHERE message_id = ${messageId} AND emoji = ${emoji} AND user_id = ${after})`
    }
      ORDER BY created_at, user_id COLLATE "C" LIMIT ${limit}`;
    return rows.map((row) => row.user_id);
  }

  async pinMessage(pin: PinRecord, audit: AuditEntryRecord | null): Promise<boolean> {
    // Only a message of that channel; one deleted meanwhile fails the foreign key: not pinned.
    try {
      return await this.#changeAudited(audit, (tx) =>
        tx`WITH pinned AS (
          INSERT INTO pins (message_id, channel_id, pinned_by, pinned_at)
          SELECT id, channel_id, ${pin.pinnedBy}, ${pin.pinnedAt} FROM messages
          WHERE id = ${pin.messageId} AND channel_id = ${pin.channelId}
          ON CONFLICT DO NOTHING RETURNING message_id AS id, channel_id
        ), ${logChangesOf(tx, "pinned", pin.pinnedAt)}
        SELECT id FROM pinned`);
    } catch (error) {
      if (isForeignKeyViolation(error, "pins_message_id_fkey")) return false;
      throw error;
    }
  }

  unpinMessage(
    channelId: string,
    messageId: string,
    at: Date,
    audit: AuditEntryRecord | null,
  ): Promise<boolean> {
    return this.#changeAudited(audit, (tx) =>
      tx`WITH unpinned AS (
          DELETE FROM pins WHERE message_id = ${messageId} AND channel_id = ${channelId}
          RETURNING message_id AS id, channel_id
        ), ${logChangesOf(tx, "unpinned", at)}
        SELECT id FROM unpinned`);
  }

  async listPins(channelId: string): Promise<PinRecord[]> {
    const rows = await this.sql<PinRow[]>`SELECT * FROM pins WHERE channel_id = ${channelId}
      ORDER BY pinned_at DESC, message_id COLLATE "C" DESC`;
    return rows.map(toPin);
  }

  async pinsOf(messageIds: string[]): Promise<Set<string>> {
    if (messageIds.length === 0) return new Set();
    const rows = await this.sql<{ message_id: string }[]>`SELECT message_id FROM pins
      WHERE message_id = ANY(${messageIds})`;
    return new Set(rows.map((row) => row.message_id));
  }

  /**
   * By the index (channel_id, changed_at): each message once, in the order of its latest
   * change; deleted if its row is gone by now.
   */
  async changedSince(channelId: string, since: Date, limit: number): Promise<MessageChange[]> {
    const rows = await this.sql<{ message_id: string; deleted: boolean }[]>`
      SELECT c.message_id, bool_and(m.id IS NULL) AS deleted
      FROM message_changes c LEFT JOIN messages m ON m.id = c.message_id
      WHERE c.channel_id = ${channelId} AND c.changed_at >= ${since}
      GROUP BY c.message_id
      ORDER BY max(c.changed_at), c.message_id COLLATE "C" LIMIT ${limit}`;
    return rows.map((row) => ({ messageId: row.message_id, deleted: row.deleted }));
  }

  async createEmoji(
    emoji: EmojiRecord,
    bytes: Uint8Array,
    audit: AuditEntryRecord | null,
  ): Promise<void> {
    // The blob first: a row never names missing bytes; a failed insert removes the blob.
    const blobs = this.#blobs && await this.#blobs();
    const key = emojiBlobKey(emoji.serverId, emoji.id);
    if (blobs) await putImageBlob(blobs, key, bytes, emoji.contentType);
    try {
      await beginRetrying(this.sql, async (tx) => {
        await tx`INSERT INTO emojis
          (id, server_id, name, content_type, created_by, created_at, size, in_blob)
          VALUES (${emoji.id}, ${emoji.serverId}, ${emoji.name}, ${emoji.contentType},
            ${emoji.createdBy}, ${emoji.createdAt}, ${bytes.length}, ${blobs !== null})`;
        if (!blobs) {
          await tx`INSERT INTO emoji_images (emoji_id, bytes) VALUES (${emoji.id}, ${bytes})`;
        }
        await writeAudit(tx, audit);
      });
    } catch (error) {
      if (blobs) await blobs.delete(key).catch(() => {});
      if (isUniqueViolation(error, "emojis_server_id_name_key")) {
        throw new EmojiNameTakenError(emoji.name);
      }
      throw error;
    }
  }

  async listEmojis(serverId: string): Promise<EmojiRecord[]> {
    const rows = await this.sql<EmojiRow[]>`SELECT * FROM emojis WHERE server_id = ${serverId}
      ORDER BY created_at, id COLLATE "C"`;
    return rows.map(toEmoji);
  }

  async #emojiRow(emojiId: string) {
    const [row] = await this.sql<(EmojiRow & { in_blob: boolean; bytes: Uint8Array | null })[]>`
      SELECT e.*, i.bytes FROM emojis e LEFT JOIN emoji_images i ON i.emoji_id = e.id
      WHERE e.id = ${emojiId}`;
    return row;
  }

  async findEmojiImage(
    emojiId: string,
  ): Promise<{ emoji: EmojiRecord; bytes: Uint8Array } | null> {
    const row = await this.#emojiRow(emojiId);
    if (!row) return null;
    const bytes = row.in_blob
      ? await readImageBlob(await this.#blobs!(), emojiBlobKey(row.server_id, row.id))
      : row.bytes && new Uint8Array(row.bytes);
    return bytes && { emoji: toEmoji(row), bytes };
  }

  async openEmojiImage(
    emojiId: string,
  ): Promise<{ emoji: EmojiRecord; image: StoredImage } | null> {
    const row = await this.#emojiRow(emojiId);
    if (!row) return null;
    const meta = { contentType: row.content_type, version: row.id };
    const image = row.in_blob
      ? await openImageBlob(await this.#blobs!(), emojiBlobKey(row.server_id, row.id), meta)
      : row.bytes && imageOfBytes(meta, new Uint8Array(row.bytes));
    return image && { emoji: toEmoji(row), image };
  }

  /** Copies emoji images still in emoji_images into the blob store; how many moved. */
  async moveEmojisToBlobs(): Promise<number> {
    let moved = 0;
    let after = "";
    for (;;) {
      const rows = await this.sql<{ id: string; server_id: string }[]>`
        SELECT id, server_id FROM emojis WHERE NOT in_blob AND id > ${after}
        ORDER BY id LIMIT ${IMAGE_MOVE_BATCH}`;
      if (rows.length === 0) return moved;
      const blobs = await this.#blobs!();
      for (const { id, server_id: serverId } of rows) {
        after = id;
        const [old] = await this.sql<{ content_type: string; bytes: Uint8Array }[]>`
          SELECT e.content_type, i.bytes FROM emojis e JOIN emoji_images i ON i.emoji_id = e.id
          WHERE e.id = ${id} AND NOT e.in_blob`;
        if (!old) continue;
        const bytes = new Uint8Array(old.bytes);
        const ok = await moveOneImage(
          blobs,
          emojiBlobKey(serverId, id),
          { contentType: old.content_type, bytes },
          () =>
            transaction(this.sql, async (tx) => {
              const flipped = await tx`UPDATE emojis SET in_blob = true, size = ${bytes.length}
                WHERE id = ${id} AND NOT in_blob`;
              await tx`DELETE FROM emoji_images WHERE emoji_id = ${id}`;
              return flipped.count === 1;
            }),
          async () =>
            (await this.sql`SELECT 1 FROM emojis WHERE id = ${id} AND in_blob`).length === 1,
        );
        if (ok) moved++;
      }
    }
  }

  async deleteEmoji(
    serverId: string,
    emojiId: string,
    audit: AuditEntryRecord | null,
  ): Promise<boolean> {
    // An old image goes with the row (ON DELETE CASCADE); a blob goes after.
    const deleted = await beginRetrying(this.sql, async (tx) => {
      const [row] = await tx<{ in_blob: boolean }[]>`DELETE FROM emojis
        WHERE server_id = ${serverId} AND id = ${emojiId} RETURNING in_blob`;
      if (!row) return null;
      await writeAudit(tx, audit);
      return row;
    });
    if (deleted?.in_blob) await (await this.#blobs!()).delete(emojiBlobKey(serverId, emojiId));
    return deleted !== null;
  }

  /** Runs the change and, if it changed a row, writes the audit entry: one transaction. */
  #changeAudited(
    audit: AuditEntryRecord | null,
    change: (tx: Sql) => PromiseLike<readonly unknown[]>,
  ): Promise<boolean> {
    return beginRetrying(this.sql, async (tx) => {
      const rows = await change(tx);
      if (rows.length === 0) return false;
      await writeAudit(tx, audit);
      return true;
    });
  }
}
