-- Encounters: every hit and review at a border post, routed to the
-- originator's queue (originator, at).
CREATE TABLE encounters (
	id         TEXT PRIMARY KEY,
	originator TEXT NOT NULL,
	listing    TEXT NOT NULL,
	outcome    TEXT NOT NULL,
	at         TEXT NOT NULL,
	body       BLOB NOT NULL
);
CREATE INDEX encounters_originator_at ON encounters (originator, at);
CREATE INDEX encounters_at ON encounters (at, id);

-- Clearances (redress for namesakes) and refusals (identities of people
-- turned away) are small and loaded whole into memory by screening.
CREATE TABLE clearances (
	id      TEXT PRIMARY KEY,
	listing TEXT NOT NULL,
	body    BLOB NOT NULL
);
CREATE TABLE refusals (
	id   TEXT PRIMARY KEY,
	body BLOB NOT NULL
);
