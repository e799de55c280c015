-- Bundles to and from air-gapped partners (issue 15 item 8): as SQLite's
-- 0025_bundles.sql. A node imports from a partner only a bundle numbered
-- above the last it imported from it.
CREATE TABLE bundles (
	peer      TEXT COLLATE "C" NOT NULL,
	direction TEXT COLLATE "C" NOT NULL CHECK (direction IN ('in', 'out')),
	seq       BIGINT NOT NULL,
	at        TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (peer, direction)
);
