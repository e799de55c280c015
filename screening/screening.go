// Package screening turns travellers into results: candidate matches from
// the matcher, document alerts, a decision, and the one instruction the
// officer follows.
package screening

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"tripline"
	"tripline/country"
	"tripline/mrz"
)

// Matcher finds the listings a traveller may be. match.Index implements it.
type Matcher interface {
	Screen(t *tripline.Traveller, now time.Time, allow func(*tripline.Listing) bool) []tripline.Match
}

// Service screens travellers.
type Service struct {
	Matcher   Matcher
	Alerts    *DocumentAlerts
	Countries *country.Table
	// Listing returns the current version of a matched listing (the
	// index's copy), for its originator and its clearances; nil disables both.
	Listing func(id string) *tripline.Listing
	// Redress holds clearances and refused identities; nil disables them.
	Redress *Redress
	// Encounters records every hit and review; nil records nothing.
	Encounters tripline.EncounterService
	// RecordWithin bounds the wait for the store when recording an
	// encounter (0: no bound). A store busy with a long import must not
	// keep an officer from the instruction.
	RecordWithin time.Duration
	// Pending takes an encounter the store could not record in time, for
	// the node to record later; the result says so in a note. Nil fails
	// the screening instead.
	Pending func(e *tripline.Encounter)
	// Origin is this node's id: the queue of encounters on its own findings
	// (refused identities, alerts with no originator).
	Origin string
	// Allow returns the filter of the listings the caller in ctx may screen
	// against (policy.CanScreen); nil screens against every listing.
	Allow func(ctx context.Context) func(*tripline.Listing) bool
	// AllowAlert is Allow for document alerts (policy.CanScreenAlert);
	// nil checks every alert.
	AllowAlert func(ctx context.Context) func(*tripline.DocumentAlert) bool
	// Seen is told of every screened traveller (for retro-screening).
	Seen func(t *tripline.Traveller, at time.Time)
	// Recorder, when set, takes each screening's writes in place of
	// Encounters: the screened traveller and the encounters of its hits
	// and reviews, in one durable record (the node's screening journal),
	// stored in the database later in batches.
	Recorder Recorder
	// Linked, when set, is asked after matching whether the traveller is
	// tied to a listed network (issue 8); a review match it returns is
	// added unless that listing already matched, and a clearance of the
	// traveller against that listing suppresses it.
	Linked func(ctx context.Context, t *tripline.Traveller) *tripline.Match
	// OnManifest, when set, is given each manifest before its travellers
	// are screened, so that its co-travel links count for them already.
	OnManifest func(ctx context.Context, m *Manifest)
	// Now returns the screening time; tests inject it.
	Now func() time.Time
}

// NewService returns a Service over m with an empty alert index.
func NewService(m Matcher) *Service {
	return &Service{Matcher: m, Alerts: NewDocumentAlerts(), Countries: country.New(), Now: time.Now}
}

func (s *Service) alpha3(c string) string {
	if a, ok := s.Countries.Alpha3(c); ok {
		return a
	}
	return strings.ToUpper(strings.TrimSpace(c))
}

// Screen screens one traveller.
func (s *Service) Screen(ctx context.Context, t *tripline.Traveller) (*tripline.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := t.ValidateForScreening(); err != nil {
		return nil, err
	}
	var notes []string
	if why := t.DOBIgnored(); why != "" {
		// An impossible birth date is a typing or reading error, not a
		// reason to screen nobody: the name and the other fields are
		// screened, the date nowhere used (clearances, minors, stored
		// travellers), and the officer told. The matcher explains it on
		// each match.
		notes = append(notes, why+": screened on the name and the other fields")
		c := *t
		c.DOB = t.DOB.Sanitized()
		t = &c
	}
	now := s.Now()
	res := &tripline.Result{Ref: t.Ref, Notes: notes}
	if t.Travel != nil {
		res.Direction = t.Travel.Direction
	}
	var allowAlert func(*tripline.DocumentAlert) bool
	if s.AllowAlert != nil {
		allowAlert = s.AllowAlert(ctx)
	}
	res.Matches = s.Alerts.Check(t.Document, s.alpha3, allowAlert)
	var allow func(*tripline.Listing) bool
	if s.Allow != nil {
		allow = s.Allow(ctx)
	}
	for _, m := range s.Matcher.Screen(t, now, allow) {
		if s.Listing != nil {
			l := s.Listing(m.Listing)
			if l != nil && !l.ActiveAt(now) {
				continue // past its valid-until date: it stops matching at once, before the expiry is recorded
			}
			if s.Redress != nil {
				if c := s.Redress.Clearance(t, l, callerAgency(ctx)); c != nil {
					suppress(&m, c)
				}
			}
		}
		res.Matches = append(res.Matches, m)
	}
	if m := s.linked(ctx, t, res.Matches); m != nil {
		res.Matches = append(res.Matches, *m)
	}
	if s.Redress != nil {
		if f := s.Redress.Returning(t); f != nil {
			res.Matches = append(res.Matches, returningMatch(f))
		}
	}
	sort.SliceStable(res.Matches, func(i, j int) bool { return res.Matches[i].Score > res.Matches[j].Score })
	res.Summarise()
	if age, ok := t.DOB.AgeAt(now); ok && age < 18 {
		res.Minor = true // flagged on every view, matched or not
	}
	if s.Seen == nil && s.Recorder == nil && s.Encounters == nil {
		return res, nil
	}
	// One copy for both: the travel context names the screening agency,
	// not what a request claimed.
	t = screenedBy(ctx, t)
	if s.Seen != nil {
		s.Seen(t, now)
	}
	if s.Recorder != nil || s.Encounters != nil {
		if err := s.record(ctx, t, res, now); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// Recorder stores the writes of screenings off the hot path.
type Recorder interface {
	// Record stores screened traveller t (seen at at) and the encounters
	// of its hits and reviews, and returns them as stored (with their
	// ids). It returns once the encounters are durable: a result never
	// says hit before its encounter would survive a crash. The traveller
	// alone is not waited for. It fails EUNAVAILABLE when the writes
	// cannot be taken (the queue behind is full, the disk failing).
	Record(ctx context.Context, t *tripline.Traveller, at time.Time, encs []*tripline.Encounter) ([]*tripline.Encounter, error)
}

// linked asks the Linked hook, dropping a tie to a listing already matched.
func (s *Service) linked(ctx context.Context, t *tripline.Traveller, ms []tripline.Match) *tripline.Match {
	if s.Linked == nil {
		return nil
	}
	m := s.Linked(ctx, t)
	if m == nil {
		return nil
	}
	for _, x := range ms {
		if x.Listing == m.Listing {
			return nil
		}
	}
	if s.Redress != nil && s.Listing != nil {
		if c := s.Redress.Clearance(t, s.Listing(m.Listing), callerAgency(ctx)); c != nil {
			suppress(m, c) // found not to be this listing's person: not stopped twice
		}
	}
	return m
}

// callerAgency is the agency of the caller in ctx, "" without one.
func callerAgency(ctx context.Context) string {
	if id := tripline.IdentityFrom(ctx); id != nil {
		return id.Agency
	}
	return ""
}

// screenedBy returns t as kept for retro-screening: its travel context
// names the caller's agency, whatever the request said.
func screenedBy(ctx context.Context, t *tripline.Traveller) *tripline.Traveller {
	agency := callerAgency(ctx)
	c := *t
	tr := tripline.Travel{}
	if t.Travel != nil {
		tr = *t.Travel
	}
	if tr.Agency = agency; tr == (tripline.Travel{}) {
		c.Travel = nil
	} else {
		c.Travel = &tr
	}
	return &c
}

// record creates an encounter for each hit and review of res, routed to the
// originator of what matched; t is the traveller as screenedBy keeps it.
func (s *Service) record(ctx context.Context, t *tripline.Traveller, res *tripline.Result, now time.Time) error {
	officer, agency := "", s.Origin
	if id := tripline.IdentityFrom(ctx); id != nil {
		officer, agency = id.User, id.Agency
	}
	var encs []*tripline.Encounter
	for _, m := range res.Matches {
		if m.Suppressed || (m.Decision != tripline.DecisionHit && m.Decision != tripline.DecisionReview) {
			continue
		}
		encs = append(encs, &tripline.Encounter{
			Listing: m.Listing, Originator: s.originator(m.Listing), Decision: m.Decision, Score: m.Score,
			Action: m.Action, Traveller: *t, Officer: officer, Agency: agency, Explain: m.Explain, At: now, Minor: m.Minor || res.Minor,
		})
	}
	if s.Recorder != nil {
		stored, err := s.recordWrites(ctx, t, now, encs)
		if err != nil {
			return fmt.Errorf("record screening: %w", err)
		}
		for _, e := range stored {
			res.Encounters = append(res.Encounters, e.ID)
		}
		return nil
	}
	for _, enc := range encs {
		e, err := s.createEncounter(ctx, enc)
		if err != nil && s.Pending != nil && ctx.Err() == nil {
			s.Pending(enc)
			res.Notes = append(res.Notes, "encounter on "+enc.Listing+" queued: the store is busy; it is recorded and reported as soon as it can be")
			continue
		}
		if err != nil {
			return fmt.Errorf("record encounter: %w", err)
		}
		res.Encounters = append(res.Encounters, e.ID)
	}
	return nil
}

func (s *Service) createEncounter(ctx context.Context, e *tripline.Encounter) (*tripline.Encounter, error) {
	if s.RecordWithin > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.RecordWithin)
		defer cancel()
	}
	return s.Encounters.CreateEncounter(ctx, e)
}

// originator returns whose queue an encounter on a matched id goes to.
func (s *Service) originator(id string) string {
	if s.Listing != nil {
		if l := s.Listing(id); l != nil && l.Provenance.Originator != "" {
			return l.Provenance.Originator
		}
	}
	if a := s.Alerts.Get(id); a != nil && a.Provenance.Originator != "" {
		return a.Provenance.Originator
	}
	if s.Origin != "" {
		return s.Origin
	}
	return "local"
}

// ScreenMRZ reads a machine readable zone (tolerantly: OCR misreads are
// corrected where the check digits say how) and screens its holder. A
// document whose checks still fail is at least `review`: it may be forged.
func (s *Service) ScreenMRZ(ctx context.Context, ref, text string, travel *tripline.Travel) (*tripline.Result, *mrz.Result, error) {
	m, err := mrz.ParseTolerant(text, mrz.Options{Now: s.Now()})
	if err != nil {
		return nil, nil, err
	}
	t := m.Traveller(ref)
	t.Travel = travel
	res, err := s.Screen(ctx, t)
	if err != nil {
		return nil, m, err
	}
	if m.Corrected {
		res.Notes = append(res.Notes, "MRZ read with OCR corrections: compare the printed document number")
	}
	if !m.Valid {
		res.Notes = append(res.Notes, "MRZ checks fail ("+strings.Join(m.Errors, "; ")+"): inspect the document")
		if res.Decision == tripline.DecisionClear {
			res.Decision = tripline.DecisionReview
			res.Instruction = "Document MRZ does not verify: inspect the document."
		}
	}
	return res, m, nil
}

// MaxBatch bounds the travellers of one batch: the work of one call.
const MaxBatch = 10000

// ScreenBatch screens many travellers in parallel; results keep the input
// order. An invalid traveller gets a result carrying its error instead of
// failing the batch: one bad manifest line must not hide the rest. More
// than MaxBatch travellers is EINVALID.
func (s *Service) ScreenBatch(ctx context.Context, ts []*tripline.Traveller) ([]*tripline.Result, error) {
	if len(ts) > MaxBatch {
		return nil, tripline.Errorf(tripline.EINVALID, "travellers: %d in one batch, at most %d", len(ts), MaxBatch)
	}
	out := make([]*tripline.Result, len(ts))
	workers := min(runtime.GOMAXPROCS(0), len(ts))
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r, err := s.Screen(ctx, ts[i])
				if err != nil {
					r = FailedResult(ts[i].Ref, err)
				}
				out[i] = r
			}
		}()
	}
	for i := range ts {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// FailedResult is the result for a traveller who could not be screened:
// never `clear`, since nothing was checked.
func FailedResult(ref string, err error) *tripline.Result {
	return &tripline.Result{Ref: ref, Decision: tripline.DecisionReview, Matches: []tripline.Match{},
		Instruction: "Screening failed: check the traveller's data by hand.",
		Error:       &tripline.ErrBody{Code: tripline.ErrorCode(err), Message: tripline.ErrorMessage(err)}}
}
