-- Bundles to and from air-gapped partners (issue 15 item 8): each bundle a
-- node writes for a partner carries the next number of that direction, and
-- a node takes from a partner only a bundle numbered above the last it
-- imported from it, so a replayed or older bundle is refused.
CREATE TABLE bundles (
	peer      TEXT NOT NULL,
	direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
	seq       INTEGER NOT NULL,
	at        TEXT NOT NULL,
	PRIMARY KEY (peer, direction)
);
