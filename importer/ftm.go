package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"slices"
	"strings"

	"tripline"
)

// ReadFTM reads FollowTheMoney entities as JSON lines, the format
// OpenSanctions publishes (one `{"id", "schema", "properties", "datasets"}`
// object per line). Only Person entities become listings; companies,
// vessels, sanctions and relation entities are skipped. source ("" = "ftm")
// prefixes the entity id: "<source>:<id>".
//
// The first Latin-script "name" is the primary name; other "name" values in
// Arabic, Cyrillic or another non-Latin script become original-script
// names; alias, previousName and weakAlias become aliases and weak aliases
// with each name's script detected. The
// action follows the entity's topics: refuse_entry for sanctioned persons
// and terrorists, detain for wanted persons, secondary_check for other
// crime, info for everyone else (politically exposed persons, for example,
// are not to be stopped). A broken line, an impossible birth date or an
// invalid listing fails the whole file with a *tripline.Error (EINVALID)
// naming the line and property.
func ReadFTM(r io.Reader, name, source string) ([]*tripline.Listing, error) {
	var ls []*tripline.Listing
	for l, err := range StreamFTM(r, name, source) {
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
	}
	return ls, nil
}

// StreamFTM is ReadFTM one listing at a time, as each line is read: every
// line is a whole entity, so an OpenSanctions export of millions streams
// into the store in flat memory. The first error ends the stream.
func StreamFTM(r io.Reader, name, source string) iter.Seq2[*tripline.Listing, error] {
	return func(yield func(*tripline.Listing, error) bool) {
		if source == "" {
			source = SourceFTM
		}
		br := bufio.NewReaderSize(r, 1<<16)
		c := newCollector(name)
		var buf []byte
		for line := 1; ; line++ {
			b, err := readLine(br, buf[:0], MaxFTMLineBytes)
			buf = b
			if errors.Is(err, errLineTooLong) {
				yield(nil, errAt(name, line, "", "the line is longer than %d bytes", MaxFTMLineBytes))
				return
			}
			if len(bytes.TrimSpace(b)) > 0 {
				l, perr := ftmListing(b, name, line, source)
				if perr == nil && l != nil {
					perr = c.check(l, line)
				}
				if perr != nil {
					yield(nil, perr)
					return
				}
				if l != nil && !yield(l, nil) {
					return
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				yield(nil, errAt(name, line, "", "read: %v", err))
				return
			}
		}
		if c.seen.Len() == 0 {
			yield(nil, errAt(name, 0, "", "no listings found"))
		}
	}
}

// MaxFTMLineBytes bounds one line (one entity) of a FollowTheMoney file.
// OpenSanctions lines run to a few megabytes; without a bound a file of
// one endless line (an upload of 256 MiB, or a local file of any size)
// was held whole, and decoded at several times that.
const MaxFTMLineBytes = 32 << 20

var errLineTooLong = errors.New("line too long")

// readLine appends the next line of br (with its newline, if any) to buf,
// failing with errLineTooLong once it passes max bytes.
func readLine(br *bufio.Reader, buf []byte, max int) ([]byte, error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf)+len(chunk) > max {
			return buf, errLineTooLong
		}
		buf = append(buf, chunk...)
		if err != bufio.ErrBufferFull {
			return buf, err
		}
	}
}

// ftmEntity is one FollowTheMoney entity. Property values are kept raw:
// nested exports put whole entities where plain exports put strings.
type ftmEntity struct {
	ID         string                       `json:"id"`
	Schema     string                       `json:"schema"`
	Properties map[string][]json.RawMessage `json:"properties"`
	Datasets   []string                     `json:"datasets"`
	FirstSeen  string                       `json:"first_seen"`
}

// strings returns the string values of property p, skipping nested
// entities and empty values.
func (e *ftmEntity) strings(p string) []string {
	var out []string
	for _, raw := range e.Properties[p] {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			continue
		}
		if s = clean(s); s != "" {
			out = appendUnique(out, s)
		}
	}
	return out
}

// ftmTopics maps OpenSanctions topics to a reason and action, most severe
// first: the first topic an entity has decides.
var ftmTopics = []struct {
	topic  string
	reason tripline.Reason
	action tripline.Action
}{
	{"crime.terror", "terrorism", tripline.ActionRefuseEntry},
	{"sanction", "sanctions", tripline.ActionRefuseEntry},
	{"wanted", "wanted person", tripline.ActionDetain},
	{"crime.traffick", "trafficking", tripline.ActionSecondaryCheck},
	{"crime", "crime", tripline.ActionSecondaryCheck},
	{"debarment", "debarment", tripline.ActionInfo},
	{"role.pep", "politically exposed person", tripline.ActionInfo},
	{"poi", "person of interest", tripline.ActionInfo},
}

// ftmListing maps one line; nil, nil for entities that are not persons.
func ftmListing(b []byte, name string, line int, source string) (*tripline.Listing, error) {
	var e ftmEntity
	if err := json.Unmarshal(b, &e); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, errAt(name, line, "", "malformed JSON at byte %d of the line: %v", se.Offset, err)
		case errors.As(err, &te):
			if strings.HasPrefix(te.Field, "properties") {
				return nil, errAt(name, line, te.Field, "got a JSON %s, want a list of strings per property", te.Value)
			}
			return nil, errAt(name, line, te.Field, "got a JSON %s, want %s", te.Value, te.Type)
		}
		return nil, errAt(name, line, "", "malformed JSON: %v", err)
	}
	if e.Schema == "" {
		return nil, errAt(name, line, "schema", "missing: not a FollowTheMoney entity")
	}
	if e.Schema != "Person" {
		return nil, nil
	}
	id := strings.TrimSpace(e.ID)
	if id == "" {
		return nil, errAt(name, line, "id", "missing")
	}
	l := publicListing(source, id)
	l.Provenance.SourceRef = id
	l.Action, l.Reason = tripline.ActionInfo, ""
	topics := e.strings("topics")
	for _, t := range ftmTopics {
		if slices.ContainsFunc(topics, func(s string) bool { return s == t.topic || strings.HasPrefix(s, t.topic+".") }) {
			l.Reason, l.Action = t.reason, t.action
			break
		}
	}
	if d := e.strings("createdAt"); len(d) > 0 && len(d[0]) >= 10 {
		l.Provenance.ListedOn = d[0][:10]
	}

	if err := ftmNames(l, &e, name, line); err != nil {
		return nil, err
	}
	var notes []string
	for _, s := range e.strings("birthDate") {
		d, err := tripline.ParsePartialDate(ftmDate(s))
		if err != nil {
			return nil, errAt(name, line, "properties.birthDate", "%q: %s", s, tripline.ErrorMessage(err))
		}
		l.BirthDates = addDate(l.BirthDates, d)
	}
	l.BirthPlaces = e.strings("birthPlace")
	for _, p := range []string{"nationality", "citizenship"} {
		for _, s := range e.strings(p) {
			if a3, ok := alpha3(s); ok {
				l.Nationalities = appendUnique(l.Nationalities, a3)
			} else {
				notes = append(notes, p+": "+s) // "suhh" (Soviet Union) and the like
			}
		}
	}
	switch g := e.strings("gender"); {
	case len(g) == 0:
	case g[0] == "male":
		l.Sex = "M"
	case g[0] == "female":
		l.Sex = "F"
	case g[0] == "other":
		l.Sex = "X"
	}
	for _, n := range e.strings("passportNumber") {
		l.Documents = append(l.Documents, tripline.Document{Type: "P", Number: n})
	}
	for _, n := range e.strings("idNumber") {
		l.Documents = append(l.Documents, tripline.Document{Type: "I", Number: n})
	}
	l.Addresses = e.strings("address")
	l.Emails = e.strings("email")
	l.Phones = e.strings("phone")
	for _, p := range []string{"notes", "summary", "description"} {
		notes = append(notes, e.strings(p)...)
	}
	if len(topics) > 0 {
		notes = append(notes, "Topics: "+strings.Join(topics, ", "))
	}
	if c := e.strings("country"); len(c) > 0 {
		notes = append(notes, "Countries: "+strings.Join(c, ", "))
	}
	if p := e.strings("position"); len(p) > 0 {
		notes = append(notes, "Positions: "+strings.Join(p, "; "))
	}
	if len(e.Datasets) > 0 {
		notes = append(notes, "Datasets: "+strings.Join(e.Datasets, ", "))
	}
	l.Narrative = strings.Join(notes, "\n")
	return l, nil
}

// ftmNames sets the names: the first Latin-script "name" is primary (with
// firstName/lastName as its parts when the entity has one of each), other
// Latin-script names are aliases and names in any other script
// original-script names. Aliases stay aliases whatever their script; each
// name's Script says which it is.
func ftmNames(l *tripline.Listing, e *ftmEntity, name string, line int) error {
	all := e.strings("name")
	if len(all) == 0 {
		// Some sources give only the parts.
		if full := joinNonEmpty(" ", strings.Join(e.strings("firstName"), " "), strings.Join(e.strings("middleName"), " "), strings.Join(e.strings("lastName"), " ")); full != "" {
			all = []string{full}
		}
	}
	if len(all) == 0 {
		return errAt(name, line, "properties.name", "missing: a listing needs a name")
	}
	primary := slices.IndexFunc(all, func(s string) bool { return Script(s) == "Latn" })
	if primary < 0 {
		primary = 0
	}
	p := tripline.Name{Full: all[primary], Kind: tripline.NamePrimary}
	first, last := e.strings("firstName"), e.strings("lastName")
	if len(first) == 1 && len(last) == 1 && Script(first[0]) == Script(p.Full) {
		p.Given, p.Family = first[0], last[0]
		if m := e.strings("middleName"); len(m) == 1 {
			p.Given += " " + m[0]
		}
	}
	l.Names = addName(l.Names, p)
	add := func(kind tripline.NameKind, quality string, ns []string) {
		for _, n := range ns {
			l.Names = addName(l.Names, tripline.Name{Full: n, Kind: kind, Quality: quality})
		}
	}
	for i, n := range all {
		switch s := Script(n); {
		case i == primary:
		case s == "Latn" || s == "":
			add(tripline.NameAlias, "", []string{n})
		default:
			add(tripline.NameOriginal, "", []string{n})
		}
	}
	add(tripline.NameAlias, "", e.strings("alias"))
	add(tripline.NameAlias, "previous name", e.strings("previousName"))
	add(tripline.NameWeakAlias, "weak", e.strings("weakAlias"))
	return nil
}

// ftmDate cuts a time of day off a date ("1970-01-02T00:00:00").
func ftmDate(s string) string {
	if d, _, ok := strings.Cut(s, "T"); ok {
		return d
	}
	return s
}
