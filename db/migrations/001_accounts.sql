-- Accounts: users, their sessions, avatars, and instance-wide settings.
CREATE TABLE users (
  id             text PRIMARY KEY,
  username       text NOT NULL UNIQUE,
  display_name   text NOT NULL,
  bio            text NOT NULL DEFAULT '',
  password_hash  text NOT NULL,
  avatar_version text,
  created_at     timestamptz NOT NULL
);

CREATE TABLE sessions (
  id         text PRIMARY KEY,
  user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE avatars (
  user_id      text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  content_type text NOT NULL,
  bytes        bytea NOT NULL,
  version      text NOT NULL
);

CREATE TABLE settings (
  key   text PRIMARY KEY,
  value text NOT NULL
);
