package match

import (
	"encoding/json"
	"strings"
	"testing"

	"tripline"
)

// TestCompareDOBErrorModel pins the birth-date error model of issue 16: a
// digit typo in the year is plausible only when the rest of the date is
// known on both sides and agrees; a day or month off by one is a far
// smaller error than a year decades off, which contradicts.
func TestCompareDOBErrorModel(t *testing.T) {
	for _, tc := range []struct {
		name     string
		t, l     tripline.PartialDate
		min, max float64
	}{
		{"exact", date(1961, 3, 14), date(1961, 3, 14), 1, 1},
		{"year-only listing", date(1961, 3, 14), date(1961, 0, 0), 0.8, 0.9},
		{"day off by one", date(1961, 3, 14), date(1961, 3, 15), 0.7, 0.8},
		{"day off by one across a ten", date(1961, 3, 19), date(1961, 3, 20), 0.7, 0.8},
		{"month off by one across a ten", date(1961, 9, 14), date(1961, 10, 14), 0.65, 0.75},
		{"day and month swapped", date(1961, 8, 5), date(1961, 5, 8), 0.75, 0.85},
		{"year typo, day and month agree", date(1981, 3, 14), date(1961, 3, 14), 0.45, 0.55},
		{"year one off", date(1962, 3, 14), date(1961, 3, 14), 0.55, 0.65},
		// 1959 against 1989 is one digit but thirty years: with nothing
		// else known on one side, or the rest different, it contradicts.
		{"one digit, thirty years, year-only listing", date(1989, 6, 1), date(1959, 0, 0), 0, 0},
		{"one digit, twenty years, day differs", date(1981, 3, 2), date(1961, 3, 14), 0, 0},
		{"one digit, ten years, month differs", date(1971, 7, 14), date(1961, 3, 14), 0, 0},
		{"two years off, approximate listed year", date(1963, 6, 1), date(1961, 0, 0), 0.2, 0.35},
		{"decades off", date(1990, 1, 1), date(1961, 3, 14), 0, 0},
		// The year one off and day and month both different: three slips
		// at once are another date.
		{"year one off, day and month differ", date(1978, 9, 7), date(1979, 12, 3), 0, 0},
		{"year one off, day differs", date(1978, 12, 7), date(1979, 12, 3), 0.25, 0.35},
	} {
		got, how := compareDOB(tc.t, tc.l)
		if got < tc.min || got > tc.max {
			t.Errorf("%s: compareDOB(%s, %s) = %.2f (%s), want in [%.2f, %.2f]", tc.name, tc.t, tc.l, got, how, tc.min, tc.max)
		}
	}
}

// TestNamesakeDecadesOffNoNationality: a listed person without a listed
// nationality, and a traveller with the same name born thirty years off in
// a year one digit apart, is a namesake: not a hit, not even a review.
func TestNamesakeDecadesOffNoNationality(t *testing.T) {
	l := &tripline.Listing{ID: "t:1", Source: "t", Action: tripline.ActionRefuseEntry,
		Names:      []tripline.Name{{Full: "SALIM KONY", Kind: tripline.NamePrimary}},
		BirthDates: []tripline.PartialDate{{Year: 1991}}}
	tr := &tripline.Traveller{Name: "Salim Kony", DOB: date(1961, 8, 15), Nationality: "UGA"}
	if s, feats := Score(tr, l); s >= DefaultThresholds.Review {
		t.Errorf("namesake born 30 years off: score %.3f, want below review %.2f; %+v", s, DefaultThresholds.Review, feats)
	}
}

// TestImpossibleDOBIgnoredAndExplained: a traveller whose birth date is
// impossible is screened on the name and the other fields as if no date
// were given, and the explanation says the date was ignored.
func TestImpossibleDOBIgnoredAndExplained(t *testing.T) {
	l := listed()
	noDOB := traveller("Muhammad Taher Anwari")
	noDOB.DOB = tripline.PartialDate{}
	want, _ := Score(noDOB, l)
	var fromJSON tripline.Traveller
	if err := json.Unmarshal([]byte(`{"name":"Muhammad Taher Anwari","dob":"000000"}`), &fromJSON); err != nil {
		t.Fatal(err)
	}
	fromJSON.Sex, fromJSON.Nationality, fromJSON.Document = noDOB.Sex, noDOB.Nationality, noDOB.Document
	for _, d := range []tripline.PartialDate{{Year: 1961, Month: 13, Day: 14}, {Year: 1961, Month: 3, Day: 32}, fromJSON.DOB} {
		tr := *noDOB
		tr.DOB = d
		got, feats := Score(&tr, l)
		if got != want {
			t.Errorf("dob %v: score %.3f, want %.3f as without a date", d, got, want)
		}
		said := false
		for _, f := range feats {
			said = said || f.Feature == FeatureDOB && strings.Contains(f.Detail, "ignored")
		}
		if !said {
			t.Errorf("dob %v: explanation %+v does not say the date was ignored", d, feats)
		}
		ix := NewIndex(Options{})
		ix.Upsert(l)
		if ms := ix.Screen(&tr, now, nil); len(ms) != 1 || ms[0].Decision != tripline.DecisionHit {
			t.Errorf("dob %v: Screen = %+v, want a hit on the name and the rest", d, ms)
		}
	}
}
