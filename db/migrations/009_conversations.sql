-- Conversations (API.md "Conversations"): replies and mentions stored with a message,
-- reactions, pins, custom emoji and the change log that lets a resuming client converge.

-- Constant defaults: PostgreSQL adds these without rewriting the table, and rows stored before
-- conversations read as no reply and no mentions. No foreign key on reply_to_id: a reply
-- outlives the message it quotes (shown as `{id, deleted: true}`).
ALTER TABLE messages
  ADD COLUMN reply_to_id text,
  ADD COLUMN mention_user_ids text[] NOT NULL DEFAULT '{}',
  ADD COLUMN mention_everyone boolean NOT NULL DEFAULT false;

-- One row per (message, emoji, user): adding twice is one row (ON CONFLICT DO NOTHING).
-- `emoji_at` is when this emoji appeared on the message, the same in all its rows (an add copies
-- it from any one of them), so an emoji keeps its place while it has reactions. The primary key
-- also serves the per-emoji reads and the cheap distinct-emoji count (a loose index scan).
-- Reactions go with their message (deleteMessage, and a channel's or server's deletion).
-- No foreign key to users: like messages, reactions outlive their author's account.
CREATE TABLE reactions (
  message_id text NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  emoji      text NOT NULL,
  user_id    text NOT NULL,
  created_at timestamptz NOT NULL,
  emoji_at   timestamptz NOT NULL,
  PRIMARY KEY (message_id, emoji, user_id)
);

-- At most one pin per message; it goes with the message. channel_id is the message's (kept
-- here for the channel's list, newest first).
CREATE TABLE pins (
  message_id text PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  channel_id text NOT NULL,
  pinned_by  text NOT NULL,
  pinned_at  timestamptz NOT NULL
);
CREATE INDEX pins_channel ON pins (channel_id, pinned_at DESC);

-- A server's custom emoji; the image apart, so listing them never reads the bytes.
CREATE TABLE emojis (
  id           text PRIMARY KEY,
  server_id    text NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  name         text NOT NULL,
  content_type text NOT NULL,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL,
  UNIQUE (server_id, name)
);

CREATE TABLE emoji_images (
  emoji_id text PRIMARY KEY REFERENCES emojis (id) ON DELETE CASCADE,
  bytes    bytea NOT NULL
);

-- The change log: when each message of a channel last changed (edit, deletion, reaction, pin),
-- written in the change's transaction, read by (channel_id, changed_at). A change moves its
-- message's entry forward (found by message_id) rather than adding one, unless a concurrent
-- writer holds that entry (then it adds one: a message has about as many entries as it has
-- concurrent writers); readers take each message's latest. Writers prune their channel's
-- entries older than MESSAGE_CHANGES_TTL_MS. No foreign keys: a deleted message's entry must
-- outlive it, and a key to channels would take a share lock on the channel's row (its message
-- counter, the hottest row of a send) at every change; a channel's and a server's deletion
-- remove their entries themselves.
CREATE TABLE message_changes (
  channel_id text NOT NULL,
  changed_at timestamptz NOT NULL,
  message_id text NOT NULL
);
CREATE INDEX message_changes_channel ON message_changes (channel_id, changed_at);
CREATE INDEX message_changes_message ON message_changes (message_id);
