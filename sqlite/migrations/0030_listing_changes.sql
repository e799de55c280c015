-- The ids of changed listings, in commit order (issue 17): a node that
-- maps its index snapshot at start re-reads only the listings changed
-- since the snapshot was written. Triggers, so that no write path
-- (import, withdrawal, expiry, a partner's change or redaction) is missed.
CREATE TABLE listing_changes (
	seq INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused, even after pruning
	id  TEXT NOT NULL
);
CREATE TRIGGER listing_changes_insert AFTER INSERT ON listings BEGIN
	INSERT INTO listing_changes (id) VALUES (NEW.id);
END;
CREATE TRIGGER listing_changes_update AFTER UPDATE ON listings BEGIN
	INSERT INTO listing_changes (id) VALUES (NEW.id);
END;
CREATE TRIGGER listing_changes_delete AFTER DELETE ON listings BEGIN
	INSERT INTO listing_changes (id) VALUES (OLD.id);
END;
-- pruned_through: changes before it are gone; a snapshot older than that
-- cannot be brought up to date and is rebuilt.
CREATE TABLE listing_changes_pruned (
	one            INTEGER PRIMARY KEY CHECK (one = 1),
	pruned_through INTEGER NOT NULL
);
INSERT INTO listing_changes_pruned (one, pruned_through) VALUES (1, 0);
