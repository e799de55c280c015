-- How each partner is reached: the SHA-256 pins of its TLS key (comma-
-- separated "sha256/BASE64"), the PEM of the CA that signs its certificate
-- (empty: the system's), and whether plain http:// to another machine is
-- allowed. Partners added before this rule keep their http:// address
-- working (the node logs a warning for each): a node upgraded in place
-- must not stop federating.
ALTER TABLE partners ADD COLUMN tls_pins TEXT NOT NULL DEFAULT '';
ALTER TABLE partners ADD COLUMN tls_ca TEXT NOT NULL DEFAULT '';
ALTER TABLE partners ADD COLUMN insecure_http INTEGER NOT NULL DEFAULT 0;
UPDATE partners SET insecure_http = 1 WHERE url LIKE 'http://%';
