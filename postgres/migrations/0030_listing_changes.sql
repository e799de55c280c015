-- The ids of changed listings, in commit order (issue 17, as SQLite's
-- migration 0030): a node or replica that maps its index snapshot at
-- start re-reads only the listings changed since the snapshot was
-- written. A trigger, so that no write path is missed; writers hold the
-- store's advisory lock, so numbers are taken in commit order.
CREATE TABLE listing_changes (
	seq BIGSERIAL PRIMARY KEY,
	id  TEXT NOT NULL
);
CREATE FUNCTION listing_changes_note() RETURNS trigger AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		INSERT INTO listing_changes (id) VALUES (OLD.id);
		RETURN OLD;
	END IF;
	INSERT INTO listing_changes (id) VALUES (NEW.id);
	RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER listing_changes_note AFTER INSERT OR UPDATE OR DELETE ON listings
	FOR EACH ROW EXECUTE FUNCTION listing_changes_note();
-- pruned_through: changes before it are gone; a snapshot older than that
-- cannot be brought up to date and is rebuilt.
CREATE TABLE listing_changes_pruned (
	one            INTEGER PRIMARY KEY CHECK (one = 1),
	pruned_through BIGINT NOT NULL
);
INSERT INTO listing_changes_pruned (one, pruned_through) VALUES (1, 0);
