package tripline_test

import (
	"testing"

	"tripline"
)

func TestProtectedAttribute(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"religion", true},
		{"Ethnic origin", true},
		{"trade_union_membership", true},
		{"meal_preference", true},
		{"politicalOpinion", true},
		{"ethnicOrigin", true},
		{"political-opinion", true},
		{"HEALTH", true},
		{"sexual_orientation", true},
		{"nationalities", false},
		{"birth_places", false},
		{"sex", false}, // a document's sex marker, read from the passport
		{"primary_name", false},
		{"reason", false},
		{"terrace", false}, // a word that merely contains "race"
	} {
		if got := tripline.ProtectedAttribute(tc.name); got != tc.want {
			t.Errorf("ProtectedAttribute(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}
