-- Listings keep their full JSON body; the matching index is built in memory
-- from it, so only the columns that queries filter on are broken out.
CREATE TABLE listings (
	id         TEXT PRIMARY KEY,
	source     TEXT NOT NULL,
	status     TEXT NOT NULL,
	version    INTEGER NOT NULL,
	hash       TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	body       BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX listings_source_id ON listings (source, id);

-- The event log: per-origin, gap-free sequence numbers. Replicas and
-- partners read it; it is appended in the same transaction as each change.
CREATE TABLE events (
	origin  TEXT NOT NULL,
	seq     INTEGER NOT NULL,
	type    TEXT NOT NULL,
	subject TEXT NOT NULL,
	payload BLOB,
	at      TEXT NOT NULL,
	sig     BLOB,
	PRIMARY KEY (origin, seq)
) WITHOUT ROWID;
CREATE INDEX events_subject ON events (subject);
