package tripline

import (
	"encoding/json"
	"strings"
	"time"
)

// A confirmed false positive can be shared as a clearance, so that a
// cleared namesake is not stopped again at a partner's border (issue 15
// item 9). The reporting agency proposes it (its officer resolved the
// encounter false_positive); the listing's originator grants or refuses
// it; granted, it is an event of the originator's log that reaches every
// partner that may see the listing, whose screening then clears that
// traveller (document and birth date as recorded) for that listing, while
// the listing stays at the version cleared. The originator may revoke it:
// the revocation travels the same way and removes it everywhere.

// Shared clearance states, on the encounter (ClearanceShare.Status).
const (
	ClearanceProposed = "proposed"
	ClearanceGranted  = "granted"
	ClearanceRefused  = "refused"
	ClearanceRevoked  = "revoked"
)

// UpdateClearance is the encounter update carrying a shared clearance's
// state between the two ends: a proposal to the originator, a decision
// or revocation back to the reporting agency.
const UpdateClearance = "clearance"

// SharedClearancePrefix starts the id of a shared clearance ("shr-" and
// the encounter's id): the reporting node's own clearance of the same
// encounter ("clr-") stays beside it.
const SharedClearancePrefix = "shr-"

// ClearanceShare is where sharing an encounter's clearance stands.
type ClearanceShare struct {
	Status     string     `json:"status"`
	Reason     string     `json:"reason,omitempty"`
	ProposedBy string     `json:"proposed_by,omitempty"`
	ProposedAt *time.Time `json:"proposed_at,omitempty"`
	DecidedBy  string     `json:"decided_by,omitempty"`
	DecidedAt  *time.Time `json:"decided_at,omitempty"`
}

// StepClearance moves e's clearance share one step, taken by user of
// agency at now: "propose" (the reporting agency, once the encounter is
// resolved false_positive; again after a refusal or revocation), "grant"
// and "refuse" (the originator, on a proposal), "revoke" (the originator,
// on a granted one). A step by the wrong agency is EFORBIDDEN; one out of
// turn ECONFLICT; an unknown one EINVALID.
func StepClearance(e *Encounter, step, agency, user, reason string, now time.Time) error {
	// The reason travels to the other agency and is shown there.
	if !PlainText(reason, MaxNote) {
		return Errorf(EINVALID, "reason: at most %d bytes, no control or format characters", MaxNote)
	}
	cur := ""
	if e.Clearance != nil {
		cur = e.Clearance.Status
	}
	at := now.UTC()
	switch step {
	case "propose":
		if agency != e.Agency || agency == e.Originator {
			return Errorf(EFORBIDDEN, "encounter %s: only the reporting agency %s proposes sharing its clearance", e.ID, e.Agency)
		}
		if e.Outcome != OutcomeFalsePositive {
			return Errorf(ECONFLICT, "encounter %s: resolve it false_positive before proposing a clearance (outcome: %s)", e.ID, e.Outcome)
		}
		if e.Traveller.Document == nil || NormaliseDocNumber(e.Traveller.Document.Number) == "" || e.Traveller.DOB.IsZero() {
			return Errorf(ECONFLICT, "encounter %s: a clearance needs the traveller's document and birth date, and this encounter lacks one", e.ID)
		}
		if cur == ClearanceProposed || cur == ClearanceGranted {
			return Errorf(ECONFLICT, "encounter %s: its clearance is already %s", e.ID, cur)
		}
		e.Clearance = &ClearanceShare{Status: ClearanceProposed, Reason: reason, ProposedBy: user, ProposedAt: &at}
	case "grant", "refuse", "revoke":
		if agency != e.Originator {
			return Errorf(EFORBIDDEN, "encounter %s: only the originator %s decides on sharing its clearance", e.ID, e.Originator)
		}
		want, next := ClearanceProposed, ClearanceGranted
		switch step {
		case "refuse":
			next = ClearanceRefused
		case "revoke":
			want, next = ClearanceGranted, ClearanceRevoked
		}
		if cur != want {
			return Errorf(ECONFLICT, "encounter %s: cannot %s a clearance that is %q", e.ID, step, cur)
		}
		c := *e.Clearance
		c.Status, c.DecidedBy, c.DecidedAt = next, user, &at
		e.Clearance = &c
	default:
		return Errorf(EINVALID, "clearance step %q: want propose, grant, refuse or revoke", step)
	}
	return nil
}

// SharedClearanceFor returns the clearance the originator shares for
// encounter e on listing l (at its current version), or nil when the
// traveller lacks a document or birth date.
func SharedClearanceFor(e *Encounter, l *Listing, now time.Time) *Clearance {
	c := ClearanceFor(e, "", e.Clearance.DecidedBy, e.Clearance.Reason, now)
	if c == nil {
		return nil
	}
	c.ID, c.Shared, c.ListingVersion, c.Agency = SharedClearancePrefix+e.ID, true, l.Version, e.Agency
	return c
}

// SharedClearanceTrim are the fields of a shared clearance a partner's
// feed leaves out (their digests kept, so the originator's signature still
// verifies): a partner that may screen the listing clears the traveller by
// document and birth date at the listing's version, and needs neither the
// cleared innocent's name, nor which agency stopped them (where they
// travelled), nor the encounter, the analysts or their free-text reason.
var SharedClearanceTrim = []string{"name", "analyst", "reason", "encounter", "agency", "listing_hash"}

// CheckForeignClearance judges a partner's shared clearance event: it must
// decode, be shared (its id a shared clearance's), name a listing this
// node holds from the same origin (only the listing's originator shares a
// clearance for it), and carry a document and birth date. held is the
// clearance this node holds under that id (nil: none): a partner replaces
// or revokes only a shared clearance of that same listing, never another
// origin's nor one of this node's own, whose id it may have learnt (it
// follows the same originator, or reported the encounter). It returns the
// clearance to store (Revoked: to remove).
func CheckForeignClearance(ev *Event, listingOwner string, held *Clearance) (*Clearance, error) {
	var c Clearance
	if err := json.Unmarshal(ev.Payload, &c); err != nil {
		return nil, Errorf(EINVALID, "clearance %s: payload: %v", ev.Subject, err)
	}
	switch {
	case !c.Shared || c.ID != ev.Subject || !strings.HasPrefix(c.ID, SharedClearancePrefix):
		return nil, Errorf(EFORBIDDEN, "clearance %s: not a shared clearance", ev.Subject)
	case listingOwner != ev.Origin:
		return nil, Errorf(EFORBIDDEN, "clearance %s: listing %q is not origin %s's: only its originator shares a clearance for it", c.ID, c.Listing, ev.Origin)
	case held != nil && (!held.Shared || held.Listing != c.Listing):
		return nil, Errorf(EFORBIDDEN, "clearance %s: held for listing %q, not %q: origin %s may not replace or revoke it", c.ID, held.Listing, c.Listing, ev.Origin)
	case !c.Revoked && (NormaliseDocNumber(c.DocNumber) == "" || c.DOB.IsZero()):
		return nil, Errorf(EINVALID, "clearance %s: document number and birth date required", c.ID)
	}
	return &c, nil
}
