-- Tips (issue 19): as SQLite's 0020_tips.sql. The reporter is in the body
-- and never in an event: a tip stays on the node that received it.
CREATE TABLE tips (
	id       TEXT COLLATE "C" PRIMARY KEY,
	agency   TEXT COLLATE "C" NOT NULL,
	status   TEXT COLLATE "C" NOT NULL,
	received TEXT COLLATE "C" NOT NULL,
	body     BYTEA NOT NULL
);
CREATE INDEX tips_agency ON tips (agency, received);
