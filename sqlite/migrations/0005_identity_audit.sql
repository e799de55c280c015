-- Agencies and their sharing groups.
CREATE TABLE agencies (
	id      TEXT PRIMARY KEY,
	name    TEXT NOT NULL,
	country TEXT NOT NULL,
	contact TEXT NOT NULL DEFAULT ''
);
CREATE TABLE agency_groups (
	grp    TEXT NOT NULL,
	agency TEXT NOT NULL,
	PRIMARY KEY (grp, agency)
);

-- Users and their API tokens. Tokens are stored only as SHA-256 hashes;
-- disabling a user or a token takes effect on the next request, which
-- looks both up.
CREATE TABLE users (
	id       TEXT PRIMARY KEY,
	agency   TEXT NOT NULL,
	role     TEXT NOT NULL,
	disabled INTEGER NOT NULL DEFAULT 0,
	created  TEXT NOT NULL
);
CREATE TABLE tokens (
	hash     TEXT PRIMARY KEY,
	user_id  TEXT NOT NULL REFERENCES users (id),
	kind     TEXT NOT NULL, -- api or session
	label    TEXT NOT NULL DEFAULT '',
	disabled INTEGER NOT NULL DEFAULT 0,
	created  TEXT NOT NULL,
	expires  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tokens_user ON tokens (user_id);

-- The audit log: append-only, hash-chained (each entry commits to the one
-- before it). seq is the chain position.
CREATE TABLE audit (
	seq     INTEGER PRIMARY KEY,
	at      TEXT NOT NULL,
	user_id TEXT NOT NULL,
	agency  TEXT NOT NULL,
	role    TEXT NOT NULL,
	action  TEXT NOT NULL,
	subject TEXT NOT NULL,
	detail  TEXT NOT NULL,
	prev    TEXT NOT NULL,
	hash    TEXT NOT NULL
);
CREATE INDEX audit_subject ON audit (subject, seq);
CREATE INDEX audit_agency_at ON audit (agency, at);

-- Consent requests: a holder asks the originator to let a listing go to a
-- third party.
CREATE TABLE consents (
	id      TEXT PRIMARY KEY,
	listing TEXT NOT NULL,
	status  TEXT NOT NULL,
	body    BLOB NOT NULL
);
CREATE INDEX consents_listing ON consents (listing);
