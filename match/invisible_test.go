package match

import (
	"slices"
	"strings"
	"testing"

	"tripline"
)

// invisibles are characters that show nothing: format characters (Cf),
// Hangul fillers, the grapheme joiner and variation selectors.
var invisibles = []rune{
	0x200B,  // zero width space
	0x00AD,  // soft hyphen
	0x3164,  // Hangul filler
	0x115F,  // Hangul choseong filler
	0x1160,  // Hangul jungseong filler
	0xFFA0,  // halfwidth Hangul filler
	0x034F,  // combining grapheme joiner
	0xFE0F,  // variation selector 16
	0xE0100, // variation selector 17
	0x2060,  // word joiner
	0xFEFF,  // zero width no-break space
	0x200E,  // left-to-right mark
	0x202E,  // right-to-left override
	0x061C,  // Arabic letter mark
	0x180E,  // Mongolian vowel separator
	0xE0041, // tag latin capital letter a
}

// sprinkle inserts r inside every word of name, after its second letter.
func sprinkle(name string, r rune) string {
	words := strings.Fields(name)
	for i, w := range words {
		rs := []rune(w)
		if len(rs) > 2 {
			words[i] = string(rs[:2]) + string(r) + string(rs[2:])
		}
	}
	return strings.Join(words, " ")
}

func TestNormaliseDropsInvisible(t *testing.T) {
	for _, name := range []string{"Muhammad Taher ANWARI", "محمد طاهر أنوري", "Сергей Лавров", "Abdul Rahman"} {
		want := Normalise(name)
		for _, r := range invisibles {
			if got := Normalise(sprinkle(name, r)); !slices.Equal(got, want) {
				t.Errorf("Normalise(%q with %U) = %q, want %q", name, r, got, want)
			}
		}
	}
}

// decisions screens tr and returns listing → decision.
func decisions(ix *Index, tr *tripline.Traveller) map[string]tripline.Decision {
	out := map[string]tripline.Decision{}
	for _, m := range ix.Screen(tr, now, nil) {
		out[m.Listing] = m.Decision
	}
	return out
}

// Invisible characters in the traveller's name, or in the listed name,
// give the decision the name gives without them: they turned a HIT into
// CLEAR.
func TestInvisibleCharactersKeepDecision(t *testing.T) {
	const listedName = "Muhammad Taher ANWARI"
	tr := func(name string) *tripline.Traveller {
		return &tripline.Traveller{Name: name, DOB: date(1961, 3, 14), Nationality: "AF"}
	}
	plain := NewIndex(Options{})
	plain.Upsert(listed())
	want := decisions(plain, tr(listedName))
	if want["test:1"] != tripline.DecisionHit {
		t.Fatalf("without invisible characters: %v, want a hit on test:1", want)
	}
	for _, r := range invisibles {
		if got := decisions(plain, tr(sprinkle(listedName, r))); !equalDecisions(got, want) {
			t.Errorf("traveller name with %U: %v, want %v", r, got, want)
		}
		ix := NewIndex(Options{})
		l := listed()
		l.Names = []tripline.Name{{Full: sprinkle(listedName, r), Kind: tripline.NamePrimary}}
		ix.Upsert(l)
		if got := decisions(ix, tr(listedName)); !equalDecisions(got, want) {
			t.Errorf("listed name with %U: %v, want %v", r, got, want)
		}
	}
}

func equalDecisions(a, b map[string]tripline.Decision) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
