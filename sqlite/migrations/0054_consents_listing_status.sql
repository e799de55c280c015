-- Consent requests by listing, status and requester: a node counts the
-- requests one agency has pending on a listing (bounded,
-- tripline.DefaultMaxPendingConsents) and reads only the granted ones when
-- it decides whether a listing may go on, however many requests were made.
ALTER TABLE consents ADD COLUMN requester TEXT NOT NULL DEFAULT '';
UPDATE consents SET requester = COALESCE(json_extract(CAST(body AS TEXT), '$.requester'), '');
CREATE INDEX consents_listing_status ON consents (listing, status, requester);
DROP INDEX consents_listing;
