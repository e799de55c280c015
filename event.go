package tripline

import (
	"context"
	"encoding/json"
	"strconv"
	"time"
)

// EventType names a kind of change.
type EventType string

// Event types. Each state change appends exactly one event in the same
// transaction as the change.
const (
	EventListingUpserted        EventType = "listing.upserted"
	EventListingWithdrawn       EventType = "listing.withdrawn"
	EventListingExpired         EventType = "listing.expired"
	EventEncounter              EventType = "encounter.reported"
	EventEncounterUpdated       EventType = "encounter.updated"
	EventRefusal                EventType = "refusal.recorded"
	EventClearance              EventType = "clearance.made"
	EventConsentRequested       EventType = "consent.requested"
	EventConsent                EventType = "consent.decided"
	EventDocumentAlert          EventType = "document.alerted"
	EventDocumentAlertWithdrawn EventType = "document.alert_withdrawn"
)

// Event is one change, numbered per origin without gaps. The event log is
// the single source for replicas and partners.
type Event struct {
	Origin  string          `json:"origin"`
	Seq     int64           `json:"seq"`
	Type    EventType       `json:"type"`
	Subject string          `json:"subject"` // the id of what changed, e.g. a listing id
	Payload json.RawMessage `json:"payload,omitempty"`
	At      time.Time       `json:"at"`
	Sig     []byte          `json:"sig,omitempty"`
	// Omitted holds the digests of payload fields left out for a partner
	// (least disclosure); the signature still verifies (see Trim).
	Omitted map[string]string `json:"omitted,omitempty"`
	// Salts are the salts of the payload fields shown (path: hex), for an
	// event its origin salted (salt.go): a receiver recomputes their
	// digests with them. A trimmed copy drops a left-out field's salt with
	// the field, so its digest in Omitted cannot be found by trying values.
	Salts map[string]string `json:"salts,omitempty"`
	// SaltKey is the random key the origin draws for its event, from which
	// every field's salt derives: only the origin's own full copy holds
	// it, so that it can trim later. It is never sent (Trim gives Salts).
	SaltKey []byte `json:"-"`
	// Via is the node this event was received from, when it was relayed
	// (not signed: each hop records its own).
	Via string `json:"via,omitempty"`
	// Redacted marks a placeholder for an event the receiver may not see:
	// it keeps the sequence gap-free and carries no payload, only its
	// digest, so the chain still verifies.
	Redacted bool   `json:"redacted,omitempty"`
	Digest   string `json:"digest,omitempty"`
	// Chain links the event to its origin's previous one (ChainNext); the
	// signature covers it.
	Chain string `json:"chain,omitempty"`
	// A range (RangeFrom > 0) stands for the events RangeFrom..Seq-1 that
	// the receiver may not see, compactly, followed by event Seq as a
	// placeholder: RangeChain is the chain value of event Seq-1, so Chain
	// still recomputes (ChainNextDigest) and binds the range's end to its
	// sequence number, which the origin's signature vouches for. The
	// records the hidden events changed that a receiver may hold are in
	// Drops: a receiver holding one from the range's origin drops it.
	RangeFrom  int64      `json:"range_from,omitempty"`
	RangeChain string     `json:"range_chain,omitempty"`
	Drops      []EventRef `json:"drops,omitempty"`
	// DropsSig is the origin's signature of Drops (DropsSigningBytes):
	// the events inside a range are not sent, so nothing else vouches for
	// what it drops, and a relay forwarding the range could otherwise name
	// any record of the origin. A receiver takes the drops of a range
	// served by another node than its origin only when it verifies.
	DropsSig []byte `json:"drops_sig,omitempty"`
	// Ignored marks a partner's event this node holds in its log but did
	// not take: the trust rules refused it, or it had nothing to change
	// here. What a node applies in memory follows the store, so it is
	// skipped there too. Never sent: each receiver judges for itself.
	Ignored bool `json:"-"`
}

// EventRef names the record an event changed: its type and subject.
type EventRef struct {
	Type    EventType `json:"type"`
	Subject string    `json:"subject"`
}

// First returns the first sequence number e stands for: RangeFrom for a
// range, else Seq.
func (e *Event) First() int64 {
	if e.RangeFrom > 0 {
		return e.RangeFrom
	}
	return e.Seq
}

// DropsSigningBytes returns what a range's DropsSig covers: its origin, its
// last event's sequence number and chain value (which the origin's
// signature of that event vouches for) and the records it drops.
func (e *Event) DropsSigningBytes() []byte {
	b, _ := json.Marshal(e.Drops)
	return []byte("tripline-drops-v1\n" + e.Origin + "\n" + strconv.FormatInt(e.Seq, 10) + "\n" + e.Chain + "\n" + string(b))
}

// DropRefs returns the records a placeholder or range tells its receiver
// to stop holding: its own subject and its Drops.
func (e *Event) DropRefs() []EventRef {
	if !e.Redacted {
		return nil
	}
	return append([]EventRef{{Type: e.Type, Subject: e.Subject}}, e.Drops...)
}

// EventService reads the event log.
type EventService interface {
	// Events returns up to limit events of origin with Seq > after, in order.
	Events(ctx context.Context, origin string, after int64, limit int) ([]*Event, error)
	// LastSeq returns the highest sequence number of origin, 0 when none.
	LastSeq(ctx context.Context, origin string) (int64, error)
}
