package match

import (
	"math"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
	"tripline"
)

// Ordering properties over generated listings: an imperfect match never
// reaches 1, swapped given/family names score below the exact order, a
// contradicting birth date scores well below a full match, and a new
// passport does not veto an otherwise strong match.

// genListing draws one synthetic listing with a full birth date and a
// passport, so that every property applies.
func genListing(t *rapid.T) *tripline.Listing {
	seed := rapid.Int64().Draw(t, "seed")
	l := GenerateListings(1, seed)[0]
	d := randomDOB(rngFor(seed))
	l.BirthDates = []tripline.PartialDate{d}
	l.Documents = []tripline.Document{{Type: "P", Number: "XK1234567", Country: l.Nationalities[0]}}
	return l
}

// exactTraveller presents the listed person exactly as listed.
func exactTraveller(l *tripline.Listing) *tripline.Traveller {
	return &tripline.Traveller{Name: l.PrimaryName(), DOB: l.BirthDates[0], Sex: l.Sex, Nationality: l.Nationalities[0],
		Document: &tripline.Document{Type: "P", Number: l.Documents[0].Number, Country: l.Documents[0].Country}}
}

func TestPropertyExactIsOneImperfectBelow(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := genListing(t)
		tr := exactTraveller(l)
		if s, f := Score(tr, l); s != 1 {
			t.Fatalf("exact in every field: score %v, want 1 (%+v)", s, f)
		}
		kind := rapid.SampledFrom([]string{"typo", "variant", "swap", "dob-digit", "new-passport", "mrz"}).Draw(t, "kind")
		p, ok := PerturbListing(l, kind, 1)
		if !ok {
			t.Skip()
		}
		if kind != "dob-digit" && kind != "new-passport" && slices.ContainsFunc(l.Names, func(n tripline.Name) bool {
			return slices.Equal(Normalise(p.Name), Normalise(n.Full))
		}) {
			// Only case or diacritics changed (Yılmaz, YILMAZ), or the
			// variant is one the listing itself gives as an alias: the
			// traveller's name is a listed name, exactly.
			t.Skip()
		}
		if s, _ := Score(p, l); !(s < 1) {
			t.Fatalf("%s perturbation %q: score %v, want < 1", kind, p.Name, s)
		}
	})
}

func TestPropertySwappedBelowExact(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := genListing(t)
		words := strings.Fields(l.PrimaryName())
		if len(words) < 2 || words[0] == words[len(words)-1] {
			t.Skip()
		}
		tr := exactTraveller(l)
		tr.Document = nil
		exact, _ := Score(tr, l)
		tr.Name = strings.Join(append([]string{words[len(words)-1]}, words[:len(words)-1]...), " ")
		swapped, _ := Score(tr, l)
		if !(swapped < exact) {
			t.Fatalf("%q: swapped %v, want below exact order %v", tr.Name, swapped, exact)
		}
	})
}

func TestPropertyContradictingDOBWellBelow(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := genListing(t)
		tr := exactTraveller(l)
		tr.Document = nil
		full, _ := Score(tr, l)
		d := l.BirthDates[0]
		tr.DOB = tripline.PartialDate{Year: d.Year + rapid.IntRange(2, 30).Draw(t, "years"), Month: d.Month, Day: d.Day}
		if near(tr.DOB.Year, d.Year, 4) && d.Day != 0 {
			t.Skip() // 1960-05-04/1980-05-04 may be a typo: not a contradiction
		}
		contra, _ := Score(tr, l)
		if !(contra < full-0.25) {
			t.Fatalf("contradicting DOB %v, want well below the full match %v", contra, full)
		}
	})
}

func TestPropertyNewPassportNoVeto(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := genListing(t)
		tr := exactTraveller(l)
		country := tr.Document.Country
		tr.Document = nil
		none, _ := Score(tr, l)
		tr.Document = &tripline.Document{Type: "P", Number: "ZZ7654321", Country: country}
		renewed, _ := Score(tr, l)
		if none-renewed > 0.03 || none >= DefaultThresholds.Hit+0.03 && renewed < DefaultThresholds.Hit {
			t.Fatalf("new passport: %v (no passport given %v): want a small penalty only", renewed, none)
		}
	})
}

func TestPropertyScoresInRange(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := rapid.String().Draw(t, "a")
		b := rapid.String().Draw(t, "b")
		if s := CompareNames(a, b); s < 0 || s > 1 || math.IsNaN(s) {
			t.Fatalf("CompareNames(%q, %q) = %v, want in [0,1]", a, b, s)
		}
	})
}
