package mrz

import (
	"fmt"
	"strings"
	"time"

	"tripline"
)

// outcome is one check digit's verdict. The message is built only when a
// report needs it, because the tolerant search evaluates checks thousands
// of times.
type outcome struct {
	name     string
	ok       bool
	printed  byte
	computed int
	alt      int // document-number overflow: check counting the '<'; -1 if none
	noRun    bool
}

func (o outcome) message() string {
	switch {
	case o.noRun:
		return fmt.Sprintf("%s: check digit '<' but no overflow and check digit in the optional data", o.name)
	case !isDigit(o.printed):
		return fmt.Sprintf("%s: check digit %q is not a digit, computed %d", o.name, o.printed, o.computed)
	case o.alt >= 0 && o.alt != o.computed:
		return fmt.Sprintf("%s: check digit %c, computed %d (%d counting the '<')", o.name, o.printed, o.computed, o.alt)
	}
	return fmt.Sprintf("%s: check digit %c, computed %d", o.name, o.printed, o.computed)
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }

// verify compares a printed check digit with the computed one. '<' counts as
// 0 only over a field that is all fillers: Doc 9303 lets an unused personal
// number carry '<' as its check digit.
func verify(name string, printed byte, computed int, empty bool) outcome {
	o := outcome{name: name, printed: printed, computed: computed, alt: -1}
	switch {
	case isDigit(printed):
		o.ok = int(printed-'0') == computed
	case printed == '<':
		o.ok = empty && computed == 0
	}
	return o
}

func allFiller(b []byte) bool {
	for _, c := range b {
		if c != '<' {
			return false
		}
	}
	return true
}

// docNumber reads the document number and verifies its check digit. A '<'
// in the check-digit position after a full 9-character field means the
// number is longer (Doc 9303 Parts 5 and 6, cards only): it continues at the start of
// the optional data up to the next '<', and the last of those characters is
// the check digit. Issuers differ on whether that check digit covers the '<'
// (Belgian cards have both), so either verifies. optFrom is where the
// optional data proper starts.
func docNumber(b []byte, lay *layout) (num string, optFrom int, o outcome) {
	field := b[lay.docNum.lo:lay.docNum.hi]
	printed := b[lay.docCD]
	optFrom = lay.opt.lo
	if printed == '<' && field[len(field)-1] != '<' && lay.overflow {
		end := lay.opt.lo
		for end < lay.opt.hi && b[end] != '<' {
			end++
		}
		run := b[lay.opt.lo:end]
		if len(run) < 2 {
			o = outcome{name: CheckDocumentNumber, printed: '<', alt: -1, noRun: true}
			return string(field), optFrom, o
		}
		extra, cd := run[:len(run)-1], run[len(run)-1]
		num = string(field) + string(extra)
		o = verify(CheckDocumentNumber, cd, CheckDigit(num), false)
		o.alt = CheckDigit(string(field) + "<" + string(extra))
		o.ok = o.ok || (isDigit(cd) && int(cd-'0') == o.alt)
		return num, end, o
	}
	o = verify(CheckDocumentNumber, printed, CheckDigit(string(field)), allFiller(field))
	return strings.TrimRight(string(field), "<"), optFrom, o
}

// checks evaluates every check digit of the format, in the order of
// design.md §5.
func checks(b []byte, lay *layout) []outcome {
	_, _, doc := docNumber(b, lay)
	out := make([]outcome, 0, 5)
	out = append(out, doc,
		verify(CheckDOB, b[lay.dobCD], CheckDigit(string(b[lay.dob.lo:lay.dob.hi])), allFiller(b[lay.dob.lo:lay.dob.hi])),
		verify(CheckExpiry, b[lay.expCD], CheckDigit(string(b[lay.exp.lo:lay.exp.hi])), allFiller(b[lay.exp.lo:lay.exp.hi])))
	if lay.optCD >= 0 {
		f := b[lay.opt.lo:lay.opt.hi]
		out = append(out, verify(CheckOptional, b[lay.optCD], CheckDigit(string(f)), allFiller(f)))
	}
	if lay.composite >= 0 {
		out = append(out, verify(CheckComposite, b[lay.composite], checkSpans(b, lay.compSpans), false))
	}
	return out
}

// allPass reports whether every check digit verifies.
func allPass(b []byte, lay *layout) bool {
	for _, o := range checks(b, lay) {
		if !o.ok {
			return false
		}
	}
	return true
}

// build reads every field of b and reports what is wrong with it. It never
// fails: structural problems were rejected by splitInput, and everything
// else is a finding for Errors.
func build(b []byte, lay *layout, now time.Time) *Result {
	r := &Result{
		Format: lay.format,
		Checks: map[string]bool{},
		Errors: []string{},
	}
	for i := 0; i < lay.lines; i++ {
		r.Lines = append(r.Lines, string(b[i*lay.lineLen:(i+1)*lay.lineLen]))
	}
	for _, o := range checks(b, lay) {
		r.Checks[o.name] = o.ok
		if !o.ok {
			r.Errors = append(r.Errors, o.message())
		}
	}

	code := b[lay.code.lo:lay.code.hi]
	r.DocumentCode = strings.TrimRight(string(code), "<")
	if !isLetter(code[0]) || !(isLetter(code[1]) || code[1] == '<') {
		r.Errors = append(r.Errors, fmt.Sprintf("document_code: %q is not a letter and a letter or '<'", code))
	}
	var bad string
	r.Issuer, bad = countryCode("issuer", b[lay.issuer.lo:lay.issuer.hi])
	r.addError(bad)
	r.Nationality, bad = countryCode("nationality", b[lay.nat.lo:lay.nat.hi])
	r.addError(bad)

	r.Surname, r.GivenNames = names(string(b[lay.name.lo:lay.name.hi]))
	for p := lay.name.lo; p < lay.name.hi; p++ {
		if !isLetter(b[p]) && b[p] != '<' {
			r.Errors = append(r.Errors, fmt.Sprintf("name: %q at line %d column %d is not a letter", b[p], p/lay.lineLen+1, p%lay.lineLen+1))
		}
	}

	num, optFrom, _ := docNumber(b, lay)
	r.DocumentNumber = num
	if lay.opt.len() > 0 {
		r.OptionalData = cleanOptional(b[optFrom:lay.opt.hi])
	}
	if lay.opt2.len() > 0 {
		r.OptionalData2 = cleanOptional(b[lay.opt2.lo:lay.opt2.hi])
	}

	dob, err := birthDate(string(b[lay.dob.lo:lay.dob.hi]), now)
	if err != nil {
		r.Errors = append(r.Errors, "dob: "+tripline.ErrorMessage(err))
	}
	r.DOB = dob.String()
	exp, err := expiryDate(string(b[lay.exp.lo:lay.exp.hi]), now)
	if err != nil {
		r.Errors = append(r.Errors, "expiry: "+tripline.ErrorMessage(err))
	}
	r.Expiry = exp.String()

	switch s := b[lay.sex]; s {
	case 'M', 'F', 'X':
		r.Sex = string(s)
	case '<':
		r.Sex = "X" // Doc 9303: '<' and X both mean unspecified
	default:
		r.Errors = append(r.Errors, fmt.Sprintf("sex: %q is not M, F, X or '<'", s))
	}

	r.Valid = len(r.Errors) == 0
	return r
}

func (r *Result) addError(msg string) {
	if msg != "" {
		r.Errors = append(r.Errors, msg)
	}
}

// countryCode trims the fillers of a 3-character state code ("D<<" is
// Germany) and reports one that is not letters followed by fillers.
func countryCode(field string, f []byte) (code, problem string) {
	code = strings.TrimRight(string(f), "<")
	if code == "" {
		return "", fmt.Sprintf("%s: missing (%q)", field, f)
	}
	for i := 0; i < len(code); i++ {
		if !isLetter(code[i]) {
			return code, fmt.Sprintf("%s: %q is not a state code (letters, then '<')", field, f)
		}
	}
	return code, ""
}

// names splits the name field at the first "<<" into primary and secondary
// identifiers; single '<' separate words. A name cut off by the field's end
// keeps what is there, and no "<<" means there is only a primary identifier.
func names(field string) (primary, secondary string) {
	p, s, _ := strings.Cut(field, "<<")
	return words(p), words(s)
}

func words(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '<' }), " ")
}

func cleanOptional(f []byte) string {
	return strings.TrimSpace(strings.ReplaceAll(string(f), "<", " "))
}

// birthDate reads a YYMMDD birth date. Unknown parts are written "<<" (or
// "00" by several issuers) and give a partial date. The century is the
// latest one that does not put the birth after now. A date that cannot be
// one is an error, never a made-up year: all zeros ("000000", which would
// read as 2000), or a day given with an unknown month.
func birthDate(s string, now time.Time) (tripline.PartialDate, error) {
	var d tripline.PartialDate
	yy, ok := twoDigits(s[0:2])
	if s[0:2] == "<<" {
		return d, nil // year unknown: nothing is known
	}
	if !ok {
		return d, tripline.Errorf(tripline.EINVALID, "%q is not a date (YYMMDD)", s)
	}
	if s == "000000" {
		return d, tripline.Errorf(tripline.EINVALID, "%q is not a date (all zeros)", s)
	}
	mm, okm := twoDigits(s[2:4])
	dd, okd := twoDigits(s[4:6])
	if (!okm && s[2:4] != "<<") || (!okd && s[4:6] != "<<") {
		return d, tripline.Errorf(tripline.EINVALID, "%q is not a date (YYMMDD)", s)
	}
	if (!okm || mm == 0) && okd && dd != 0 {
		return d, tripline.Errorf(tripline.EINVALID, "%q is not a date (a day without a month)", s)
	}
	d.Year = 2000 + yy
	if okm && mm != 0 {
		d.Month = mm
		if okd && dd != 0 {
			d.Day = dd
		}
	}
	// Unknown parts count as early as possible: a birth this year with an
	// unknown month is not in the future.
	m, day := max(d.Month, 1), max(d.Day, 1)
	if time.Date(d.Year, time.Month(m), day, 0, 0, 0, 0, time.UTC).After(now) {
		d.Year -= 100
	}
	if err := d.Validate(); err != nil {
		return tripline.PartialDate{}, err
	}
	return d, nil
}

// expiryDate reads a YYMMDD expiry. Documents expire in 20yy unless that is
// implausibly far ahead (more than 50 years from now), when it is 19yy: an
// old document, not one valid for the rest of the century. All fillers means
// the document gives no expiry.
func expiryDate(s string, now time.Time) (tripline.PartialDate, error) {
	var d tripline.PartialDate
	if s == "<<<<<<" {
		return d, nil
	}
	yy, oky := twoDigits(s[0:2])
	mm, okm := twoDigits(s[2:4])
	dd, okd := twoDigits(s[4:6])
	if !oky || !okm || !okd {
		return d, tripline.Errorf(tripline.EINVALID, "%q is not a date (YYMMDD)", s)
	}
	d = tripline.PartialDate{Year: 2000 + yy, Month: mm, Day: dd}
	if d.Year > now.Year()+50 {
		d.Year -= 100
	}
	if mm == 0 || dd == 0 {
		return tripline.PartialDate{}, tripline.Errorf(tripline.EINVALID, "%q is not a full date (YYMMDD)", s)
	}
	if err := d.Validate(); err != nil {
		return tripline.PartialDate{}, err
	}
	return d, nil
}

func twoDigits(s string) (int, bool) {
	if len(s) != 2 || !isDigit(s[0]) || !isDigit(s[1]) {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}
