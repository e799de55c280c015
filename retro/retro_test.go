package retro_test

import (
	"fmt"
	"hash/fnv"
	"slices"
	"testing"
	"time"

	"tripline"
	"tripline/match"
	"tripline/retro"
)

func newStore() *retro.Store {
	return retro.New(match.TableKeys, match.Variants, match.Score, match.DefaultThresholds.Review)
}

func listing(name, dob string) *tripline.Listing {
	d, _ := tripline.ParsePartialDate(dob)
	return &tripline.Listing{ID: "un-sc:X.1", Source: "un-sc", Action: tripline.ActionRefuseEntry,
		Names:      []tripline.Name{{Full: name, Kind: tripline.NamePrimary}},
		BirthDates: []tripline.PartialDate{d}, Provenance: tripline.Provenance{Originator: "un-sc"}, Status: tripline.StatusActive}
}

func traveller(ref, name, dob string) *tripline.Traveller {
	d, _ := tripline.ParsePartialDate(dob)
	return &tripline.Traveller{Ref: ref, Name: name, DOB: d}
}

func TestScreenFindsEarlierTraveller(t *testing.T) {
	s := newStore()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	// Background travellers, many sharing the common given name.
	for i := 0; i < 2000; i++ {
		s.Add(traveller(fmt.Sprint("bg-", i), fmt.Sprintf("Mohammed Person%d", i), "1980-01-01"), now.Add(-time.Duration(i)*time.Minute))
	}
	s.Add(traveller("target", "MOHAMED TAHIR ANWARI", "1961-05-02"), now.Add(-6*24*time.Hour))
	s.Add(traveller("namesake-dob", "Jane Doe", "1961-05-02"), now.Add(-6*24*time.Hour))
	hits := s.Screen(listing("Muhammad Taher Anwari", "1961"), now)
	if len(hits) != 1 || hits[0].Traveller.Ref != "target" {
		t.Fatalf("hits = %+v, want only the target", hits)
	}
	if hits[0].Seen != now.Add(-6*24*time.Hour) || len(hits[0].Explain) == 0 {
		t.Fatalf("hit = %+v", hits[0])
	}
	// Arabic script listing finds the Latin-script traveller too.
	if hits := s.Screen(listing("محمد طاهر أنوري", "1961"), now); len(hits) != 1 {
		t.Fatalf("arabic-script listing: %d hits", len(hits))
	}
}

func TestPurge(t *testing.T) {
	s := newStore()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s.Add(traveller("old", "Zebulon Quartermaine", "1980-02-03"), now.Add(-31*24*time.Hour))
	s.Add(traveller("new", "Zebulon Quartermaine", "1980-02-03"), now.Add(-29*24*time.Hour))
	if n := s.Len(); n != 2 {
		t.Fatalf("len = %d", n)
	}
	if hits := s.Screen(listing("Zebulon Quartermaine", "1980"), now); len(hits) != 1 || hits[0].Traveller.Ref != "new" {
		t.Fatalf("before purge, past-window traveller screened: %+v", hits)
	}
	if n := s.Purge(now); n != 1 {
		t.Fatalf("purged %d, want 1", n)
	}
	if n := s.Len(); n != 1 {
		t.Fatalf("len after purge = %d", n)
	}
	// A day later the second is past the window too.
	if n := s.Purge(now.Add(2 * 24 * time.Hour)); n != 1 {
		t.Fatalf("purged %d, want 1", n)
	}
	if hits := s.Screen(listing("Zebulon Quartermaine", "1980"), now.Add(2*24*time.Hour)); len(hits) != 0 {
		t.Fatalf("purged traveller still retro-screened: %+v", hits)
	}
}

// Each gives the travellers of the window up to a time, that second
// included (times are kept to the second), and none after it.
func TestEachUpTo(t *testing.T) {
	s := retro.New(match.TableKeys, match.Variants, match.Score, 0.62)
	now := time.Date(2026, 11, 25, 12, 0, 0, 500_000_000, time.UTC)
	s.Add(&tripline.Traveller{Ref: "old", Name: "A B"}, now.Add(-40*24*time.Hour))
	s.Add(&tripline.Traveller{Ref: "same-second", Name: "C D"}, now.Add(-200*time.Millisecond))
	s.Add(&tripline.Traveller{Ref: "earlier", Name: "E F"}, now.Add(-time.Hour))
	s.Add(&tripline.Traveller{Ref: "after", Name: "G H"}, now.Add(2*time.Second))
	var got []string
	s.Each(now, now, func(t tripline.Traveller, _ time.Time) bool { got = append(got, t.Ref); return true })
	slices.Sort(got)
	if !slices.Equal(got, []string{"earlier", "same-second"}) {
		t.Fatalf("Each = %v, want earlier and same-second", got)
	}
}

// The keys are hashed in place, to the same values as hash/fnv over the
// prefixed key.
func TestHashKeyIsFNV(t *testing.T) {
	for _, k := range []string{"", "a", "MOHAMMED", "mhmd", "محمد", "\xff\x00"} {
		for _, prefix := range []string{"k:", "s:"} {
			h := fnv.New32a()
			h.Write([]byte(prefix + k))
			if got, want := retro.HashKey(prefix, k), h.Sum32(); got != want {
				t.Errorf("hashKey(%q, %q) = %#x, want %#x", prefix, k, got, want)
			}
		}
	}
}

// SetWindow's segments: an eighth of the window, an hour at most, a second
// at least (the purge runs once a segment).
func TestSetWindowSegments(t *testing.T) {
	s := retro.New(match.TableKeys, match.Variants, match.Score, 0.62)
	for _, tc := range []struct{ window, segment time.Duration }{
		{30 * 24 * time.Hour, time.Hour},
		{2 * time.Hour, 15 * time.Minute},
		{2 * time.Minute, 15 * time.Second},
		{4 * time.Second, time.Second},
	} {
		s.SetWindow(tc.window)
		if s.Window != tc.window || s.Segment != tc.segment {
			t.Errorf("SetWindow(%v): window %v, segment %v; want segment %v", tc.window, s.Window, s.Segment, tc.segment)
		}
	}
}
