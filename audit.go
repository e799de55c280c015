package tripline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// AuditEntry is one access, disclosure decision, change or login. Entries
// form a hash chain: each commits to the one before, so altering, deleting
// or reordering any entry breaks every hash after it.
type AuditEntry struct {
	Seq     int64     `json:"seq"`
	At      time.Time `json:"at"`
	User    string    `json:"user"`
	Agency  string    `json:"agency"`
	Role    Role      `json:"role"`
	Action  string    `json:"action"`  // e.g. listing.read, screen, disclose, listing.write, login
	Subject string    `json:"subject"` // what was touched: a listing id, a traveller ref
	Detail  string    `json:"detail,omitempty"`
	Prev    string    `json:"prev"` // hash of the previous entry, "" for the first
	Hash    string    `json:"hash"`
}

// ComputeHash returns the entry's chain hash over its fields and Prev.
func (e *AuditEntry) ComputeHash() string {
	h := sha256.New()
	for _, f := range []string{strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano), e.User, e.Agency,
		string(e.Role), e.Action, e.Subject, e.Detail, e.Prev} {
		// Length-prefixed, so that moving text between fields changes the hash.
		fmt.Fprintf(h, "%d:%s|", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ChainError names the first entry where an audit chain breaks.
type ChainError struct {
	Seq    int64 // the entry's sequence number as stored (or expected, for a gap)
	Reason string
}

// Error implements error.
func (e *ChainError) Error() string { return fmt.Sprintf("audit entry %d: %s", e.Seq, e.Reason) }

// ChainVerifier checks an audit log entry by entry, in stored order, from
// its first entry, so a log of any length is verified in constant memory.
type ChainVerifier struct {
	n    int64
	prev string
}

// Next checks the next stored entry. An altered entry no longer matches its
// hash, a deleted one leaves a gap in the sequence, a reordered one is out
// of sequence or does not follow its predecessor's hash.
func (v *ChainVerifier) Next(e *AuditEntry) *ChainError {
	v.n++
	want := v.n
	switch {
	case e.Seq > want:
		return &ChainError{Seq: want, Reason: fmt.Sprintf("missing (deleted?): the next stored entry is %d", e.Seq)}
	case e.Seq < want:
		return &ChainError{Seq: e.Seq, Reason: fmt.Sprintf("out of order: stored at position %d", want)}
	case e.ComputeHash() != e.Hash:
		return &ChainError{Seq: e.Seq, Reason: "altered: its content no longer matches its hash"}
	case e.Prev != v.prev:
		return &ChainError{Seq: e.Seq, Reason: "does not follow the entry before it (reordered or replaced)"}
	}
	v.prev = e.Hash
	return nil
}

// Count returns how many entries verified so far.
func (v *ChainVerifier) Count() int64 { return v.n }

// VerifyChain checks entries, in stored order, from the first entry of the
// log, and returns the first broken one.
func VerifyChain(entries []*AuditEntry) *ChainError {
	var v ChainVerifier
	for _, e := range entries {
		if err := v.Next(e); err != nil {
			return err
		}
	}
	return nil
}

// Auditor appends audit entries. Record fills Seq, Prev, Hash and, when
// zero, At.
type Auditor interface {
	Record(ctx context.Context, e AuditEntry)
}

// AuditFilter selects audit entries: who saw listing X, what agency Y saw
// in a period.
type AuditFilter struct {
	Subject string
	Agency  string
	User    string
	Action  string
	From    time.Time
	To      time.Time
	After   int64
	Limit   int
}
