package importer

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"tripline"
)

// ReadOFAC reads the OFAC SDN list in its legacy CSV export: sdnPath names
// sdn.csv, and add.csv (addresses), alt.csv (aliases) and sdn_comments.csv
// (remarks too long for sdn.csv) are read from the same directory when
// present; a missing beside-file only means no addresses or aliases.
// Only individuals are returned: vessels, aircraft and entities cannot
// cross a border.
//
// Each listing gets the id "ofac-sdn:<ent_num>", refuse_entry, and the
// sanctions programs as its reason. Dates of birth, places of birth,
// nationalities, passports and national ids, sex, weak aliases, e-mail
// addresses and phone numbers are taken from the free-text Remarks, which
// are kept whole as the narrative. Errors are *tripline.Error (EINVALID)
// naming the file, line and column.
func ReadOFAC(sdnPath string) ([]*tripline.Listing, error) {
	return readOFAC(context.Background(), sdnPath, "", nil)
}

// sdn.csv column count and positions.
const (
	sdnCols = 12
	sdnEnt  = 0
	sdnName = 1
	sdnType = 2
	sdnProg = 3
	sdnTitl = 4
	sdnRem  = 11
)

func readOFAC(ctx context.Context, sdnPath, source string, progress func(done, total int64)) ([]*tripline.Listing, error) {
	if source == "" {
		source = SourceOFAC
	}
	dir := filepath.Dir(sdnPath)
	files := []string{sdnPath, filepath.Join(dir, "sdn_comments.csv"), filepath.Join(dir, "alt.csv"), filepath.Join(dir, "add.csv")}
	var all int64
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			all += st.Size()
		}
	}
	pr := &progressReader{ctx: ctx, all: all, fn: progress}

	// sdn.csv first: only its individuals need the other files' rows.
	type entry struct {
		l       *tripline.Listing
		line    int
		remarks string
	}
	var order []*entry
	byEnt := make(map[string]*entry)
	err := readOFACFile(pr, sdnPath, true, sdnCols, func(rec []string, line func(int) int) error {
		ent := ofacField(rec[sdnEnt])
		if ent == "" {
			return errAt(sdnPath, line(sdnEnt), "ent_num", "missing")
		}
		if _, err := strconv.Atoi(ent); err != nil {
			return errAt(sdnPath, line(sdnEnt), "ent_num", "%q is not a number", ent)
		}
		if e, dup := byEnt[ent]; dup {
			return errAt(sdnPath, line(sdnEnt), "ent_num", "duplicate %s (first on line %d)", ent, e.line)
		}
		if !strings.EqualFold(ofacField(rec[sdnType]), "individual") {
			byEnt[ent] = &entry{line: line(sdnEnt)} // known, skipped
			return nil
		}
		name := ofacField(rec[sdnName])
		if name == "" {
			return errAt(sdnPath, line(sdnName), "SDN_Name", "missing")
		}
		l := publicListing(source, ent)
		l.Provenance.SourceRef = ent
		l.Provenance.LegalBasis = "US Treasury OFAC Specially Designated Nationals list"
		l.Names = addName(l.Names, ofacName(name, tripline.NamePrimary, ""))
		l.Reason = ofacReason(ofacField(rec[sdnProg]))
		e := &entry{l: l, line: line(sdnEnt), remarks: ofacField(rec[sdnRem])}
		// The title usually repeats in the remarks; say it once.
		if t := ofacField(rec[sdnTitl]); t != "" && !strings.Contains(e.remarks, t) {
			e.l.Narrative = "Title: " + t
		}
		byEnt[ent] = e
		order = append(order, e)
		return nil
	})
	if err != nil {
		return nil, err
	}

	// sdn_comments.csv continues Remarks that did not fit in sdn.csv.
	err = readOFACFile(pr, files[1], false, 2, func(rec []string, line func(int) int) error {
		if e := byEnt[ofacField(rec[0])]; e != nil && e.l != nil {
			e.remarks += strings.TrimRight(rec[1], " ")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = readOFACFile(pr, files[2], false, 5, func(rec []string, line func(int) int) error {
		e := byEnt[ofacField(rec[0])]
		if e == nil || e.l == nil {
			return nil
		}
		name := ofacField(rec[3])
		if name == "" {
			return errAt(files[2], line(3), "alt_name", "missing")
		}
		typ := strings.ToLower(ofacField(rec[2]))
		kind := tripline.NameAlias
		if strings.Contains(typ, "weak") || strings.Contains(strings.ToLower(ofacField(rec[4])), "low quality") {
			kind = tripline.NameWeakAlias
		}
		e.l.Names = addName(e.l.Names, ofacName(name, kind, typ))
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = readOFACFile(pr, files[3], false, 6, func(rec []string, line func(int) int) error {
		e := byEnt[ofacField(rec[0])]
		if e == nil || e.l == nil {
			return nil
		}
		addr := joinNonEmpty(", ", ofacField(rec[2]), ofacField(rec[3]), ofacField(rec[4]))
		if r := ofacField(rec[5]); r != "" {
			addr = joinNonEmpty(" ", addr, "("+r+")")
		}
		e.l.Addresses = appendUnique(e.l.Addresses, addr)
		return nil
	})
	if err != nil {
		return nil, err
	}

	c := newCollector(sdnPath)
	for _, e := range order {
		if err := parseRemarks(e.l, e.remarks); err != nil {
			return nil, errAt(sdnPath, e.line, "Remarks", "%s", tripline.ErrorMessage(err))
		}
		e.l.Narrative = joinLines(e.l.Narrative, clean(e.remarks))
		if err := c.add(e.l, e.line); err != nil {
			return nil, err
		}
	}
	return c.result()
}

// readOFACFile reads one CSV file of the export, calling fn with each
// record and a function giving the line of a field. A missing optional
// file is no error. The export ends with a DOS end-of-file byte (0x1A),
// which is not a record.
func readOFACFile(pr *progressReader, path string, required bool, cols int, fn func(rec []string, line func(int) int) error) error {
	f, err := os.Open(path)
	if err != nil {
		if !required && errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return openError(path, err)
	}
	defer f.Close()
	pr.base += pr.done
	pr.r, pr.done = f, 0
	cr := newCSVReader(pr, path) // a row is bounded (MaxRowBytes)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	line := func(i int) int { l, _ := cr.FieldPos(i); return l }
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if e := pr.ctx.Err(); e != nil {
				return e
			}
			return csvError(path, err)
		}
		if len(rec) == 1 && strings.Trim(rec[0], "\x1a \r\n") == "" {
			continue
		}
		if len(rec) != cols {
			return errAt(path, line(0), "", "%d fields, want %d", len(rec), cols)
		}
		if err := fn(rec, line); err != nil {
			return err
		}
	}
}

// ofacField trims a cell and maps the export's "-0-" (no value) to "".
func ofacField(s string) string {
	s = strings.TrimSpace(s)
	if s == "-0-" || s == "-0" {
		return ""
	}
	return s
}

// ofacName turns the list's "LAST, First Middle" into a name in reading
// order ("First Middle LAST") with its parts. Names without a comma (a
// single name, a kunya) stay as they are. quality keeps the alias type
// ("aka", "fka", "nka").
func ofacName(s string, kind tripline.NameKind, quality string) tripline.Name {
	n := tripline.Name{Full: clean(s), Kind: kind, Quality: quality}
	if family, given, ok := strings.Cut(n.Full, ", "); ok && family != "" && given != "" {
		n.Given, n.Family = clean(given), clean(family)
		n.Full = n.Given + " " + n.Family
	}
	return n
}

// ofacReason joins the programs ("SDGT] [IRGC] [IFSR" in the export).
func ofacReason(p string) tripline.Reason {
	var out []string
	for _, s := range strings.Split(p, "] [") {
		out = appendUnique(out, clean(strings.Trim(s, "[] ")))
	}
	if len(out) == 0 {
		return "sanctions"
	}
	return tripline.Reason("sanctions: " + strings.Join(out, ", "))
}

func joinLines(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n" + b
}

// Remarks grammar. Each remark is one "; "-separated clause, possibly
// preceded by "alt." for a further value of the same kind.
var (
	reDocument = regexp.MustCompile(`^(Passport|Diplomatic Passport|Passport Booklet:?|Stateless Person Passport|British National Overseas Passport|National ID No\.|Cedula No\.|D\.N\.I\.|Identification Number|Turkish Identification Number|Tazkira National ID Card)\s+(.+?)(?:\s+\(([^)]+)\))?(?:\s+issued\s+([0-9A-Za-z ]+?))?(?:\s+expires\s+([0-9A-Za-z ]+?))?$`)
	reAKA      = regexp.MustCompile(`^a\.k\.a\.\s+(.+)$`)
	reDay      = regexp.MustCompile(`^(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})$`)
	reMonth    = regexp.MustCompile(`^([A-Z][a-z]{2}) (\d{4})$`)
	reYear     = regexp.MustCompile(`^(\d{4})$`)
)

// parseRemarks fills l from the Remarks clauses it recognises. Clauses it
// does not recognise are no error: they stay in the narrative. A clause
// that is recognised but impossible (DOB 31 Feb 1970) is an error.
func parseRemarks(l *tripline.Listing, remarks string) error {
	for clause := range strings.SplitSeq(remarks, ";") {
		c := clean(clause)
		c = strings.TrimSuffix(c, ".")
		c = strings.TrimPrefix(c, "alt. ")
		key, val, _ := strings.Cut(c, " ")
		switch key {
		case "DOB":
			ds, err := ofacDOB(val)
			if err != nil {
				return tripline.Errorf(tripline.EINVALID, "DOB %q: %s", val, tripline.ErrorMessage(err))
			}
			for _, d := range ds {
				l.BirthDates = addDate(l.BirthDates, d)
			}
			continue
		case "POB":
			l.BirthPlaces = appendUnique(l.BirthPlaces, clean(val))
			continue
		case "nationality", "citizen":
			if a3, ok := alpha3(val); ok {
				l.Nationalities = appendUnique(l.Nationalities, a3)
			}
			continue
		case "Gender":
			switch val {
			case "Male":
				l.Sex = "M"
			case "Female":
				l.Sex = "F"
			}
			continue
		}
		if v, ok := strings.CutPrefix(c, "Email Address "); ok {
			l.Emails = appendUnique(l.Emails, clean(v))
			continue
		}
		if v, ok := strings.CutPrefix(c, "Phone Number "); ok {
			l.Phones = appendUnique(l.Phones, clean(v))
			continue
		}
		if m := reAKA.FindStringSubmatch(c); m != nil {
			// OFAC keeps its low-quality a.k.a.s (kunyas, nicknames) in the
			// remarks, quoted, rather than in alt.csv.
			name := strings.TrimSuffix(strings.TrimPrefix(m[1], "'"), "'")
			l.Names = addName(l.Names, ofacName(name, tripline.NameWeakAlias, "weak aka"))
			continue
		}
		if m := reDocument.FindStringSubmatch(c); m != nil {
			l.Documents = append(l.Documents, ofacDocument(m))
		}
	}
	return nil
}

// ofacDocument maps a matched document clause.
func ofacDocument(m []string) tripline.Document {
	label, num, country, issued, expires := m[1], m[2], m[3], m[4], m[5]
	d := tripline.Document{Type: "I", Number: clean(num)}
	var notes []string
	if strings.Contains(label, "Passport") {
		d.Type = "P"
	}
	if label != "Passport" {
		notes = append(notes, strings.TrimSuffix(label, ":"))
	}
	if country != "" {
		if a3, ok := alpha3(country); ok {
			d.Country = a3
		} else {
			notes = append(notes, "issued by "+country)
		}
	}
	if issued != "" {
		notes = append(notes, "issued "+issued)
	}
	if expires != "" {
		if t, err := time.Parse("02 Jan 2006", expires); err == nil {
			d.Expiry = t.Format(time.DateOnly)
		} else {
			notes = append(notes, "expires "+expires)
		}
	}
	d.Note = strings.Join(notes, "; ")
	return d
}

// ofacDOB parses the DOB forms of the export: "12 Jan 1960", "Jan 1960",
// "1960", each optionally "circa", and ranges "1958 to 1962",
// "01 Jan 1946 to 31 Dec 1948" or "circa 1979-1982" (expanded to years).
// Text of another shape returns no dates and no error: it stays in the
// narrative.
func ofacDOB(s string) ([]tripline.PartialDate, error) {
	s = strings.TrimPrefix(clean(s), "circa ")
	if from, to, ok := strings.Cut(s, " to "); ok {
		return ofacRange(from, to)
	}
	if from, to, ok := strings.Cut(s, "-"); ok && reYear.MatchString(from) && reYear.MatchString(to) {
		return ofacRange(from, to)
	}
	d, ok, err := ofacDate(s)
	if !ok || err != nil {
		return nil, err
	}
	return []tripline.PartialDate{d}, nil
}

func ofacRange(from, to string) ([]tripline.PartialDate, error) {
	f, ok1, err := ofacDate(from)
	if err != nil {
		return nil, err
	}
	t, ok2, err := ofacDate(to)
	if err != nil {
		return nil, err
	}
	if !ok1 || !ok2 {
		return nil, nil
	}
	if t.Year < f.Year {
		return nil, tripline.Errorf(tripline.EINVALID, "range ends before it starts")
	}
	return yearRange(f.Year, t.Year), nil
}

// ofacDate parses one date; ok is false for text of another shape.
func ofacDate(s string) (d tripline.PartialDate, ok bool, err error) {
	s = strings.TrimSpace(s)
	var day, mon, year string
	if m := reDay.FindStringSubmatch(s); m != nil {
		day, mon, year = m[1], m[2], m[3]
	} else if m := reMonth.FindStringSubmatch(s); m != nil {
		mon, year = m[1], m[2]
	} else if reYear.MatchString(s) {
		year = s
	} else {
		return d, false, nil
	}
	d.Year, _ = strconv.Atoi(year)
	if mon != "" {
		t, err := time.Parse("Jan", mon)
		if err != nil {
			return d, true, tripline.Errorf(tripline.EINVALID, "%q is not a month", mon)
		}
		d.Month = int(t.Month())
	}
	if day != "" {
		d.Day, _ = strconv.Atoi(day)
	}
	return d, true, d.Validate()
}
