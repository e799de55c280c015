-- A counter that every change of users or tokens moves (issue 17): a node
-- keeps the tokens it verified in memory while the counter stands, so a
-- request reads one row instead of the token, its user and its parent,
-- and a token revoked or a user disabled by any process (a command beside
-- the node, another node on the same database) is refused at its next
-- request. Triggers, so that no write path is missed.
CREATE TABLE identity_version (
	one     INTEGER PRIMARY KEY CHECK (one = 1),
	version INTEGER NOT NULL
);
INSERT INTO identity_version (one, version) VALUES (1, 0);
CREATE TRIGGER identity_version_users_insert AFTER INSERT ON users BEGIN
	UPDATE identity_version SET version = version + 1;
END;
CREATE TRIGGER identity_version_users_update AFTER UPDATE ON users BEGIN
	UPDATE identity_version SET version = version + 1;
END;
CREATE TRIGGER identity_version_users_delete AFTER DELETE ON users BEGIN
	UPDATE identity_version SET version = version + 1;
END;
CREATE TRIGGER identity_version_tokens_insert AFTER INSERT ON tokens BEGIN
	UPDATE identity_version SET version = version + 1;
END;
CREATE TRIGGER identity_version_tokens_update AFTER UPDATE ON tokens BEGIN
	UPDATE identity_version SET version = version + 1;
END;
CREATE TRIGGER identity_version_tokens_delete AFTER DELETE ON tokens BEGIN
	UPDATE identity_version SET version = version + 1;
END;
