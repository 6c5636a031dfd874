-- A user's own messages across every channel, a page at a time in id order (the data export,
-- GET /api/me/export). Byte order ("C"), the order Deno KV lists its keys in, whatever the
-- database's collation; ids are UUIDv7, so this is the order they were sent.
CREATE INDEX messages_author_id ON messages (author_id, id COLLATE "C");
