package importer

import (
	"encoding/csv"
	"errors"
	"io"
	"iter"
	"slices"
	"strings"
	"time"

	"tripline"
)

// CSVColumns are the columns of the agency CSV template, in the order the
// shipped template (docs/listing-template.csv) writes them. A file may
// leave out any but id, action and a name, in any order; see
// docs/csv-template.md for what each one means.
var CSVColumns = []string{
	"id", "primary_name", "given_names", "surname", "aliases", "weak_aliases",
	"original_script_name", "birth_dates", "birth_places", "sex", "nationalities",
	"document_type", "document_number", "document_country", "document_expiry",
	"reason", "narrative", "action", "instruction", "contact",
	"valid_until", "review_by", "source_ref", "legal_basis",
	"screen_agencies", "action_agencies", "detail_agencies", "use_code", "reshare",
	"phones", "emails", "addresses",
	"departure_action", "departure_instruction", "transit_action", "transit_instruction",
}

// listSep separates several values in one cell. Commas stay free for
// places and addresses ("Mosul, Iraq").
const listSep = ";"

// ReadCSV reads the CSV template an agency fills in by hand
// (docs/csv-template.md): a header row naming the columns, then one listing
// per row. source, required, becomes the id prefix and the originator.
//
// An unknown or repeated column, a missing id/action/name column, or any
// bad cell fails the whole file with a *tripline.Error (EINVALID) such as
// `file.csv: line 7: column "birth_dates": "1975-13" ...`.
func ReadCSV(r io.Reader, name, source string) ([]*tripline.Listing, error) {
	var ls []*tripline.Listing
	for l, err := range StreamCSV(r, name, source) {
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
	}
	return ls, nil
}

// StreamCSV is ReadCSV one listing at a time, as each row is read, so that
// an import can store a large file while reading it. The first error ends
// the stream; whoever consumes it must then drop what came before (a store
// rolls the import back).
func StreamCSV(r io.Reader, name, source string) iter.Seq2[*tripline.Listing, error] {
	return func(yield func(*tripline.Listing, error) bool) {
		source = strings.TrimSpace(source)
		if source == "" {
			yield(nil, errAt(name, 0, "source", "required: name the agency or list the file comes from"))
			return
		}
		if err := checkSource(source); err != nil {
			yield(nil, err)
			return
		}
		cr := newCSVReader(r, name)
		cr.ReuseRecord = true
		header, err := cr.Read()
		if err == io.EOF {
			yield(nil, errAt(name, 1, "", "empty file: want a header row (%s)", strings.Join(CSVColumns, ",")))
			return
		}
		if err != nil {
			yield(nil, csvError(name, err))
			return
		}
		cols, err := csvHeader(name, header)
		if err != nil {
			yield(nil, err)
			return
		}
		c := newCollector(name)
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				yield(nil, csvError(name, err))
				return
			}
			row := csvRow{name: name, cols: cols, rec: rec, cr: cr}
			line, _ := cr.FieldPos(0)
			if row.blank() {
				continue
			}
			l, err := row.listing(source)
			if err == nil {
				err = c.check(l, line)
			}
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(l, nil) {
				return
			}
		}
		if c.seen.Len() == 0 {
			yield(nil, errAt(name, 0, "", "no listings found"))
		}
	}
}

// MaxRowBytes bounds one row of a CSV template or document-alert file:
// a listing's 256 names of 1 KiB and a long narrative fit in a quarter of
// it. The reader holds a whole row, so without a bound one quoted cell
// the size of an upload (256 MiB by default) took three times that in
// memory; "memory stays flat however large the file" held for many rows
// only.
const MaxRowBytes = 1 << 20

// newCSVReader returns a CSV reader of r that fails, naming the file and
// where the row starts, once a row passes MaxRowBytes.
func newCSVReader(r io.Reader, name string) *csv.Reader {
	b := &rowBound{r: r, name: name}
	b.cr = csv.NewReader(b)
	return b.cr
}

// rowBound is the reader under a csv.Reader that refuses to read on once
// more than MaxRowBytes were read since the last whole record (plus what
// the CSV reader's buffer reads ahead).
type rowBound struct {
	r    io.Reader
	cr   *csv.Reader
	name string
	read int64
}

// readAhead is more than the CSV reader buffers beyond a record.
const readAhead = 64 << 10

func (b *rowBound) Read(p []byte) (int, error) {
	if start := b.cr.InputOffset(); b.read-start > MaxRowBytes+readAhead {
		return 0, errAt(b.name, 0, "", "the row starting at byte %d is longer than %d bytes", start, MaxRowBytes)
	}
	n, err := b.r.Read(p)
	b.read += int64(n)
	return n, err
}

// csvError reports a CSV syntax error (bad quoting, wrong field count) at
// its line.
func csvError(name string, err error) error {
	if te := (*tripline.Error)(nil); errors.As(err, &te) {
		return te // a row too long (rowBound)
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return errAt(name, pe.Line, "", "row has a different number of fields than the header")
		}
		return errAt(name, pe.Line, "", "malformed CSV: %v", pe.Err)
	}
	return errAt(name, 0, "", "read: %v", err)
}

// csvHeader maps column names to their index, refusing unknown and
// repeated columns: a misspelt "nationalites" column must not be dropped
// silently.
func csvHeader(name string, header []string) (map[string]int, error) {
	cols, err := headerColumns(name, header, CSVColumns, "id", "action")
	if err != nil {
		return nil, err
	}
	_, p := cols["primary_name"]
	_, g := cols["given_names"]
	_, s := cols["surname"]
	if !p && !g && !s {
		return nil, errAt(name, 1, "header", "missing a name column: primary_name, or given_names and surname")
	}
	return cols, nil
}

// headerColumns maps the header's column names to their index, refusing
// unknown, repeated and missing required columns.
func headerColumns(name string, header, known []string, required ...string) (map[string]int, error) {
	cols := make(map[string]int, len(header))
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // spreadsheet exports start with a BOM
		}
		h = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(known, h) && tripline.ProtectedAttribute(h) {
			return nil, errAt(name, 1, "header", "column %s", tripline.ErrorMessage(tripline.ProtectedAttributeError(h)))
		}
		if !slices.Contains(known, h) {
			return nil, errAt(name, 1, "header", "unknown column %q (known columns: %s)", h, strings.Join(known, ", "))
		}
		if _, dup := cols[h]; dup {
			return nil, errAt(name, 1, "header", "column %q appears twice", h)
		}
		cols[h] = i
	}
	for _, req := range required {
		if _, ok := cols[req]; !ok {
			return nil, errAt(name, 1, "header", "missing required column %q", req)
		}
	}
	return cols, nil
}

// csvRow is one record with the header's column map, able to name the line
// of each cell in errors.
type csvRow struct {
	name string
	cols map[string]int
	rec  []string
	cr   *csv.Reader
}

// get returns the trimmed cell of column col, "" when the file lacks it.
func (r *csvRow) get(col string) string {
	i, ok := r.cols[col]
	if !ok || i >= len(r.rec) {
		return ""
	}
	return strings.TrimSpace(r.rec[i])
}

// list splits a multi-value cell on listSep, dropping empty parts.
func (r *csvRow) list(col string) []string {
	v := r.get(col)
	if v == "" {
		return nil
	}
	var out []string
	for p := range strings.SplitSeq(v, listSep) {
		if p = clean(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// errf reports a problem with the cell of col at its own line: quoted cells
// may span lines, so the record's first line is not always the cell's.
func (r *csvRow) errf(col, format string, args ...any) error {
	line, _ := r.cr.FieldPos(0)
	if i, ok := r.cols[col]; ok && i < len(r.rec) {
		line, _ = r.cr.FieldPos(i)
	}
	return errAt(r.name, line, "column \""+col+"\"", format, args...)
}

func (r *csvRow) blank() bool {
	for _, v := range r.rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// listing maps the row.
func (r *csvRow) listing(source string) (*tripline.Listing, error) {
	id := r.get("id")
	if id == "" {
		return nil, r.errf("id", "required")
	}
	if strings.ContainsAny(id, " \t\r\n") {
		return nil, r.errf("id", "%q must not contain spaces", id)
	}
	l := &tripline.Listing{
		ID:          source + ":" + id,
		Source:      source,
		Status:      tripline.StatusActive,
		Reason:      tripline.Reason(r.get("reason")),
		Narrative:   r.get("narrative"),
		Instruction: r.get("instruction"),
		Contact:     r.get("contact"),
		BirthPlaces: r.list("birth_places"),
		Phones:      r.list("phones"),
		Addresses:   r.list("addresses"),
		Provenance: tripline.Provenance{
			Originator: source,
			SourceRef:  r.get("source_ref"),
			LegalBasis: r.get("legal_basis"),
		},
	}

	given, family := r.get("given_names"), r.get("surname")
	full := r.get("primary_name")
	if full == "" {
		full = joinNonEmpty(" ", given, family)
	}
	if full == "" {
		return nil, r.errf("primary_name", "required: give primary_name, or given_names and surname")
	}
	l.Names = addName(l.Names, tripline.Name{Full: full, Given: clean(given), Family: clean(family), Kind: tripline.NamePrimary})
	for _, n := range r.list("aliases") {
		l.Names = addName(l.Names, tripline.Name{Full: n, Kind: tripline.NameAlias})
	}
	for _, n := range r.list("weak_aliases") {
		l.Names = addName(l.Names, tripline.Name{Full: n, Kind: tripline.NameWeakAlias})
	}
	for _, n := range r.list("original_script_name") {
		l.Names = addName(l.Names, tripline.Name{Full: n, Kind: tripline.NameOriginal})
	}

	for _, s := range r.list("birth_dates") {
		d, err := tripline.ParsePartialDate(s)
		if err != nil {
			return nil, r.errf("birth_dates", "%q: %s", s, tripline.ErrorMessage(err))
		}
		l.BirthDates = addDate(l.BirthDates, d)
	}
	switch s := strings.ToUpper(r.get("sex")); s {
	case "":
	case "M", "MALE":
		l.Sex = "M"
	case "F", "FEMALE":
		l.Sex = "F"
	case "X":
		l.Sex = "X"
	default:
		return nil, r.errf("sex", "%q is not M, F or X", r.get("sex"))
	}
	for _, s := range r.list("nationalities") {
		// Hand-filled files are checked strictly: an unknown country is a
		// typo to fix, not text to keep.
		c, ok := alpha3(s)
		if !ok {
			return nil, r.errf("nationalities", "%q is not a country name or ISO 3166 code", s)
		}
		l.Nationalities = appendUnique(l.Nationalities, c)
	}
	doc, err := r.document()
	if err != nil {
		return nil, err
	}
	if doc != nil {
		l.Documents = []tripline.Document{*doc}
	}
	for _, e := range r.list("emails") {
		if !strings.Contains(e, "@") {
			return nil, r.errf("emails", "%q is not an e-mail address", e)
		}
		l.Emails = append(l.Emails, e)
	}

	l.Action = tripline.Action(strings.ToLower(r.get("action")))
	if !l.Action.Valid() {
		return nil, r.errf("action", "%q is not one of refuse_entry, detain, secondary_check, report, info", r.get("action"))
	}
	for _, d := range [...]struct{ dir, col string }{{tripline.DirectionOut, "departure"}, {tripline.DirectionTransit, "transit"}} {
		a := tripline.Action(strings.ToLower(r.get(d.col + "_action")))
		if a == "" {
			continue
		}
		if l.Directions == nil {
			l.Directions = map[string]tripline.DirectedAction{}
		}
		l.Directions[d.dir] = tripline.DirectedAction{Action: a, Instruction: r.get(d.col + "_instruction")}
		if err := l.CheckDirections(); err != nil {
			return nil, r.errf(d.col+"_action", "%q is not an action for that direction (%s)", r.get(d.col+"_action"), tripline.ErrorMessage(err))
		}
	}
	if l.ValidUntil, err = r.date("valid_until"); err != nil {
		return nil, err
	}
	if l.ReviewBy, err = r.date("review_by"); err != nil {
		return nil, err
	}
	if l.ValidUntil != nil && l.ReviewBy != nil && l.ReviewBy.After(*l.ValidUntil) {
		return nil, r.errf("review_by", "%s is after valid_until %s", r.get("review_by"), r.get("valid_until"))
	}
	if err := r.handling(&l.Handling); err != nil {
		return nil, err
	}
	return l, nil
}

// document reads the document columns; nil when none is filled in.
func (r *csvRow) document() (*tripline.Document, error) {
	typ, num, cc, exp := r.get("document_type"), r.get("document_number"), r.get("document_country"), r.get("document_expiry")
	if num == "" {
		for _, col := range []string{"document_type", "document_country", "document_expiry"} {
			if r.get(col) != "" {
				return nil, r.errf(col, "given without document_number")
			}
		}
		return nil, nil
	}
	d := &tripline.Document{Type: docType(typ), Number: num}
	switch strings.ToUpper(typ) {
	case "P", "I", "V":
		d.Type = strings.ToUpper(typ)
	case "VISA":
		d.Type = "V"
	}
	if cc != "" {
		c, ok := alpha3(cc)
		if !ok {
			return nil, r.errf("document_country", "%q is not a country name or ISO 3166 code", cc)
		}
		d.Country = c
	}
	if exp != "" {
		if _, err := time.Parse(time.DateOnly, exp); err != nil {
			return nil, r.errf("document_expiry", "%q is not a date (want YYYY-MM-DD)", exp)
		}
		d.Expiry = exp
	}
	return d, nil
}

// date reads a YYYY-MM-DD (or RFC 3339) cell as a UTC time.
func (r *csvRow) date(col string) (*time.Time, error) {
	s := r.get(col)
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		if t, err = time.Parse(time.RFC3339, s); err != nil {
			return nil, r.errf(col, "%q is not a date (want YYYY-MM-DD)", s)
		}
	}
	t = t.UTC()
	return &t, nil
}

// handling reads the handling columns. Empty screen and action columns mean
// every partner ("*"): a listing nobody may screen against protects no
// border, and an officer on a hit needs to know what to do. Details and
// re-sharing default to the originator's eyes only (no details, "never"),
// as an agency's own intelligence should not travel further unless it says
// so. "none" empties a list explicitly.
func (r *csvRow) handling(h *tripline.Handling) error {
	agencies := func(col string, def []string) []string {
		v := r.list(col)
		switch {
		case len(v) == 0:
			return def
		case len(v) == 1 && strings.EqualFold(v[0], "none"):
			return nil
		}
		return v
	}
	h.Screen = agencies("screen_agencies", []string{"*"})
	h.Action = agencies("action_agencies", []string{"*"})
	h.Details = agencies("detail_agencies", nil)
	switch u := strings.ToUpper(r.get("use_code")); u {
	case "", "H0", "H1", "H2", "H3":
		h.Use = u
	default:
		return r.errf("use_code", "%q is not H0, H1, H2 or H3", r.get("use_code"))
	}
	switch rs := tripline.Reshare(strings.ToLower(r.get("reshare"))); rs {
	case "":
		h.Reshare = tripline.ReshareNever
	case tripline.ReshareNever, tripline.ReshareWithConsent, tripline.ReshareAllowed:
		h.Reshare = rs
	default:
		return r.errf("reshare", "%q is not never, with_consent or allowed", r.get("reshare"))
	}
	return nil
}
