-- Consent requests by listing and status: a node counts the requests
-- pending on a listing (bounded, tripline.DefaultMaxPendingConsents) and
-- reads only the granted ones when it decides whether a listing may go on,
-- however many requests were made.
CREATE INDEX consents_listing_status ON consents (listing, status);
DROP INDEX consents_listing;
