package retro

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"tripline"
	"tripline/match"
)

// TestLoadAsAdd: Load stores what Add one by one stores, in the same
// order and segments (travellers late for their hour among them), with
// the same keys, and returns each's error after storing what came before;
// and Adds beside a Load lose nothing.
func TestLoadAsAdd(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	type seen struct {
		t  *tripline.Traveller
		at time.Time
	}
	var in []seen
	for i := range 3*loadBatch + 17 {
		at := now.Add(-time.Duration(5000-i) * time.Minute)
		if i%97 == 0 {
			at = at.Add(-3 * time.Hour) // late: joins an older segment
		}
		in = append(in, seen{&tripline.Traveller{Ref: fmt.Sprint("t-", i), Name: fmt.Sprintf("Person%d Mohammed Al-Rashid", i%300),
			Travel: &tripline.Travel{Flight: "TK1", Agency: "tr-border"}}, at})
	}
	newStore := func() *Store {
		return New(match.TableKeys, match.Variants, match.Score, match.DefaultThresholds.Review)
	}
	for _, n := range []int{0, 1, loadBatch, len(in)} {
		want, got := newStore(), newStore()
		for _, x := range in[:n] {
			want.Add(x.t, x.at)
		}
		stop := errors.New("read failed")
		err := got.Load(func(add func(*tripline.Traveller, time.Time)) error {
			for _, x := range in[:n] {
				add(x.t, x.at)
			}
			return stop
		})
		if err != stop {
			t.Fatalf("%d travellers: Load returned %v, want each's error", n, err)
		}
		want.sealOld() // as Load leaves them
		if got.Len() != n || !reflect.DeepEqual(got.segs, want.segs) {
			t.Fatalf("%d travellers: Load stored %d, not what Add stores", n, got.Len())
		}
	}
	// Live screenings add beside a Load of the window.
	got := newStore()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 500 {
			got.Add(&tripline.Traveller{Ref: fmt.Sprint("live-", i), Name: "Live Traveller"}, now.Add(time.Duration(i)*time.Second))
		}
	}()
	if err := got.Load(func(add func(*tripline.Traveller, time.Time)) error {
		for _, x := range in {
			add(x.t, x.at)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	<-done
	if got.Len() != len(in)+500 {
		t.Fatalf("Load beside Adds: %d stored, want %d", got.Len(), len(in)+500)
	}
	refs := map[string]bool{}
	got.Each(now.Add(time.Hour), now.Add(time.Hour), func(t tripline.Traveller, _ time.Time) bool { refs[t.Ref] = true; return true })
	if len(refs) != len(in)+500 {
		t.Fatalf("Load beside Adds: %d travellers found, want %d", len(refs), len(in)+500)
	}
}
