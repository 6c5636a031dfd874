-- Servers, channels, invites, messages and read markers.
CREATE TABLE servers (
  id         text PRIMARY KEY,
  name       text NOT NULL,
  owner_id   text NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL
);

CREATE TABLE server_members (
  server_id text NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  user_id   text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  joined_at timestamptz NOT NULL,
  PRIMARY KEY (server_id, user_id)
);
CREATE INDEX server_members_user ON server_members (user_id, joined_at);

CREATE TABLE channels (
  id         text PRIMARY KEY,
  server_id  text NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  name       text NOT NULL,
  created_at timestamptz NOT NULL,
  -- The channel's message counter: the row lock on it serialises seq assignment.
  last_seq   integer NOT NULL DEFAULT 0,
  UNIQUE (server_id, name)
);

CREATE TABLE invites (
  code       text PRIMARY KEY,
  server_id  text NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  created_by text NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL
);

CREATE TABLE messages (
  id         text PRIMARY KEY,
  channel_id text NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  seq        integer NOT NULL,
  author_id  text NOT NULL REFERENCES users (id),
  content    text NOT NULL,
  created_at timestamptz NOT NULL,
  edited_at  timestamptz,
  nonce      text,
  UNIQUE (channel_id, seq)
);
-- Idempotent sends: one message per (author, nonce).
CREATE UNIQUE INDEX messages_author_nonce ON messages (author_id, nonce) WHERE nonce IS NOT NULL;

CREATE TABLE read_markers (
  user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  channel_id text NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  seq        integer NOT NULL,
  PRIMARY KEY (user_id, channel_id)
);
