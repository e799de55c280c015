-- A partner origin's listings are counted against its bound
-- (tripline.DefaultMaxOriginListings) when it brings a new one: an index
-- range, not a scan of every listing.
CREATE INDEX listings_ev_origin ON listings (ev_origin);
