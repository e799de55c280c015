package tripline

import (
	"context"
	"time"
)

// Outcome is what happened at the border after a hit or review.
type Outcome string

// Encounter outcomes. Pending until an officer or analyst records one.
const (
	OutcomePending       Outcome = "pending"
	OutcomeRefused       Outcome = "refused"
	OutcomeDeported      Outcome = "deported"
	OutcomeAdmitted      Outcome = "admitted"
	OutcomeDetained      Outcome = "detained"
	OutcomeSecondary     Outcome = "secondary"
	OutcomeConfirmed     Outcome = "confirmed"
	OutcomeFalsePositive Outcome = "false_positive"
)

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool {
	switch o {
	case OutcomePending, OutcomeRefused, OutcomeDeported, OutcomeAdmitted, OutcomeDetained,
		OutcomeSecondary, OutcomeConfirmed, OutcomeFalsePositive:
		return true
	}
	return false
}

// RefusesIdentity reports whether the outcome means the person was turned
// away: their identity is kept to catch a return under another document.
func (o Outcome) RefusesIdentity() bool { return o == OutcomeRefused || o == OutcomeDeported }

// Encounter records a hit or review at a border post. It is routed to the
// listing originator's queue.
type Encounter struct {
	ID         string    `json:"id"`
	Listing    string    `json:"listing"`
	Originator string    `json:"originator"`       // the agency whose queue receives it
	Agency     string    `json:"agency,omitempty"` // the reporting agency (the officer's)
	Decision   Decision  `json:"decision"`
	Score      float64   `json:"score"`
	Action     Action    `json:"action,omitempty"`
	Traveller  Traveller `json:"traveller"`
	Officer    string    `json:"officer,omitempty"`
	Outcome    Outcome   `json:"outcome"`
	Note       string    `json:"note,omitempty"`
	// Retro marks an encounter found by retro-screening: the traveller
	// crossed before the listing arrived.
	Retro bool `json:"retro,omitempty"`
	// Minor flags a traveller under 18 when encountered, or a match on a
	// listing of a minor: actions other than report need a supervisor.
	Minor        bool       `json:"minor,omitempty"`
	Explain      []Feature  `json:"explain,omitempty"`
	At           time.Time  `json:"at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	Acknowledged *time.Time `json:"acknowledged,omitempty"` // by the originator
}

// Clearance records an analyst's finding that a traveller is not a listed
// person. It suppresses that same match for that traveller — keyed on the
// document and birth date — until the listing changes.
type Clearance struct {
	ID          string      `json:"id"`
	Listing     string      `json:"listing"`
	ListingHash string      `json:"listing_hash"` // the listing's content when cleared
	DocCountry  string      `json:"doc_country"`
	DocNumber   string      `json:"doc_number"`
	DOB         PartialDate `json:"dob"`
	Name        string      `json:"name,omitempty"`
	Analyst     string      `json:"analyst,omitempty"`
	Reason      string      `json:"reason,omitempty"`
	Encounter   string      `json:"encounter,omitempty"`
	At          time.Time   `json:"at"`
}

// RehashClearance carries c, made when content hashes were
// LegacyContentHash, over to ContentHash if it was made against l's
// current content, and reports whether it changed c. A clearance made
// against older content is left alone: it lapsed when the listing changed.
func RehashClearance(c *Clearance, l *Listing) bool {
	if c.Listing != l.ID || c.ListingHash != l.LegacyContentHash() {
		return false
	}
	c.ListingHash = l.ContentHash()
	return true
}

// ClearanceKey is the traveller side of a clearance: issuing state,
// normalised document number and birth date.
func ClearanceKey(country, number string, dob PartialDate) string {
	return country + ":" + NormaliseDocNumber(number) + ":" + dob.String()
}

// Refusal keeps the identity of a traveller who was refused or deported, so
// that a return under a different passport is caught.
type Refusal struct {
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	DOB         PartialDate `json:"dob"`
	Nationality string      `json:"nationality,omitempty"`
	Document    Document    `json:"document"`
	Encounter   string      `json:"encounter"`
	Listing     string      `json:"listing,omitempty"`
	At          time.Time   `json:"at"`
}

// EncounterFilter selects encounters; zero values select everything.
// Results are newest first; Before continues before that id.
type EncounterFilter struct {
	Originator string
	Outcome    Outcome
	Listing    string
	Before     string
	Limit      int
}

// Resolution is an officer's or analyst's finding on an encounter.
type Resolution struct {
	Outcome Outcome `json:"outcome"`
	By      string  `json:"by,omitempty"`
	Note    string  `json:"note,omitempty"`
}

// EncounterService stores encounters, clearances and refusals.
type EncounterService interface {
	// CreateEncounter stores a new encounter and appends its event.
	CreateEncounter(ctx context.Context, e *Encounter) (*Encounter, error)
	// Encounter returns one encounter; ENOTFOUND when there is none.
	Encounter(ctx context.Context, id string) (*Encounter, error)
	// Encounters returns encounters matching f, newest first.
	Encounters(ctx context.Context, f EncounterFilter) ([]*Encounter, error)
	// ResolveEncounter records an outcome, with its event. A false positive
	// creates the Clearance (returned) in the same transaction; a refusal or
	// deportation stores the Refusal.
	ResolveEncounter(ctx context.Context, id string, r Resolution, listingHash string) (*Encounter, *Clearance, error)
	// AcknowledgeEncounter records the originator's acknowledgement.
	AcknowledgeEncounter(ctx context.Context, id string) (*Encounter, error)
	// Clearances returns every clearance.
	Clearances(ctx context.Context) ([]*Clearance, error)
	// Refusals returns every stored refusal.
	Refusals(ctx context.Context) ([]*Refusal, error)
}

// Validate reports the first problem with r, naming the field.
func (r Resolution) Validate() error {
	if !r.Outcome.Valid() || r.Outcome == OutcomePending {
		return Errorf(EINVALID, "outcome: %q is not refused, deported, admitted, detained, secondary, confirmed or false_positive", r.Outcome)
	}
	return nil
}

// ClearanceFor returns the clearance a false-positive finding on e creates,
// or nil when the traveller presented no document number or birth date:
// without both, a clearance could suppress the match for someone else.
func ClearanceFor(e *Encounter, listingHash, by, reason string, now time.Time) *Clearance {
	t := e.Traveller
	if t.Document == nil || NormaliseDocNumber(t.Document.Number) == "" || t.DOB.IsZero() || e.Listing == "" {
		return nil
	}
	return &Clearance{
		ID: "clr-" + e.ID, Listing: e.Listing, ListingHash: listingHash,
		DocCountry: t.Document.Country, DocNumber: NormaliseDocNumber(t.Document.Number), DOB: t.DOB,
		Name: t.FullName(), Analyst: by, Reason: reason, Encounter: e.ID, At: now,
	}
}

// RefusalPrefix starts the id of a refused identity: a screening's match on
// one is this node's own finding, not a listing or an alert.
const RefusalPrefix = "ref-"

// RefusalFor returns the identity a refusal or deportation on e keeps, or
// nil when the traveller lacks a name or birth date to recognise them by.
func RefusalFor(e *Encounter, now time.Time) *Refusal {
	t := e.Traveller
	if t.FullName() == "" || t.DOB.IsZero() {
		return nil
	}
	r := &Refusal{ID: RefusalPrefix + e.ID, Name: t.FullName(), DOB: t.DOB, Nationality: t.Nationality,
		Encounter: e.ID, Listing: e.Listing, At: now}
	if t.Document != nil {
		r.Document = *t.Document
	}
	return r
}
