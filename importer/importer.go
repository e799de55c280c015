// Package importer turns real watchlist files into listings: the UN Security
// Council consolidated list (XML), the OFAC SDN legacy CSV export,
// FollowTheMoney JSON lines (OpenSanctions) and the CSV template an agency
// fills in by hand (docs/csv-template.md).
//
// Every reader is all-or-nothing: it returns every listing of the file, each
// of which passes Listing.Validate, or a *tripline.Error with code EINVALID
// naming the file, the line and the field that was wrong. A half-read list
// would make an import withdraw every listing it missed, so nothing is ever
// returned alongside an error. Stream hands a file over as it is read; its
// consumer (a store's import) rolls everything back on the error instead.
package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"slices"
	"strings"
	"sync"
	"unicode"

	"tripline"
	"tripline/country"
)

// Formats lists the file formats Read understands, in the spelling of
// `tripline import --format`.
var Formats = []string{"un-xml", "ofac-sdn", "ftm", "csv"}

// Default source names, used as the "<source>:" prefix of listing ids and as
// the originator of public lists.
const (
	SourceUN   = "un-sc"
	SourceOFAC = "ofac-sdn"
	SourceFTM  = "ftm"
)

// Read reads one file of the given format ("un-xml", "ofac-sdn", "ftm",
// "csv"). source overrides the default source name ("" = default: un-sc,
// ofac-sdn, ftm; csv requires it). progress may be nil; it is called with
// bytes read so far and total bytes (for a terminal progress bar).
//
// For "ofac-sdn", path is the sdn.csv of the legacy export; add.csv,
// alt.csv and sdn_comments.csv beside it are read too. Errors are *tripline.Error with code
// EINVALID naming the file, line and field; an unknown format names the
// known ones. When ctx is cancelled, Read stops and returns ctx.Err().
func Read(ctx context.Context, format, path, source string, progress func(done, total int64)) ([]*tripline.Listing, error) {
	if !slices.Contains(Formats, format) {
		return nil, tripline.Errorf(tripline.EINVALID, "format: %q is not one of %s", format, strings.Join(Formats, ", "))
	}
	if format == "csv" && strings.TrimSpace(source) == "" {
		return nil, tripline.Errorf(tripline.EINVALID, "%s: source: required for csv (--source NAME)", path)
	}
	if err := checkSource(source); err != nil {
		return nil, err
	}
	var (
		ls  []*tripline.Listing
		err error
	)
	if format == "ofac-sdn" {
		ls, err = readOFAC(ctx, path, source, progress)
	} else {
		ls, err = readFile(ctx, path, progress, func(r io.Reader) ([]*tripline.Listing, error) {
			switch format {
			case "un-xml":
				return readUN(r, path, source)
			case "ftm":
				return ReadFTM(r, path, source)
			default:
				return ReadCSV(r, path, source)
			}
		})
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return ls, err
}

// Stream is Read as a stream, for an import that stores a file while
// reading it; it returns the source name the listings carry. CSV and
// FollowTheMoney files stream record by record in flat memory. The UN
// XML and OFAC exports refer across records (aliases, documents and
// addresses in other elements or files), so they are read whole first and
// then yielded. An error ends the stream, and the consumer must drop what
// came before: a store rolls back.
func Stream(ctx context.Context, format, path, source string, progress func(done, total int64)) (string, iter.Seq2[*tripline.Listing, error], error) {
	var stream func(r io.Reader, name, source string) iter.Seq2[*tripline.Listing, error]
	switch format {
	case "csv":
		source = strings.TrimSpace(source)
		if source == "" {
			return "", nil, tripline.Errorf(tripline.EINVALID, "%s: source: required for csv (--source NAME)", path)
		}
		stream = StreamCSV
	case "ftm":
		if source == "" {
			source = SourceFTM
		}
		stream = StreamFTM
	default:
		ls, err := Read(ctx, format, path, source, progress)
		if err != nil {
			return "", nil, err
		}
		return ls[0].Source, tripline.Records(ls), nil // Read never returns an empty list
	}
	if err := checkSource(source); err != nil {
		return "", nil, err
	}
	return source, func(yield func(*tripline.Listing, error) bool) {
		f, err := os.Open(path)
		if err != nil {
			yield(nil, openError(path, err))
			return
		}
		defer f.Close()
		var total int64
		if st, err := f.Stat(); err == nil {
			total = st.Size()
		}
		r := &progressReader{ctx: ctx, r: f, total: total, fn: progress}
		for l, err := range stream(r, path, source) {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			if !yield(l, err) || err != nil {
				return
			}
		}
	}, nil
}

// checkSource rejects a source name that would make ids ambiguous: the id
// is "<source>:<id>", so the source itself must not contain a colon.
func checkSource(source string) error {
	if strings.ContainsAny(source, ": \t\r\n") {
		return tripline.Errorf(tripline.EINVALID, "source: %q must not contain a colon or spaces", source)
	}
	return nil
}

// readFile opens path and hands it to read through a reader that reports
// progress and stops on cancellation.
func readFile(ctx context.Context, path string, progress func(done, total int64), read func(io.Reader) ([]*tripline.Listing, error)) ([]*tripline.Listing, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, openError(path, err)
	}
	defer f.Close()
	var total int64
	if st, err := f.Stat(); err == nil {
		total = st.Size()
	}
	return read(&progressReader{ctx: ctx, r: f, total: total, fn: progress})
}

// openError turns an open failure into a caller-safe message: the path is
// the caller's own, the OS reason says what to fix.
func openError(path string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return tripline.Errorf(tripline.EINVALID, "%s: %v", path, err)
}

// progressReader counts bytes for a progress bar and makes a long read
// cancellable between chunks.
type progressReader struct {
	ctx   context.Context
	r     io.Reader
	done  int64
	total int64
	base  int64 // bytes of earlier files, for multi-file formats
	all   int64 // total bytes of every file, 0 = total
	fn    func(done, total int64)
}

// Read implements io.Reader.
func (p *progressReader) Read(b []byte) (int, error) {
	if err := p.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := p.r.Read(b)
	p.done += int64(n)
	if p.fn != nil && n > 0 {
		all := p.all
		if all == 0 {
			all = p.total
		}
		p.fn(p.base+p.done, all)
	}
	return n, err
}

// countries is shared: building the table walks every CLDR region.
var countries = sync.OnceValue(country.New)

// alpha3 normalises a country name or code; ok is false for text that names
// no country ("na", "former Soviet Union"), which callers keep in the
// narrative instead, so nothing the list said is lost.
func alpha3(s string) (string, bool) {
	t := countries()
	if c, ok := t.Alpha3(s); ok {
		return c, true
	}
	// "Cabo Verde. Previously Cape Verde." names the country first.
	s, _, _ = strings.Cut(clean(s), ". ")
	if c, ok := countryFallback[strings.ToLower(s)]; ok {
		return c, true
	}
	// CLDR writes "Bosnia & Herzegovina", lists write "and".
	if strings.Contains(s, " and ") {
		return t.Alpha3(strings.ReplaceAll(s, " and ", " & "))
	}
	return t.Alpha3(s)
}

// countryFallback holds list spellings the country table does not know.
var countryFallback = map[string]string{
	"hong kong":       "HKG",
	"macau":           "MAC",
	"macao":           "MAC",
	"cabo verde":      "CPV",
	"north macedonia": "MKD",
	"macedonia, the former yugoslav republic of": "MKD",
	"kyrgyz republic":                  "KGZ",
	"saint kitts and nevis":            "KNA",
	"saint lucia":                      "LCA",
	"saint vincent and the grenadines": "VCT",
	"slovak republic":                  "SVK",
}

// errAt is the one error shape of the package: file, line, field, problem.
func errAt(name string, line int, field, format string, args ...any) *tripline.Error {
	msg := fmt.Sprintf(format, args...)
	switch {
	case line > 0 && field != "":
		return tripline.Errorf(tripline.EINVALID, "%s: line %d: %s: %s", name, line, field, msg)
	case line > 0:
		return tripline.Errorf(tripline.EINVALID, "%s: line %d: %s", name, line, msg)
	case field != "":
		return tripline.Errorf(tripline.EINVALID, "%s: %s: %s", name, field, msg)
	}
	return tripline.Errorf(tripline.EINVALID, "%s: %s", name, msg)
}

// publicListing returns a listing with the defaults of a public sanctions
// list: active, refuse entry, everyone may screen, act and see details, and
// re-sharing is allowed because the list is published anyway.
func publicListing(source, id string) *tripline.Listing {
	return &tripline.Listing{
		ID:     source + ":" + id,
		Source: source,
		Action: tripline.ActionRefuseEntry,
		Status: tripline.StatusActive,
		Handling: tripline.Handling{
			Screen:  []string{"*"},
			Action:  []string{"*"},
			Details: []string{"*"},
			Reshare: tripline.ReshareAllowed,
		},
		Provenance: tripline.Provenance{Originator: source},
	}
}

// collector gathers a file's listings, refusing duplicate ids and invalid
// listings with the line of the record that caused them.
type collector struct {
	name  string
	ls    []*tripline.Listing
	seen  *tripline.IDSet // ids, without pointers for the GC to chase
	lines []int           // by the id's index in seen
}

func newCollector(name string) *collector {
	return &collector{name: name, seen: tripline.NewIDSet()}
}

func (c *collector) add(l *tripline.Listing, line int) error {
	if err := c.check(l, line); err != nil {
		return err
	}
	c.ls = append(c.ls, l)
	return nil
}

// check validates l and notes its id, refusing one seen before.
func (c *collector) check(l *tripline.Listing, line int) error {
	if i, added := c.seen.Add(l.ID); !added {
		return errAt(c.name, line, "id", "duplicate id %q (first on line %d)", l.ID, c.lines[i])
	}
	c.lines = append(c.lines, line)
	if err := l.Validate(); err != nil {
		return errAt(c.name, line, "", "listing %s: %s", l.ID, tripline.ErrorMessage(err))
	}
	return nil
}

// result returns the listings, or an error for a file that held none: an
// empty result would make an import withdraw the whole source, which is
// almost always a wrong file rather than an emptied list.
func (c *collector) result() ([]*tripline.Listing, error) {
	if len(c.ls) == 0 {
		return nil, errAt(c.name, 0, "", "no listings found")
	}
	return c.ls, nil
}

// clean trims and collapses inner white space, as list files wrap long
// values over several lines.
func clean(s string) string {
	if isClean(s) {
		return s // the common case, without allocating
	}
	return strings.Join(strings.Fields(s), " ")
}

// isClean reports whether s has no leading, trailing, repeated or non-space
// white space.
func isClean(s string) bool {
	prevSpace := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		case c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c >= 0x80:
			return false // non-ASCII may hold Unicode spaces: take the slow path
		default:
			prevSpace = false
		}
	}
	return !prevSpace || s == ""
}

// joinNonEmpty joins the non-empty cleaned parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = clean(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// appendUnique appends s unless it is empty or already present.
func appendUnique(list []string, s string) []string {
	// Past the bound the listing is refused (Validate): checking each
	// addition against all before it would make a file of one entity's
	// million addresses cost a trillion comparisons first.
	if s == "" || len(list) > tripline.MaxDetails || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// addDate appends d unless it is already present.
func addDate(ds []tripline.PartialDate, d tripline.PartialDate) []tripline.PartialDate {
	if len(ds) > tripline.MaxDetails || slices.Contains(ds, d) { // as appendUnique
		return ds
	}
	return append(ds, d)
}

// addName appends n unless the same text of the same kind is already there;
// lists repeat names across alias entries.
func addName(ns []tripline.Name, n tripline.Name) []tripline.Name {
	n.Full = clean(n.Full)
	// Lists quote nicknames ("GODANE"); the quotes mark, they do not spell.
	if len(n.Full) >= 2 && n.Full[0] == '"' && n.Full[len(n.Full)-1] == '"' {
		n.Full = clean(n.Full[1 : len(n.Full)-1])
	}
	if n.Full == "" || len(ns) > tripline.MaxNames { // as appendUnique
		return ns
	}
	for _, o := range ns {
		if o.Full == n.Full && o.Kind == n.Kind {
			return ns
		}
	}
	if n.Script == "" {
		n.Script = Script(n.Full)
	}
	return append(ns, n)
}

// scripts maps Unicode ranges to ISO 15924 codes, most specific first.
var scripts = []struct {
	code  string
	table *unicode.RangeTable
}{
	{"Arab", unicode.Arabic},
	{"Cyrl", unicode.Cyrillic},
	{"Hani", unicode.Han},
	{"Hang", unicode.Hangul},
	{"Jpan", unicode.Hiragana},
	{"Jpan", unicode.Katakana},
	{"Grek", unicode.Greek},
	{"Hebr", unicode.Hebrew},
	{"Thai", unicode.Thai},
	{"Deva", unicode.Devanagari},
	{"Beng", unicode.Bengali},
	{"Geor", unicode.Georgian},
	{"Armn", unicode.Armenian},
	{"Ethi", unicode.Ethiopic},
	{"Mymr", unicode.Myanmar},
	{"Khmr", unicode.Khmer},
	{"Latn", unicode.Latin},
}

// Script returns the ISO 15924 code of the script most letters of s are
// written in ("Latn", "Arab", "Cyrl", "Hani", ...), or "" when s has no
// letters. Matching picks its transliteration by it.
func Script(s string) string {
	var counts [32]int // by index in scripts; no allocation per name
	best, bestN := "", 0
	for _, r := range s {
		if r < 0x80 {
			if 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' {
				counts[len(scripts)-1]++ // Latin, the common case, without table lookups
				if n := counts[len(scripts)-1]; n > bestN {
					best, bestN = "Latn", n
				}
			}
			continue
		}
		if !unicode.IsLetter(r) {
			continue
		}
		for i, sc := range scripts {
			if unicode.Is(sc.table, r) {
				counts[i]++
				if counts[i] > bestN {
					best, bestN = sc.code, counts[i]
				}
				break
			}
		}
	}
	return best
}
