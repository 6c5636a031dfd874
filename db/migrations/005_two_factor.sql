-- Two-factor authentication (TOTP): the enrolment under way, the active secret, the last time
-- step a code was accepted for (a code works once, on every instance), and the SHA-256 of each
-- unused recovery code. Turning it off deletes the row.
CREATE TABLE two_factor (
  user_id              text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  pending_secret       text,
  secret               text,
  last_used_step       integer,
  recovery_code_hashes text[] NOT NULL DEFAULT '{}'
);
