package match

import (
	"strings"
	"testing"

	"tripline"
)

func date(y, m, d int) tripline.PartialDate { return tripline.PartialDate{Year: y, Month: m, Day: d} }

// listed is a listing used by the ordering tests.
func listed() *tripline.Listing {
	return &tripline.Listing{
		ID: "test:1", Source: "test", Action: tripline.ActionRefuseEntry,
		Names: []tripline.Name{
			{Full: "Muhammad Taher ANWARI", Kind: tripline.NamePrimary},
			{Full: "محمد طاهر أنوري", Kind: tripline.NameOriginal},
		},
		BirthDates:    []tripline.PartialDate{date(1961, 3, 14)},
		Sex:           "M",
		Nationalities: []string{"AFG"},
		Documents:     []tripline.Document{{Type: "P", Number: "OA454044", Country: "AFG"}},
	}
}

func traveller(name string) *tripline.Traveller {
	return &tripline.Traveller{Name: name, DOB: date(1961, 3, 14), Sex: "M", Nationality: "AF",
		Document: &tripline.Document{Type: "P", Number: "OA454044", Country: "AFG"}}
}

func TestScoreOrdering(t *testing.T) {
	l := listed()
	full, _ := Score(traveller("Muhammad Taher ANWARI"), l)
	if full != 1 {
		t.Errorf("exact match in every field: score %v, want 1", full)
	}
	variant, _ := Score(traveller("Mohammed Tahir Anwari"), l)
	if !(variant < 1) {
		t.Errorf("variant spelling: score %v, want < 1", variant)
	}
	noDoc := traveller("Muhammad Taher ANWARI")
	noDoc.Document = nil
	exactNoDoc, _ := Score(noDoc, l)
	if !(exactNoDoc < 1) {
		t.Errorf("exact name and DOB without document: %v, want < 1", exactNoDoc)
	}
	swapped := traveller("ANWARI Muhammad Taher")
	swapped.Document = nil
	sw, _ := Score(swapped, l)
	if !(sw < exactNoDoc) {
		t.Errorf("swapped order %v, want below exact order %v", sw, exactNoDoc)
	}
	contra := traveller("Muhammad Taher ANWARI")
	contra.Document = nil
	contra.DOB = date(1980, 7, 2)
	c, _ := Score(contra, l)
	if !(c < exactNoDoc-0.25) {
		t.Errorf("contradicting DOB %v, want well below full match %v", c, exactNoDoc)
	}
}

func TestDifferentPassportDoesNotVeto(t *testing.T) {
	l := listed()
	tr := traveller("Mohammad Taher Anwari")
	same, _ := Score(tr, l)
	tr.Document = &tripline.Document{Type: "P", Number: "P01234567", Country: "AFG"}
	renewed, feats := Score(tr, l)
	if renewed < DefaultThresholds.Hit {
		t.Errorf("new passport, same person: score %v, want a hit (>= %v); features %+v", renewed, DefaultThresholds.Hit, feats)
	}
	if !(renewed < same) || same-renewed > 0.1 {
		t.Errorf("new passport: %v, same passport %v: want a small penalty only", renewed, same)
	}
}

// TestNamesOnlyListing: a listing that gives no birth date and no
// nationality cannot tell its person from a namesake, so an exact name is
// a review, never a hit: every traveller of that name would be refused.
// A listed nationality agreeing, or the listed document, makes it a hit.
func TestNamesOnlyListing(t *testing.T) {
	th := DefaultThresholds
	namesOnly := func() *tripline.Listing {
		l := listed()
		l.BirthDates, l.Nationalities, l.Documents, l.Sex = nil, nil, nil, ""
		return l
	}
	withNat := namesOnly()
	withNat.Nationalities = []string{"AFG"}
	withDoc := namesOnly()
	withDoc.Documents = listed().Documents
	for _, c := range []struct {
		name string
		l    *tripline.Listing
		hit  bool
	}{
		{"names only", namesOnly(), false},
		{"names and nationality", withNat, true},
		{"names and the traveller's document", withDoc, true},
	} {
		s, feats := Score(traveller("Muhammad Taher ANWARI"), c.l)
		if s < th.Review || (s >= th.Hit) != c.hit {
			t.Errorf("%s: exact name scores %.3f, want hit %v (review at %.2f, hit at %.2f); features %+v", c.name, s, c.hit, th.Review, th.Hit, feats)
		}
	}
	s, feats := Score(traveller("Muhammad Taher ANWARI"), namesOnly())
	if len(feats) == 0 || !strings.Contains(feats[0].Detail, "no birth date or nationality") {
		t.Errorf("names only: %.3f, the explanation does not say why it is a review: %+v", s, feats)
	}
}
