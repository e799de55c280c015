package phen

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"tripline"
	"tripline/importer"
)

const (
	unPath = "../../../../shared/data/names/un_sc_consolidated_2024-09-26.xml"
	arPath = "../../../../shared/data/names/wikidata_en_ar_name_tokens.tsv"
)

func loadUN(t *testing.T) []*tripline.Listing {
	t.Helper()
	f, err := os.Open(unPath)
	if err != nil {
		t.Skipf("UN list not available: %v", err)
	}
	defer f.Close()
	ls, err := importer.ReadUN(f, unPath)
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

// TestGenerateSeededAndSplit: the same seed gives the same cases, the two
// halves share no listed person, and every phenomenon has cases.
func TestGenerateSeededAndSplit(t *testing.T) {
	ls := loadUN(t)
	gen := func(half int, seed int64) []Set {
		g, err := NewGen(ls, half, arPath, seed)
		if err != nil {
			t.Skipf("name pairs not available: %v", err)
		}
		return g.Generate(ls, half)
	}
	a, b := gen(Tune, 1), gen(Tune, 1)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatal("two runs with seed 1 differ")
	}
	if c, _ := json.Marshal(gen(Tune, 2)); string(c) == string(ja) {
		t.Error("seeds 1 and 2 give the same cases")
	}
	report := gen(Report, 1)
	for i, s := range a {
		if len(s.Cases) == 0 {
			t.Errorf("%s: no cases in the tune half", s.Name)
		}
		for _, c := range s.Cases {
			if Half(c.Of) != Tune {
				t.Errorf("%s: case of %s in the tune half", s.Name, c.Of)
			}
		}
		for _, c := range report[i].Cases {
			if Half(c.Of) != Report {
				t.Errorf("%s: case of %s in the report half", s.Name, c.Of)
			}
		}
	}
}

// TestPhenomenaShowWhatTheySay checks a few cases by hand: each case
// differs from its listed name in the way its phenomenon says.
func TestPhenomenaShowWhatTheySay(t *testing.T) {
	ls := loadUN(t)
	g, err := NewGen(ls, Tune, arPath, 1)
	if err != nil {
		t.Skipf("name pairs not available: %v", err)
	}
	byID := map[string]*tripline.Listing{}
	for _, l := range ls {
		byID[l.ID] = l
	}
	for _, s := range g.Generate(ls, Tune) {
		for _, c := range s.Cases {
			l, name := byID[c.Of], c.T.FullName()
			listed := primary(l).Full
			var bad bool
			switch s.Name {
			case "split-punct":
				bad = strings.ContainsAny(name, "-'")
			case "truncated":
				bad = !strings.HasPrefix(listed, name) || len(words(name)) > 3
			case "mrz-order", "mrz-cut":
				bad = c.T.Surname == "" || strings.ToUpper(name) != name
			case "abbreviation":
				bad = !strings.Contains(strings.ToUpper(name), "MD") && !strings.Contains(strings.ToUpper(name), "MOHD") && !strings.Contains(strings.ToUpper(name), "MUHD")
			case "namesake":
				bad = name != listed || len(l.Nationalities) > 0 && c.T.Nationality == l.Nationalities[0]
				for _, d := range l.BirthDates {
					bad = bad || abs(c.T.DOB.Year-d.Year) < 15
				}
			case "arabic-order":
				bad = !hasArabic(name)
			case "oneword", "oneword-regional":
				bad = len(words(name)) != 1 || c.T.DOB.IsZero() || c.T.Nationality == ""
			}
			if bad {
				t.Errorf("%s: %q (%s) from %s %q does not show it", s.Name, name, c.T.DOB, l.ID, listed)
			}
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
