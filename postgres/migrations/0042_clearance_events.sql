-- Lapsed clearances are removed with their events' identity too: the
-- partial index on the events retention trims (0041) covers theirs.
DROP INDEX events_encounter_subject;
CREATE INDEX events_retention_subject ON events (subject) WHERE type IN ('encounter.reported', 'encounter.updated', 'refusal.recorded', 'clearance.made');
