-- A partner origin's document alerts are counted against its bound
-- (tripline.DefaultMaxOriginAlerts) when it brings a new one, as its
-- listings are (migration 50).
CREATE INDEX document_alerts_ev_origin ON document_alerts (ev_origin);
