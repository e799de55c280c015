package strdist

import (
	"math"
	"testing"
)

func TestJaroWinkler(t *testing.T) {
	cases := []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.9611},
		{"dixon", "dicksonx", 0.8133},
		{"dwayne", "duane", 0.84},
		{"same", "same", 1},
		{"", "x", 0},
		{"محمد", "محمد", 1},
		{"müller", "muller", 0.9}, // runes, not bytes: ü is one character
	}
	for _, c := range cases {
		if got := JaroWinkler(c.a, c.b); math.Abs(got-c.want) > 0.001 {
			t.Errorf("JaroWinkler(%q, %q) = %.4f, want %.4f", c.a, c.b, got, c.want)
		}
	}
}

func TestLevenshtein(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"donlad", "donald", 1}, // adjacent transposition is one edit
		{"kitten", "sitting", 3},
		{"", "abc", 3},
		{"ca", "abc", 3}, // optimal string alignment, not full Damerau
		{"حسن", "حسين", 1},
	}
	for _, c := range cases {
		if got := Levenshtein(c.a, c.b); got != c.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// TestWithinOneAndBagDistanceAgreeWithLevenshtein: the fast checks never
// disagree with the distance they stand in for.
func TestWithinOneAndBagDistanceAgreeWithLevenshtein(t *testing.T) {
	words := []string{"", "a", "ab", "ba", "abc", "acb", "abd", "abcd", "mohammed", "muhammad", "mohamed", "donald", "donlad", "kuti", "kuni", "yung", "jung", "hassan", "hasan", "husain"}
	for _, a := range words {
		for _, b := range words {
			d := Levenshtein(a, b)
			if got := WithinOne(a, b); got != (d <= 1) {
				t.Errorf("WithinOne(%q, %q) = %v, Levenshtein %d", a, b, got, d)
			}
			if bd := BagDistance(a, b); bd > d {
				t.Errorf("BagDistance(%q, %q) = %d > Levenshtein %d", a, b, bd, d)
			}
		}
	}
}
