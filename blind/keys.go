// Package blind is blind screening (issue 20, docs/blind.md): an
// originating node A lets a partner B screen travellers against listings
// that never leave A. A derives exact keys from each listing, evaluates
// them under its OPRF key of the epoch (RFC 9497, verifiable mode, from
// Cloudflare CIRCL) and ships B only {lookup tag → sealed payload}, padded
// with dummy entries. B derives the same keys from each traveller, blinds
// them and has A evaluate the whole batch in one round trip without A
// learning them; B finalises, looks the tags up in its copy of the table
// and can open only the payloads of its hits.
package blind

import (
	"strconv"
	"strings"

	"tripline"
	"tripline/match"
)

// Key is one exact key of a listing or traveller, before evaluation.
type Key struct {
	Kind  tripline.BlindKind
	Input []byte
}

// keyPrefix versions the key inputs: a change to how keys are formed is a
// new prefix, and a table says which one it was built with.
const keyPrefix = "tripline-blind-key-v1"

// KeysVersion is what a table header names as its key scheme: this
// package's key inputs and the matcher's name folding.
const KeysVersion = keyPrefix + "+" + match.BlindKeysVersion

func newKey(kind tripline.BlindKind, parts ...string) Key {
	return Key{Kind: kind, Input: []byte(keyPrefix + "\x00" + string(kind) + "\x00" + strings.Join(parts, "\x00"))}
}

// noDate stands for the birth date of a listing that gives none, and for
// the issuing state of a document that names none.
const noDate = "-"

// Bounds on keys, so that one listing or traveller cannot make a table or
// an evaluation batch grow without limit.
const (
	MaxListingKeys   = 256
	MaxTravellerKeys = 12
	// maxKeyNames and maxKeyDates bound the names and birth dates of one
	// listing that are keyed.
	maxKeyNames = 32
	maxKeyDates = 8
)

// FoldDocNumber normalises a document number as NormaliseDocNumber does and
// folds the characters OCR confuses (O and 0, I and 1, S and 5): a
// misread number still meets its listing exactly.
func FoldDocNumber(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case 'O':
			return '0'
		case 'I':
			return '1'
		case 'S':
			return '5'
		}
		return r
	}, tripline.NormaliseDocNumber(s))
}

// Alpha3 maps a country code to ISO 3166 alpha-3 (screening.Service's
// table); nil keeps codes as given, upper-cased.
type Alpha3 func(string) string

func (a Alpha3) of(c string) string {
	c = strings.ToUpper(strings.TrimSpace(c))
	if c == "" {
		return noDate
	}
	if a != nil {
		if x := a(c); x != "" {
			return x
		}
	}
	return c
}

// keySet collects distinct keys up to a bound.
type keySet struct {
	seen map[string]bool
	keys []Key
	max  int
}

func (s *keySet) add(k Key) {
	if len(s.keys) >= s.max || s.seen[string(k.Input)] {
		return
	}
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	s.seen[string(k.Input)] = true
	s.keys = append(s.keys, k)
}

// ListingKeys returns the exact keys of a listing: each document with its
// issuing state; each name with each birth date as precise as given, and
// by variant classes (of all its words, and of its first and last alone)
// and by consonant skeleton with each birth year; a
// name alone when the listing gives no birth date. At most MaxListingKeys.
func ListingKeys(l *tripline.Listing, alpha3 Alpha3) []Key {
	s := keySet{max: MaxListingKeys}
	for _, d := range l.Documents {
		if n := FoldDocNumber(d.Number); n != "" {
			s.add(newKey(tripline.BlindDocument, n, alpha3.of(d.Country)))
		}
	}
	dates := l.BirthDates
	if len(dates) > maxKeyDates {
		dates = dates[:maxKeyDates]
	}
	for i, n := range l.Names {
		if i == maxKeyNames {
			break
		}
		bk := match.BlindKeys(n.Full)
		if bk.Exact == "" {
			continue
		}
		if len(dates) == 0 {
			s.add(newKey(tripline.BlindName, bk.Exact))
			continue
		}
		for _, d := range dates {
			if d.IsZero() {
				continue
			}
			year := strconv.Itoa(d.Year)
			s.add(newKey(tripline.BlindNameDOB, bk.Exact, d.String()))
			s.add(newKey(tripline.BlindVariant, bk.Classes, year))
			if bk.Ends != "" {
				s.add(newKey(tripline.BlindVariant, bk.Ends, year)) // met by a traveller without the middle names
			}
			if bk.Skeleton != "" {
				s.add(newKey(tripline.BlindSkeleton, bk.Skeleton, year))
			}
		}
	}
	return s.keys
}

// TravellerKeys returns the keys a traveller is looked up by: the document
// with and without its issuing state; the name with the birth date at each
// precision the traveller gives (and with day and month swapped, a common
// slip), by variant classes and skeleton with the birth year, and alone
// (for listings without a birth date). At most MaxTravellerKeys.
func TravellerKeys(t *tripline.Traveller, alpha3 Alpha3) []Key {
	s := keySet{max: MaxTravellerKeys}
	if t.Document != nil {
		if n := FoldDocNumber(t.Document.Number); n != "" {
			if c := alpha3.of(t.Document.Country); c != noDate {
				s.add(newKey(tripline.BlindDocument, n, c))
			}
			s.add(newKey(tripline.BlindDocument, n, noDate))
		}
	}
	bk := match.BlindKeys(t.FullName())
	if bk.Exact == "" {
		return s.keys
	}
	if d := t.DOB; !d.IsZero() {
		year := strconv.Itoa(d.Year)
		for _, p := range precisions(d) {
			s.add(newKey(tripline.BlindNameDOB, bk.Exact, p.String()))
		}
		s.add(newKey(tripline.BlindVariant, bk.Classes, year))
		if bk.Skeleton != "" {
			s.add(newKey(tripline.BlindSkeleton, bk.Skeleton, year))
		}
	}
	s.add(newKey(tripline.BlindName, bk.Exact))
	return s.keys
}

// precisions returns d and its coarser forms, and d with day and month
// swapped when that is another valid date.
func precisions(d tripline.PartialDate) []tripline.PartialDate {
	out := []tripline.PartialDate{d}
	if d.Day > 0 {
		out = append(out, tripline.PartialDate{Year: d.Year, Month: d.Month})
		if sw := (tripline.PartialDate{Year: d.Year, Month: d.Day, Day: d.Month}); d.Day != d.Month && sw.Validate() == nil {
			out = append(out, sw)
		}
	}
	if d.Month > 0 {
		out = append(out, tripline.PartialDate{Year: d.Year})
	}
	return out
}
