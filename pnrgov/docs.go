package pnrgov

import (
	"strconv"
	"strings"
	"time"

	"tripline"
)

// Document is a travel document from an SSR DOCS: the passport or identity
// details a passenger gave the airline. Fields left blank in the DOCS text
// are empty.
type Document struct {
	Type        string // P passport, I identity card, ... as sent
	Country     string // issuing country
	Number      string
	Nationality string
	DOB         tripline.PartialDate
	Sex         tripline.Sex // M or F; the infant codes MI and FI map to M and F, U to ""
	Infant      bool         // sex code MI or FI
	Expiry      string       // YYYY-MM-DD
	Surname     string
	GivenNames  string // given and middle names, title split off
	// Segment and Line locate the SSR.
	Segment, Line int
}

// ParseDOCS parses the free text of an SSR DOCS,
// "/P/GBR/123456789/GBR/12JUL64/M/23AUG19/SMITH/JOHN/ROBERT": document
// type, issuing country, number, nationality, birth date, sex, expiry,
// surname, given name, middle name. Any field may be empty and trailing
// fields may be missing. Two-digit birth years are put in the century that
// makes the birth no later than refYear (with refYear 0, years up to 30 are
// 20YY); expiry years are 20YY. It returns an EINVALID error when a birth
// or expiry date is present but not a DDMMMYY date, or the sex is not M, F,
// MI, FI, U or X; the fields parsed so far are returned with it.
func ParseDOCS(text string, refYear int) (Document, error) {
	var d Document
	f := strings.Split(strings.TrimPrefix(strings.TrimSpace(text), "/"), "/")
	field := func(i int) string {
		if i < len(f) {
			return strings.Join(strings.Fields(f[i]), " ")
		}
		return ""
	}
	d.Type, d.Country, d.Number, d.Nationality = field(0), field(1), field(2), field(3)
	d.Surname = field(7)
	given := strings.TrimSpace(field(8) + " " + field(9))
	d.GivenNames, _ = splitTitle(given)
	if v := field(4); v != "" {
		dob, err := pnrDate(v)
		if err != nil {
			return d, tripline.Errorf(tripline.EINVALID, "DOCS birth date %q is not DDMMMYY", v)
		}
		yy, century, pivot := dob.Year()%100, 2000, 30
		if refYear != 0 {
			century, pivot = refYear-refYear%100, refYear%100
		}
		y := century + yy
		if yy > pivot {
			y -= 100
		}
		d.DOB = tripline.PartialDate{Year: y, Month: int(dob.Month()), Day: dob.Day()}
	}
	switch sex := field(5); sex {
	case "M", "F", "X":
		d.Sex = tripline.Sex(sex)
	case "MI", "FI":
		d.Sex, d.Infant = tripline.Sex(sex[:1]), true
	case "", "U":
	default:
		return d, tripline.Errorf(tripline.EINVALID, "DOCS sex %q is not M, F, MI, FI, U or X", sex)
	}
	if v := field(6); v != "" {
		exp, err := pnrDate(v)
		if err != nil {
			return d, tripline.Errorf(tripline.EINVALID, "DOCS expiry %q is not DDMMMYY", v)
		}
		d.Expiry = exp.AddDate(2000+exp.Year()%100-exp.Year(), 0, 0).Format(time.DateOnly)
	}
	return d, nil
}

// pnrDate parses DDMMMYY (12JUL64) or DDMMMYYYY; month names in any case.
func pnrDate(v string) (time.Time, error) {
	switch len(v) {
	case 7:
		return time.Parse("02Jan06", v)
	case 9:
		return time.Parse("02Jan2006", v)
	}
	return time.Time{}, strconv.ErrSyntax
}

// titles are the salutations PNRs glue to given names ("JOHNMR") or add
// after a space ("KONG CHUN MRS"). MS and DR are only split when separated
// by a space: glued, they end too many real names (WILLIAMS, ALEXANDR).
var (
	gluedTitles = []string{"MRS", "MSTR", "MISS", "MR"}
	spaceTitles = []string{"MRS", "MSTR", "MISS", "MR", "MS", "DR", "PROF", "REV", "SIR", "CHD", "INF"}
)

// splitTitle splits a trailing title off given names.
func splitTitle(given string) (name, title string) {
	given = strings.Join(strings.Fields(given), " ")
	for _, t := range spaceTitles {
		if strings.HasSuffix(given, " "+t) {
			return strings.TrimSuffix(given, " "+t), t
		}
	}
	// A glued title is only taken off the first given name: "JACKIMRS ANJA".
	first, rest, _ := strings.Cut(given, " ")
	for _, t := range gluedTitles {
		if len(first) > len(t)+1 && strings.HasSuffix(first, t) {
			return strings.TrimSpace(strings.TrimSuffix(first, t) + " " + rest), t
		}
	}
	return given, ""
}

// decodeEmail turns PNR email notation into an address: "//" is "@",
// ".." is "_" and "./" is "-".
func decodeEmail(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "//", "@")
	s = strings.ReplaceAll(s, "..", "_")
	s = strings.ReplaceAll(s, "./", "-")
	return strings.ToLower(s)
}

// ctc reads an OSI or SSR contact text: "CTCE JOHN//MAIL.COM",
// "CTCM 4155551212", "CTCA 12 MAIN ST". ok is false for other texts.
func ctc(code, text string) (c Contact, ok bool) {
	if len(code) != 4 || !strings.HasPrefix(code, "CTC") {
		return c, false
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return c, false
	}
	switch code[3] {
	case 'E':
		return Contact{Kind: ContactEmail, Value: decodeEmail(text)}, true
	case 'A':
		return Contact{Kind: ContactAddress, Value: strings.Join(strings.Fields(text), " ")}, true
	}
	return Contact{Kind: ContactPhone, Value: strings.Join(strings.Fields(text), " ")}, true
}

// preparedYear returns the four-digit year of a UNB preparation date
// ("YYMMDD:HHMM" or "CCYYMMDD:HHMM"), or 0 when there is none.
func preparedYear(prepared string) int {
	d, _, _ := strings.Cut(prepared, ":")
	n, err := strconv.Atoi(d)
	if err != nil || n < 0 {
		return 0
	}
	switch len(d) {
	case 6:
		return 2000 + n/10000
	case 8:
		return n / 10000
	}
	return 0
}
