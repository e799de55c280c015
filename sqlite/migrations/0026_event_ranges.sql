-- Events a partner may not see travel as compact ranges (issue 15 item 12):
-- a partner's range is held as one row at its last sequence number, with
-- the first number it stands for, the chain value before its last event,
-- and the records it tells receivers to drop (JSON), so the node can
-- serve it on to its own partners as it received it.
ALTER TABLE events ADD COLUMN range_from INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN range_chain TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN drops TEXT NOT NULL DEFAULT '';
