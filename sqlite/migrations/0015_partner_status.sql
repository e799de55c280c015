-- Partners change while a node serves (issue 15): a suspended partner is
-- neither pulled nor served until resumed.
ALTER TABLE partners ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
