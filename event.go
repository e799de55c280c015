package tripline

import (
	"context"
	"encoding/json"
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
}

// EventService reads the event log.
type EventService interface {
	// Events returns up to limit events of origin with Seq > after, in order.
	Events(ctx context.Context, origin string, after int64, limit int) ([]*Event, error)
	// LastSeq returns the highest sequence number of origin, 0 when none.
	LastSeq(ctx context.Context, origin string) (int64, error)
}
