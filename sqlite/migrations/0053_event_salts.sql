-- Salted field digests (tripline salt.go): this node's own events keep the
-- random key their fields' salts derive from (hex), so that a feed can
-- still trim them; a partner's event keeps the salts of the fields it
-- shows (JSON, path: hex). Events stored before stay unsalted ('') and
-- digest as they always did.
ALTER TABLE events ADD COLUMN salt_key TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN salts TEXT NOT NULL DEFAULT '';
