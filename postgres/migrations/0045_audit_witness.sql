-- Partners' audit checkpoints this node keeps as their witness
-- (tripline.AuditWitness): every distinct one, conflicting ones too (the
-- evidence of a rewritten or cut-back log).
CREATE TABLE witnessed_checkpoints (
	node     TEXT COLLATE "C" NOT NULL,
	seq      BIGINT NOT NULL,
	hash     TEXT COLLATE "C" NOT NULL,
	at       TEXT NOT NULL,
	sig      BYTEA NOT NULL,
	received TEXT NOT NULL,
	PRIMARY KEY (node, seq, hash)
);
