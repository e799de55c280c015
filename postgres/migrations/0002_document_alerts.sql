-- Document alerts (revoked, stolen, lost, invalidated travel documents),
-- stored like listings: versioned, the body in the event of each version.
CREATE TABLE document_alerts (
	id          TEXT COLLATE "C" PRIMARY KEY,
	source      TEXT NOT NULL,
	status      TEXT NOT NULL,
	version     BIGINT NOT NULL,
	hash        TEXT NOT NULL,
	updated_at  TIMESTAMPTZ NOT NULL,
	valid_until TIMESTAMPTZ,
	review_by   TIMESTAMPTZ,
	ev_origin   TEXT NOT NULL,
	ev_seq      BIGINT NOT NULL,
	FOREIGN KEY (ev_origin, ev_seq) REFERENCES events (origin, seq)
);
CREATE INDEX document_alerts_source_id ON document_alerts (source, id);
CREATE INDEX document_alerts_valid_until ON document_alerts (valid_until) WHERE status = 'active' AND valid_until IS NOT NULL;
