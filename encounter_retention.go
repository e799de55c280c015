package tripline

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// EncounterRetention is how long a resolved encounter keeps the
// traveller's identity. Past it the encounter keeps what oversight and the
// statistics need (listing, parties, decision, score, action, outcome,
// times) and loses who the traveller was: the name, birth date, documents,
// the match explanation and the free-text note, here and in the event log
// (trimmed there to digests, so the chain and signatures still verify).
// Clearances and refusals are kept on their own terms: a clearance spares
// a namesake the next stop, a refusal catches a return under another
// document. A pending encounter is never erased: someone still has to
// decide on it. Zero keeps identities for good.
type EncounterRetention struct {
	// FalsePositive is for an innocent traveller stopped in error (from
	// the encounter's time): kept long enough for redress, no longer.
	FalsePositive time.Duration
	// Resolved is for every other outcome.
	Resolved time.Duration
}

// DefaultEncounterRetention: 90 days for a false positive, two years for
// any other outcome.
var DefaultEncounterRetention = EncounterRetention{FalsePositive: 90 * 24 * time.Hour, Resolved: 2 * 365 * 24 * time.Hour}

// Cutoffs returns, for now, the encounter time before which a false
// positive and any other resolved encounter lose the traveller's identity;
// a zero time where that retention is zero (kept for good).
func (r EncounterRetention) Cutoffs(now time.Time) (falsePositive, resolved time.Time) {
	if r.FalsePositive > 0 {
		falsePositive = now.Add(-r.FalsePositive).UTC()
	}
	if r.Resolved > 0 {
		resolved = now.Add(-r.Resolved).UTC()
	}
	return falsePositive, resolved
}

// ErasedEncounterFields are the encounter payload fields that identify the
// traveller, left out of an erased encounter and trimmed from its events.
var ErasedEncounterFields = []string{"traveller", "explain", "note"}

// Erase removes the traveller's identity from e (ErasedEncounterFields),
// marking when.
func (e *Encounter) Erase(now time.Time) {
	at := now.UTC()
	e.Traveller, e.Explain, e.Note = Traveller{}, nil, ""
	e.Erased = &at
}

// EncounterEraser erases the identity of resolved encounters past their
// retention, in the encounters and in their events.
type EncounterEraser interface {
	// EraseEncounters erases every resolved encounter past r at the store's
	// clock and returns how many it erased.
	EraseEncounters(ctx context.Context, r EncounterRetention) (int, error)
}

// ParseEncounterRetention reads "false_positive=90d,resolved=730d" over
// DefaultEncounterRetention: each of false_positive and resolved with a
// number of days (Nd) or a Go duration; 0 keeps identities for good.
// EINVALID names the part at fault.
func ParseEncounterRetention(s string) (EncounterRetention, error) {
	r := DefaultEncounterRetention
	if strings.TrimSpace(s) == "" {
		return r, nil
	}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		d, err := parseDays(v)
		if !ok || err != nil || d < 0 || k != "false_positive" && k != "resolved" {
			return EncounterRetention{}, Errorf(EINVALID, "encounter retention: %.60q: want false_positive=DAYSd or resolved=DAYSd (e.g. false_positive=90d,resolved=730d; 0 keeps for good)", part)
		}
		if k == "false_positive" {
			r.FalsePositive = d
		} else {
			r.Resolved = d
		}
	}
	return r, nil
}

// parseDays reads "90d" as 90 days, "0" as zero, else a Go duration.
func parseDays(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days > 100*365 {
			return 0, Errorf(EINVALID, "days: %q", v)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	if v == "0" {
		return 0, nil
	}
	return time.ParseDuration(v)
}
