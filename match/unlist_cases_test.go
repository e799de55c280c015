package match

import (
	"testing"
	"time"

	"tripline"
)

// unIndex indexes the UN list once per test binary.
func unIndex(t testing.TB) *Index {
	t.Helper()
	ix := NewIndex(Options{})
	for _, l := range loadUN(t) {
		ix.Upsert(l)
	}
	return ix
}

// screenFinds reports whether screening t finds listing id at review or
// above, and its score.
func screenFinds(ix *Index, t *tripline.Traveller, id string) (bool, float64) {
	for _, m := range ix.Screen(t, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), nil) {
		if m.Listing == id {
			return true, m.Score
		}
	}
	return false, 0
}

// nameTokens counts the name words of a name (not particles or initials).
func nameTokens(name string) int {
	n := 0
	for _, t := range prepare(name) {
		if t.kind == kindName {
			n++
		}
	}
	return n
}

// crowdedOut reports whether l is missing from a screening only because
// ten other listings score at least as high (a lone common name such as
// "Hajji Abdallah" fits many listed people).
func crowdedOut(ix *Index, tr *tripline.Traveller, l *tripline.Listing) bool {
	ms := ix.Screen(tr, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), nil)
	s, _ := Score(tr, l)
	return len(ms) == maxMatches && ms[len(ms)-1].Score >= s
}

// TestUNTransliterations queries real UN listings by their Latin aliases,
// their original Arabic-script names, other transliterations and ICAO MRZ
// spellings (XKH for خ), by name alone.
func TestUNTransliterations(t *testing.T) {
	ix := unIndex(t)
	cases := []struct {
		id, name, why string
	}{
		{"un-sc:TAi.005", "Mohammad Tahre Anwari", "listed alias"},
		{"un-sc:TAi.005", "محمد طاهر أنوري", "listed original script"},
		{"un-sc:TAi.005", "MOHAMMED TAHIR ANWARI", "other transliteration"},
		{"un-sc:TAi.005", "ANWARI MUHAMMAD TAHER", "MRZ order, surname first"},
		{"un-sc:TAi.007", "Abd al-Latif Mansour", "Abd al- spelling"},
		{"un-sc:TAi.007", "ABDULLATIF MANSUR", "joined Abdul"},
		{"un-sc:TAi.007", "عبد اللطيف منصور", "listed original script"},
		{"un-sc:TAi.093", "KHAIRULLAH KHAIRKHWAH", "MRZ"},
		{"un-sc:TAi.093", "XKHAIRULLAH XKHAIRXKHWAH", "ICAO 9303 XKH for خ"},
		{"un-sc:TAi.093", "خيرالله خيرخواه", "listed original script"},
		{"un-sc:TAi.105", "AHMAD TAHA XKHALID ABDUL QADIR", "ICAO 9303 XKH for خ"},
		{"un-sc:TAi.105", "Ahmed Taha Khaled Abdel Kader", "French-style transliteration"},
		{"un-sc:TAi.105", "احمد طه خالد عبد القادر", "listed original script"},
		{"un-sc:TAi.066", "Muhammad Abbas Akhund", "variant of Mohammad"},
		{"un-sc:TAi.066", "محمد عباس آخوند", "listed original script"},
		{"un-sc:TAi.025", "Abdurrauf Khadem", "assimilated article"},
		{"un-sc:TAi.008", "Shams al-Rahman Abd al-Zahir", "articles spelt out"},
		{"un-sc:TAi.008", "شمس الرحمن عبد الظاهر", "listed original script"},
	}
	for _, c := range cases {
		if ok, s := screenFinds(ix, &tripline.Traveller{Name: c.name}, c.id); !ok {
			t.Errorf("%s (%s): %q not found at review or above (score %.3f)", c.id, c.why, c.name, s)
		}
	}
}

// TestUNEveryNameFindsItsListing screens every primary name, good alias
// and original-script name of the UN list, and the MRZ form of every
// primary name, and expects its own listing among the matches.
func TestUNEveryNameFindsItsListing(t *testing.T) {
	ix := unIndex(t)
	n := 0
	for _, l := range loadUN(t) {
		for _, nm := range l.Names {
			if nm.Kind == tripline.NameWeakAlias || nameTokens(nm.Full) < 2 {
				continue // "Haji Mudir", "Abu Muhammad": one common name alone is not enough
			}
			queries := []string{nm.Full}
			if nm.Kind == tripline.NamePrimary {
				queries = append(queries, mrzStyle(nm.Full))
			}
			for _, q := range queries {
				n++
				tr := &tripline.Traveller{Name: q}
				if ok, _ := screenFinds(ix, tr, l.ID); !ok && !crowdedOut(ix, tr, l) {
					t.Errorf("%s: %s name %q not found", l.ID, nm.Kind, q)
				}
			}
		}
	}
	if n < 3000 {
		t.Errorf("screened %d names, want the whole list (> 3000)", n)
	}
}

// TestUNPerturbedRecall screens every listed person under each
// perturbation and expects recall >= 0.99.
func TestUNPerturbedRecall(t *testing.T) {
	ix := unIndex(t)
	found, total := 0, 0
	for k, kind := range Perturbations {
		for i, l := range loadUN(t) {
			tr, ok := PerturbListing(l, kind, int64(i*100+k))
			if !ok {
				continue
			}
			total++
			if ok, _ := screenFinds(ix, tr, l.ID); ok {
				found++
			}
		}
	}
	if r := float64(found) / float64(total); r < 0.99 {
		t.Errorf("recall %d/%d = %.4f, want >= 0.99", found, total, r)
	}
}

// TestFalseAlerts screens generated innocent travellers against the UN
// list: at most 1 per 1,000 at hit and 5 per 1,000 at review.
func TestFalseAlerts(t *testing.T) {
	ix := unIndex(t)
	const n = 3000
	hits, reviews := 0, 0
	for _, tr := range GenerateTravellers(n, 99) {
		ms := ix.Screen(tr, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), nil)
		if len(ms) == 0 {
			continue
		}
		reviews++
		if ms[0].Decision == tripline.DecisionHit {
			hits++
		}
	}
	if per := 1000 * float64(hits) / n; per > 1 {
		t.Errorf("hits per 1,000 innocent travellers = %.2f, want <= 1", per)
	}
	if per := 1000 * float64(reviews) / n; per > 5 {
		t.Errorf("alerts per 1,000 innocent travellers = %.2f, want <= 5", per)
	}
}
