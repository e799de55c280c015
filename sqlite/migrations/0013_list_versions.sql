-- Published lists (UN, OFAC): the publication time of the copy each node
-- imported last. An older copy is refused unless forced (issue 15).
CREATE TABLE list_versions (
	source      TEXT PRIMARY KEY,
	version     TEXT NOT NULL,
	imported_at TEXT NOT NULL,
	forced      INTEGER NOT NULL DEFAULT 0
);
