-- Screened travellers, kept for the retention window (default 30 days) so
-- that a new listing can be screened against them, then purged. Personal
-- data of people who are mostly innocent: never in the event log, never
-- shared.
CREATE TABLE travellers (
	id   INTEGER PRIMARY KEY,
	at   TEXT NOT NULL,
	body BLOB NOT NULL
);
CREATE INDEX travellers_at ON travellers (at);
