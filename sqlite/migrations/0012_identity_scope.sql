-- A node-wide superuser is made only from the command line; every other
-- admin manages its own agency's users.
ALTER TABLE users ADD COLUMN superuser INTEGER NOT NULL DEFAULT 0;

-- A console session is bound to the API token it was made from (parent,
-- that token's hash): revoking the token ends its sessions. A session
-- stored before this column has none and is refused: log in again.
ALTER TABLE tokens ADD COLUMN parent TEXT NOT NULL DEFAULT '';
CREATE INDEX tokens_parent ON tokens (parent);
