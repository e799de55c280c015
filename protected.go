package tripline

import (
	"strings"
	"unicode"
)

// Tripline screens identities (names, birth dates, documents,
// nationalities), never people's beliefs, origins or bodies: no listing,
// traveller or encounter has a field for a special category of personal
// data (GDPR art. 9; the EU PNR Directive's art. 13(4) for passenger
// data), the PNR parser keeps no meal, medical or free-text request, and
// an input that names such a field is refused as such, rather than
// dropped silently or taken for a typo.

// protectedWords are the words of a field name that say it holds a
// special category: religion, ethnic or racial origin, political
// opinions, trade-union membership, health, sex life or orientation (and
// meal requests, which reveal religion or health).
var protectedWords = map[string]bool{
	"religion": true, "religious": true, "faith": true, "confession": true, "denomination": true,
	"ethnicity": true, "ethnic": true, "race": true, "racial": true, "tribe": true, "tribal": true, "caste": true,
	"political": true, "politics": true, "union": true,
	"health": true, "medical": true, "disability": true, "illness": true, "diagnosis": true,
	"sexual": true, "orientation": true, "sexuality": true,
	"meal": true,
}

// ProtectedAttribute reports whether a field or column named name would
// hold a protected attribute ("religion", "Ethnic origin",
// "trade_union_membership", "meal_preference").
func ProtectedAttribute(name string) bool {
	// Words: runs of letters, split also where camel case turns upper
	// ("ethnicOrigin").
	var w strings.Builder
	prevLower := false
	for _, r := range name + " " {
		upper := r >= 'A' && r <= 'Z'
		letter := upper || (r >= 'a' && r <= 'z')
		if !letter || (upper && prevLower) {
			if protectedWords[w.String()] {
				return true
			}
			w.Reset()
		}
		if letter {
			w.WriteRune(unicode.ToLower(r))
		}
		prevLower = letter && !upper
	}
	return false
}

// ProtectedAttributeError is the coded error for an input naming field,
// a protected attribute.
func ProtectedAttributeError(field string) error {
	return Errorf(EINVALID, "%q: Tripline does not store religion, ethnicity, political opinions, health or other "+
		"protected attributes, and screens no one by them; remove it", field)
}
