-- Server icons and custom emoji in the blob store (issue 16, db/blob_moves.ts), as avatars
-- (013): a row keeps the metadata; the bytes are at `icons/<server_id>/<version>` and
-- `emojis/<server_id>/<emoji_id>` once `in_blob`. Rows written before keep their bytes
-- (server_icons.bytes, emoji_images) until the start-up move copies them over and drops them.
ALTER TABLE server_icons ALTER COLUMN bytes DROP NOT NULL;
ALTER TABLE server_icons ADD COLUMN size integer;
ALTER TABLE server_icons ADD COLUMN in_blob boolean NOT NULL DEFAULT false;
CREATE INDEX server_icons_unmoved ON server_icons (server_id) WHERE NOT in_blob;
ALTER TABLE emojis ADD COLUMN size integer;
ALTER TABLE emojis ADD COLUMN in_blob boolean NOT NULL DEFAULT false;
CREATE INDEX emojis_unmoved ON emojis (id) WHERE NOT in_blob;
