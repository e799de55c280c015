-- Encounters carry their action and, while unacknowledged, when their
-- acknowledgement falls due (sqlstore's fixed-width time, "" once
-- acknowledged): the overdue gauge counts a range of the partial index
-- instead of reading every encounter. SQLite's code migration 49 does the
-- same.
ALTER TABLE encounters ADD COLUMN action TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE encounters ADD COLUMN ack_open TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE encounters e SET action = COALESCE(j.b->>'action', ''),
	ack_open = CASE
		WHEN j.b->>'acknowledged' IS NOT NULL OR j.b->>'ack_due' IS NULL THEN ''
		-- Go's RFC 3339 in UTC: the fraction padded to nanoseconds.
		WHEN j.b->>'ack_due' LIKE '%Z' THEN substr(j.b->>'ack_due', 1, 19) || '.' ||
			rpad(CASE WHEN substr(j.b->>'ack_due', 20, 1) = '.' THEN substr(j.b->>'ack_due', 21, length(j.b->>'ack_due') - 21) ELSE '' END, 9, '0') || 'Z'
		ELSE to_char((j.b->>'ack_due')::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '000Z'
	END
FROM (SELECT id, convert_from(body, 'UTF8')::jsonb AS b FROM encounters) j
WHERE j.id = e.id;
CREATE INDEX encounters_ack_open ON encounters (ack_open, action) WHERE ack_open <> '';
