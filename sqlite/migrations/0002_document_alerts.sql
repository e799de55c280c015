-- Document alerts (revoked, stolen, lost, invalidated travel documents),
-- stored like listings: versioned, the body in the event of each version.
CREATE TABLE document_alerts (
	id         TEXT PRIMARY KEY,
	source     TEXT NOT NULL,
	status     TEXT NOT NULL,
	version    INTEGER NOT NULL,
	hash       TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	valid_until TEXT NOT NULL DEFAULT '',
	review_by   TEXT NOT NULL DEFAULT '',
	ev_origin  TEXT NOT NULL,
	ev_seq     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX document_alerts_source_id ON document_alerts (source, id);
