-- The event log: per-origin, gap-free sequence numbers. Replicas re-read
-- any gap in their stream from here, so it is appended in the same
-- transaction as each change. A record's body lives only here, in the event
-- that made its current version: one copy of each version.
CREATE TABLE events (
	origin   TEXT NOT NULL,
	seq      BIGINT NOT NULL,
	type     TEXT NOT NULL,
	subject  TEXT NOT NULL,
	-- BYTEA, not JSONB: JSONB re-orders keys and drops whitespace, and the
	-- payload must come back byte for byte as it was digested and signed.
	payload  BYTEA,
	-- TEXT (RFC 3339, nanoseconds), not TIMESTAMPTZ: the chain hashes the
	-- time to the nanosecond and TIMESTAMPTZ keeps microseconds, so a
	-- relayed event would no longer verify.
	at       TEXT NOT NULL,
	sig      BYTEA,
	-- Digests of payload fields left out for a partner (JSON object, '' = none).
	omitted  TEXT NOT NULL DEFAULT '',
	via      TEXT NOT NULL DEFAULT '',
	chain    TEXT NOT NULL DEFAULT '',
	digest   TEXT NOT NULL DEFAULT '',
	redacted BOOLEAN NOT NULL DEFAULT FALSE,
	PRIMARY KEY (origin, seq)
);

-- Listings: the columns queries filter on, and the event holding the
-- current version's body. The matching index is built in memory from them.
-- Ids collate "C" (bytewise): keyset pages come in the same order as on
-- SQLite and as Go's string comparison, whatever the database's locale.
CREATE TABLE listings (
	id          TEXT COLLATE "C" PRIMARY KEY,
	source      TEXT NOT NULL,
	status      TEXT NOT NULL,
	version     BIGINT NOT NULL,
	hash        TEXT NOT NULL,
	updated_at  TIMESTAMPTZ NOT NULL,
	-- Retention: expiry at valid_until, reminders at review_by (NULL = none).
	valid_until TIMESTAMPTZ,
	review_by   TIMESTAMPTZ,
	ev_origin   TEXT NOT NULL,
	ev_seq      BIGINT NOT NULL,
	FOREIGN KEY (ev_origin, ev_seq) REFERENCES events (origin, seq)
);
CREATE INDEX listings_source_id ON listings (source, id);
-- Partial: most listings (public lists) have neither date, and a bulk
-- import should not pay for index entries nobody queries.
CREATE INDEX listings_valid_until ON listings (valid_until) WHERE status = 'active' AND valid_until IS NOT NULL;
CREATE INDEX listings_review_by ON listings (review_by, id) WHERE status = 'active' AND review_by IS NOT NULL;
