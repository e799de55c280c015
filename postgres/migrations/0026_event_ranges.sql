-- As SQLite's 0026_event_ranges.sql: a partner's compact range of events
-- it may not see, held as one row at its last sequence number.
ALTER TABLE events ADD COLUMN range_from BIGINT NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN range_chain TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN drops TEXT COLLATE "C" NOT NULL DEFAULT '';
