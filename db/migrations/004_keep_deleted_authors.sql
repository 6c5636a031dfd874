-- A deleted account's messages stay (shown as by "Deleted user"), and so do the invites it
-- made: their author and creator ids no longer point at a row. A server's owner cannot be
-- deleted (servers_owner_id_fkey stays).
ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_author_id_fkey;
ALTER TABLE invites DROP CONSTRAINT IF EXISTS invites_created_by_fkey;
