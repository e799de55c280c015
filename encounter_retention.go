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
// A clearance is kept while it applies (it spares a namesake the next stop
// until the listing changes), then as long as a false positive; a refusal,
// which catches a return under another document, has a retention of its
// own. A pending encounter is never erased: someone still has to decide
// on it. Zero keeps for good.
type EncounterRetention struct {
	// FalsePositive is for an innocent traveller stopped in error (from
	// the encounter's time): kept long enough for redress, no longer.
	FalsePositive time.Duration
	// Resolved is for every other outcome.
	Resolved time.Duration
	// Refusal is how long a refused or deported traveller's identity is
	// kept to catch a return under another document (from the refusal).
	Refusal time.Duration
}

// DefaultEncounterRetention: 90 days for a false positive, two years for
// any other outcome, five years for a refusal (a common entry-ban length).
var DefaultEncounterRetention = EncounterRetention{FalsePositive: 90 * 24 * time.Hour, Resolved: 2 * 365 * 24 * time.Hour,
	Refusal: 5 * 365 * 24 * time.Hour}

// Cutoff returns the time before which a record kept for d is past it at
// now, or the zero time when d is zero (kept for good).
func Cutoff(d time.Duration, now time.Time) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return now.Add(-d).UTC()
}

// Erasure is what one pass of EraseEncounters erased.
type Erasure struct {
	Encounters int
	// Refusals are the ids of the refusals removed: a screener holding
	// them in memory drops them too.
	Refusals []string
	// Tips and Diffusions are how many of each were erased
	// (TipErasable, DiffusionErasable).
	Tips, Diffusions int
	// Reports are the outbox reports expired undelivered (ReportExpired).
	Reports int
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

// Holds reports whether clearance c still applies to listing l (its
// current version, nil when it is no longer in force): an own clearance
// while the listing's content is what the analyst saw, a shared one while
// the listing is at the version it was shared for.
func (c *Clearance) Holds(l *Listing) bool {
	if l == nil || c.Listing != l.ID {
		return false
	}
	if c.Shared {
		return c.ListingVersion == l.Version
	}
	return c.ListingHash == l.ContentHash()
}

// AppliesTo reports whether clearance c spares a traveller screened by
// agency. An own clearance is the finding of the agency whose encounter it
// was, and spares that agency's screenings only: one officer's
// false_positive must not make a listed person screen clear for the
// listing's originator or any other agency on the node. Only the
// originator shares a clearance with everyone who may see its listing
// (Shared, clearance_share.go). An own clearance naming no agency (stored
// before they named one) spares nobody until its agency is filled in.
func (c *Clearance) AppliesTo(agency string) bool {
	return c.Shared || (c.Agency != "" && c.Agency == agency)
}

// ErasedRefusalFields are a refusal's identity, trimmed from its event
// when the refusal is removed past its retention.
var ErasedRefusalFields = []string{"name", "dob", "nationality", "document"}

// EncounterEraser erases the identity of resolved encounters and refusals
// past their retention, in the records and in their events.
type EncounterEraser interface {
	// EraseEncounters erases every resolved encounter and removes every
	// refusal past r at the store's clock. An undelivered outbox report
	// of an erased encounter (or an update of it) expires with it, and
	// one that waited longer than r.Resolved expires whatever it carries.
	EraseEncounters(ctx context.Context, r EncounterRetention) (Erasure, error)
	// RemoveClearances removes the clearances of ids (lapsed ones: their
	// listing changed) with their events' identity, returning how many
	// it removed.
	RemoveClearances(ctx context.Context, ids []string) (int, error)
}

// ErasedClearanceFields are a clearance's traveller, trimmed from its
// event when the clearance is removed.
var ErasedClearanceFields = []string{"doc_country", "doc_number", "dob", "name", "reason"}

// ParseEncounterRetention reads "false_positive=90d,resolved=730d,refusal=1825d"
// over DefaultEncounterRetention: each with a number of days (Nd) or a Go
// duration; 0 keeps for good. EINVALID names the part at fault.
func ParseEncounterRetention(s string) (EncounterRetention, error) {
	r := DefaultEncounterRetention
	if strings.TrimSpace(s) == "" {
		return r, nil
	}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		d, err := parseDays(v)
		var field *time.Duration
		switch k {
		case "false_positive":
			field = &r.FalsePositive
		case "resolved":
			field = &r.Resolved
		case "refusal":
			field = &r.Refusal
		}
		if !ok || err != nil || d < 0 || field == nil {
			return EncounterRetention{}, Errorf(EINVALID, "encounter retention: %.60q: want false_positive=DAYSd, resolved=DAYSd or refusal=DAYSd (e.g. false_positive=90d,resolved=730d,refusal=1825d; 0 keeps for good)", part)
		}
		*field = d
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

// TipErasable reports whether tip t is past its retention at now: a
// rejected or expired tip (an accusation that came to nothing) as long as
// a false positive, a confirmed one as any other resolved encounter, both
// from its receipt; a provisional tip waits for its decision or expiry.
func TipErasable(t *Tip, r EncounterRetention, now time.Time) bool {
	if t.Erased != nil {
		return false
	}
	d := r.Resolved
	switch t.StatusAt(now) {
	case TipRejected, TipExpired:
		d = r.FalsePositive
	case TipProvisional:
		return false
	}
	cut := Cutoff(d, now)
	return !cut.IsZero() && t.Received.Before(cut)
}

// ErasedListingSubjectFields are what a listing the node made says of its
// subject (Listing.Erasable), trimmed from the listing's events when what
// made it is erased: a rejected or expired tip, a cancelled diffusion.
var ErasedListingSubjectFields = []string{"names", "birth_dates", "birth_places", "sex", "nationalities", "documents",
	"addresses", "phones", "emails", "narrative"}

// Erase removes the reporter (the protected source), the subject and the
// free text from t, marking when; its channel, agency, status, times and
// listing id stay for oversight.
func (t *Tip) Erase(now time.Time) {
	at := now.UTC()
	t.Reporter, t.Subject, t.Text, t.Note = Reporter{}, TipSubject{}, "", ""
	t.Erased = &at
}

// DiffusionErasable reports whether diffusion d is past its retention at
// now: a cancelled one, the resolved retention after its cancellation. An
// active diffusion is an instruction still in force.
func DiffusionErasable(d *Diffusion, r EncounterRetention, now time.Time) bool {
	if d.Erased != nil || d.Status != DiffusionCancelled || d.CancelledAt == nil {
		return false
	}
	cut := Cutoff(r.Resolved, now)
	return !cut.IsZero() && d.CancelledAt.Before(cut)
}

// Erase removes the subject and the free text from d, marking when; who
// sent it to whom, its kind and its times stay for oversight.
func (d *Diffusion) Erase(now time.Time) {
	at := now.UTC()
	d.Subject, d.Text = TipSubject{}, ""
	d.Erased = &at
}

// DefaultTravellerRetention is how long a screened traveller is kept
// (retro-screened against new listings, then erased): 30 days.
const DefaultTravellerRetention = 30 * 24 * time.Hour

// MinTravellerRetention is the shortest retention window a node takes: a
// traveller screened must still meet the listings that arrive while it
// travels, and a shorter one is most likely a unit mistyped (30s for 30d).
const MinTravellerRetention = time.Minute

// ParseTravellerRetention reads how long screened travellers are kept:
// days (Nd) or a Go duration ("24h"), from MinTravellerRetention to 100
// years; "" is DefaultTravellerRetention. An agency sets it to what its
// law allows: what it keeps, it must be able to justify.
func ParseTravellerRetention(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultTravellerRetention, nil
	}
	d, err := parseDays(s)
	if err != nil || d < MinTravellerRetention || d > 100*365*24*time.Hour {
		return 0, Errorf(EINVALID, "traveller retention: %.60q: want days (30d) or a duration (24h), at least %v", s, MinTravellerRetention)
	}
	return d, nil
}
