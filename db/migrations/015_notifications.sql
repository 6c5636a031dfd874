-- Notifications (API.md "Notifications"): each user's level and mute per server, channel or DM
-- (no foreign key on the target: it is any of the three), read by user and, when a message is
-- sent, by target; and the users' Web Push subscriptions, one per endpoint (a browser's).
CREATE TABLE notification_settings (
  user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  target_id  text NOT NULL,
  level      text NOT NULL CHECK (level IN ('all', 'mentions', 'none', 'default')),
  mute_until timestamptz,
  PRIMARY KEY (user_id, target_id)
);
CREATE INDEX notification_settings_by_target ON notification_settings (target_id);

CREATE TABLE push_subscriptions (
  endpoint   text PRIMARY KEY,
  user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  p256dh     text NOT NULL,
  auth       text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX push_subscriptions_by_user ON push_subscriptions (user_id, created_at);
