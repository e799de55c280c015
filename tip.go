package tripline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"
)

// NewTipID returns a fresh tip id, "tip-" and 16 hex digits: its
// provisional listing is "<agency>:<tip id>".
func NewTipID() string {
	b := make([]byte, 8)
	rand.Read(b) // never fails (crypto/rand panics rather than return short)
	return "tip-" + hex.EncodeToString(b)
}

// TipChannel is how a tip reached the agency.
type TipChannel string

// Tip channels.
const (
	ChannelHotline TipChannel = "hotline"
	ChannelFamily  TipChannel = "family"
	ChannelPartner TipChannel = "partner"
	ChannelPublic  TipChannel = "public"
)

// TipStatus is where a tip is in its life.
type TipStatus string

// Tip statuses: provisional until a supervisor confirms or rejects it, or
// its provisional listing expires unconfirmed.
const (
	TipProvisional TipStatus = "provisional"
	TipConfirmed   TipStatus = "confirmed"
	TipRejected    TipStatus = "rejected"
	TipExpired     TipStatus = "expired"
)

// DefaultTipTTL is how long a tip's provisional listing screens unless a
// supervisor confirms it: long enough to check a family's call about a
// planned departure, short enough that an unchecked accusation lapses.
const DefaultTipTTL = 30 * 24 * time.Hour

// Reporter is who gave a tip. It is source-protected: only the receiving
// agency's analysts and supervisors see it (policy.Tip), it is never part
// of the listing and never leaves the node.
type Reporter struct {
	Name     string `json:"name,omitempty"`
	Contact  string `json:"contact,omitempty"`
	Relation string `json:"relation,omitempty"` // to the subject: mother, neighbour, teacher, ...
}

// TipSubject is the person a tip is about, as far as the reporter knows.
type TipSubject struct {
	Name          string      `json:"name"`
	Aliases       []string    `json:"aliases,omitempty"`
	DOB           PartialDate `json:"dob,omitzero"`
	Sex           Sex         `json:"sex,omitempty"`
	Nationalities []string    `json:"nationalities,omitempty"`
	Document      *Document   `json:"document,omitempty"`
}

// Tip is information about a person received by an agency (issue 19):
// the provisional listing it made screens with "secondary check, report
// to the originator" until a supervisor confirms it into a full listing or
// rejects it, or it expires.
type Tip struct {
	ID        string     `json:"id"`
	Agency    string     `json:"agency"` // the receiving agency
	Channel   TipChannel `json:"channel"`
	Reporter  Reporter   `json:"reporter"`
	Text      string     `json:"text"`
	Subject   TipSubject `json:"subject"`
	Listing   string     `json:"listing"` // the provisional listing's id
	Status    TipStatus  `json:"status"`
	Received  time.Time  `json:"received"`
	Expires   time.Time  `json:"expires"`
	By        string     `json:"by,omitempty"` // who took it
	DecidedBy string     `json:"decided_by,omitempty"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
	Note      string     `json:"note,omitempty"` // the supervisor's reason
	// Minor is set when the subject is under 18 at intake.
	Minor bool `json:"minor,omitempty"`
	// Erased is when the reporter, the subject and the text were erased,
	// past the tip's retention (TipErasable).
	Erased *time.Time `json:"erased,omitempty"`
}

// Bounds of a tip's free text: a hotline note, not a file.
const (
	MaxTipText  = 8000
	MaxTipField = 500
)

// Validate reports the first problem with a tip at intake, naming the field.
func (t *Tip) Validate() error {
	switch t.Channel {
	case ChannelHotline, ChannelFamily, ChannelPartner, ChannelPublic:
	default:
		return Errorf(EINVALID, "channel: %.40q is not hotline, family, partner or public", t.Channel)
	}
	if strings.TrimSpace(t.Text) == "" {
		return Errorf(EINVALID, "text: required (what was reported)")
	}
	if len(t.Text) > MaxTipText {
		return Errorf(EINVALID, "text: %d bytes, at most %d", len(t.Text), MaxTipText)
	}
	for _, f := range [...]struct{ name, v string }{{"reporter.name", t.Reporter.Name}, {"reporter.contact", t.Reporter.Contact},
		{"reporter.relation", t.Reporter.Relation}} {
		if len(f.v) > MaxTipField {
			return Errorf(EINVALID, "%s: %d bytes, at most %d", f.name, len(f.v), MaxTipField)
		}
	}
	if err := ValidateName("subject.name", t.Subject.Name); err != nil {
		return err
	}
	if len(t.Subject.Aliases) > MaxNames-1 {
		return Errorf(EINVALID, "subject.aliases: %d, at most %d", len(t.Subject.Aliases), MaxNames-1)
	}
	for i, a := range t.Subject.Aliases {
		if err := ValidateName("subject.aliases["+itoa(i)+"]", a); err != nil {
			return err
		}
	}
	if err := t.Subject.DOB.validateIfSet(); err != nil {
		return Errorf(EINVALID, "subject.dob: %s", ErrorMessage(err))
	}
	switch t.Subject.Sex {
	case "", "M", "F", "X":
	default:
		return Errorf(EINVALID, "subject.sex: %.40q is not M, F or X", t.Subject.Sex)
	}
	if d := t.Subject.Document; d != nil && strings.TrimSpace(d.Number) == "" {
		return Errorf(EINVALID, "subject.document.number: empty")
	}
	return nil
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// TipInstruction is what an officer is told on a hit on a provisional
// listing: the tip is unconfirmed, so no one is refused or detained on it.
const TipInstruction = "Unconfirmed tip: send to secondary check and report to the originator; do not refuse or detain on this alone."

// ProvisionalListing returns the listing a tip makes at intake: its
// subject's identity, screening for the receiving agency only, with the
// secondary-check action and the tip instruction, valid for ttl. The
// reporter is not in it; the tip's text is its narrative, a detail only
// the receiving agency sees.
func (t *Tip) ProvisionalListing(now time.Time, ttl time.Duration) *Listing {
	until := now.Add(ttl).UTC()
	l := &Listing{ID: t.Agency + ":" + t.ID, Source: t.Agency, Names: []Name{{Full: t.Subject.Name, Kind: NamePrimary}},
		Sex: t.Subject.Sex, Nationalities: t.Subject.Nationalities, Reason: "tip", Narrative: t.Text,
		Action: ActionSecondaryCheck, Instruction: TipInstruction, Provisional: true,
		Handling:   Handling{Reshare: ReshareNever}, // screened by the receiving agency only, passed to nobody
		Provenance: Provenance{Originator: t.Agency, SourceRef: t.ID}, ValidUntil: &until, Status: StatusActive}
	t.Subject.identify(l)
	return l
}

// identify adds the subject's aliases, birth date and document to l,
// whose primary name and sex the caller set.
func (s TipSubject) identify(l *Listing) {
	for _, a := range s.Aliases {
		l.Names = append(l.Names, Name{Full: a, Kind: NameAlias})
	}
	if !s.DOB.IsZero() {
		l.BirthDates = []PartialDate{s.DOB}
	}
	if s.Document != nil {
		l.Documents = []Document{*s.Document}
	}
}

// TipFilter selects tips; zero values select every tip of the agency.
type TipFilter struct {
	Agency string
	Status TipStatus
}

// TipService stores tips.
type TipService interface {
	// CreateTip stores tip t and its provisional listing l in one
	// transaction (the listing with its event), and returns the tip.
	CreateTip(ctx context.Context, t *Tip, l *Listing) (*Tip, error)
	// Tip returns one tip; ENOTFOUND when there is none.
	Tip(ctx context.Context, id string) (*Tip, error)
	// Tips returns the tips matching f, newest first.
	Tips(ctx context.Context, f TipFilter) ([]*Tip, error)
	// DecideTip records a supervisor's decision on a provisional tip in one
	// transaction with its listing's change: confirmed stores l (the full
	// listing) as the listing's new version; rejected withdraws the
	// listing. ECONFLICT when the tip is no longer provisional.
	DecideTip(ctx context.Context, id string, status TipStatus, by, note string, l *Listing) (*Tip, error)
	// EraseTips erases the tips past r at the store's clock (TipErasable)
	// and returns how many it erased.
	EraseTips(ctx context.Context, r EncounterRetention) (int, error)
}

// StatusAt returns the tip's status at now: a provisional tip past its
// expiry is expired (its listing stopped matching then).
func (t *Tip) StatusAt(now time.Time) TipStatus {
	if t.Status == TipProvisional && !now.Before(t.Expires) {
		return TipExpired
	}
	return t.Status
}
