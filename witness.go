package tripline

import (
	"context"
	"strings"
	"time"
)

// A node's own checkpoints (AuditCheckpoint) sit beside its log, where
// whoever holds the data directory can delete them with the entries they
// would show missing. Partners are the witnesses such an attacker cannot
// reach: each node fetches every partner's newest checkpoint regularly and
// keeps it, and a partner's oversight verifies its log against the copies
// its partners kept (tripline audit witnessed, audit verify --checkpoint).

// DefaultWitnessEvery is how often a node fetches each partner's audit
// checkpoint: what a rewrite of a partner's log can hide from its
// witnesses is at most this much of its newest entries.
const DefaultWitnessEvery = 10 * time.Minute

// AuditWitness keeps partners' audit checkpoints.
type AuditWitness interface {
	// Witness keeps c, whose signature by c.Node the caller checked,
	// reporting whether it was new. It fails ECONFLICT, keeping c as the
	// evidence, when c contradicts a checkpoint kept of the same node:
	// another hash for the same entry (the log was rewritten), or an entry
	// before the newest kept (the log was cut back).
	Witness(ctx context.Context, c *AuditCheckpoint) (bool, error)
	// Witnessed returns the checkpoints kept of node, oldest entry first:
	// those of entries after after, at least limit of them (0: all) and
	// every one of the last entry it returns (a contradicted entry has
	// several), so a page ends between entries.
	Witnessed(ctx context.Context, node string, after int64, limit int) ([]*AuditCheckpoint, error)
}

// WitnessedPageSize is how many checkpoints a witness gives a page: a year
// of them at DefaultWitnessEvery is 52,560.
const WitnessedPageSize = 5000

// ValidateWitnessed reports a checkpoint fetched from partner node that a
// witness must not keep: one naming another node, an entry below 1, a
// hash that is not a SHA-256 in hex (a partner signs what it likes: an
// oversized one would fill this node's disk at each fetch), or a time
// that is not one.
func ValidateWitnessed(node string, c *AuditCheckpoint) error {
	switch {
	case c.Node != node:
		return Errorf(EINVALID, "audit checkpoint of partner %q names node %.80q", node, c.Node)
	case c.Seq < 1:
		return Errorf(EINVALID, "audit checkpoint of partner %q: entry %d", node, c.Seq)
	case len(c.Hash) != 64 || strings.Trim(c.Hash, "0123456789abcdef") != "":
		return Errorf(EINVALID, "audit checkpoint of partner %q: the hash is not a SHA-256 in hex", node)
	case c.At.IsZero() || c.At.Year() > 9999:
		return Errorf(EINVALID, "audit checkpoint of partner %q: no time", node)
	case len(c.Sig) > 128:
		return Errorf(EINVALID, "audit checkpoint of partner %q: a signature of %d bytes", node, len(c.Sig))
	}
	return nil
}

// WitnessConflict returns the ECONFLICT error for checkpoint c of a node
// against one kept of it before (kept), or nil when c extends the log
// kept shows: a later entry, or the same entry with the same hash.
func WitnessConflict(kept, c *AuditCheckpoint) error {
	switch {
	case kept == nil:
		return nil
	case c.Seq == kept.Seq && c.Hash != kept.Hash:
		return Errorf(ECONFLICT, "node %s signed entry %d of its audit log with hash %s on %s and %s on %s: the log was rewritten",
			c.Node, c.Seq, short(kept.Hash), kept.At.UTC().Format(time.RFC3339), short(c.Hash), c.At.UTC().Format(time.RFC3339))
	case c.Seq < kept.Seq:
		return Errorf(ECONFLICT, "node %s now signs entry %d of its audit log as its head, after entry %d (signed %s): the log was cut back",
			c.Node, c.Seq, kept.Seq, kept.At.UTC().Format(time.RFC3339))
	}
	return nil
}
