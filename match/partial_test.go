package match

import (
	"testing"

	"tripline"
)

// TestPartialNames: a name that matches only some words of a listed name
// decides only with a birth date that agrees; a name cut to its first
// words, in order, with the birth year and nationality agreeing reaches
// review; the same words in another shape, or against a listing with no
// birth date, do not.
func TestPartialNames(t *testing.T) {
	year := func(y int) []tripline.PartialDate { return []tripline.PartialDate{{Year: y}} }
	full := tripline.PartialDate{Year: 1963, Month: 11, Day: 11}
	for _, c := range []struct {
		name, listed string
		dobs         []tripline.PartialDate
		trav         string
		dob          tripline.PartialDate
		nat          string
		review       bool
	}{
		{"cut to two words, year and nationality agree", "SALEM NOR ELDIN AMOHAMED AL-DABSKI", year(1963), "SALEM NOR", full, "LBY", true},
		{"cut after a particle, full date agrees", "MOHAMED BEN BELGACEM BEN ABDALLAH AL-AOUADI", []tripline.PartialDate{full}, "MOHAMED BEN", full, "LBY", true},
		{"cut, year contradicts", "SALEM NOR ELDIN AMOHAMED AL-DABSKI", year(1963), "SALEM NOR", tripline.PartialDate{Year: 1988, Month: 2, Day: 3}, "LBY", false},
		{"two of three short words, listing without a birth date", "PAK IL KYU", nil, "PAK KYU", full, "LBY", false},
		{"one word of four, year agrees only as a year", "QUSAY SADDAM HUSSEIN AL-TIKRITI", year(1963), "MULLAH AL-TIKRITI", tripline.PartialDate{Year: 1962, Month: 5, Day: 1}, "LBY", false},
		{"one-word alias, full date agrees", "YAHYA", []tripline.PartialDate{full}, "YAHIA", full, "LBY", true},
		{"the whole name, no birth date listed", "FRANK KAKOLELE BWAMBALE", nil, "FRANK KAKOLELE BWAMBALE", full, "LBY", true},
	} {
		l := &tripline.Listing{ID: "x", Names: []tripline.Name{{Full: c.listed, Kind: tripline.NamePrimary}}, BirthDates: c.dobs, Nationalities: []string{"LBY"}}
		tr := &tripline.Traveller{Name: c.trav, DOB: c.dob, Nationality: c.nat}
		s, feats := Score(tr, l)
		if got := s >= DefaultThresholds.Review; got != c.review {
			t.Errorf("%s: %q against %q scores %.3f, review %v, want %v (%v)", c.name, c.trav, c.listed, s, got, c.review, feats)
		}
	}
}

// TestHonorificBySound: a title spelt another way is dropped like the title
// (Maoulana for Maulana); a short word that sounds like a short title is
// kept.
func TestHonorificBySound(t *testing.T) {
	for _, c := range []struct {
		name string
		want []string
	}{
		{"MAOULANA FAZLOULLAH", []string{"fazloullah"}},
		{"Moullah Omar", []string{"omar"}},
		{"Dar Rahman", []string{"dar", "rahman"}},
	} {
		if got := Normalise(c.name); !slicesEqual(got, c.want) {
			t.Errorf("Normalise(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
