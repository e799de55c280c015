package tripline

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Blind screening (issue 20, docs/blind.md): an originator lets partners
// screen against listings that never leave its node. The partner learns
// only, for a traveller whose exact key meets a listed one, the sealed
// BlindPayload of that key: the originator's alert reference, the action,
// until when it holds and whom to call.

// BlindPrefix starts the id of a match on a blind list:
// "blind:<origin node>:<alert reference>".
const BlindPrefix = "blind:"

// BlindMatchID returns the id of a match on origin's alert ref.
func BlindMatchID(origin, ref string) string { return BlindPrefix + origin + ":" + ref }

// ParseBlindMatchID splits a blind match id into the originating node and
// its alert reference; ok is false for any other id.
func ParseBlindMatchID(id string) (origin, ref string, ok bool) {
	rest, ok := strings.CutPrefix(id, BlindPrefix)
	if !ok {
		return "", "", false
	}
	origin, ref, ok = strings.Cut(rest, ":")
	return origin, ref, ok && origin != "" && ref != ""
}

// IsBlindMatch reports whether a match id is a match on a blind list.
func IsBlindMatch(id string) bool { _, _, ok := ParseBlindMatchID(id); return ok }

// BlindKind names the exact key of a traveller that met a blind listing.
// It decides how strong the match is: the partner never sees the listing,
// so the kind of key is all it can weigh.
type BlindKind string

// Blind key kinds, strongest first.
const (
	// BlindDocument: document number (OCR look-alikes folded) and issuing state.
	BlindDocument BlindKind = "document"
	// BlindNameDOB: the normalised name, word order aside, and the birth
	// date as precise as the listing gives it.
	BlindNameDOB BlindKind = "name_dob"
	// BlindVariant: each name word's variant class, and the birth year.
	BlindVariant BlindKind = "variant_year"
	// BlindSkeleton: the names' consonant skeletons and the birth year.
	BlindSkeleton BlindKind = "skeleton_year"
	// BlindName: the normalised name of a listing without a birth date.
	BlindName BlindKind = "name"
)

// Valid reports whether k is a known kind.
func (k BlindKind) Valid() bool {
	switch k {
	case BlindDocument, BlindNameDOB, BlindVariant, BlindSkeleton, BlindName:
		return true
	}
	return false
}

// Decision returns the decision a match of kind k makes: a document or a
// name with its birth date is a hit, the looser keys a review.
func (k BlindKind) Decision() Decision {
	if k == BlindDocument || k == BlindNameDOB {
		return DecisionHit
	}
	return DecisionReview
}

// Score is the score a blind match shows: fixed per kind (there is no
// listing to score against), below 1 since no key proves identity, and
// ordered like the kinds.
func (k BlindKind) Score() float64 {
	switch k {
	case BlindDocument:
		return 0.95
	case BlindNameDOB:
		return 0.9
	case BlindVariant:
		return 0.75
	case BlindSkeleton:
		return 0.7
	}
	return 0.65
}

// Describe says in words what kind of key met.
func (k BlindKind) Describe() string {
	switch k {
	case BlindDocument:
		return "document number and issuing state"
	case BlindNameDOB:
		return "name and birth date"
	case BlindVariant:
		return "name spelling variants and birth year"
	case BlindSkeleton:
		return "name consonants and birth year"
	}
	return "name (the listing gives no birth date)"
}

// Bounds of a sealed payload: every payload of a table has the same size,
// so that a dummy entry cannot be told from a real one.
const (
	MaxBlindRefBytes     = 32
	MaxBlindContactBytes = 96
)

// BlindPayload is what the originator seals under each key of a listing:
// nothing of the person, only how to act and whom to call.
type BlindPayload struct {
	// Ref is the originator's alert reference: opaque, it names the
	// listing to the originator alone.
	Ref    string `json:"ref"`
	Action Action `json:"action"`
	// Expires is the last day the listing holds (YYYY-MM-DD), "" when open.
	Expires string `json:"expires,omitempty"`
	Contact string `json:"contact,omitempty"`
}

// Validate reports the first problem with p, naming the field.
func (p *BlindPayload) Validate() error {
	switch {
	case p.Ref == "" || len(p.Ref) > MaxBlindRefBytes || strings.ContainsAny(p.Ref, ": \t\n"):
		return Errorf(EINVALID, "ref: want 1 to %d bytes without colons or spaces", MaxBlindRefBytes)
	case !p.Action.Valid():
		return Errorf(EINVALID, "action: %.40q is not one of refuse_entry, detain, secondary_check, report, info", p.Action)
	case len(p.Contact) > MaxBlindContactBytes || !utf8.ValidString(p.Contact):
		return Errorf(EINVALID, "contact: want at most %d bytes of UTF-8", MaxBlindContactBytes)
	}
	if p.Expires != "" {
		if _, err := time.Parse(time.DateOnly, p.Expires); err != nil {
			return Errorf(EINVALID, "expires: %.40q is not a date (want YYYY-MM-DD)", p.Expires)
		}
	}
	return nil
}

// ExpiredAt reports whether the listing behind p no longer holds at t.
func (p *BlindPayload) ExpiredAt(t time.Time) bool {
	return p.Expires != "" && t.UTC().Format(time.DateOnly) > p.Expires
}

// ClipContact cuts a contact point to MaxBlindContactBytes at a character
// boundary: a table entry has a fixed size.
func ClipContact(s string) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= MaxBlindContactBytes {
		return s
	}
	n := MaxBlindContactBytes
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// BlindMatch is the match a partner shows for a blind hit on origin's
// list (agency runs origin): the originator's contact and action, what
// kind of key met, and nothing else — the partner holds nothing else.
func BlindMatch(origin, agency string, p *BlindPayload, kind BlindKind) Match {
	call := agency
	if p.Contact != "" {
		call += " (" + p.Contact + ")"
	}
	return Match{
		Listing: BlindMatchID(origin, p.Ref), Score: kind.Score(), Decision: kind.Decision(), Action: p.Action, Contact: p.Contact,
		Instruction: "Possible match on a blind list of " + agency + ": contact " + call + ". " + p.Action.Instruction(),
		Explain:     []Feature{{Feature: "blind", Score: kind.Score(), Detail: "exact key: " + kind.Describe()}},
	}
}

// DiscloseBlindMatch keeps of a blind match what any screener may see: the
// id, decision, score, action, instruction, contact and the kind of key.
func DiscloseBlindMatch(m Match) Match {
	return Match{Listing: m.Listing, Score: m.Score, Decision: m.Decision, Action: m.Action, Instruction: m.Instruction,
		Contact: m.Contact, Suppressed: m.Suppressed, Explain: m.Explain}
}

// BlindReport is the encounter a partner reports to the originator of a
// blind hit: its alert reference, when, by which agency, the decision and
// the action — never the traveller, whom the originator learns only by
// contacting the partner.
func BlindReport(e *Encounter) *Encounter {
	return &Encounter{ID: e.ID, Listing: e.Listing, Originator: e.Originator, Agency: e.Agency, Decision: e.Decision,
		Score: e.Score, Action: e.Action, Outcome: e.Outcome, At: e.At, UpdatedAt: e.UpdatedAt}
}

// BlindFor reports whether agency screens against l blind: l's handling
// names it for blind screening and grants it nothing in clear (an agency
// that may screen in clear holds the listing already).
func (l *Listing) BlindFor(agency string, g Groups) bool {
	if agency == "" || agency == l.Provenance.Originator || l.LevelFor(agency, g) > LevelNone {
		return false
	}
	var groups []string
	if g != nil {
		groups = g.GroupsOf(agency)
	}
	return names(l.Handling.Blind, agency, groups)
}
