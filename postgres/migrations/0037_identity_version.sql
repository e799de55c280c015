-- A counter that every change of users or tokens moves (issue 17): a node
-- keeps the tokens it verified in memory while the counter stands, so a
-- request reads one row instead of the token, its user and its parent,
-- and a token revoked or a user disabled by any process (a command beside
-- the node, another node on the same database) is refused at its next
-- request. Triggers, so that no write path is missed.
CREATE TABLE identity_version (
	one     INTEGER PRIMARY KEY CHECK (one = 1),
	version BIGINT NOT NULL
);
INSERT INTO identity_version (one, version) VALUES (1, 0);
CREATE FUNCTION identity_version_bump() RETURNS trigger AS $$
BEGIN
	UPDATE identity_version SET version = version + 1;
	RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER identity_version_users AFTER INSERT OR UPDATE OR DELETE ON users
	FOR EACH STATEMENT EXECUTE FUNCTION identity_version_bump();
CREATE TRIGGER identity_version_tokens AFTER INSERT OR UPDATE OR DELETE ON tokens
	FOR EACH STATEMENT EXECUTE FUNCTION identity_version_bump();
