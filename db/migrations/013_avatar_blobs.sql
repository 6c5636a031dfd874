-- Avatars in the blob store (issue 16, db/blob_moves.ts): a row keeps the metadata, the bytes
-- are at `avatars/<user_id>/<version>` once `in_blob`. Old rows keep their bytes until the
-- start-up move copies them over and sets them to NULL.
ALTER TABLE avatars ALTER COLUMN bytes DROP NOT NULL;
ALTER TABLE avatars ADD COLUMN size integer;
ALTER TABLE avatars ADD COLUMN in_blob boolean NOT NULL DEFAULT false;
CREATE INDEX avatars_unmoved ON avatars (user_id) WHERE NOT in_blob;
