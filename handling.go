package tripline

import "slices"

// Level is how much of a listing an agency may see, each level including
// the ones below it.
type Level int

// Disclosure levels, from the handling rules (design.md §3).
const (
	// LevelNone: the listing does not exist for the agency.
	LevelNone Level = iota
	// LevelScreen: screen against it; a hit says "contact the originator".
	LevelScreen
	// LevelAction: also the action, the instruction and the identity
	// fields needed to confirm the person.
	LevelAction
	// LevelDetails: also reason, narrative, links and source reference.
	LevelDetails
)

// String names the level.
func (l Level) String() string {
	return [...]string{"none", "screen", "action", "details"}[l]
}

// Groups tells which sharing groups an agency belongs to.
type Groups interface {
	GroupsOf(agency string) []string
}

// GroupMap is a Groups held in memory: agency → its groups.
type GroupMap map[string][]string

// GroupsOf returns the groups of agency.
func (m GroupMap) GroupsOf(agency string) []string { return m[agency] }

// names reports whether list grants agency, directly, through one of its
// groups, or through "*".
func names(list []string, agency string, groups []string) bool {
	for _, x := range list {
		if x == "*" || x == agency || slices.Contains(groups, x) {
			return true
		}
	}
	return false
}

// LevelFor returns what agency may see of a listing under its handling
// rules. The originator always sees everything. A higher grant implies the
// lower ones: an agency allowed details may also act and screen.
func (l *Listing) LevelFor(agency string, g Groups) Level {
	return l.Handling.levelFor(l.Provenance.Originator, agency, g)
}

// LevelFor returns what agency may see of a document alert, by the same
// rules as a listing's.
func (a *DocumentAlert) LevelFor(agency string, g Groups) Level {
	return a.Handling.levelFor(a.Provenance.Originator, agency, g)
}

func (h Handling) levelFor(originator, agency string, g Groups) Level {
	if agency == "" {
		return LevelNone
	}
	if agency == originator {
		return LevelDetails
	}
	var groups []string
	if g != nil {
		groups = g.GroupsOf(agency)
	}
	lvl := LevelNone
	switch {
	case names(h.Details, agency, groups):
		lvl = LevelDetails
	case names(h.Action, agency, groups):
		lvl = LevelAction
	case names(h.Screen, agency, groups):
		lvl = LevelScreen
	}
	return min(lvl, UseCeiling(h.Use)) // the handling code caps every grant
}

// RoleCeiling is the most a role may see, whatever its agency is granted:
// a border officer never sees reason, narrative or source.
func RoleCeiling(r Role) Level {
	switch r {
	case RoleAnalyst, RoleSupervisor:
		return LevelDetails
	case RoleOfficer, RoleAdmin, RoleNode:
		return LevelAction
	}
	return LevelNone // auditors read the audit log, not the watchlist
}

// Combine returns the most restrictive of two sets of handling rules: what a
// relayed listing may do is what both its originator and the relay allow.
func Combine(a, b Handling) Handling {
	return Handling{
		Screen:  intersect(a.Screen, b.Screen),
		Action:  intersect(a.Action, b.Action),
		Details: intersect(a.Details, b.Details),
		Use:     max(a.Use, b.Use), // H3 is the most restrictive code
		Reshare: minReshare(a.Reshare, b.Reshare),
		Blind:   intersect(a.Blind, b.Blind),
	}
}

func intersect(a, b []string) []string {
	switch {
	case slices.Contains(a, "*"):
		return slices.Clone(b)
	case slices.Contains(b, "*"):
		return slices.Clone(a)
	}
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func reshareRank(r Reshare) int {
	switch r {
	case ReshareAllowed:
		return 2
	case ReshareWithConsent:
		return 1
	}
	return 0 // never, and unset: the safe default
}

func minReshare(a, b Reshare) Reshare {
	if reshareRank(a) <= reshareRank(b) {
		if a == "" {
			return ReshareNever
		}
		return a
	}
	return b
}

// MayReshare reports whether a holder of l may pass it to agency to: only
// when the originator allowed re-sharing, or required consent and gave it
// (consented lists the agencies the originator consented to), as its
// handling code leaves the rule (Handling.EffectiveReshare).
func (l *Listing) MayReshare(to string, consented []string) bool {
	switch l.Handling.EffectiveReshare() {
	case ReshareAllowed:
		return true
	case ReshareWithConsent:
		return slices.Contains(consented, to)
	}
	return false
}

// Disclose returns a copy of l holding only what lvl allows. It is the one
// definition of "least disclosure": the policy layer calls it on every read
// path.
func (l *Listing) Disclose(lvl Level) *Listing {
	if lvl >= LevelDetails {
		c := *l
		return &c
	}
	out := &Listing{ID: l.ID, Source: l.Source, Contact: l.Contact, Status: l.Status, Version: l.Version, UpdatedAt: l.UpdatedAt, Provisional: l.Provisional,
		Provenance: Provenance{Originator: l.Provenance.Originator}}
	if lvl < LevelAction {
		return out
	}
	out.Names = l.Names
	out.BirthDates, out.BirthPlaces, out.Sex = l.BirthDates, l.BirthPlaces, l.Sex
	out.Nationalities, out.Documents = l.Nationalities, l.Documents
	out.Action, out.Instruction, out.Directions = l.Action, l.Instruction, l.Directions
	out.ValidUntil, out.ReviewBy = l.ValidUntil, l.ReviewBy
	out.Handling = Handling{Use: l.Handling.Use}
	// Where the data came from and how fresh it is are not intelligence
	// detail: the chain ("A via B"), receipt and last confirmation show.
	out.Provenance.ListedOn, out.Provenance.Chain = l.Provenance.ListedOn, l.Provenance.Chain
	out.Provenance.Received, out.Provenance.LastConfirmed = l.Provenance.Received, l.Provenance.LastConfirmed
	return out
}

// Disclose returns a copy of a document alert trimmed to lvl: at screen
// level the document, its kind and whom to call; the action and
// instruction from action level; the report date, handling lists and the
// originator's references only with details.
func (a *DocumentAlert) Disclose(lvl Level) *DocumentAlert {
	if lvl >= LevelDetails {
		c := *a
		return &c
	}
	out := &DocumentAlert{ID: a.ID, Source: a.Source, Country: a.Country, Number: a.Number, Type: a.Type, Kind: a.Kind,
		Contact: a.Contact, Status: a.Status, Version: a.Version, UpdatedAt: a.UpdatedAt,
		Provenance: Provenance{Originator: a.Provenance.Originator}}
	if lvl >= LevelAction {
		out.Action, out.Instruction = a.Action, a.Instruction
		out.Handling = Handling{Use: a.Handling.Use}
	}
	return out
}

// DiscloseMatch trims a match on listing l (contact point from it) to lvl.
// Below LevelAction the officer learns only that a partner holds a possible
// match and whom to call; the explanation keeps its features and scores but
// loses the text that would quote the listing.
func DiscloseMatch(m Match, contact string, lvl Level) Match {
	if lvl >= LevelAction {
		return m
	}
	out := Match{Listing: m.Listing, Score: m.Score, Decision: m.Decision, Contact: contact, Minor: m.Minor, Suppressed: m.Suppressed}
	out.Instruction = "Possible match on a partner's listing: do not act on it; contact the originator"
	if contact != "" {
		out.Instruction += " (" + contact + ")"
	}
	out.Instruction += " now."
	for _, f := range m.Explain {
		out.Explain = append(out.Explain, Feature{Feature: f.Feature, Score: f.Score, Weight: f.Weight})
	}
	return out
}

// MayResolve reports whether id may record outcome on e: only the
// reporting agency's border side decides what happened at its border (the
// listing's originator and a notice's recipient see the encounter, and
// decide nothing of it, as over federation: Encounter.MergeUpdate); a
// minor (under 18 when encountered) may only be let through or reported
// on unless a supervisor confirms the action.
func MayResolve(id Identity, e *Encounter, outcome Outcome) error {
	role := id.Role
	switch role {
	case RoleOfficer, RoleAnalyst, RoleSupervisor:
	default:
		return Errorf(EFORBIDDEN, "role %s may not resolve encounters", role)
	}
	if id.Agency != e.Agency {
		return Errorf(EFORBIDDEN, "encounter %s: only the reporting agency %s records the outcome, not %s", e.ID, e.Agency, id.Agency)
	}
	if e.IsMinor() && role != RoleSupervisor {
		switch outcome {
		case OutcomeAdmitted, OutcomeFalsePositive, OutcomeConfirmed:
		default:
			return Errorf(EFORBIDDEN, "the traveller is a minor: a supervisor must confirm %s", outcome)
		}
	}
	return nil
}

// IsMinor reports whether the traveller was under 18 when encountered, or
// matched a listing of a minor.
func (e *Encounter) IsMinor() bool {
	if age, ok := e.Traveller.DOB.AgeAt(e.At); ok && age < 18 {
		return true
	}
	return e.Minor
}

// Handling codes (Handling.Use) and the rule each one enforces for every
// agency but the originator, on top of the grant lists (docs/federation.md):
//   - H0, or none: as the grants say.
//   - H1: not for judicial use without the originator's permission: never
//     the details (reason, narrative, links, source reference, legal basis).
//   - H2: no further dissemination without the originator's permission: a
//     relay passes it on only where the originator consented, even when
//     the re-share rule says allowed.
//   - H3: restricted: screening only (a hit says "contact the originator"),
//     never relayed.
const (
	UseH0 = "H0"
	UseH1 = "H1"
	UseH2 = "H2"
	UseH3 = "H3"
)

// UseCeiling returns the most any agency but the originator may see of a
// record under handling code use.
func UseCeiling(use string) Level {
	switch use {
	case UseH1:
		return LevelAction
	case UseH3:
		return LevelScreen
	}
	return LevelDetails
}

// EffectiveReshare returns the re-share rule the handling code leaves of
// h.Reshare: H2 turns allowed into with_consent, H3 makes it never; unset
// is never.
func (h Handling) EffectiveReshare() Reshare {
	r := h.Reshare
	switch {
	case h.Use == UseH3 || r == "":
		return ReshareNever
	case h.Use == UseH2 && r == ReshareAllowed:
		return ReshareWithConsent
	}
	return r
}
