package importer

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode"

	"tripline"
)

// ReadUN reads the UN Security Council consolidated list (XML, as published
// at scsanctions.un.org) and returns its individuals; entities are skipped
// because only people cross borders. name labels errors, e.g. the file name.
//
// Each listing gets the id "un-sc:<REFERENCE_NUMBER>" (un-sc:TAi.005), the
// regime (UN_LIST_TYPE, e.g. "Al-Qaida") as its reason and refuse_entry as
// its action, since the UN travel ban obliges states to refuse entry.
// Malformed XML, an impossible date or an invalid listing fails the whole
// file with a *tripline.Error (EINVALID) naming the line and element.
func ReadUN(r io.Reader, name string) ([]*tripline.Listing, error) {
	return readUN(r, name, "")
}

func readUN(r io.Reader, name, source string) ([]*tripline.Listing, error) {
	if source == "" {
		source = SourceUN
	}
	lt := &lineTracker{r: r, line: 1}
	d := xml.NewDecoder(lt)
	c := newCollector(name)
	// path holds the open elements outside an INDIVIDUAL, to bound their
	// depth and name them in errors.
	var path []string
	sawRoot := false
	for {
		// Each token outside an INDIVIDUAL is bounded: the decoder holds a
		// text, a tag or a comment whole, whatever its length.
		mark := d.InputOffset()
		lt.limit = mark + MaxUNTokenBytes + 1
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if errors.Is(err, errUNTooLong) {
			return nil, tokenTooLong(name, lt, path, mark)
		}
		if err != nil {
			return nil, xmlError(name, lt, d, err)
		}
		// Outside an INDIVIDUAL no offset is looked up: forget the bytes
		// read, or a file of anything else is kept whole.
		lt.forget(d.InputOffset())
		if _, ok := tok.(xml.EndElement); ok && len(path) > 0 {
			path = path[:len(path)-1]
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if !sawRoot {
			if se.Name.Local != "CONSOLIDATED_LIST" {
				return nil, errAt(name, lt.lineAt(d.InputOffset()), se.Name.Local, "not a UN consolidated list (root element must be CONSOLIDATED_LIST)")
			}
			sawRoot = true
			path = append(path, se.Name.Local)
			continue
		}
		switch se.Name.Local {
		case "INDIVIDUAL":
			// Count lines up to here once; offsets inside the element are
			// resolved from the bytes kept since, so memory stays flat.
			line := lt.lineAt(d.InputOffset())
			lt.limit = mark + MaxUNIndividualBytes + 1
			var ind unIndividual
			if err := d.DecodeElement(&ind, &se); errors.Is(err, errUNTooLong) {
				return nil, individualTooLong(name, lt)
			} else if err != nil {
				return nil, xmlError(name, lt, d, err)
			}
			l, err := ind.listing(source, name, lt, line)
			if err != nil {
				return nil, err
			}
			if err := c.add(l, line); err != nil {
				return nil, err
			}
		case "ENTITY":
			if err := skip(d, lt, name, append(path, "ENTITY")); err != nil {
				return nil, err
			}
		default:
			if path = append(path, se.Name.Local); len(path) > maxUNDepth {
				return nil, tooDeep(name, lt, d, path)
			}
		}
	}
	if !sawRoot {
		return nil, errAt(name, 0, "", "not a UN consolidated list: no XML root element")
	}
	return c.result()
}

// MaxUNTokenBytes bounds a text, tag or comment of a UN list outside an
// INDIVIDUAL, and MaxUNIndividualBytes an INDIVIDUAL whole: the published
// list's longest text is under 2 KB and its largest INDIVIDUAL 11 KB, while
// the XML decoder holds a token (and DecodeElement an element) whole, at
// about four times its size. As for a CSV row, a file passing either is
// refused naming the element and line, after reading little more.
const (
	MaxUNTokenBytes      = 1 << 20
	MaxUNIndividualBytes = 1 << 20
)

// maxUNDepth bounds how deep elements nest outside an INDIVIDUAL (the list
// nests five deep): the decoder keeps every open element, about 35 bytes
// held per 3 bytes of "<a>", so 64 MiB of them held 2 GiB.
const maxUNDepth = 32

// errUNTooLong is what the lineTracker answers past its limit.
var errUNTooLong = errors.New("bound passed")

// tokenTooLong names the token that began at mark inside path and passed
// MaxUNTokenBytes.
func tokenTooLong(name string, lt *lineTracker, path []string, mark int64) error {
	k := min(max(mark-lt.start, 0), int64(len(lt.buf)))
	rest := lt.buf[k:]
	what, field := "text", showPath(path)
	// A text's line is that of its first visible byte, not of the
	// newline after the tag before it.
	mark += int64(len(rest) - len(bytes.TrimLeft(rest, " \t\r\n")))
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		what = "comment"
	case bytes.HasPrefix(rest, []byte("<!")), bytes.HasPrefix(rest, []byte("<?")):
		what = "declaration"
	case bytes.HasPrefix(rest, []byte("<")):
		what = "tag"
		field += "/" + tagName(rest)
	}
	return errAt(name, lt.peekLine(mark), field, "%s longer than %d bytes", what, MaxUNTokenBytes)
}

// individualTooLong names the element an INDIVIDUAL passed
// MaxUNIndividualBytes in: the last tag begun in the bytes kept since the
// INDIVIDUAL's start.
func individualTooLong(name string, lt *lineTracker) error {
	field, off := "INDIVIDUAL", lt.start
	for i := len(lt.buf) - 1; i >= 0; i-- {
		if lt.buf[i] == '<' && i+1 < len(lt.buf) && lt.buf[i+1] != '/' {
			field += "/" + tagName(lt.buf[i:])
			off = lt.start + int64(i)
			break
		}
	}
	return errAt(name, lt.peekLine(off), field, "the INDIVIDUAL passes %d bytes here (the list's largest is 11 KB)", MaxUNIndividualBytes)
}

// tooDeep names the element that nests past maxUNDepth.
func tooDeep(name string, lt *lineTracker, d *xml.Decoder, path []string) error {
	return errAt(name, lt.peekLine(d.InputOffset()), showPath(path), "elements nested deeper than %d", maxUNDepth)
}

// tagName is the name of the tag b starts with, quoted if it is not a
// plain name and cut short: it may be what passed a bound.
func tagName(b []byte) string {
	b = b[1:]
	if i := bytes.IndexAny(b, " \t\r\n/>"); i >= 0 {
		b = b[:i]
	}
	if len(b) > 64 {
		return strconv.Quote(string(b[:64])) + "..."
	}
	for _, c := range b {
		if !(c == '_' || c == '-' || c == '.' || c == ':' || '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return strconv.Quote(string(b))
		}
	}
	return string(b)
}

// showPath joins path for an error, its last few elements only, each cut
// short.
func showPath(path []string) string {
	var b strings.Builder
	if len(path) > 6 {
		b.WriteString(".../")
		path = path[len(path)-6:]
	}
	for i, p := range path {
		if i > 0 {
			b.WriteByte('/')
		}
		if len(p) > 64 {
			p = p[:64] + "..."
		}
		b.WriteString(p)
	}
	return b.String()
}

// xmlError reports a decoding failure with the decoder's own line when it
// has one (syntax errors), else the line of the current offset.
func xmlError(name string, lt *lineTracker, d *xml.Decoder, err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return errAt(name, se.Line, "", "malformed XML: %s", se.Msg)
	}
	return errAt(name, lt.peekLine(d.InputOffset()), "", "malformed XML: %v", err)
}

// lineTracker turns decoder byte offsets into line numbers without keeping
// the file: it holds only the bytes read since the last counted offset.
// Offsets passed to lineAt must not decrease.
type lineTracker struct {
	r     io.Reader
	buf   []byte // bytes from start on
	start int64  // file offset of buf[0]
	line  int    // line number at start
	read  int64  // bytes read from r
	limit int64  // Read answers errUNTooLong at this offset; 0: never
}

func (t *lineTracker) Read(p []byte) (int, error) {
	if t.limit > 0 {
		if t.read >= t.limit {
			return 0, errUNTooLong
		}
		p = p[:min(int64(len(p)), t.limit-t.read)]
	}
	n, err := t.r.Read(p)
	t.read += int64(n)
	t.buf = append(t.buf, p[:n]...)
	return n, err
}

// lineAt returns the line of offset off and forgets the bytes before it.
func (t *lineTracker) lineAt(off int64) int {
	k := min(max(off-t.start, 0), int64(len(t.buf)))
	t.line += bytes.Count(t.buf[:k], []byte{'\n'})
	t.buf = append(t.buf[:0], t.buf[k:]...)
	t.start += k
	return t.line
}

// forget is lineAt, but only once a megabyte is kept: cheap at every
// token.
func (t *lineTracker) forget(off int64) {
	if len(t.buf) > 1<<20 {
		t.lineAt(off)
	}
}

// skip is d.Skip, forgetting the bytes read as it goes: an ENTITY (a
// company, never imported) may be as large as the file. Its tokens and
// depth are bounded as outside it; path ends with the ENTITY.
func skip(d *xml.Decoder, lt *lineTracker, name string, path []string) error {
	for depth := len(path); len(path) >= depth; {
		mark := d.InputOffset()
		lt.limit = mark + MaxUNTokenBytes + 1
		tok, err := d.Token()
		if errors.Is(err, errUNTooLong) {
			return tokenTooLong(name, lt, path, mark)
		}
		if err != nil {
			return xmlError(name, lt, d, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if path = append(path, t.Name.Local); len(path) > maxUNDepth {
				return tooDeep(name, lt, d, path)
			}
		case xml.EndElement:
			path = path[:len(path)-1]
		}
		lt.forget(d.InputOffset())
	}
	return nil
}

// peekLine returns the line of offset off, at or after the last lineAt,
// keeping the bytes.
func (t *lineTracker) peekLine(off int64) int {
	k := min(max(off-t.start, 0), int64(len(t.buf)))
	return t.line + bytes.Count(t.buf[:k], []byte{'\n'})
}

// posText is element text with the decoder offset it started at, so that a
// bad value deep inside an INDIVIDUAL is reported at its own line.
type posText struct {
	Text string
	Off  int64
}

// UnmarshalXML implements xml.Unmarshaler, recording the offset.
func (p *posText) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	p.Off = d.InputOffset()
	return d.DecodeElement(&p.Text, &start)
}

// unIndividual mirrors one INDIVIDUAL element of the consolidated list.
type unIndividual struct {
	DataID      string    `xml:"DATAID"`
	First       string    `xml:"FIRST_NAME"`
	Second      string    `xml:"SECOND_NAME"`
	Third       string    `xml:"THIRD_NAME"`
	Fourth      string    `xml:"FOURTH_NAME"`
	ListType    string    `xml:"UN_LIST_TYPE"`
	Ref         string    `xml:"REFERENCE_NUMBER"`
	ListedOn    string    `xml:"LISTED_ON"`
	Original    string    `xml:"NAME_ORIGINAL_SCRIPT"`
	Gender      string    `xml:"GENDER"`
	Comments    string    `xml:"COMMENTS1"`
	Titles      []string  `xml:"TITLE>VALUE"`
	Designation []string  `xml:"DESIGNATION>VALUE"`
	Nationality []string  `xml:"NATIONALITY>VALUE"`
	Aliases     []unAlias `xml:"INDIVIDUAL_ALIAS"`
	Addresses   []unPlace `xml:"INDIVIDUAL_ADDRESS"`
	DOBs        []unDOB   `xml:"INDIVIDUAL_DATE_OF_BIRTH"`
	POBs        []unPlace `xml:"INDIVIDUAL_PLACE_OF_BIRTH"`
	Documents   []unDoc   `xml:"INDIVIDUAL_DOCUMENT"`
}

type unAlias struct {
	Quality string  `xml:"QUALITY"`
	Name    string  `xml:"ALIAS_NAME"`
	DOB     posText `xml:"DATE_OF_BIRTH"`
	City    string  `xml:"CITY_OF_BIRTH"`
	Country string  `xml:"COUNTRY_OF_BIRTH"`
	Note    string  `xml:"NOTE"`
}

type unPlace struct {
	Street  string `xml:"STREET"`
	City    string `xml:"CITY"`
	State   string `xml:"STATE_PROVINCE"`
	Zip     string `xml:"ZIP_CODE"`
	Country string `xml:"COUNTRY"`
	Note    string `xml:"NOTE"`
}

type unDOB struct {
	Type     string  `xml:"TYPE_OF_DATE"`
	Date     posText `xml:"DATE"`
	Year     posText `xml:"YEAR"`
	FromYear posText `xml:"FROM_YEAR"`
	ToYear   posText `xml:"TO_YEAR"`
	Note     string  `xml:"NOTE"`
}

type unDoc struct {
	Type           string `xml:"TYPE_OF_DOCUMENT"`
	Type2          string `xml:"TYPE_OF_DOCUMENT2"`
	Number         string `xml:"NUMBER"`
	IssuingCountry string `xml:"ISSUING_COUNTRY"`
	CountryOfIssue string `xml:"COUNTRY_OF_ISSUE"`
	DateOfIssue    string `xml:"DATE_OF_ISSUE"`
	CityOfIssue    string `xml:"CITY_OF_ISSUE"`
	Note           string `xml:"NOTE"`
}

// maxYearSpan is the widest "born between" range expanded to every year;
// wider ranges keep only their endpoints, as every year of a 30-year span
// would match nearly anyone of that generation.
const maxYearSpan = 10

// listing maps the element to a listing; line is the INDIVIDUAL's line.
func (u *unIndividual) listing(source, name string, lt *lineTracker, line int) (*tripline.Listing, error) {
	ref := clean(u.Ref)
	if ref == "" {
		return nil, errAt(name, line, "INDIVIDUAL/REFERENCE_NUMBER", "missing")
	}
	l := publicListing(source, ref)
	l.Provenance.SourceRef = ref
	l.Provenance.ListedOn = clean(u.ListedOn)
	l.Provenance.LegalBasis = "UN Security Council sanctions"
	l.Reason = tripline.Reason(clean(u.ListType))
	if l.Reason == "" {
		l.Reason = "sanctions"
	}
	var notes []string
	if c := strings.TrimSpace(u.Comments); c != "" {
		notes = append(notes, clean(c))
	}
	if t := joinNonEmpty("; ", u.Titles...); t != "" {
		notes = append(notes, "Title: "+t)
	}
	if t := joinNonEmpty("; ", u.Designation...); t != "" {
		notes = append(notes, "Designation: "+t)
	}

	// UN name parts are given name first, then father's, grandfather's or
	// family names; the first part is the closest thing to a given name.
	full := joinNonEmpty(" ", u.First, u.Second, u.Third, u.Fourth)
	if full == "" {
		return nil, errAt(name, line, "INDIVIDUAL/FIRST_NAME", "missing: a listing needs a name")
	}
	primary := tripline.Name{Full: full, Kind: tripline.NamePrimary}
	if given, family := clean(u.First), joinNonEmpty(" ", u.Second, u.Third, u.Fourth); family != "" {
		primary.Given, primary.Family = given, family
	}
	l.Names = addName(l.Names, primary)
	l.Names = addName(l.Names, tripline.Name{Full: u.Original, Kind: tripline.NameOriginal})

	for _, a := range u.Aliases {
		kind := tripline.NameAlias
		if strings.Contains(strings.ToLower(a.Quality), "low") {
			// The UN marks as "Low" aliases too vague to identify someone
			// alone (nicknames, kunyas); matching weighs them less.
			kind = tripline.NameWeakAlias
		}
		latin, orig := splitScripts(a.Name)
		l.Names = addName(l.Names, tripline.Name{Full: latin, Kind: kind, Quality: clean(a.Quality)})
		l.Names = addName(l.Names, tripline.Name{Full: orig, Kind: tripline.NameOriginal, Quality: clean(a.Quality)})
		ds, err := parseAliasDOB(a.DOB.Text)
		if err != nil {
			return nil, errAt(name, lt.peekLine(a.DOB.Off), "INDIVIDUAL/INDIVIDUAL_ALIAS/DATE_OF_BIRTH", "%q is not a date", clean(a.DOB.Text))
		}
		for _, d := range ds {
			l.BirthDates = addDate(l.BirthDates, d)
		}
		l.BirthPlaces = appendUnique(l.BirthPlaces, joinNonEmpty(", ", a.City, a.Country))
		if n := clean(a.Note); n != "" {
			notes = append(notes, "Alias "+clean(a.Name)+": "+n)
		}
	}

	for _, dob := range u.DOBs {
		ds, err := dob.dates(name, lt)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			l.BirthDates = addDate(l.BirthDates, d)
		}
		if n := clean(dob.Note); n != "" {
			notes = append(notes, "Date of birth: "+n)
		}
	}
	for _, p := range u.POBs {
		l.BirthPlaces = appendUnique(l.BirthPlaces, joinNonEmpty(", ", p.Street, p.City, p.State, p.Country))
		if n := clean(p.Note); n != "" {
			notes = append(notes, "Place of birth: "+n)
		}
	}
	for _, n := range u.Nationality {
		if n = clean(n); n == "" {
			continue
		}
		if c, ok := alpha3(n); ok {
			l.Nationalities = appendUnique(l.Nationalities, c)
		} else {
			notes = append(notes, "Nationality: "+n)
		}
	}
	switch strings.ToLower(clean(u.Gender)) {
	case "male":
		l.Sex = "M"
	case "female":
		l.Sex = "F"
	}
	for _, d := range u.Documents {
		doc, note := d.document()
		if doc != nil {
			l.Documents = append(l.Documents, *doc)
		} else if note != "" {
			notes = append(notes, "Document: "+note)
		}
	}
	for _, a := range u.Addresses {
		addr := joinNonEmpty(", ", a.Street, a.City, a.State, a.Zip, a.Country)
		if n := clean(a.Note); n != "" {
			if addr == "" {
				addr = n
			} else {
				addr += " (" + n + ")"
			}
		}
		l.Addresses = appendUnique(l.Addresses, addr)
	}
	l.Narrative = strings.Join(notes, "\n")
	return l, nil
}

// dates returns the birth dates one INDIVIDUAL_DATE_OF_BIRTH stands for.
func (b *unDOB) dates(name string, lt *lineTracker) ([]tripline.PartialDate, error) {
	const field = "INDIVIDUAL/INDIVIDUAL_DATE_OF_BIRTH/"
	var out []tripline.PartialDate
	if s := clean(b.Date.Text); s != "" {
		d, err := parseUNDate(s)
		if err != nil {
			return nil, errAt(name, lt.peekLine(b.Date.Off), field+"DATE", "%q is not a date", s)
		}
		out = append(out, d)
	}
	if s := clean(b.Year.Text); s != "" {
		d, err := parseYear(s)
		if err != nil {
			return nil, errAt(name, lt.peekLine(b.Year.Off), field+"YEAR", "%q is not a year", s)
		}
		out = append(out, d)
	}
	from, to := clean(b.FromYear.Text), clean(b.ToYear.Text)
	if from == "" && to == "" {
		return out, nil
	}
	fd, err := parseYear(from)
	if err != nil {
		return nil, errAt(name, lt.peekLine(b.FromYear.Off), field+"FROM_YEAR", "%q is not a year", from)
	}
	td, err := parseYear(to)
	if err != nil {
		return nil, errAt(name, lt.peekLine(b.ToYear.Off), field+"TO_YEAR", "%q is not a year", to)
	}
	if td.Year < fd.Year {
		return nil, errAt(name, lt.peekLine(b.ToYear.Off), field+"TO_YEAR", "%d is before FROM_YEAR %d", td.Year, fd.Year)
	}
	return append(out, yearRange(fd.Year, td.Year)...), nil
}

// yearRange expands "born between from and to" to each year, or to the
// endpoints for a span wider than maxYearSpan.
func yearRange(from, to int) []tripline.PartialDate {
	if to-from > maxYearSpan {
		return []tripline.PartialDate{{Year: from}, {Year: to}}
	}
	out := make([]tripline.PartialDate, 0, to-from+1)
	for y := from; y <= to; y++ {
		out = append(out, tripline.PartialDate{Year: y})
	}
	return out
}

// parseUNDate reads the list's dates: "YYYY-MM-DD", "YYYY-MM" or "YYYY".
func parseUNDate(s string) (tripline.PartialDate, error) {
	return tripline.ParsePartialDate(s)
}

// parseAliasDOB reads the free-form DATE_OF_BIRTH of an alias entry: a
// date, a year range "1958 - 1964", or the literal "null" the list uses
// for none.
func parseAliasDOB(s string) ([]tripline.PartialDate, error) {
	s = clean(s)
	if s == "" || strings.EqualFold(s, "null") {
		return nil, nil
	}
	if from, to, ok := strings.Cut(s, " - "); ok {
		fd, err := parseYear(from)
		if err != nil {
			return nil, err
		}
		td, err := parseYear(to)
		if err != nil || td.Year < fd.Year {
			return nil, tripline.Errorf(tripline.EINVALID, "not a year range")
		}
		return yearRange(fd.Year, td.Year), nil
	}
	d, err := parseUNDate(s)
	if err != nil {
		return nil, err
	}
	return []tripline.PartialDate{d}, nil
}

// parseYear reads a four-digit year.
func parseYear(s string) (tripline.PartialDate, error) {
	y, err := strconv.Atoi(s)
	if err != nil || len(s) != 4 {
		return tripline.PartialDate{}, tripline.Errorf(tripline.EINVALID, "not a year")
	}
	d := tripline.PartialDate{Year: y}
	return d, d.Validate()
}

// document maps an INDIVIDUAL_DOCUMENT. Without a number there is nothing to
// screen a document against, so it comes back nil with its text as a note
// for the narrative.
func (d *unDoc) document() (*tripline.Document, string) {
	typ := docType(d.Type)
	var notes []string
	if t2 := clean(d.Type2); t2 != "" && !strings.EqualFold(t2, clean(d.Type)) {
		notes = append(notes, t2)
	}
	raw := clean(d.IssuingCountry)
	if raw == "" {
		raw = clean(d.CountryOfIssue)
	}
	var cc string
	if raw != "" {
		if c, ok := alpha3(raw); ok {
			cc = c
		} else {
			notes = append(notes, "issued by "+raw)
		}
	}
	if s := joinNonEmpty(" in ", clean(d.DateOfIssue), clean(d.CityOfIssue)); s != "" {
		notes = append(notes, "issued "+s)
	}
	if n := clean(d.Note); n != "" {
		notes = append(notes, n)
	}
	note := strings.Join(notes, "; ")
	num := clean(d.Number)
	if num == "" {
		return nil, joinNonEmpty(": ", clean(d.Type), note)
	}
	return &tripline.Document{Type: typ, Number: num, Country: cc, Note: note}, ""
}

// docType maps the list's document type text to the ICAO document code
// where one fits ("P" passport, "I" identity card), else keeps the text.
func docType(s string) string {
	s = clean(s)
	l := strings.ToLower(s)
	switch {
	case l == "":
		return ""
	case strings.Contains(l, "passport") || strings.Contains(l, "pasaporte") || strings.Contains(l, "passeport"):
		return "P"
	case strings.Contains(l, "national identification") || strings.Contains(l, "national id") ||
		strings.Contains(l, "identity card"):
		return "I"
	}
	return s
}

// splitScripts splits an alias that carries its original spelling along,
// "Abou Mouhadjir (ابو مهاجر)" or "Abubakar (original script: Абубакар)",
// into the Latin name and the original-script name: matched as one, the
// mixed text would fit neither a Latin nor an Arabic spelling. Text in one
// script comes back whole as latin.
func splitScripts(s string) (latin, orig string) {
	s = clean(s)
	cut := -1
	for i, r := range s {
		if unicode.IsLetter(r) && r >= 0x370 && !unicode.Is(unicode.Latin, r) {
			cut = i
			break
		}
	}
	if cut <= 0 {
		return s, ""
	}
	head := strings.TrimSpace(s[:cut])
	head = strings.TrimSpace(strings.TrimSuffix(head, "original script:"))
	head = strings.TrimSpace(strings.TrimSuffix(head, "("))
	if Script(head) != "Latn" {
		return s, ""
	}
	return head, strings.TrimRight(s[cut:], " ),;")
}
