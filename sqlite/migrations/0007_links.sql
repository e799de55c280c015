-- Links of the network analysis (issue 8) that are not derived from
-- listings: PNRGOV and PAXLST co-travel, analysts' input. Links from
-- listings are rebuilt from the listings on load and never stored here.
-- The primary key is the identity network.MemStore uses for idempotency,
-- so a re-import replaces a link's time and weight instead of adding it.
CREATE TABLE links (
	from_kind TEXT NOT NULL,
	from_key  TEXT NOT NULL,
	to_kind   TEXT NOT NULL,
	to_key    TEXT NOT NULL,
	type      TEXT NOT NULL,
	source    TEXT NOT NULL,
	listing   TEXT NOT NULL DEFAULT '',
	at        TEXT NOT NULL DEFAULT '',
	weight    REAL NOT NULL DEFAULT 0,
	PRIMARY KEY (from_kind, from_key, to_kind, to_key, type, source, listing)
) WITHOUT ROWID;
CREATE INDEX links_source ON links (source);

-- One row per source changed by a write, with the writing LinkStore's
-- token: a server follows the changes other processes (command-line
-- imports on the same data directory) make, and reloads those sources.
CREATE TABLE link_changes (
	seq    INTEGER PRIMARY KEY AUTOINCREMENT,
	source TEXT NOT NULL,
	writer TEXT NOT NULL,
	at     TEXT NOT NULL
);
