-- Search (API.md "Search"): a full-text index of message content, and trigrams for what
-- full-text words cannot find (CJK text has no spaces to split on).
--
-- Folding, the same for messages and queries: unaccent, lower case, every run of what is not a
-- letter or digit made one space (so URLs fall apart into host and path words, as on KV). The
-- `simple` configuration: no language is assumed, no stemming, no stop words.
--
-- `unaccent` is only STABLE (its dictionary could change), so it cannot appear in an index
-- expression or a generated column: the usual fix is this IMMUTABLE wrapper naming the
-- dictionary. Everything inside is schema-qualified, so it reads the same under any
-- search_path (tests give each run its own schema; maintenance runs with a bare one).
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;

CREATE FUNCTION salon_unaccent(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN public.unaccent('public.unaccent'::regdictionary, $1);

CREATE FUNCTION salon_search_text(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN pg_catalog.btrim(pg_catalog.regexp_replace(
    pg_catalog.lower(public.unaccent('public.unaccent'::regdictionary, $1)),
    '[^[:alnum:]]+', ' ', 'g'));

CREATE FUNCTION salon_search_vector(text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN pg_catalog.to_tsvector('pg_catalog.simple'::regconfig, pg_catalog.btrim(
    pg_catalog.regexp_replace(
      pg_catalog.lower(public.unaccent('public.unaccent'::regdictionary, $1)),
      '[^[:alnum:]]+', ' ', 'g')));

-- The vector lives in a table of its own, one row per message, not in a column of messages: a
-- generated column would rewrite the whole table under an exclusive lock (on a large database,
-- start-up would wait as long), and every `SELECT *` of history would carry the vector. The
-- trigger writes the row in the message's own transaction (an edit is searchable when it
-- commits; a deletion, a channel's or a server's takes the row with it: ON DELETE CASCADE);
-- db/postgres/search_backfill.ts fills rows for older messages in batches in the background
-- and then builds the indexes CONCURRENTLY. `channel_id` is the message's, so a search filters
-- on the index's table before it joins.
CREATE TABLE message_search (
  message_id    text PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  channel_id    text NOT NULL,
  search_vector tsvector NOT NULL
);

CREATE FUNCTION salon_index_message() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO message_search (message_id, channel_id, search_vector)
    VALUES (NEW.id, NEW.channel_id, salon_search_vector(NEW.content))
    ON CONFLICT (message_id) DO UPDATE SET search_vector = EXCLUDED.search_vector;
  RETURN NULL;
END $$;

CREATE TRIGGER messages_search
  AFTER INSERT OR UPDATE OF content ON messages
  FOR EACH ROW EXECUTE FUNCTION salon_index_message();

-- Where the background backfill stands: the last message id it filled (byte order), and
-- whether every older message has its row. Searches read it to know whether rows may be missing.
CREATE TABLE search_backfill (
  one     boolean PRIMARY KEY DEFAULT true CHECK (one),
  last_id text NOT NULL DEFAULT '',
  done    boolean NOT NULL
);

-- A new (or still empty) database has nothing to fill: its indexes are built here, at once.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM messages) THEN
    INSERT INTO search_backfill (done) VALUES (false);
  ELSE
    INSERT INTO search_backfill (done) VALUES (true);
    CREATE INDEX message_search_vector ON message_search USING gin (search_vector);
    CREATE INDEX messages_search_trgm ON messages
      USING gin (salon_search_text(content) public.gin_trgm_ops);
  END IF;
END $$;
