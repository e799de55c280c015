package tripline

import (
	"context"
	"strings"
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
	// Node is the node that recorded the encounter (the reporting node):
	// the originator's acknowledgement travels back to it.
	Node string `json:"node,omitempty"`
	// AckDue is when the originator should have acknowledged it, by the
	// action's escalation period (EscalationFor); Overdue is set on reads
	// once that passed unacknowledged.
	AckDue  *time.Time `json:"ack_due,omitempty"`
	Overdue bool       `json:"overdue,omitempty"`
	// NoticeTo is set on a copy of an encounter sent to an agency that is
	// neither its originator nor its reporter but may act on it: the
	// partner of a pre-departure hit's departure country. Only that
	// agency's node takes such a copy, for that agency.
	NoticeTo string `json:"notice_to,omitempty"`
	// Diffusion is set on a notice of a hit on the listing a received
	// diffusion made (Diffusion.ReceivedListing): the diffusion, whose
	// sender the notice goes to. The sender's node takes it only for a
	// diffusion it sent to the encounter's originator; its agency then
	// sees the notice as the subject's author.
	Diffusion string `json:"diffusion,omitempty"`
	// Clearance is where sharing this false positive's clearance with
	// partners stands (clearance_share.go), at both ends.
	Clearance *ClearanceShare `json:"clearance,omitempty"`
	// Erased is when the traveller's identity was erased, past the
	// encounter's retention (EncounterRetention).
	Erased *time.Time `json:"erased,omitempty"`
}

// SeenBy reports whether agency is one of the encounter's parties: the
// originator whose queue it is in, the reporting agency, or the agency a
// notice of it was sent to. Nobody else sees it at all.
func (e *Encounter) SeenBy(agency string) bool {
	return agency != "" && (agency == e.Originator || agency == e.Agency || agency == e.NoticeTo)
}

// Encounter updates travel between the two ends of an encounter: the
// originator's acknowledgement to the reporting node, the officer's
// outcome to the originator (docs/federation.md).
const (
	UpdateAck     = "ack"
	UpdateOutcome = "outcome"
)

// EncounterUpdate is one end's change to an encounter, for the other end.
type EncounterUpdate struct {
	ID           string     `json:"id"` // the encounter's
	Kind         string     `json:"kind"`
	Acknowledged *time.Time `json:"acknowledged,omitempty"`
	Outcome      Outcome    `json:"outcome,omitempty"`
	Note         string     `json:"note,omitempty"`
	By           string     `json:"by,omitempty"`
	// Clearance is the clearance share's state (kind clearance).
	Clearance *ClearanceShare `json:"clearance,omitempty"`
}

// Key names u in the outboxes it travels through: an acknowledgement is
// sent once, an outcome once per outcome.
func (u *EncounterUpdate) Key() string {
	if u.Kind == UpdateOutcome {
		return u.ID + "#outcome:" + string(u.Outcome)
	}
	if u.Kind == UpdateClearance && u.Clearance != nil {
		at := ""
		if t := u.Clearance.DecidedAt; t != nil {
			at = t.UTC().Format(time.RFC3339Nano)
		} else if t := u.Clearance.ProposedAt; t != nil {
			at = t.UTC().Format(time.RFC3339Nano)
		}
		return u.ID + "#clearance:" + u.Clearance.Status + "@" + at // a proposal again after a refusal is new
	}
	return u.ID + "#" + u.Kind
}

// UpdateFor returns the update that end self (an agency) owes the other
// end of e, and its key (sent once per key), or nil when there is none:
// the originator's acknowledgement, or the reporting agency's outcome.
func UpdateFor(e *Encounter, self string) (*EncounterUpdate, string) {
	var u *EncounterUpdate
	switch {
	case e.Originator == self && e.Agency != self && e.Acknowledged != nil:
		u = &EncounterUpdate{ID: e.ID, Kind: UpdateAck, Acknowledged: e.Acknowledged}
	case e.Agency == self && e.Originator != self && e.Outcome != OutcomePending && e.Outcome != "":
		u = &EncounterUpdate{ID: e.ID, Kind: UpdateOutcome, Outcome: e.Outcome, Note: e.Note, By: e.Officer}
	default:
		return nil, ""
	}
	return u, u.Key()
}

// ClearanceUpdateFor returns the clearance share state end self owes the
// other end of e (UpdateFor's other half), or nil: a proposal from the
// reporting agency, a decision or revocation from the originator.
func ClearanceUpdateFor(e *Encounter, self string) *EncounterUpdate {
	c := e.Clearance
	if c == nil || e.Agency == e.Originator {
		return nil
	}
	mine := self == e.Agency && c.Status == ClearanceProposed || self == e.Originator && c.Status != ClearanceProposed
	if !mine {
		return nil
	}
	cp := *c
	return &EncounterUpdate{ID: e.ID, Kind: UpdateClearance, Clearance: &cp}
}

// ReportClockSkew is how far ahead of the receiver's clock a partner's
// report may say its encounter happened: two nodes' clocks differ a little.
const ReportClockSkew = 5 * time.Minute

// Received makes e, an encounter a partner's node reported (or noticed),
// this node's record of it, received at now: of what the sender says,
// only the facts of its screening stay. What belongs to the receiving end
// starts afresh: the acknowledgement is its originator's to give
// (UpdateAck); the outcome and its note, and the clearance share, move
// only by updates whose sender MergeUpdate checks; the due time and
// overdue flag are the receiver's escalation's (nil AckDue: the store
// recomputes it); erasure is the receiver's retention's; UpdatedAt is
// now. The time of the encounter may not be later than now plus
// ReportClockSkew (a later one is now): a date in the future would keep
// the traveller past the retention.
func (e *Encounter) Received(now time.Time) {
	now = now.UTC()
	e.Acknowledged, e.AckDue, e.Overdue = nil, nil, false
	e.Outcome, e.Note = OutcomePending, ""
	e.Clearance, e.Erased = nil, nil
	e.UpdatedAt = now
	if e.At.IsZero() || e.At.After(now.Add(ReportClockSkew)) {
		e.At = now
	}
}

// MergeUpdate applies u, sent by the node of agency sender, to e: an
// acknowledgement only from the originator, an outcome only from the
// reporting agency (EFORBIDDEN otherwise; EINVALID for a malformed one).
// It reports whether e changed.
func MergeUpdate(e *Encounter, u *EncounterUpdate, sender string) (bool, error) {
	if u.ID != e.ID {
		return false, Errorf(EINVALID, "encounter update: id %q is not encounter %q", u.ID, e.ID)
	}
	switch u.Kind {
	case UpdateAck:
		if sender != e.Originator {
			return false, Errorf(EFORBIDDEN, "encounter %s: only the originator %s acknowledges, not %s", e.ID, e.Originator, sender)
		}
		if u.Acknowledged == nil {
			return false, Errorf(EINVALID, "encounter update: acknowledged: required")
		}
		if e.Acknowledged != nil {
			return false, nil
		}
		t := *u.Acknowledged
		e.Acknowledged = &t
		return true, nil
	case UpdateOutcome:
		if sender != e.Agency {
			return false, Errorf(EFORBIDDEN, "encounter %s: only the reporting agency %s records the outcome, not %s", e.ID, e.Agency, sender)
		}
		if err := (Resolution{Outcome: u.Outcome, Note: u.Note}).Validate(); err != nil {
			return false, err
		}
		note := u.Note
		if e.Erased != nil {
			note = "" // a late outcome must not bring back what the erasure took
		}
		if e.Outcome == u.Outcome && e.Note == note {
			return false, nil
		}
		e.Outcome, e.Note = u.Outcome, note
		if u.By != "" {
			e.Officer = u.By
		}
		return true, nil
	case UpdateClearance:
		return mergeClearance(e, u, sender)
	}
	return false, Errorf(EINVALID, "encounter update: kind %q is not ack, outcome or clearance", u.Kind)
}

// mergeClearance takes the other end's clearance share state: a proposal
// only from the reporting agency, a decision or revocation only from the
// originator.
func mergeClearance(e *Encounter, u *EncounterUpdate, sender string) (bool, error) {
	c := u.Clearance
	if c == nil {
		return false, Errorf(EINVALID, "encounter update: clearance: required")
	}
	switch c.Status {
	case ClearanceProposed:
		if sender != e.Agency {
			return false, Errorf(EFORBIDDEN, "encounter %s: only the reporting agency %s proposes its clearance, not %s", e.ID, e.Agency, sender)
		}
	case ClearanceGranted, ClearanceRefused, ClearanceRevoked:
		if sender != e.Originator {
			return false, Errorf(EFORBIDDEN, "encounter %s: only the originator %s decides on its clearance, not %s", e.ID, e.Originator, sender)
		}
	default:
		return false, Errorf(EINVALID, "encounter update: clearance status %q", c.Status)
	}
	if !PlainText(c.Reason, MaxNote) || !PlainText(c.ProposedBy, MaxIDLen) || !PlainText(c.DecidedBy, MaxIDLen) {
		return false, Errorf(EINVALID, "encounter update: clearance: reason at most %d bytes, names at most %d, no control or format characters", MaxNote, MaxIDLen)
	}
	if e.Clearance != nil && *e.Clearance == *c {
		return false, nil
	}
	cp := *c
	e.Clearance = &cp
	return true, nil
}

// Escalation is how long an encounter report may wait for the
// originator's acknowledgement, per action on hit; past it the report is
// overdue in both queues and in the metrics.
type Escalation map[Action]time.Duration

// DefaultEscalation: a detention cannot wait, a discreet report can.
var DefaultEscalation = Escalation{
	ActionDetain: 15 * time.Minute, ActionPreventDeparture: 15 * time.Minute, ActionRefuseEntry: 30 * time.Minute, ActionSecondaryCheck: time.Hour,
	ActionReport: 24 * time.Hour, ActionInfo: 24 * time.Hour,
}

// For returns the period for action a (DefaultEscalation's for one the
// escalation leaves out; an hour for an unknown one).
func (x Escalation) For(a Action) time.Duration {
	if d, ok := x[a]; ok && d > 0 {
		return d
	}
	if d, ok := DefaultEscalation[a]; ok {
		return d
	}
	return time.Hour
}

// ParseEscalation reads "detain=15m,report=24h": each action with its Go
// duration, over DefaultEscalation. EINVALID names the part at fault.
func ParseEscalation(s string) (Escalation, error) {
	out := Escalation{}
	for a, d := range DefaultEscalation {
		out[a] = d
	}
	if s == "" {
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		a, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		d, err := time.ParseDuration(v)
		if _, known := DefaultEscalation[Action(a)]; !ok || !known || err != nil || d <= 0 {
			return nil, Errorf(EINVALID, "escalation: %.60q: want ACTION=DURATION (detain=15m), an action of detain, prevent_departure, refuse_entry, secondary_check, report, info", part)
		}
		out[Action(a)] = d
	}
	return out, nil
}

// MarkOverdue sets e.Overdue when its acknowledgement is due before now
// and has not come.
func (e *Encounter) MarkOverdue(now time.Time) {
	e.Overdue = e.Acknowledged == nil && e.AckDue != nil && now.After(*e.AckDue)
}

// Clearance records an analyst's finding that a traveller is not a listed
// person. It suppresses that same match for that traveller — keyed on the
// document and birth date — until the listing changes, in the screenings
// of the agency that found it (AppliesTo).
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
	// Shared marks a clearance the listing's originator shares with its
	// partners (clearance_share.go): it holds while the listing is at
	// ListingVersion (a partner's copy of a listing is trimmed, so its
	// content hash differs from node to node; its version does not).
	// Agency is the agency that reported the false positive (for an own
	// clearance as for a shared one); Revoked travels once to remove it.
	Shared         bool   `json:"shared,omitempty"`
	ListingVersion int64  `json:"listing_version,omitempty"`
	Agency         string `json:"agency,omitempty"`
	Revoked        bool   `json:"revoked,omitempty"`
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
	EncounterEraser
}

// Validate reports the first problem with r, naming the field.
func (r Resolution) Validate() error {
	if !r.Outcome.Valid() || r.Outcome == OutcomePending {
		return Errorf(EINVALID, "outcome: %q is not refused, deported, admitted, detained, secondary, confirmed or false_positive", r.Outcome)
	}
	// Lines are fine in a note; other control and format characters (a
	// terminal escape, a bidi override) are not: it is shown to the
	// originating agency, to which it travels.
	if len(r.Note) > MaxNote || !PlainText(strings.NewReplacer("\n", " ", "\t", " ", "\r", " ").Replace(r.Note), MaxNote) {
		return Errorf(EINVALID, "note: at most %d bytes of text, no control or format characters but line breaks and tabs", MaxNote)
	}
	return nil
}

// MaxNote bounds the note of an encounter's outcome: a few paragraphs.
const MaxNote = 4000

// ClearanceFor returns the clearance a false-positive finding on e creates,
// or nil when the traveller presented no document number or birth date:
// without both, a clearance could suppress the match for someone else.
func ClearanceFor(e *Encounter, listingHash, by, reason string, now time.Time) *Clearance {
	t := e.Traveller
	if t.Document == nil || NormaliseDocNumber(t.Document.Number) == "" || t.DOB.IsZero() || e.Listing == "" {
		return nil
	}
	return &Clearance{
		ID: "clr-" + e.ID, Listing: e.Listing, ListingHash: listingHash, Agency: e.Agency,
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
