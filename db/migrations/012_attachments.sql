-- Attachments (issue 16): the record of each uploaded file (its bytes are in the blob store).
-- No foreign keys: the records of a deleted message, channel or server must outlive it long
-- enough for their blobs to be removed (lib/attachments/attachment_cleanup.ts).
CREATE TABLE attachments (
  id text PRIMARY KEY,
  server_id text NOT NULL,
  channel_id text NOT NULL,
  uploader_id text NOT NULL,
  filename text NOT NULL,
  content_type text NOT NULL,
  size bigint NOT NULL,
  width integer,
  height integer,
  placeholder text,
  thumbnail_size bigint,
  created_at timestamptz NOT NULL,
  message_id text
);

-- The orphan sweep reads unsent uploads oldest first.
CREATE INDEX attachments_unclaimed ON attachments (created_at) WHERE message_id IS NULL;
CREATE INDEX attachments_message ON attachments (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX attachments_channel ON attachments (channel_id);
CREATE INDEX attachments_server ON attachments (server_id);
CREATE INDEX attachments_uploader ON attachments (uploader_id);

-- What a message keeps of its files at send (db/attachment_store.ts MessageAttachment), so
-- pages, events and search results carry them without another query.
ALTER TABLE messages ADD COLUMN attachments jsonb NOT NULL DEFAULT '[]';
