-- Tips (issue 19): information about a person received by an agency; its
-- provisional listing is a listing like any other. The reporter is in the
-- body and never in an event: a tip stays on the node that received it.
CREATE TABLE tips (
	id       TEXT PRIMARY KEY,
	agency   TEXT NOT NULL,
	status   TEXT NOT NULL,
	received TEXT NOT NULL,
	body     BLOB NOT NULL
);
CREATE INDEX tips_agency ON tips (agency, received);
