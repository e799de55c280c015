-- Encounter retention: a resolved encounter past its retention loses the
-- traveller's identity, and a refusal past its own is removed
-- (tripline.EncounterRetention). erased marks the encounters done; the
-- partial index finds their events, to trim them too, without indexing
-- every listing event by subject.
ALTER TABLE encounters ADD COLUMN erased BIGINT NOT NULL DEFAULT 0;
CREATE INDEX encounters_erasable ON encounters (erased, at);
CREATE INDEX events_encounter_subject ON events (subject) WHERE type IN ('encounter.reported', 'encounter.updated', 'refusal.recorded');
