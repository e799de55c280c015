package tripline

import (
	"unicode"
)

// Name limits. Matching work grows with a name's words, so a name is
// bounded before it reaches the matcher. The longest names on the lists
// Tripline reads are far below them: 193 bytes and 25 words on the UN list
// (an alias with its note), 158 bytes and 24 words on OFAC's.
const (
	// MaxNameBytes bounds one name (UTF-8 bytes), and each of a
	// traveller's name, given_names and surname.
	MaxNameBytes = 1024
	// MaxNameWords bounds the words of one name (runs of letters and
	// digits).
	MaxNameWords = 64
	// MaxNames bounds the names of one listing (47 at most on OFAC's list).
	MaxNames = 256
)

// ValidateName reports what is wrong with a name, naming field: empty,
// longer than MaxNameBytes, more than MaxNameWords words, or no letter or
// digit once invisible characters are set aside (a name of zero-width
// spaces or punctuation cannot be matched and must not be listed or
// screened as if it could). The error is EINVALID.
func ValidateName(field, s string) error {
	if len(s) > MaxNameBytes {
		return Errorf(EINVALID, "%s: %d bytes long, at most %d", field, len(s), MaxNameBytes)
	}
	if isBlank(s) {
		return Errorf(EINVALID, "%s: empty", field)
	}
	return checkNameWords(field, s)
}

// checkNameWords counts the words of s, stopping past the limit so that
// the cost stays bounded whatever the caller checked before.
func checkNameWords(field, s string) error {
	words, in := 0, false
	for _, r := range s {
		if Invisible(r) {
			continue // neither a letter nor a break: "Mu\u200bhammad" is one word
		}
		if unicode.Is(unicode.M, r) || unicode.Is(unicode.Lm, r) {
			// Accents and modifier letters (ʼ, ー) belong to a word but
			// do not make one: alone, they leave nothing to match.
			continue
		}
		letter := unicode.IsLetter(r) || unicode.IsDigit(r)
		if letter && !in {
			words++
			if words > MaxNameWords {
				return Errorf(EINVALID, "%s: more than %d words", field, MaxNameWords)
			}
		}
		in = letter
	}
	if words == 0 {
		return Errorf(EINVALID, "%s: no letters or digits (only spaces, punctuation or invisible characters)", field)
	}
	return nil
}

// isBlank reports whether s has nothing but white space.
func isBlank(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// Invisible reports whether r is a character that shows nothing and
// carries no letter: Unicode format characters (Cf: zero-width space and
// joiners, soft hyphen, bidirectional controls, tags), the other
// default-ignorable code points (the Hangul fillers U+115F, U+1160, U+3164,
// U+FFA0, the combining grapheme joiner U+034F) and variation selectors.
// Names drop them before matching: inserted into a listed name they would
// otherwise make it look like another.
func Invisible(r rune) bool {
	if r < 0xAD {
		return false // below the soft hyphen: none (the fast path for ASCII)
	}
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) || unicode.Is(unicode.Variation_Selector, r)
}
