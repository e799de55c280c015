package blind

import (
	"context"
	"log/slog"
	"sort"
	"time"

	"tripline"
	"tripline/mrz"
	"tripline/screening"
)

// Inner is the screening a node does in clear: screening.Service.
type Inner interface {
	Screen(ctx context.Context, t *tripline.Traveller) (*tripline.Result, error)
	ScreenBatch(ctx context.Context, ts []*tripline.Traveller) ([]*tripline.Result, error)
	ScreenMRZ(ctx context.Context, ref, text string, travel *tripline.Travel) (*tripline.Result, *mrz.Result, error)
	ScreenManifest(ctx context.Context, m *screening.Manifest) (*screening.ManifestResult, error)
}

// Screener adds blind screening to a node's normal screening: each call
// screens in clear and, at the same time, against the partners' blind
// lists in one round trip per originator; a blind hit or review joins the
// result, is recorded as an encounter and reported to its originator with
// the alert reference only.
type Screener struct {
	Inner
	Client *Client
	// Encounters records blind hits and reviews; nil records nothing.
	Encounters tripline.EncounterService
	// Report queues the report of encounter e (tripline.BlindReport of it)
	// to the originating node; nil reports nothing.
	Report func(ctx context.Context, e *tripline.Encounter, origin string)
	// Agency is this node's agency: the reporting agency when the caller
	// has no identity (the command line).
	Agency string
	Now    func() time.Time
	Logger *slog.Logger
}

func (s *Screener) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// run starts blind screening of ts (invalid travellers skipped) and returns
// a function waiting for its findings, one per traveller. A node that
// holds no partner's blind list (or only suspended partners') starts
// nothing: its findings are empty, and a screening pays no goroutine and
// no wake-up of another thread for them.
func (s *Screener) run(ctx context.Context, ts []*tripline.Traveller) func() []Finding {
	remotes := s.Client.Remotes()
	if len(remotes) == 0 {
		return func() []Finding { return make([]Finding, len(ts)) }
	}
	valid := make([]*tripline.Traveller, len(ts))
	for i, t := range ts {
		if t != nil && t.Validate() == nil {
			valid[i] = t
		}
	}
	done := make(chan []Finding, 1)
	go func() { done <- s.Client.screen(ctx, remotes, valid) }()
	return func() []Finding { return <-done }
}

// Screen implements Inner.
func (s *Screener) Screen(ctx context.Context, t *tripline.Traveller) (*tripline.Result, error) {
	if len(s.Client.Remotes()) == 0 {
		// No blind list: the traveller is screened as Inner screens it,
		// with nothing started beside it.
		res, err := s.Inner.Screen(ctx, t)
		if err != nil {
			return nil, err
		}
		return res, nil
	}
	wait := s.run(ctx, []*tripline.Traveller{t})
	res, err := s.Inner.Screen(ctx, t)
	fs := wait()
	if err != nil {
		return nil, err
	}
	s.merge(ctx, t, res, fs[0])
	return res, nil
}

// ScreenBatch implements Inner.
func (s *Screener) ScreenBatch(ctx context.Context, ts []*tripline.Traveller) ([]*tripline.Result, error) {
	if len(ts) > screening.MaxBatch {
		return s.Inner.ScreenBatch(ctx, ts) // refused there, with its message
	}
	wait := s.run(ctx, ts)
	rs, err := s.Inner.ScreenBatch(ctx, ts)
	fs := wait()
	if err != nil {
		return nil, err
	}
	for i, r := range rs {
		s.merge(ctx, ts[i], r, fs[i])
	}
	return rs, nil
}

// ScreenMRZ implements Inner: the traveller is known once the MRZ is read.
func (s *Screener) ScreenMRZ(ctx context.Context, ref, text string, travel *tripline.Travel) (*tripline.Result, *mrz.Result, error) {
	res, m, err := s.Inner.ScreenMRZ(ctx, ref, text, travel)
	if err != nil {
		return res, m, err
	}
	t := m.Traveller(ref)
	s.merge(ctx, t, res, s.run(ctx, []*tripline.Traveller{t})()[0])
	return res, m, nil
}

// ScreenManifest implements Inner: the whole manifest is one round trip.
func (s *Screener) ScreenManifest(ctx context.Context, m *screening.Manifest) (*screening.ManifestResult, error) {
	if len(m.Travellers) > screening.MaxManifest {
		return s.Inner.ScreenManifest(ctx, m)
	}
	wait := s.run(ctx, m.Travellers)
	res, err := s.Inner.ScreenManifest(ctx, m)
	fs := wait()
	if err != nil {
		return nil, err
	}
	for i, r := range res.Results {
		before := r.Decision
		s.merge(ctx, m.Travellers[i], r, fs[i])
		if r.Decision != before {
			res.Summary[string(before)]--
			res.Summary[string(r.Decision)]++
		}
	}
	return res, nil
}

func rank(d tripline.Decision) int {
	switch d {
	case tripline.DecisionHit:
		return 2
	case tripline.DecisionReview:
		return 1
	}
	return 0
}

// merge adds a traveller's blind findings to its result: the matches
// (decision and action recomputed, never lowered), the notes, and an
// encounter per blind hit or review.
func (s *Screener) merge(ctx context.Context, t *tripline.Traveller, res *tripline.Result, f Finding) {
	if res == nil || res.Error != nil {
		return
	}
	res.Notes = append(res.Notes, f.Notes...)
	if len(f.Matches) == 0 {
		return
	}
	prev, instr, minor := res.Decision, res.Instruction, res.Minor
	res.Matches = append(res.Matches, f.Matches...)
	sort.SliceStable(res.Matches, func(i, j int) bool { return res.Matches[i].Score > res.Matches[j].Score })
	res.Summarise()
	if rank(prev) > rank(res.Decision) {
		res.Decision, res.Instruction = prev, instr // an MRZ that fails its checks, a cut manifest
	}
	res.Minor = res.Minor || minor
	if s.Encounters == nil {
		return
	}
	officer, agency := "", s.Agency
	if id := tripline.IdentityFrom(ctx); id != nil {
		officer, agency = id.User, id.Agency
	}
	for _, m := range f.Matches {
		origin, _, _ := tripline.ParseBlindMatchID(m.Listing)
		enc := &tripline.Encounter{Listing: m.Listing, Originator: s.Client.agencyOf(origin), Decision: m.Decision, Score: m.Score,
			Action: m.Action, Traveller: *t, Officer: officer, Agency: agency, Explain: m.Explain, At: s.now(), Minor: res.Minor}
		e, err := s.Encounters.CreateEncounter(ctx, enc)
		if err != nil {
			if s.Logger != nil {
				s.Logger.Error("record blind encounter", "listing", m.Listing, "err", err)
			}
			res.Notes = append(res.Notes, "encounter on "+m.Listing+" not recorded: "+tripline.ErrorMessage(err))
			continue
		}
		res.Encounters = append(res.Encounters, e.ID)
		if s.Report != nil {
			s.Report(ctx, e, origin)
		}
	}
}

// agencyOf returns the agency running origin.
func (c *Client) agencyOf(origin string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r := c.remotes[origin]; r != nil {
		return r.Agency
	}
	return origin
}
