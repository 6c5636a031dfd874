-- Sessions the user can see and end one by one: the client that logged in, when it was last
-- used, and a lookup of a user's sessions.
ALTER TABLE sessions
  ADD COLUMN user_agent text NOT NULL DEFAULT '',
  ADD COLUMN last_seen_at timestamptz;
UPDATE sessions SET last_seen_at = created_at;
ALTER TABLE sessions ALTER COLUMN last_seen_at SET NOT NULL;
CREATE INDEX sessions_user_id ON sessions (user_id);
