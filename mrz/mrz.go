// Package mrz reads the machine readable zone of travel documents (ICAO Doc
// 9303): passports (TD3), identity cards (TD1, TD2) and visas (MRV-A,
// MRV-B). It verifies every check digit, infers the century of dates against
// an injected clock, and turns the result into a tripline.Traveller for
// screening.
//
// Parse is strict: it reports what is printed and every check that fails.
// ParseTolerant also undoes the usual OCR confusions (O/0, I/1, S/5, B/8,
// Z/2, G/6) where the field type or the check digits say which reading is
// right, and lists each correction, so that a scanner's misread does not stop
// a traveller being screened under the right document number.
package mrz

import (
	"strings"
	"time"

	"tripline"
)

// Options configure parsing.
type Options struct {
	// Now is the clock that dates are judged against: a birth date cannot
	// be in the future, an expiry decides its century by distance from Now.
	// Zero means time.Now(), for callers that do not test; tests inject it.
	Now time.Time
}

func (o Options) now() time.Time {
	if o.Now.IsZero() {
		return time.Now().UTC()
	}
	return o.Now
}

// Result is one parsed MRZ. Its JSON is the `tripline mrz parse` output of
// design.md §5; fields after Errors are extensions.
type Result struct {
	Format         string `json:"format"` // TD1, TD2, TD3, MRV-A or MRV-B
	Valid          bool   `json:"valid"`  // every check digit verifies and no field is malformed
	DocumentCode   string `json:"document_code"`
	Issuer         string `json:"issuer"` // as printed, fillers trimmed: "UTO", "D", "XXA"
	Surname        string `json:"surname"`
	GivenNames     string `json:"given_names"`
	DocumentNumber string `json:"document_number"` // with any overflow from the optional data
	Nationality    string `json:"nationality"`     // as printed, fillers trimmed
	DOB            string `json:"dob"`             // YYYY-MM-DD, or YYYY-MM / YYYY when parts are unknown
	Sex            string `json:"sex"`             // M, F or X ('<' is written X); empty if malformed
	Expiry         string `json:"expiry"`          // YYYY-MM-DD
	// Checks has one entry per check digit the format has, true when it
	// verifies: document_number, dob, expiry, optional (TD3), composite
	// (TD1, TD2, TD3).
	Checks map[string]bool `json:"checks"`
	// Errors names each failed check and malformed field, e.g.
	// "dob: check digit 7, computed 3". Never nil, so JSON shows [].
	Errors []string `json:"errors"`

	OptionalData  string `json:"optional_data,omitempty"`   // after any document-number overflow; '<' inside as space
	OptionalData2 string `json:"optional_data_2,omitempty"` // TD1 line 2
	// Lines is the MRZ as read: split, trimmed and, in tolerant mode,
	// corrected.
	Lines []string `json:"lines"`
	// Corrected is set when ParseTolerant changed characters; Corrections
	// lists them. Valid then describes the corrected Lines, not the input.
	Corrected   bool         `json:"corrected,omitempty"`
	Corrections []Correction `json:"corrections,omitempty"`
	// Warnings report leniency: input that was accepted though not as
	// printed, or corrections that were possible but ambiguous.
	Warnings []string `json:"warnings,omitempty"`
}

// Correction is one character ParseTolerant changed.
type Correction struct {
	Field    string `json:"field"`    // check or field name: document_number, dob, name, ...
	Line     int    `json:"line"`     // 1-based
	Position int    `json:"position"` // 1-based column within Line
	From     string `json:"from"`
	To       string `json:"to"`
}

// Parse reads an MRZ strictly: the characters are taken as printed and each
// failed check is reported in Checks and Errors with Valid false. It returns
// a tripline EINVALID error, naming the line and what is wrong, when the
// input cannot be an MRZ at all: empty, wrong line count or length, or
// characters outside [A-Z0-9<].
func Parse(input string, opts Options) (*Result, error) {
	lines, warnings, err := splitInput(input, false)
	if err != nil {
		return nil, err
	}
	b := []byte(strings.Join(lines, ""))
	lay := layoutFor(len(lines), len(lines[0]), b[0])
	r := build(b, lay, opts.now())
	r.Warnings = append(warnings, r.Warnings...)
	return r, nil
}

// ParseTolerant reads an MRZ as Parse does, forgiving what an officer
// typing it by hand gets wrong — lower case, spaces for fillers or between
// groups, trailing fillers left out of a name line (each in Warnings) —
// then corrects OCR confusions:
// letters in digit-only positions (dates, check digits) and digits in
// letter-only positions (document code, countries, names) are swapped for
// their look-alikes; then, if a check still fails, the smallest set of
// look-alike swaps (at most 3) in the document number and optional data that
// makes every check verify is applied, if it is the only one. Each change is
// listed in Corrections. Errors are as for Parse.
func ParseTolerant(input string, opts Options) (*Result, error) {
	lines, warnings, err := splitInput(input, true)
	if err != nil {
		return nil, err
	}
	b := []byte(strings.Join(lines, ""))
	lay := layoutFor(len(lines), len(lines[0]), b[0])
	orig := append([]byte(nil), b...)
	warnings = append(warnings, correct(b, lay)...)
	r := build(b, lay, opts.now())
	for p := range b {
		if b[p] != orig[p] {
			r.Corrections = append(r.Corrections, Correction{
				Field: fieldAt(b, lay, p), Line: p/lay.lineLen + 1, Position: p%lay.lineLen + 1,
				From: string(orig[p]), To: string(b[p]),
			})
		}
	}
	r.Corrected = len(r.Corrections) > 0
	r.Warnings = append(warnings, r.Warnings...)
	return r, nil
}

// Traveller turns the result into a traveller for screening under ref. The
// birth date keeps only the parts the MRZ knows; Germany's "D" becomes DEU,
// since screening expects ISO codes, while ICAO codes such as XXA (stateless)
// or UTO pass through. The document type is the first letter of the
// document code.
func (r *Result) Traveller(ref string) *tripline.Traveller {
	t := &tripline.Traveller{
		Ref:         ref,
		Surname:     r.Surname,
		GivenNames:  r.GivenNames,
		Nationality: isoCountry(r.Nationality),
	}
	switch r.Sex {
	case "M", "F", "X":
		t.Sex = tripline.Sex(r.Sex)
	}
	if d, err := tripline.ParsePartialDate(r.DOB); err == nil {
		t.DOB = d
	}
	if r.DocumentNumber != "" {
		t.Document = &tripline.Document{
			Number:  r.DocumentNumber,
			Country: isoCountry(r.Issuer),
			Expiry:  r.Expiry,
		}
		if r.DocumentCode != "" {
			t.Document.Type = r.DocumentCode[:1]
		}
	}
	return t
}

func isoCountry(code string) string {
	if code == "D" {
		return "DEU"
	}
	return code
}
