package blind_test

import (
	"context"
	"testing"

	"tripline"
	"tripline/blind"
)

// clearInner answers every screening with the same result.
type clearInner struct {
	blind.Inner
	res *tripline.Result
}

func (c clearInner) Screen(context.Context, *tripline.Traveller) (*tripline.Result, error) {
	return c.res, nil
}

// A node that holds no partner's blind list screens as its own matcher
// does, with nothing started beside each screening: no goroutine, no
// channel, no allocation (a screening at line rate paid a goroutine and
// the wake-up of another thread for blind findings it could not have).
func TestScreenerWithoutBlindListsAddsNothing(t *testing.T) {
	want := &tripline.Result{Ref: "t-1", Decision: tripline.DecisionClear}
	s := &blind.Screener{Inner: clearInner{res: want}, Client: &blind.Client{}}
	tr := &tripline.Traveller{Ref: "t-1", Name: "Ayse Kaya"}
	allocs := testing.AllocsPerRun(100, func() {
		res, err := s.Screen(ctx, tr)
		if err != nil || res != want {
			t.Fatalf("Screen = %v, %v; want the inner result", res, err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%.0f allocations per screening without a blind list, want 0", allocs)
	}
}
