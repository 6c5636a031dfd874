-- Blob storage (db/blobs/postgres_blob_store.ts): uploaded files in rows of at most 256 KiB
-- (BLOB_CHUNK_BYTES), so no file is ever one value in memory and a range reads only the rows
-- that hold it. Each put writes its chunks under a new blob_id and points the key's row at it
-- in the same transaction: readers see the old file or the new one, never a mix.
CREATE TABLE blobs (
  key text PRIMARY KEY,
  blob_id uuid NOT NULL UNIQUE,
  size bigint NOT NULL,
  content_type text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE blob_chunks (
  blob_id uuid NOT NULL,
  n integer NOT NULL,
  bytes bytea NOT NULL,
  PRIMARY KEY (blob_id, n)
);

-- Stored out of line and uncompressed: uploads are mostly compressed already (images, archives),
-- and pglz would spend CPU on every write for nothing.
ALTER TABLE blob_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;
