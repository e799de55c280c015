-- A partner origin's shared clearances are counted against its bound
-- (tripline.DefaultMaxOriginClearances): those of the listings held of it,
-- found through this index rather than a scan of every clearance.
CREATE INDEX clearances_listing ON clearances (listing);
