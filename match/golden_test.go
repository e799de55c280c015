package match

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"tripline"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/explain")

// latinOnly returns a copy of l with its Latin primary name only.
func latinOnly(l *tripline.Listing) *tripline.Listing {
	c := *l
	c.Names = c.Names[:1]
	return &c
}

// withDOB returns a copy of l with one birth date.
func withDOB(l *tripline.Listing, d tripline.PartialDate) *tripline.Listing {
	c := *l
	c.BirthDates = []tripline.PartialDate{d}
	return &c
}

// TestExplainGolden pins the score and explanation of typical matches, so
// that any change in how a match is explained is seen in review. Rewrite
// with `go test ./match -run ExplainGolden -update`.
func TestExplainGolden(t *testing.T) {
	khalid := &tripline.Listing{
		ID: "test:khalid", Source: "test", Action: tripline.ActionDetain,
		Names: []tripline.Name{
			{Full: "AHMAD TAHA KHALID ABDUL QADIR", Kind: tripline.NamePrimary},
			{Full: "احمد طه خالد عبد القادر", Kind: tripline.NameOriginal},
			{Full: "Abu Taha", Kind: tripline.NameWeakAlias, Quality: "Low"},
		},
		BirthDates: []tripline.PartialDate{{Year: 1963}}, Nationalities: []string{"AFG"}, Sex: "M",
	}
	cases := []struct {
		name string
		t    *tripline.Traveller
		l    *tripline.Listing
	}{
		{"exact-all", traveller("Muhammad Taher ANWARI"), listed()},
		{"variant-spelling", &tripline.Traveller{Name: "MOHAMMED TAHIR ANWARI", DOB: date(1961, 3, 14), Nationality: "AF"}, listed()},
		{"arabic-script", &tripline.Traveller{Name: "محمد طاهر أنوري", DOB: date(1961, 3, 0)}, listed()},
		{"arabic-vs-latin-only", &tripline.Traveller{Name: "محمد طاهر أنوري", DOB: date(1961, 3, 14)}, latinOnly(listed())},
		{"swapped-contradicting-dob", &tripline.Traveller{Name: "ANWARI MUHAMMAD TAHER", DOB: date(1983, 7, 2), Sex: "M"}, listed()},
		{"ocr-document", &tripline.Traveller{Name: "Mohammad Anwari", Document: &tripline.Document{Type: "P", Number: "0A454O44", Country: "AFG"}}, listed()},
		{"new-passport", &tripline.Traveller{Name: "Muhammad Taher Anwari", DOB: date(1961, 3, 14), Document: &tripline.Document{Type: "P", Number: "P9876543", Country: "AFG"}}, listed()},
		{"mrz-xkh", &tripline.Traveller{Name: "AHMAD TAHA XKHALID ABDUL QADIR", DOB: date(1963, 5, 20), Nationality: "AFG", Sex: "M"}, khalid},
		{"dropped-middle", &tripline.Traveller{Name: "Muhammad Anwari", DOB: date(1961, 3, 14)}, listed()},
		{"day-month-swap", &tripline.Traveller{Name: "AHMAD TAHA KHALID ABDUL QADIR", DOB: date(1963, 8, 5)}, withDOB(khalid, date(1963, 5, 8))},
		{"namesake-other-person", &tripline.Traveller{Name: "Muhammad Anwar", DOB: date(1990, 1, 1), Nationality: "PAK", Sex: "M"}, listed()},
	}
	for _, c := range cases {
		s, feats := Score(c.t, c.l)
		got, err := json.MarshalIndent(struct {
			Traveller string             `json:"traveller"`
			Listing   string             `json:"listing"`
			Score     float64            `json:"score"`
			Explain   []tripline.Feature `json:"explain"`
		}{c.t.FullName(), c.l.PrimaryName(), s, feats}, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		path := filepath.Join("testdata", "explain", c.name+".golden")
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (run with -update to create)", c.name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: explanation changed:\n got: %s\nwant: %s", c.name, got, want)
		}
	}
}
