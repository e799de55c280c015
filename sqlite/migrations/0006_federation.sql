-- Federation: events carry the digests of fields left out for a partner
-- and the node they were received from.
ALTER TABLE events ADD COLUMN omitted TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN via TEXT NOT NULL DEFAULT '';

-- Partner nodes: their public key (to verify their events and requests),
-- their address (empty for a node known only by key, reached through a
-- relay) and the origins this node pulls through them.
CREATE TABLE partners (
	id         TEXT PRIMARY KEY,
	agency     TEXT NOT NULL,
	public_key TEXT NOT NULL,
	url        TEXT NOT NULL DEFAULT '',
	follows    TEXT NOT NULL DEFAULT ''
);

-- Encounter reports on their way to a listing's originator, hop by hop,
-- retried with backoff until acknowledged.
CREATE TABLE reports (
	id           TEXT PRIMARY KEY,
	to_origin    TEXT NOT NULL,
	next_hop     TEXT NOT NULL,
	from_node    TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	next_attempt TEXT NOT NULL,
	deadline     TEXT NOT NULL,
	acked_at     TEXT NOT NULL DEFAULT '',
	body         BLOB NOT NULL
);
CREATE INDEX reports_status ON reports (status, next_attempt);

-- The per-origin hash chain (tripline.Event.ChainNext): each event's chain
-- value covers the one before; the origin signs the last event of each
-- transaction and every 256th, and one signature vouches for the run.
-- A redacted placeholder keeps its type and payload digest, not the payload.
ALTER TABLE events ADD COLUMN chain TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN digest TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN redacted INTEGER NOT NULL DEFAULT 0;
