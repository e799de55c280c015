package tripline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"iter"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Listing is one person on a watchlist, contributed by an originating agency.
type Listing struct {
	// ID is stable across versions: "<source>:<source's own id>", e.g. "un-sc:QDi.123".
	ID            string        `json:"id"`
	Source        string        `json:"source"`
	Names         []Name        `json:"names"`
	BirthDates    []PartialDate `json:"birth_dates,omitempty"`
	BirthPlaces   []string      `json:"birth_places,omitempty"`
	Sex           Sex           `json:"sex,omitempty"`
	Nationalities []string      `json:"nationalities,omitempty"` // ISO 3166 alpha-3 where known
	Documents     []Document    `json:"documents,omitempty"`
	// Addresses, Phones and Emails feed link analysis; they are details
	// under the handling rules, never shown to a border officer.
	Addresses []string `json:"addresses,omitempty"`
	Phones    []string `json:"phones,omitempty"`
	Emails    []string `json:"emails,omitempty"`

	Reason      Reason `json:"reason,omitempty"`
	Narrative   string `json:"narrative,omitempty"`
	Action      Action `json:"action"`
	Instruction string `json:"instruction,omitempty"`
	// Directions holds the originator's action for a person departing
	// ("out") or in transit ("transit"), and for arrivals ("in") when it
	// differs from Action; ActionFor derives what a direction leaves out.
	Directions map[string]DirectedAction `json:"directions,omitempty"`
	Contact    string                    `json:"contact,omitempty"` // contact point for a hit

	Handling   Handling   `json:"handling"`
	Provenance Provenance `json:"provenance"`
	ValidUntil *time.Time `json:"valid_until,omitempty"`
	ReviewBy   *time.Time `json:"review_by,omitempty"`

	// Provisional marks a listing made from an unconfirmed tip (tip.go):
	// it screens only with a secondary check and expires unless confirmed.
	Provisional bool `json:"provisional,omitempty"`

	Status    Status    `json:"status"`
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Name is one name of a listed person.
type Name struct {
	Full    string   `json:"full"`
	Given   string   `json:"given,omitempty"`
	Family  string   `json:"family,omitempty"`
	Script  string   `json:"script,omitempty"` // ISO 15924, e.g. "Latn", "Arab", "Cyrl"
	Kind    NameKind `json:"kind"`
	Quality string   `json:"quality,omitempty"` // the list's own alias quality, e.g. "Good", "Low"
}

// NameKind says what a name is to its listing.
type NameKind string

// Name kinds.
const (
	NamePrimary   NameKind = "primary"
	NameAlias     NameKind = "alias"
	NameWeakAlias NameKind = "weak_alias"
	NameOriginal  NameKind = "original_script"
)

// Sex as written in travel documents: M, F, X (unspecified), or empty when unknown.
type Sex string

// Document is a travel or identity document.
type Document struct {
	Type    string `json:"type,omitempty"` // "P" passport, "I" identity card, "V" visa, free text otherwise
	Number  string `json:"number"`
	Country string `json:"country,omitempty"` // issuing state, ISO 3166 alpha-3 where known
	Expiry  string `json:"expiry,omitempty"`  // YYYY-MM-DD
	Note    string `json:"note,omitempty"`
}

// Reason is the category of why a person is listed. It is a detail: a
// border officer never sees it unless granted.
type Reason string

// Action is what a border officer must do on a confirmed hit.
type Action string

// Actions, from design.md §1.
const (
	ActionRefuseEntry    Action = "refuse_entry"
	ActionDetain         Action = "detain"
	ActionSecondaryCheck Action = "secondary_check"
	ActionReport         Action = "report"
	ActionInfo           Action = "info"
)

// Valid reports whether a is a known action.
func (a Action) Valid() bool {
	switch a {
	case ActionRefuseEntry, ActionDetain, ActionSecondaryCheck, ActionReport, ActionInfo:
		return true
	}
	return false
}

// Instruction returns the default instruction text for an action, used when
// the originator gave none.
func (a Action) Instruction() string {
	switch a {
	case ActionRefuseEntry:
		return "Refuse entry. Do not admit; contact the duty supervisor."
	case ActionDetain:
		return "Detain the person and call the contact point immediately."
	case ActionSecondaryCheck:
		return "Send to secondary inspection."
	case ActionReport:
		return "Let pass without alerting the person; report the encounter."
	case ActionInfo:
		return "No action required; the encounter is recorded."
	case ActionPreventDeparture:
		return ActionPreventDeparture.InstructionFor(DirectionOut)
	}
	return ""
}

// Severity orders actions so that the most severe wins when a traveller hits
// several listings.
func (a Action) Severity() int {
	switch a {
	case ActionDetain:
		return 6
	case ActionPreventDeparture:
		return 5
	case ActionRefuseEntry:
		return 4
	case ActionSecondaryCheck:
		return 3
	case ActionReport:
		return 2
	case ActionInfo:
		return 1
	}
	return 0
}

// Status is the life-cycle state of a listing.
type Status string

// Listing statuses. Only active listings match.
const (
	StatusActive    Status = "active"
	StatusWithdrawn Status = "withdrawn"
	StatusExpired   Status = "expired"
)

// Reshare is the originator's rule for passing a listing on to a third party.
type Reshare string

// Re-share rules (originator control, the "third-party rule").
const (
	ReshareNever       Reshare = "never"
	ReshareWithConsent Reshare = "with_consent"
	ReshareAllowed     Reshare = "allowed"
)

// Handling holds the originator's rules for who may do what with a listing.
// Each list names agencies or sharing groups; "*" means every partner. The
// originator itself may always do everything.
type Handling struct {
	Screen  []string `json:"screen,omitempty"`  // may screen against it and get hit/no-hit with a contact point
	Action  []string `json:"action,omitempty"`  // may see the action and instruction
	Details []string `json:"details,omitempty"` // may see reason, narrative, links, source reference
	Use     string   `json:"use,omitempty"`     // H0..H3 use restriction
	Reshare Reshare  `json:"reshare,omitempty"`
	// Blind names who may screen against the listing blind (blind.go): it
	// never leaves this node, only OPRF tags of its exact keys do.
	Blind []string `json:"blind,omitempty"`
}

// Provenance records where a listing came from and how it travelled.
type Provenance struct {
	Originator    string     `json:"originator"`           // agency id
	Chain         []string   `json:"chain,omitempty"`      // nodes it travelled through: A via B
	SourceRef     string     `json:"source_ref,omitempty"` // the originator's own reference; a detail
	LegalBasis    string     `json:"legal_basis,omitempty"`
	ListedOn      string     `json:"listed_on,omitempty"` // YYYY-MM-DD as the source gives it
	Received      *time.Time `json:"received,omitempty"`
	LastConfirmed *time.Time `json:"last_confirmed,omitempty"`
}

// Validate reports the first problem with l, naming the field. It checks
// what every store and every importer relies on.
func (l *Listing) Validate() error {
	if l == nil {
		return Errorf(EINVALID, "listing: missing")
	}
	if err := checkID(l.ID); err != nil {
		return err
	}
	src, own, ok := strings.Cut(l.ID, ":")
	if !ok || src == "" || own == "" {
		return Errorf(EINVALID, "id: %q is not <source>:<id>", l.ID)
	}
	if l.Source == "" {
		return Errorf(EINVALID, "source: required")
	}
	if src != l.Source {
		return Errorf(EINVALID, "id: prefix %q does not match source %.40q", src, l.Source)
	}
	if len(l.Names) == 0 {
		return Errorf(EINVALID, "names: at least one name is required")
	}
	if len(l.Names) > MaxNames {
		return Errorf(EINVALID, "names: more than %d", MaxNames)
	}
	for i, n := range l.Names {
		if err := ValidateName(fmt.Sprintf("names[%d].full", i), n.Full); err != nil {
			return err
		}
		switch n.Kind {
		case NamePrimary, NameAlias, NameWeakAlias, NameOriginal:
		default:
			return Errorf(EINVALID, "names[%d].kind: unknown kind %q", i, n.Kind)
		}
	}
	for _, f := range []struct {
		name string
		n    int
	}{{"birth_dates", len(l.BirthDates)}, {"birth_places", len(l.BirthPlaces)}, {"nationalities", len(l.Nationalities)},
		{"documents", len(l.Documents)}, {"addresses", len(l.Addresses)}, {"phones", len(l.Phones)}, {"emails", len(l.Emails)}} {
		if f.n > MaxDetails {
			return Errorf(EINVALID, "%s: more than %d", f.name, MaxDetails)
		}
	}
	for i, d := range l.BirthDates {
		if err := d.Validate(); err != nil {
			return Errorf(EINVALID, "birth_dates[%d]: %s", i, ErrorMessage(err))
		}
	}
	switch l.Sex {
	case "", "M", "F", "X":
	default:
		return Errorf(EINVALID, "sex: %.40q is not M, F or X", l.Sex)
	}
	for i, c := range l.Nationalities {
		if strings.TrimSpace(c) == "" {
			return Errorf(EINVALID, "nationalities[%d]: empty", i)
		}
	}
	for i, d := range l.Documents {
		if strings.TrimSpace(d.Number) == "" {
			return Errorf(EINVALID, "documents[%d].number: empty", i)
		}
	}
	if !l.Action.Valid() {
		return Errorf(EINVALID, "action: %.40q is not one of refuse_entry, detain, secondary_check, report, info", l.Action)
	}
	if err := l.CheckDirections(); err != nil {
		return err
	}
	if l.Provisional && (l.Action != ActionSecondaryCheck || len(l.Directions) > 0) {
		return Errorf(EINVALID, "action: a provisional listing (an unconfirmed tip) screens with secondary_check only; confirm the tip to give it another action")
	}
	switch l.Handling.Reshare {
	case "", ReshareNever, ReshareWithConsent, ReshareAllowed:
	default:
		return Errorf(EINVALID, "handling.reshare: %.40q is not never, with_consent or allowed", l.Handling.Reshare)
	}
	switch l.Handling.Use {
	case "", "H0", "H1", "H2", "H3":
	default:
		return Errorf(EINVALID, "handling.use: %.40q is not H0..H3", l.Handling.Use)
	}
	switch l.Status {
	case "", StatusActive, StatusWithdrawn, StatusExpired:
	default:
		return Errorf(EINVALID, "status: unknown status %.40q", l.Status)
	}
	if l.Provenance.Originator == "" {
		return Errorf(EINVALID, "provenance.originator: required")
	}
	if l.Version < 0 {
		return Errorf(EINVALID, "version: %d is negative", l.Version)
	}
	if l.ValidUntil != nil && l.ReviewBy != nil && l.ReviewBy.After(*l.ValidUntil) {
		return Errorf(EINVALID, "review_by: after valid_until")
	}
	return nil
}

// MaxDetails bounds each list of a listing but its names (MaxNames): birth
// dates, birth places, nationalities, documents, addresses, phones and
// emails. The published lists hold at most 47 of any (OFAC's addresses of
// one bank); an importer stops growing one past the bound (each addition
// is checked against those before), and Validate refuses it.
const MaxDetails = 1024

// MaxIDLen bounds a listing id in bytes: ids are keys in URLs, logs and
// every partner's store, and the longest a real list uses is a few dozen.
const MaxIDLen = 200

// PlainText reports whether s is at most max bytes of valid UTF-8 without
// control or format characters: free text shown to other agencies or kept
// in the audit log, where a newline or a bidi override would forge what
// follows.
func PlainText(s string, max int) bool {
	return len(s) <= max && utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
	}) < 0
}

// CheckID reports what is wrong with an id (a listing's, a source, an
// agency named in a query) as checkID does: EINVALID naming it.
func CheckID(id string) error { return checkID(id) }

// checkID refuses ids that cannot be shown or used safely as a key: too
// long, not UTF-8, or holding white space, control or format characters
// (NUL, bidi overrides that make an id read as another), slashes and
// backslashes (path traversal where an id becomes a path), or an own part
// of "." or "..".
func checkID(id string) error {
	if len(id) > MaxIDLen {
		return Errorf(EINVALID, "id: %d bytes, at most %d", len(id), MaxIDLen)
	}
	if !utf8.ValidString(id) {
		return Errorf(EINVALID, "id: %q is not valid UTF-8", id)
	}
	for i, r := range id {
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '/' || r == '\\' || r == utf8.RuneError {
			return Errorf(EINVALID, "id: %q at byte %d is not allowed (no spaces, control or format characters, or slashes)", r, i)
		}
	}
	if _, own, _ := strings.Cut(id, ":"); own == "." || own == ".." {
		return Errorf(EINVALID, "id: %q is not an id", id)
	}
	return nil
}

// ActiveAt reports whether l may match at time now: active and not past its
// valid-until date.
func (l *Listing) ActiveAt(now time.Time) bool {
	if l.Status != StatusActive && l.Status != "" {
		return false
	}
	return l.ValidUntil == nil || now.Before(*l.ValidUntil)
}

// PrimaryName returns the listing's first primary name, else its first name.
func (l *Listing) PrimaryName() string {
	for _, n := range l.Names {
		if n.Kind == NamePrimary {
			return n.Full
		}
	}
	if len(l.Names) > 0 {
		return l.Names[0].Full
	}
	return ""
}

// ContentHash is a digest of what the originator said about the person:
// everything except the fields the store maintains (status, version, update
// time, receipt time). Imports compare it to decide "unchanged", and a
// clearance holds only while it stays the same. It is built from the same
// field digests as the payload digest (EncodedDigests), so a store gets
// both from one encoding.
func (l *Listing) ContentHash() string { return contentHash(l) }

// LegacyContentHash is the content hash as stores computed it before
// 2026-11-25 (a digest of the whole JSON without the store's fields). A
// store migrating older data uses it to carry clearances made against a
// listing's current content over to the new hash.
func (l *Listing) LegacyContentHash() string {
	c := *l
	c.Status, c.Version, c.UpdatedAt = "", 0, time.Time{}
	c.Provenance.Received = nil
	b, _ := json.Marshal(&c) // plain data: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// ListingFilter selects listings; zero values select everything.
// Results are ordered by ID; After continues after that ID (keyset paging).
type ListingFilter struct {
	Source string
	Status Status
	After  string
	Limit  int
}

// ImportSummary is what one import of one file did, as printed by
// `tripline import --json` (design.md §5).
type ImportSummary struct {
	Source    string `json:"source"`
	Listings  int    `json:"listings"`
	Added     int    `json:"added"`
	Updated   int    `json:"updated"`
	Withdrawn int    `json:"withdrawn"`
	Unchanged int    `json:"unchanged"`
	Events    int    `json:"events"`
}

// ListingService stores listings and their events.
type ListingService interface {
	// Listing returns one listing; ErrNotFound when there is none.
	Listing(ctx context.Context, id string) (*Listing, error)
	// Listings returns listings matching f, ordered by ID.
	Listings(ctx context.Context, f ListingFilter) ([]*Listing, error)
	// PutListing creates or updates one listing and appends its event.
	// An unchanged listing is left alone and appends nothing.
	PutListing(ctx context.Context, l *Listing) (*Listing, error)
	// WithdrawListing withdraws an active listing and appends its event.
	WithdrawListing(ctx context.Context, id, reason string) (*Listing, error)
	// ImportListings makes source hold exactly the listings ls yields, in one
	// transaction: new ones added, changed ones updated, missing ones
	// withdrawn, each with its event; the rest untouched. The store
	// consumes ls as it goes (a file streams in), and an error it yields
	// rolls the whole import back.
	ImportListings(ctx context.Context, source string, ls iter.Seq2[*Listing, error]) (*ImportSummary, error)
	// ExpireListings expires every active listing past its valid-until
	// date, each with its event, and returns their ids.
	ExpireListings(ctx context.Context, now time.Time) ([]string, error)
	// ReviewDue returns the first limit active listings originated by
	// originator due for review before before, soonest first: another
	// agency's due listings, however many, take none of the limit.
	ReviewDue(ctx context.Context, originator string, before time.Time, limit int) ([]*Listing, error)
}

// RecordID returns the listing's id.
func (l *Listing) RecordID() string { return l.ID }

// RecordSource returns the listing's source.
func (l *Listing) RecordSource() string { return l.Source }

// String implements fmt.Stringer for logs.
func (l *Listing) String() string { return fmt.Sprintf("%s v%d (%s)", l.ID, l.Version, l.Status) }
