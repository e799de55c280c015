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
// the same keys, and returns each's error after storing what came before.
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
		if got.Len() != n || !reflect.DeepEqual(got.segs, want.segs) {
			t.Fatalf("%d travellers: Load stored %d, not what Add stores", n, got.Len())
		}
	}
}
