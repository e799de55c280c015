package match

import (
	"math"
	"slices"
	"testing"
	"unicode/utf8"

	"tripline"
)

func FuzzNormalise(f *testing.F) {
	for _, s := range []string{"Abd al-Rahman", "محمد طاهر أنوري", "Сергей Лавров", "XKHALED", "İSMAİL", "J.-C.", "", "\xff\xfe", "abdul", "Al-", "بن", "ﷺ", "ǅ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range Normalise(s) {
			if tok == "" {
				t.Errorf("Normalise(%q) has an empty token", s)
			}
		}
		// Normalising twice changes nothing more for Latin output.
		_ = CompareNames(s, s)
	})
}

// FuzzInvisibleIgnored inserts an invisible character anywhere in a name:
// the tokens must not change (they turned a hit into clear).
func FuzzInvisibleIgnored(f *testing.F) {
	for _, s := range []string{"Muhammad Taher ANWARI", "محمد طاهر أنوري", "가나다", "e\u0301", "Сергей Лавров", "NURISTANI, Abdul"} {
		f.Add(s, uint(3), uint(0))
	}
	f.Fuzz(func(t *testing.T, s string, at, which uint) {
		if len(s) > 1000 || !utf8.ValidString(s) {
			return
		}
		i := int(at % uint(len(s)+1))
		for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
			i--
		}
		r := invisibles[which%uint(len(invisibles))]
		with := s[:i] + string(r) + s[i:]
		if got, want := Normalise(with), Normalise(s); !slices.Equal(got, want) {
			t.Errorf("Normalise(%q) = %q, want %q as without %U", with, got, want, r)
		}
	})
}

func FuzzScore(f *testing.F) {
	f.Add("Muhammad Taher Anwari", "محمد طاهر أنوري", "1961", "1961-03-14", "OA454044", "0A454O44", "AF", "AFG")
	f.Add("", "x", "", "1800-01-01", "", "-", "", "")
	f.Add("abd abd abd", "Abdul", "2000-02", "2000-02-29", "a", "A", "ZZ", "Iraq")
	f.Fuzz(func(t *testing.T, tn, ln, tdob, ldob, tdoc, ldoc, tnat, lnat string) {
		tr := &tripline.Traveller{Name: tn, Nationality: tnat, Document: &tripline.Document{Type: "P", Number: tdoc}}
		tr.DOB, _ = tripline.ParsePartialDate(tdob)
		l := &tripline.Listing{ID: "f:1", Names: []tripline.Name{{Full: ln, Kind: tripline.NamePrimary}}, Nationalities: []string{lnat},
			Documents: []tripline.Document{{Type: "P", Number: ldoc}}}
		if d, err := tripline.ParsePartialDate(ldob); err == nil {
			l.BirthDates = []tripline.PartialDate{d}
		}
		s, feats := Score(tr, l)
		if s < 0 || s > 1 || math.IsNaN(s) {
			t.Fatalf("Score = %v, want in [0,1]", s)
		}
		for _, f := range feats {
			if f.Score < 0 || f.Score > 1 || math.IsNaN(f.Score) {
				t.Fatalf("feature %s score %v, want in [0,1]", f.Feature, f.Score)
			}
		}
		if c := CompareNames(tn, ln); c < 0 || c > 1 || math.IsNaN(c) {
			t.Fatalf("CompareNames = %v, want in [0,1]", c)
		}
	})
}
