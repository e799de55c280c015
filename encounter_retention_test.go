package tripline_test

import (
	"testing"
	"time"

	"tripline"
)

func TestParseEncounterRetention(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		in   string
		want tripline.EncounterRetention
		bad  bool
	}{
		{in: "", want: tripline.DefaultEncounterRetention},
		{in: "false_positive=30d", want: tripline.EncounterRetention{FalsePositive: 30 * day, Resolved: 730 * day, Refusal: 1825 * day}},
		{in: "false_positive=0, resolved=1825d,refusal=0", want: tripline.EncounterRetention{Resolved: 1825 * day}},
		{in: "resolved=36h", want: tripline.EncounterRetention{FalsePositive: 90 * day, Resolved: 36 * time.Hour, Refusal: 1825 * day}},
		{in: "pending=30d", bad: true},
		{in: "false_positive=-3d", bad: true},
		{in: "false_positive=-1h", bad: true},
		{in: "false_positive", bad: true},
		{in: "resolved=forever", bad: true},
		{in: "resolved=99999999999d", bad: true},
	} {
		got, err := tripline.ParseEncounterRetention(tc.in)
		if tc.bad {
			if tripline.ErrorCode(err) != tripline.EINVALID {
				t.Errorf("%q: %v, want invalid", tc.in, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseTravellerRetention(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"", 30 * 24 * time.Hour},
		{"7d", 7 * 24 * time.Hour},
		{" 24h ", 24 * time.Hour},
		{"1m", time.Minute},
		{"30s", 0}, // a unit mistyped
		{"0", 0},
		{"-1d", 0},
		{"forever", 0},
		{"99999999999d", 0},
		{"1000000h", 0}, // over a hundred years
	} {
		got, err := tripline.ParseTravellerRetention(tc.in)
		if tc.want == 0 {
			if tripline.ErrorCode(err) != tripline.EINVALID {
				t.Errorf("%q: %v, %v; want invalid", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestEncounterErase(t *testing.T) {
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	e := &tripline.Encounter{ID: "e1", Listing: "l1", Outcome: tripline.OutcomeFalsePositive, Note: "called Ali",
		Traveller: tripline.Traveller{Name: "Ali Hassan", Document: &tripline.Document{Number: "X1"}},
		Explain:   []tripline.Feature{{Feature: "name", Detail: "Ali Hassan"}}}
	e.Erase(now)
	if e.Traveller.Name != "" || e.Traveller.Document != nil || e.Explain != nil || e.Note != "" || e.Erased == nil || !e.Erased.Equal(now) {
		t.Fatalf("erased = %+v", e)
	}
	if e.Listing != "l1" || e.Outcome != tripline.OutcomeFalsePositive {
		t.Fatalf("erase lost the record: %+v", e)
	}
	if c := tripline.Cutoff(time.Hour, now); !c.Equal(now.Add(-time.Hour)) {
		t.Fatalf("cutoff = %s", c)
	}
	if c := tripline.Cutoff(0, now); !c.IsZero() {
		t.Fatalf("cutoff of zero = %s, want none", c)
	}
}

// A late outcome from the other end takes on an erased encounter without
// its note: the erasure is not undone by the federation.
func TestMergeUpdateKeepsErasure(t *testing.T) {
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	e := &tripline.Encounter{ID: "enc-1", Originator: "agency-a", Agency: "agency-c", Outcome: tripline.OutcomeAdmitted}
	e.Erase(now)
	changed, err := tripline.MergeUpdate(e, &tripline.EncounterUpdate{ID: "enc-1", Kind: tripline.UpdateOutcome,
		Outcome: tripline.OutcomeDeported, Note: "Ali Hassan deported on flight 12"}, "agency-c")
	if err != nil || !changed || e.Outcome != tripline.OutcomeDeported || e.Note != "" {
		t.Fatalf("= %v, %v; encounter %+v", changed, err, e)
	}
}
