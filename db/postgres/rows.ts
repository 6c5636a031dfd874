/**
 * The rows of the tables that several parts of the PostgreSQL store read (postgres_store.ts,
 * governance.ts, conversations.ts), and how each becomes a record: snake_case stops here.
 */
import postgres from "postgres";
import type {
  ChannelRecord,
  InviteRecord,
  MessageAttachment,
  MessageRecord,
  ServerRecord,
} from "../store.ts";

const UNIQUE_VIOLATION = "23505";
const FOREIGN_KEY_VIOLATION = "23503";
/** PostgreSQL aborts one of two deadlocked transactions (40P01); nothing of it was written. */
const DEADLOCK_DETECTED = "40P01";

export interface ServerRow {
  id: string;
  name: string;
  owner_id: string;
  created_at: Date;
  icon_version: string | null;
}

export interface ChannelRow {
  id: string;
  /** Null for a DM channel (migration 014). */
  server_id: string | null;
  name: string;
  created_at: Date;
  kind: ChannelRecord["kind"];
  parent_id: string | null;
  topic: string;
  position: number;
}

export interface InviteRow {
  code: string;
  server_id: string;
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  max_uses: number;
  uses: number;
}

export interface MessageRow {
  id: string;
  channel_id: string;
  seq: number;
  author_id: string;
  content: string;
  created_at: Date;
  edited_at: Date | null;
  nonce: string | null;
  /** Rows stored before conversations (migration 009) hold null, '{}' and false. */
  reply_to_id: string | null;
  mention_user_ids: string[];
  mention_everyone: boolean;
  /** Migration 012; '[]' for messages without files (and rows stored before). */
  attachments?: MessageAttachment[];
}

/** A message row as a record. */
export function toMessage(row: MessageRow): MessageRecord {
  return {
    id: row.id,
    channelId: row.channel_id,
    seq: row.seq,
    authorId: row.author_id,
    content: row.content,
    createdAt: row.created_at,
    editedAt: row.edited_at,
    nonce: row.nonce,
    replyToId: row.reply_to_id,
    mentions: { users: row.mention_user_ids, everyone: row.mention_everyone },
    // Only messages with files carry the field (as on KV).
    ...(row.attachments?.length ? { attachments: row.attachments } : {}),
  };
}

/** A server row as a record. */
export function toServer(row: ServerRow): ServerRecord {
  return {
    id: row.id,
    name: row.name,
    ownerId: row.owner_id,
    createdAt: row.created_at,
    iconVersion: row.icon_version,
  };
}

/** A channel row as a record. */
export function toChannel(row: ChannelRow): ChannelRecord {
  return {
    id: row.id,
    // A DM belongs to no server: its own id is its place (db/dm_store.ts).
    serverId: row.server_id ?? row.id,
    name: row.name,
    createdAt: row.created_at,
    kind: row.kind,
    parentId: row.parent_id,
    topic: row.topic,
    position: row.position,
  };
}

/** An invite row as a record. */
export function toInvite(row: InviteRow): InviteRecord {
  return {
    code: row.code,
    serverId: row.server_id,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    maxUses: row.max_uses,
    uses: row.uses,
  };
}

/** Whether the error is a foreign key violation of that constraint. */
export function isForeignKeyViolation(error: unknown, constraint: string): boolean {
  return error instanceof postgres.PostgresError && error.code === FOREIGN_KEY_VIOLATION &&
    error.constraint_name === constraint;
}

/** Whether the error is a unique violation (of that constraint, if one is named). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  return error instanceof postgres.PostgresError && error.code === UNIQUE_VIOLATION &&
    (constraint === undefined || error.constraint_name === constraint);
}

/** Whether PostgreSQL chose this transaction as a deadlock's victim (it may simply run again). */
export function isDeadlock(error: unknown): boolean {
  return error instanceof postgres.PostgresError && error.code === DEADLOCK_DETECTED;
}
