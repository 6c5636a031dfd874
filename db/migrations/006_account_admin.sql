-- Instance administration and password resets: a suspension flag and an optional e-mail address
-- on each user, users listed in byte order of their names (as on KV), and pending reset links
-- kept by the SHA-256 of their token only.
ALTER TABLE users
  ADD COLUMN suspended boolean NOT NULL DEFAULT false,
  ADD COLUMN email text;
CREATE INDEX users_username_bytewise ON users (username COLLATE "C");

CREATE TABLE password_resets (
  token_hash text PRIMARY KEY,
  user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX password_resets_expires_at ON password_resets (expires_at);
