package tripline

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
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

// MaxAuditField bounds each of an audit entry's text fields: what a caller
// puts in a query string or a body (an id, a filter) must not make the
// log, which is kept for good, hold whatever it likes.
const MaxAuditField = 4 << 10

// Bound cuts each text field of e longer than MaxAuditField, at a
// character boundary, saying how long it was.
func (e *AuditEntry) Bound() {
	for _, f := range []*string{&e.User, &e.Agency, &e.Action, &e.Subject, &e.Detail} {
		if len(*f) <= MaxAuditField {
			continue
		}
		cut := MaxAuditField
		for cut > 0 && !utf8.RuneStart((*f)[cut]) {
			cut--
		}
		*f = fmt.Sprintf("%s… (%d bytes)", (*f)[:cut], len(*f))
	}
}

// ComputeHash returns the entry's chain hash over its fields and Prev.
func (e *AuditEntry) ComputeHash() string {
	var buf [64]byte
	b := strconv.AppendInt(buf[:0], e.Seq, 10)
	seq := len(b)
	b = e.At.UTC().AppendFormat(b, time.RFC3339Nano)
	msg := make([]byte, 0, 256)
	for _, f := range [...][]byte{b[:seq], b[seq:]} {
		msg = appendField(msg, f)
	}
	for _, f := range [...]string{e.User, e.Agency, string(e.Role), e.Action, e.Subject, e.Detail, e.Prev} {
		msg = appendField(msg, f)
	}
	sum := sha256.Sum256(msg)
	return hex.EncodeToString(sum[:])
}

// appendField appends f length-prefixed ("len:f|"), so that moving text
// between fields changes the hash.
func appendField[T string | []byte](msg []byte, f T) []byte {
	msg = strconv.AppendInt(msg, int64(len(f)), 10)
	msg = append(msg, ':')
	msg = append(msg, f...)
	return append(msg, '|')
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
// The chain alone cannot show its newest entries deleted, nor a log edited
// and re-chained from the edit on: signed checkpoints anchor it (Checkpoint,
// End).
type ChainVerifier struct {
	// Key, when set, must have signed every checkpoint given to Checkpoint.
	Key ed25519.PublicKey

	n      int64
	prev   string
	anchor *AuditCheckpoint // newest checkpoint that matched
	beyond *AuditCheckpoint // newest checkpoint past the stored end
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

// Head returns the hash of the last entry verified, "" before the first.
func (v *ChainVerifier) Head() string { return v.prev }

// Checkpoint checks a signed checkpoint against the log: call it once the
// entry it names is the last one given to Next, or, for a checkpoint past
// the stored end, after the last entry (End then reports the truncation).
// A checkpoint whose entry no longer has the hash it signed shows the log
// rewritten at or before that entry, however well the rewrite re-chained.
func (v *ChainVerifier) Checkpoint(c *AuditCheckpoint) *ChainError {
	if v.Key != nil && !c.Verify(v.Key) {
		return &ChainError{Seq: c.Seq, Reason: fmt.Sprintf("the %s: its signature does not verify with the node key (forged or altered)", c)}
	}
	switch {
	case c.Seq > v.n:
		if v.beyond == nil || c.Seq > v.beyond.Seq {
			v.beyond = c
		}
	case c.Seq < v.n:
		return &ChainError{Seq: c.Seq, Reason: fmt.Sprintf("the %s was checked out of order, after entry %d", c, v.n)}
	case c.Hash != v.prev:
		return &ChainError{Seq: c.Seq, Reason: fmt.Sprintf("rewritten: the %s no longer matches it (stored hash %s): the log was changed at or before this entry; %s",
			c, short(v.prev), v.sinceAnchor())}
	default:
		if v.anchor == nil || c.Seq >= v.anchor.Seq {
			v.anchor = c
		}
	}
	return nil
}

// End reports, after the last stored entry and checkpoint, a log that no
// longer reaches its newest checkpoint: its newest entries were deleted.
func (v *ChainVerifier) End() *ChainError {
	if v.beyond == nil {
		return nil
	}
	return &ChainError{Seq: v.beyond.Seq, Reason: fmt.Sprintf("truncated: the log ends at entry %d, but the %s shows at least %d newest entries deleted; %s",
		v.n, v.beyond, v.beyond.Seq-v.n, v.sinceAnchor())}
}

// Anchor returns the newest checkpoint that matched, nil when none did.
func (v *ChainVerifier) Anchor() *AuditCheckpoint { return v.anchor }

func (v *ChainVerifier) sinceAnchor() string {
	if v.anchor == nil {
		return "no checkpoint before it still matches"
	}
	return fmt.Sprintf("the last checkpoint that still matches is that of entry %d (signed %s)", v.anchor.Seq, v.anchor.At.UTC().Format(time.RFC3339))
}

func short(hash string) string {
	if len(hash) > 16 {
		return hash[:16] + "…"
	}
	return hash
}

// AuditCheckpoint is a node's signature on the head of its audit log: the
// sequence number and hash of the newest entry at a time. The chain shows
// any change to the entries it still holds; a checkpoint shows what it no
// longer holds (its newest entries deleted) and a rewrite re-chained from
// the edit on. Kept beside the log, and exported to a witness (a partner,
// an oversight body) that an attacker with the data directory cannot
// reach: a witnessed checkpoint must still match the log.
type AuditCheckpoint struct {
	Node string    `json:"node"`
	Seq  int64     `json:"seq"`
	Hash string    `json:"hash"`
	At   time.Time `json:"at"`
	Key  string    `json:"key,omitempty"` // the signer's public key, base64: informative, never trusted
	Sig  []byte    `json:"sig"`
}

// String names the checkpoint for messages: its entry, when it was signed
// and the hash it signed.
func (c *AuditCheckpoint) String() string {
	return fmt.Sprintf("checkpoint of entry %d (signed %s, hash %s)", c.Seq, c.At.UTC().Format(time.RFC3339), short(c.Hash))
}

// SigningBytes returns what a checkpoint's signature covers.
func (c *AuditCheckpoint) SigningBytes() []byte {
	return []byte("tripline-audit-checkpoint-v1\n" + c.Node + "\n" + strconv.FormatInt(c.Seq, 10) + "\n" + c.Hash + "\n" +
		c.At.UTC().Format(time.RFC3339Nano))
}

// SignAuditCheckpoint returns the checkpoint of the entry seq with hash,
// at at, signed by node with key.
func SignAuditCheckpoint(node string, seq int64, hash string, at time.Time, key ed25519.PrivateKey) *AuditCheckpoint {
	c := &AuditCheckpoint{Node: node, Seq: seq, Hash: hash, At: at.UTC()}
	c.Sig = ed25519.Sign(key, c.SigningBytes())
	return c
}

// Verify reports whether pub signed the checkpoint.
func (c *AuditCheckpoint) Verify(pub ed25519.PublicKey) bool {
	return len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, c.SigningBytes(), c.Sig)
}

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

// AuditVerification is the outcome of verifying an audit log: its chain
// and the signed checkpoints that anchor it.
type AuditVerification struct {
	Entries     int64            `json:"entries"`
	Head        string           `json:"head,omitempty"` // hash of the newest entry verified
	Checkpoints int              `json:"checkpoints"`    // how many checkpoints were checked
	Anchor      *AuditCheckpoint `json:"anchor,omitempty"`
	// Broken names the first entry or checkpoint that fails, nil when the
	// log is intact.
	Broken *ChainError `json:"broken,omitempty"`
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
