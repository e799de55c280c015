-- Encounters: every hit and review at a border post, routed to the
-- originator's queue, read newest first with keyset paging on (at, id).
-- Bodies are JSONB: only decoded, never signed, so normalising is harmless
-- and operators can query them.
CREATE TABLE encounters (
	id         TEXT COLLATE "C" PRIMARY KEY,
	originator TEXT NOT NULL,
	listing    TEXT NOT NULL,
	outcome    TEXT NOT NULL,
	at         TIMESTAMPTZ NOT NULL,
	body       JSONB NOT NULL
);
CREATE INDEX encounters_originator_at ON encounters (originator, at DESC, id DESC);
CREATE INDEX encounters_at ON encounters (at DESC, id DESC);

-- Clearances (redress for namesakes) and refusals (identities of people
-- turned away) are small and loaded whole into memory by screening.
CREATE TABLE clearances (
	id      TEXT COLLATE "C" PRIMARY KEY,
	listing TEXT NOT NULL,
	body    JSONB NOT NULL
);
CREATE TABLE refusals (
	id   TEXT COLLATE "C" PRIMARY KEY,
	body JSONB NOT NULL
);
