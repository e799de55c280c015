-- Events of a listing the node made from a tip or a received diffusion
-- (tripline.Listing.Erasable) are marked: a diffusion's listing is trimmed
-- of its subject with the diffusion, found by subject without reading the
-- whole log, and an import of the source leaves such listings. Existing
-- ones are those of a tip's listing while provisional, and of a received
-- diffusion's listing (AGENCY:DIFFUSION-ID), not any listing whose
-- free-text reason says "diffusion".
ALTER TABLE events ADD COLUMN erasable INTEGER NOT NULL DEFAULT 0;
UPDATE events SET erasable = 1 WHERE type IN ('listing.upserted', 'listing.withdrawn', 'listing.expired') AND (
	(position(convert_to('"provisional":true', 'UTF8') in payload) > 0 AND subject IN (SELECT agency || ':' || id FROM tips))
	OR (position(convert_to('"reason":"diffusion"', 'UTF8') in payload) > 0
		AND EXISTS (SELECT 1 FROM diffusions d WHERE right(events.subject, length(d.id) + 1) = ':' || d.id)));
CREATE INDEX events_erasable ON events (subject) WHERE erasable = 1;
