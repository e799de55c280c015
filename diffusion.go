package tripline

import (
	"context"
	"strings"
	"time"
)

// DiffusionKind is the instruction a diffusion carries about a person.
type DiffusionKind string

// Diffusion instructions (issue 19).
const (
	DiffusePreventDeparture DiffusionKind = "prevent_departure"
	DiffuseLocateReport     DiffusionKind = "locate_and_report"
	DiffuseDetain           DiffusionKind = "detain"
	DiffuseDoNotAlert       DiffusionKind = "do_not_alert_subject"
)

// Diffusion statuses.
const (
	DiffusionActive    = "active"
	DiffusionCancelled = "cancelled"
)

// DefaultDiffusionAck is how long a recipient has to acknowledge a
// diffusion before it escalates at the sender.
const DefaultDiffusionAck = time.Hour

// DiffusionRecipient is one agency a diffusion was sent to, and whether
// and when it acknowledged.
type DiffusionRecipient struct {
	Agency  string     `json:"agency"`
	Node    string     `json:"node"`
	AckedAt *time.Time `json:"acked_at,omitempty"`
	AckedBy string     `json:"acked_by,omitempty"`
	// Overdue is set on reads once AckDue passed unacknowledged.
	Overdue bool `json:"overdue,omitempty"`
}

// Diffusion is an instruction about a person that an agency sends to
// chosen partners, or to every partner that may see a listing, over
// federation: each recipient acknowledges, the sender sees who did and
// when, an acknowledgement not given by AckDue escalates, and a
// cancellation reaches every recipient.
type Diffusion struct {
	ID          string               `json:"id"`
	Sender      string               `json:"sender"`      // the sending agency
	SenderNode  string               `json:"sender_node"` // where acknowledgements go
	Kind        DiffusionKind        `json:"kind"`
	Subject     TipSubject           `json:"subject"`
	Listing     string               `json:"listing,omitempty"` // the listing it concerns, if any
	Text        string               `json:"text,omitempty"`
	Contact     string               `json:"contact,omitempty"`
	Recipients  []DiffusionRecipient `json:"recipients"`
	Status      string               `json:"status"`
	Sent        time.Time            `json:"sent"`
	AckDue      time.Time            `json:"ack_due"`
	CancelledAt *time.Time           `json:"cancelled_at,omitempty"`
	Version     int64                `json:"version"`
	// Received is set at a recipient's node: when it arrived there.
	Received *time.Time `json:"received,omitempty"`
	// Erased is when the subject and the text were erased, past the
	// retention of a cancelled diffusion (DiffusionErasable).
	Erased *time.Time `json:"erased,omitempty"`
}

// MaxDiffusionIDLen bounds a diffusion's id: a node id (at most 64) and
// 17 more (NewDiffusionID), short enough that its listing's id at a
// recipient (ReceivedListingID) is a valid listing id.
const MaxDiffusionIDLen = 100

// Validate reports the first problem with a diffusion as sent or received,
// naming the field.
func (d *Diffusion) Validate() error {
	// A received diffusion's id names its listing here (ReceivedListingID)
	// and is printed by the shell: an id like a listing's, never a terminal
	// escape or a path.
	if err := checkID(d.ID); err != nil {
		return err
	}
	if len(d.ID) > MaxDiffusionIDLen {
		return Errorf(EINVALID, "id: %d bytes, at most %d", len(d.ID), MaxDiffusionIDLen)
	}
	switch d.Kind {
	case DiffusePreventDeparture, DiffuseLocateReport, DiffuseDetain, DiffuseDoNotAlert:
	default:
		return Errorf(EINVALID, "kind: %.40q is not prevent_departure, locate_and_report, detain or do_not_alert_subject", d.Kind)
	}
	if err := ValidateName("subject.name", d.Subject.Name); err != nil {
		return err
	}
	if err := d.Subject.DOB.validateIfSet(); err != nil {
		return Errorf(EINVALID, "subject.dob: %s", ErrorMessage(err))
	}
	if len(d.Text) > MaxTipText || len(d.Contact) > MaxTipField {
		return Errorf(EINVALID, "text: at most %d bytes, contact at most %d", MaxTipText, MaxTipField)
	}
	if len(d.Recipients) > 1000 {
		return Errorf(EINVALID, "recipients: %d, at most 1000", len(d.Recipients))
	}
	if d.Listing != "" {
		if err := checkID(d.Listing); err != nil {
			return Errorf(EINVALID, "listing: %s", ErrorMessage(err))
		}
	}
	switch d.Status {
	case "", DiffusionActive, DiffusionCancelled:
	default:
		return Errorf(EINVALID, "status: %.40q is not active or cancelled", d.Status)
	}
	return nil
}

// SettleDiffusion judges d, a version of a diffusion about to be stored at
// a node whose clock reads now, against the version held there (nil:
// none). A diffusion is its sender's: a version naming another sender or
// sending node than the one held is EFORBIDDEN (a partner that learnt a
// diffusion's id, as a fellow recipient, would otherwise cancel or rewrite
// it at this node, or overwrite one this node's agency sent). It reports
// false when held is as new or newer, which d leaves as it is. Otherwise
// it sets on d the times the node keeps by its own clock: a sending time
// more than ReportClockSkew ahead is now (it orders the node's list), and a
// cancellation is dated once, when it first arrives, never later than
// now (a cancellation without a date, or dated in 2999, would keep the
// subject for good past DiffusionErasable's retention).
func SettleDiffusion(held, d *Diffusion, now time.Time) (bool, error) {
	if held != nil && (held.Sender != d.Sender || held.SenderNode != d.SenderNode) {
		return false, Errorf(EFORBIDDEN, "diffusion %q is agency %q's, sent from node %q, not %q's from %q",
			d.ID, held.Sender, held.SenderNode, d.Sender, d.SenderNode)
	}
	if held != nil && held.Version >= d.Version {
		return false, nil
	}
	now = now.UTC()
	if d.Sent.After(now.Add(ReportClockSkew)) {
		d.Sent = now
	}
	switch {
	case d.Status != DiffusionCancelled:
		d.CancelledAt = nil
	case held != nil && held.Status == DiffusionCancelled && held.CancelledAt != nil:
		d.CancelledAt = held.CancelledAt
	case d.CancelledAt == nil || d.CancelledAt.After(now):
		d.CancelledAt = &now
	}
	return true, nil
}

// Instruction is the text an officer or analyst reads for the kind.
func (k DiffusionKind) Instruction() string {
	switch k {
	case DiffusePreventDeparture:
		return "Prevent departure: do not let the person leave; hold them and call the sender's contact."
	case DiffuseLocateReport:
		return "Locate the person and report where they are to the sender."
	case DiffuseDetain:
		return "Detain the person and call the sender's contact immediately."
	case DiffuseDoNotAlert:
		return "Do not alert the person: observe and report to the sender only."
	}
	return ""
}

// MarkOverdue sets Overdue on each recipient that has not acknowledged an
// active diffusion by its AckDue, and reports how many are.
func (d *Diffusion) MarkOverdue(now time.Time) int {
	n := 0
	for i := range d.Recipients {
		r := &d.Recipients[i]
		r.Overdue = d.Status == DiffusionActive && r.AckedAt == nil && now.After(d.AckDue)
		if r.Overdue {
			n++
		}
	}
	return n
}

// DiffusionAck is a recipient's acknowledgement, travelling to the sender.
type DiffusionAck struct {
	Key       string    `json:"key"` // the outbox key, the same at every hop
	Diffusion string    `json:"diffusion"`
	Agency    string    `json:"agency"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// DiffusionService stores diffusions: those this node's agency sent and
// those it received.
type DiffusionService interface {
	// PutDiffusion stores d (a new one, or a newer version of one held:
	// an older version than the one held is ignored; one naming another
	// sender than the one held is EFORBIDDEN), its times settled by
	// SettleDiffusion.
	PutDiffusion(ctx context.Context, d *Diffusion) (*Diffusion, error)
	// Diffusion returns one; ENOTFOUND when there is none.
	Diffusion(ctx context.Context, id string) (*Diffusion, error)
	// Diffusions returns the diffusions agency sent or is a recipient of,
	// newest first, at most MaxDiffusionsListed: another agency's, however
	// many and however new, take none of them.
	Diffusions(ctx context.Context, agency string) ([]*Diffusion, error)
	// AckDiffusion records agency's acknowledgement of diffusion id, once:
	// the first acknowledgement stands.
	AckDiffusion(ctx context.Context, id, agency, by string, at time.Time) (*Diffusion, error)
	// EraseDiffusions erases the diffusions past r at the store's clock
	// (DiffusionErasable) and returns how many it erased.
	EraseDiffusions(ctx context.Context, r EncounterRetention) (int, error)
}

// NewDiffusionID returns a fresh diffusion id.
func NewDiffusionID(node string) string {
	return strings.TrimSuffix(node, "-") + "-" + strings.TrimPrefix(NewTipID(), "tip-")
}

// ReceivedListing returns the listing a diffusion received by agency makes
// there (issue 19): the subject's identity, screened by agency's officers
// only and passed to nobody (as a tip's provisional listing), with the
// action the diffusion asks for and the sender as contact point, so that
// a match at agency's border is a hit or review with the sender's
// instruction. Its id is stable across the diffusion's versions; a
// cancelled diffusion's listing is withdrawn (DiffusionWithdrawn).
//
// prevent_departure holds a departing person (an exit ban) and sends one
// arriving or in transit to secondary; detain detains in every direction;
// locate_and_report and do_not_alert_subject let the person pass
// unalerted, the officer reporting to the sender's contact.
func (d *Diffusion) ReceivedListing(agency string) *Listing {
	from := " (diffusion " + d.ID + " from " + d.Sender
	if d.Contact != "" {
		from += "; contact: " + d.Contact
	}
	from += ")"
	l := &Listing{ID: d.ReceivedListingID(agency), Source: agency, Names: []Name{{Full: d.Subject.Name, Kind: NamePrimary}},
		Sex: d.Subject.Sex, Nationalities: d.Subject.Nationalities, Reason: ReasonDiffusion, Narrative: d.Text,
		Instruction: d.Kind.Instruction() + from,
		Handling:    Handling{Reshare: ReshareNever}, // the recipient's to act on, nobody else's
		Provenance:  Provenance{Originator: agency, SourceRef: d.ID}, Status: StatusActive}
	switch d.Kind {
	case DiffusePreventDeparture:
		l.Action = ActionSecondaryCheck
		l.Directions = map[string]DirectedAction{DirectionOut: {Action: ActionPreventDeparture, Instruction: l.Instruction}}
		l.Instruction = "A partner asks that this person be prevented from leaving: send to secondary and call its contact point." + from
	case DiffuseDetain:
		l.Action = ActionDetain
	default: // locate and report, do not alert: observe, let pass, tell the sender
		l.Action = ActionReport
	}
	d.Subject.identify(l)
	return l
}

// ReceivedListingID is the id of the listing d makes at agency
// (ReceivedListing).
func (d *Diffusion) ReceivedListingID(agency string) string { return agency + ":" + d.ID }

// ReasonDiffusion is the reason of a received diffusion's listing.
const ReasonDiffusion Reason = "diffusion"

// Erasable reports whether the node made l from what a person reported
// or a partner asked, not from a list: a tip's provisional listing
// (Tip.ProvisionalListing) or a received diffusion's (ReceivedListing).
// Its events are trimmed of the subject when that is erased, and an
// import of its source, which replaces the source's list, leaves it.
func (l *Listing) Erasable() bool {
	return l.Provisional || l.Reason == ReasonDiffusion && l.Provenance.SourceRef != "" && l.ID == l.Source+":"+l.Provenance.SourceRef
}

// DiffusionWithdrawn is the reason a cancelled diffusion's listing is
// withdrawn with.
const DiffusionWithdrawn = "diffusion cancelled by its sender"

// MaxDiffusionsListed bounds DiffusionService.Diffusions.
const MaxDiffusionsListed = 1000

// Party reports whether agency sent d or is one of its recipients.
func (d *Diffusion) Party(agency string) bool {
	if d.Sender == agency {
		return true
	}
	for _, r := range d.Recipients {
		if r.Agency == agency {
			return true
		}
	}
	return false
}
