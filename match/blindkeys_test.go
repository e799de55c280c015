package match_test

import (
	"testing"

	"tripline/match"
)

// TestBlindKeys: the blind forms fold word order, particles, titles and
// transliteration as matching does, and keep different names apart.
func TestBlindKeys(t *testing.T) {
	same := []struct{ a, b, form string }{
		{"Muhammad Abd al-Rahman", "ABD AL-RAHMAN, Muhammad", "exact"},
		{"Osama bin Laden", "Osama Laden", "exact"},
		{"Jürgen Müller", "Juergen Mueller", "exact"},
		{"Dr. Anna Eriksson", "Anna Eriksson", "exact"},
		{"Muhammad Abd al-Rahman", "Mohammed Abdul Rahman", "classes"},
		{"Mohammad Tahir Anwari", "محمد طاهر انوري", "classes"},
		{"Jurgen Muller", "Jürgen Müller", "skeleton"},
	}
	for _, tc := range same {
		a, b := match.BlindKeys(tc.a), match.BlindKeys(tc.b)
		got := map[string][2]string{"exact": {a.Exact, b.Exact}, "classes": {a.Classes, b.Classes}, "skeleton": {a.Skeleton, b.Skeleton}}[tc.form]
		if got[0] != got[1] || got[0] == "" {
			t.Errorf("%q and %q: %s forms %q and %q, want equal", tc.a, tc.b, tc.form, got[0], got[1])
		}
	}
	if a, b := match.BlindKeys("Muhammad Abd al-Rahman Anwari"), match.BlindKeys("Mohammed Anwari"); a.Ends != b.Classes || a.Ends == "" {
		t.Errorf("first and last words %q, the name without its middle %q", a.Ends, b.Classes)
	}
	if a, b := match.BlindKeys("Anna Eriksson"), match.BlindKeys("Anne Erikson"); a.Exact == b.Exact {
		t.Errorf("different spellings share the exact form %q", a.Exact)
	}
	if k := match.BlindKeys("-- ,, --"); k.Exact != "" || k.Classes != "" || k.Skeleton != "" {
		t.Errorf("a name of no word: %+v", k)
	}
}
