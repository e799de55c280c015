-- The event log: per-origin, gap-free sequence numbers. Replicas and
-- partners read it; it is appended in the same transaction as each change.
-- A listing's body lives only here, in the event that made its current
-- version: one copy of each version, the log being the source of truth.
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

-- Listings: the columns queries filter on, and the event holding the
-- current version's body. The matching index is built in memory from them.
CREATE TABLE listings (
	id         TEXT PRIMARY KEY,
	source     TEXT NOT NULL,
	status     TEXT NOT NULL,
	version    INTEGER NOT NULL,
	hash       TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	-- Retention: expiry at valid_until, reminders at review_by ('' = none).
	valid_until TEXT NOT NULL DEFAULT '',
	review_by   TEXT NOT NULL DEFAULT '',
	ev_origin  TEXT NOT NULL,
	ev_seq     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX listings_source_id ON listings (source, id);
-- Partial: most listings (public lists) have neither date, and a bulk
-- import should not pay for index entries nobody queries.
CREATE INDEX listings_valid_until ON listings (valid_until) WHERE status = 'active' AND valid_until != '';
CREATE INDEX listings_review_by ON listings (review_by) WHERE status = 'active' AND review_by != '';
