-- Direct messages (API.md "Direct messages"). A DM channel is a row of `channels` that belongs
-- to no server (server_id NULL) and has kind 'dm' or 'group_dm': messages, seqs, read markers,
-- reactions, pins and attachments keep working on it unchanged.
ALTER TABLE channels ALTER COLUMN server_id DROP NOT NULL;
ALTER TABLE channels DROP CONSTRAINT channels_kind_check;
ALTER TABLE channels ADD CONSTRAINT channels_kind_check
  CHECK (kind IN ('text', 'category', 'dm', 'group_dm'));
-- Server channels have a server, DMs none.
ALTER TABLE channels ADD CONSTRAINT channels_dm_no_server
  CHECK ((server_id IS NULL) = (kind IN ('dm', 'group_dm')));

-- Who is in each DM; `closed`: hidden from that member's list until it opens again.
CREATE TABLE dm_members (
  channel_id text NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  joined_at  timestamptz NOT NULL,
  closed     boolean NOT NULL DEFAULT false,
  PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX dm_members_user ON dm_members (user_id);

-- The one DM of each pair (low_id < high_id): its primary key makes two racing opens, from
-- either side and any instance, create one channel.
CREATE TABLE dm_pairs (
  low_id     text NOT NULL,
  high_id    text NOT NULL,
  channel_id text NOT NULL UNIQUE REFERENCES channels (id) ON DELETE CASCADE,
  PRIMARY KEY (low_id, high_id),
  CHECK (low_id < high_id)
);

CREATE TABLE user_blocks (
  user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  blocked_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, blocked_id)
);

ALTER TABLE users ADD COLUMN dm_policy text NOT NULL DEFAULT 'server_members'
  CHECK (dm_policy IN ('everyone', 'server_members', 'nobody'));
