-- Diffusions (issue 19): as SQLite's 0021_diffusions.sql.
CREATE TABLE diffusions (
	id      TEXT COLLATE "C" PRIMARY KEY,
	sent    TEXT COLLATE "C" NOT NULL,
	version BIGINT NOT NULL,
	body    BYTEA NOT NULL
);
