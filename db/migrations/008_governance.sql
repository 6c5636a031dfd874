-- Governance (API.md "Permissions and roles", "Managing servers, channels, invites, members"):
-- server icons, categories and channel details, invite limits, roles, member roles and
-- time-outs, channel overwrites, bans and the audit log. Everything of a server hangs off its
-- row with ON DELETE CASCADE, so deleting the server deletes all of it in one statement.

ALTER TABLE servers ADD COLUMN icon_version text;

CREATE TABLE server_icons (
  server_id    text PRIMARY KEY REFERENCES servers (id) ON DELETE CASCADE,
  content_type text NOT NULL,
  bytes        bytea NOT NULL,
  version      text NOT NULL
);

-- A category is a channel of kind 'category'. Deleting one moves its channels to no category
-- (SET NULL), as the store's contract says. The name stays unique per server, categories
-- included (channels_server_id_name_key).
ALTER TABLE channels
  ADD COLUMN kind text NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'category')),
  ADD COLUMN parent_id text REFERENCES channels (id) ON DELETE SET NULL,
  ADD COLUMN topic text NOT NULL DEFAULT '',
  ADD COLUMN position integer NOT NULL DEFAULT 0;
CREATE INDEX channels_parent_id ON channels (parent_id) WHERE parent_id IS NOT NULL;

-- max_uses 0: unlimited; expires_at null: never. `uses` is counted under the invite's row lock
-- (joinByInvite), so concurrent joins never pass max_uses.
ALTER TABLE invites
  ADD COLUMN expires_at timestamptz,
  ADD COLUMN max_uses integer NOT NULL DEFAULT 0 CHECK (max_uses >= 0),
  ADD COLUMN uses integer NOT NULL DEFAULT 0;
CREATE INDEX invites_server_id ON invites (server_id, created_at);

-- `@everyone`'s id is its server's id. Permissions are names (text[]), so a permission added
-- later never rewrites a row.
CREATE TABLE roles (
  server_id   text NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  id          text NOT NULL,
  name        text NOT NULL,
  color       integer,
  position    integer NOT NULL,
  permissions text[] NOT NULL DEFAULT '{}',
  mentionable boolean NOT NULL DEFAULT false,
  PRIMARY KEY (server_id, id)
);

-- Member roles as a table rather than an array on server_members: the two foreign keys make
-- the database itself guarantee what the contract asks for. Deleting a role removes it from
-- every member (CASCADE, in the same statement, without touching each member row), a member
-- can only hold roles of their own server, and a kick, ban or leave drops the member's roles
-- so that someone who joins again starts with none. `granted` keeps the order roles were
-- given in, the order the member's `roles` are listed.
CREATE TABLE server_member_roles (
  server_id text NOT NULL,
  user_id   text NOT NULL,
  role_id   text NOT NULL,
  granted   bigint GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (server_id, user_id, role_id),
  FOREIGN KEY (server_id, user_id) REFERENCES server_members (server_id, user_id)
    ON DELETE CASCADE,
  FOREIGN KEY (server_id, role_id) REFERENCES roles (server_id, id) ON DELETE CASCADE
);
CREATE INDEX server_member_roles_role ON server_member_roles (server_id, role_id);

ALTER TABLE server_members ADD COLUMN timeout_until timestamptz;

-- target_id is a role's or a user's id (by `type`); a role's overwrites are deleted with it
-- by deleteRole, a member's stay when they leave (as on Discord).
CREATE TABLE channel_overwrites (
  channel_id text NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  target_id  text NOT NULL,
  type       text NOT NULL CHECK (type IN ('role', 'member')),
  allow      text[] NOT NULL DEFAULT '{}',
  deny       text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (channel_id, target_id)
);

-- No foreign key to users: a ban outlives the banned account, as on KV (and as messages and
-- invites do since migration 004).
CREATE TABLE bans (
  server_id  text NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  user_id    text NOT NULL,
  reason     text,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (server_id, user_id)
);

-- Ids are UUIDv7, compared in byte order ("C", the order KV lists keys in): newest first is
-- descending id. Each index serves one way of paging a server's log newest first: all of it,
-- one action, one actor. Actors and targets keep no foreign key: entries outlive them.
CREATE TABLE audit_log (
  id          text COLLATE "C" PRIMARY KEY,
  server_id   text NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  action      text NOT NULL,
  actor_id    text NOT NULL,
  target_type text NOT NULL,
  target_id   text NOT NULL,
  reason      text,
  changes     jsonb NOT NULL DEFAULT '[]',
  created_at  timestamptz NOT NULL
);
CREATE INDEX audit_log_server ON audit_log (server_id, id DESC);
CREATE INDEX audit_log_server_action ON audit_log (server_id, action, id DESC);
CREATE INDEX audit_log_server_actor ON audit_log (server_id, actor_id, id DESC);

-- Servers created before roles get their `@everyone` with the defaults of a new server
-- (DEFAULT_EVERYONE_PERMISSIONS at the time of this migration).
INSERT INTO roles (server_id, id, name, color, position, permissions, mentionable)
SELECT id, id, '@everyone', NULL, 0,
  ARRAY['view_channel', 'send_messages', 'read_history', 'add_reactions', 'attach_files',
    'create_invites'],
  false
FROM servers;
