// Package screening turns travellers into results: candidate matches from
// the matcher, a decision, and the one instruction the officer follows.
package screening

import (
	"context"
	"runtime"
	"sync"
	"time"

	"tripline"
)

// Matcher finds the listings a traveller may be. match.Index implements it.
type Matcher interface {
	Screen(t *tripline.Traveller, now time.Time, allow func(*tripline.Listing) bool) []tripline.Match
}

// Service screens travellers.
type Service struct {
	Matcher Matcher
	// Now returns the screening time; tests inject it.
	Now func() time.Time
}

// NewService returns a Service over m.
func NewService(m Matcher) *Service { return &Service{Matcher: m, Now: time.Now} }

// Screen screens one traveller.
func (s *Service) Screen(ctx context.Context, t *tripline.Traveller) (*tripline.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	res := &tripline.Result{Ref: t.Ref, Matches: s.Matcher.Screen(t, s.Now(), nil)}
	res.Summarise()
	return res, nil
}

// ScreenBatch screens many travellers in parallel; results keep the input
// order. An invalid traveller gets a result carrying its error instead of
// failing the batch: one bad manifest line must not hide the rest.
func (s *Service) ScreenBatch(ctx context.Context, ts []*tripline.Traveller) ([]*tripline.Result, error) {
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
					r = &tripline.Result{Ref: ts[i].Ref, Decision: tripline.DecisionReview, Matches: []tripline.Match{},
						Instruction: "Screening failed: check the traveller's data by hand.",
						Error:       &tripline.ErrBody{Code: tripline.ErrorCode(err), Message: tripline.ErrorMessage(err)}}
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
