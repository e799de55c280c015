-- Diffusions (issue 19): instructions about a person sent to partners,
-- those this node's agency sent and those it received, with each
-- recipient's acknowledgement in the body.
CREATE TABLE diffusions (
	id      TEXT PRIMARY KEY,
	sent    TEXT NOT NULL,
	version INTEGER NOT NULL,
	body    BLOB NOT NULL
);
