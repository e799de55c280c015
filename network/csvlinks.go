package network

import (
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"tripline"
)

// CSVColumns are the columns of the link CSV format, in order.
//
// The format is how analysts import links (and how links are exported
// for them): UTF-8 CSV (RFC 4180; a leading byte-order mark is accepted),
// a header row naming exactly these columns, then one link per row:
//
//	from_kind  entity kind: person, listing, traveller, phone, email,
//	           address, document, booking or flight            (required)
//	from_key   the entity's key as written; it is canonicalised, see
//	           NewEntity (documents as CTRY:NUMBER)            (required)
//	to_kind    as from_kind                                    (required)
//	to_key     as from_key                                     (required)
//	type       link type, a lower_snake identifier such as has_phone,
//	           associate or analyst                            (required)
//	source     where the link comes from; RemoveSource works on it (required)
//	listing    the listing id whose handling rules govern the link (optional)
//	at         when the link was stated: RFC 3339 ("2026-11-25T09:30:00Z")
//	           or a date ("2026-11-25", midnight UTC)          (optional)
//	weight     an optional ninth column: the link's strength, a
//	           non-negative number; empty means 1
//
// Example:
//
//	from_kind,from_key,to_kind,to_key,type,source,listing,at
//	listing,un-sc:QDi.1,phone,+44 20 7946 0958,has_phone,case-4411,un-sc:QDi.1,2026-11-20
//	person,P-17,phone,0044 20 7946 0958,has_phone,case-4411,,2026-11-21T10:00:00Z
var CSVColumns = slices.Clone(csvColumns[:])

// csvColumns is what the code checks against, so that a caller changing
// CSVColumns cannot change the format.
var csvColumns = [...]string{"from_kind", "from_key", "to_kind", "to_key", "type", "source", "listing", "at"}

// ReadLinksCSV reads links in the CSVColumns format. Errors are EINVALID
// and name the line and column ("line 3, column to_kind: unknown entity
// kind \"fone\""); the first error stops the read and no links are
// returned, so that a bad file is fixed rather than half imported.
func ReadLinksCSV(r io.Reader) ([]Link, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // checked here, to name the line
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err == io.EOF {
		return nil, tripline.Errorf(tripline.EINVALID, "line 1: empty file, want header %s", strings.Join(csvColumns[:], ","))
	}
	if err != nil {
		return nil, csvError(err)
	}
	if len(head) > 0 {
		head[0] = strings.TrimPrefix(head[0], "\ufeff")
	}
	withWeight := len(head) == len(csvColumns)+1
	if len(head) != len(csvColumns) && !withWeight {
		return nil, tripline.Errorf(tripline.EINVALID, "line 1: header has %d columns, want %s[,weight]", len(head), strings.Join(csvColumns[:], ","))
	}
	want := append(append([]string(nil), csvColumns[:]...), "weight")
	for i, h := range head {
		if strings.ToLower(strings.TrimSpace(h)) != want[i] {
			return nil, tripline.Errorf(tripline.EINVALID, "line 1, column %d: header %q, want %q", i+1, h, want[i])
		}
	}
	var out []Link
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(head) {
			return nil, tripline.Errorf(tripline.EINVALID, "line %d: %d columns, want %d", line, len(rec), len(head))
		}
		l, col, msg := parseLinkRecord(rec, withWeight)
		if msg != "" {
			return nil, tripline.Errorf(tripline.EINVALID, "line %d, column %s: %s", line, col, msg)
		}
		out = append(out, l)
	}
}

// parseLinkRecord returns the link of one row, or the failing column and
// what is wrong with it.
func parseLinkRecord(rec []string, withWeight bool) (l Link, col, msg string) {
	f := func(i int) string { return strings.TrimSpace(rec[i]) }
	for _, end := range []struct {
		kindCol, keyCol int
		dst             *Entity
	}{{0, 1, &l.From}, {2, 3, &l.To}} {
		kind := EntityKind(strings.ToLower(f(end.kindCol)))
		if !kind.Valid() {
			return l, csvColumns[end.kindCol], "unknown entity kind " + strconv.Quote(f(end.kindCol))
		}
		*end.dst = NewEntity(kind, f(end.keyCol))
		if end.dst.Key == "" {
			return l, csvColumns[end.keyCol], "empty key"
		}
	}
	if l.From == l.To {
		return l, "to_key", "link from an entity to itself"
	}
	l.Type = f(4)
	if !validType(l.Type) {
		return l, "type", strconv.Quote(l.Type) + " is not a lower_snake identifier"
	}
	if l.Source = f(5); l.Source == "" {
		return l, "source", "required"
	}
	l.Listing = f(6)
	if at := f(7); at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			t, err = time.Parse(time.DateOnly, at)
		}
		if err != nil {
			return l, "at", strconv.Quote(at) + " is not RFC 3339 or YYYY-MM-DD"
		}
		l.At = t.UTC()
	}
	if withWeight && f(8) != "" {
		w, err := strconv.ParseFloat(f(8), 64)
		if err != nil || w < 0 {
			return l, "weight", strconv.Quote(f(8)) + " is not a non-negative number"
		}
		l.Weight = w
	}
	return l, "", ""
}

// csvError turns a csv.ParseError into a coded error naming the line and
// column; other errors (reads) pass through.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return tripline.Errorf(tripline.EINVALID, "line %d, column %d: %v", pe.Line, pe.Column, pe.Err)
	}
	return err
}

// WriteLinksCSV writes links in the CSVColumns format, with the weight
// column when any link has a weight, so that ReadLinksCSV reads them back.
func WriteLinksCSV(w io.Writer, links []Link) error {
	weighted := false
	for _, l := range links {
		weighted = weighted || l.Weight != 0
	}
	cw := csv.NewWriter(w)
	head := csvColumns[:]
	if weighted {
		head = append(append([]string(nil), csvColumns[:]...), "weight")
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, l := range links {
		at := ""
		if !l.At.IsZero() {
			at = l.At.UTC().Format(time.RFC3339Nano)
		}
		rec := []string{string(l.From.Kind), l.From.Key, string(l.To.Kind), l.To.Key, l.Type, l.Source, l.Listing, at}
		if weighted {
			wt := ""
			if l.Weight != 0 {
				wt = strconv.FormatFloat(l.Weight, 'g', -1, 64)
			}
			rec = append(rec, wt)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
