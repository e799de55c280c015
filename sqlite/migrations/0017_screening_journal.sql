-- How far a node's screening journal (screened travellers and encounters,
-- written to a file first and applied here in batches) has been applied:
-- moved in the same transaction as the rows, so a record is applied once.
CREATE TABLE journal_applied (
	name TEXT PRIMARY KEY,
	seq  INTEGER NOT NULL
);
