-- A rejected or expired tip's provisional listing (id AGENCY:tip-...) is
-- trimmed of its subject with the tip (sqlstore tipListingEvents): its
-- events, found by subject without reading the whole log.
CREATE INDEX events_tip_listing ON events (subject) WHERE type IN ('listing.upserted', 'listing.withdrawn', 'listing.expired') AND subject LIKE '%:tip-%';
