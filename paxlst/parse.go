package paxlst

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"tripline"
	"tripline/edifact"
)

// MaxLegs bounds the flight legs (TDT groups) of one message: a manifest is
// one flight of a few legs. Every traveller's crossing leg is looked for
// among them, so a hostile 8.5 MB manifest of 200,000 legs and 5,000
// travellers took 18 s before a screening slot was taken; it is refused.
const MaxLegs = 99

// parser holds the state of one PAXLST message: the segment groups of the
// API guidelines are read as a flat sequence, each segment applying to the
// innermost group open (leg, traveller, document).
type parser struct {
	m       *Manifest
	refYear int // year the manifest was prepared, for two-digit birth years
	leg     *Leg
	loc92   int // LOC+92 routing ports seen in the current leg
	pax     *Passenger
	doc     *Document
}

func (p *parser) warn(s *edifact.Segment, format string, args ...any) {
	p.m.Warnings = append(p.m.Warnings, s.Warn(format, args...))
}

func failAt(s *edifact.Segment, format string, args ...any) error {
	return tripline.Errorf(tripline.EINVALID, "paxlst: %s: %s", s.Where(), fmt.Sprintf(format, args...))
}

// parseMessage reads one PAXLST message into a manifest of one part.
// Dates with two-digit years are resolved against refYear (see birthDate).
func parseMessage(msg *edifact.Message, refYear int) (*Manifest, error) {
	m := &Manifest{
		MessageRef: msg.Ref,
		CommonRef:  msg.CommonRef,
		Version:    msg.Version,
		Declared:   -1,
		Parts:      []Part{{MessageRef: msg.Ref, Seq: msg.Part, First: msg.First, Final: msg.Final}},
	}
	switch msg.Version {
	case "D:02B", "D:03B", "D:05B", "D:02A", "D:03A", "D:05A":
	default:
		m.Warnings = append(m.Warnings, msg.Header.Warn("PAXLST directory %q is not D:02B, D:03B or D:05B; reading it as D:05B", msg.Version))
	}
	p := &parser{m: m, refYear: refYear}
	nads := 0
	for i := range msg.Segments {
		if msg.Segments[i].Tag == "NAD" {
			nads++
		}
	}
	m.Travellers = make([]Passenger, 0, nads)
	for i := range msg.Segments {
		if err := p.segment(&msg.Segments[i]); err != nil {
			return nil, err
		}
	}
	if err := p.endTraveller(); err != nil {
		return nil, err
	}
	for i := range m.Travellers {
		m.Travellers[i].Legs = m.Legs
	}
	m.Parts[0].Travellers = len(m.Travellers)
	return m, nil
}

func (p *parser) segment(s *edifact.Segment) error {
	m := p.m
	switch s.Tag {
	case "BGM":
		m.DocumentCode = s.Value(0, 0)
		if id := s.Value(1, 0); id != "" {
			m.DocumentID = id
		}
		switch m.DocumentCode {
		case "745":
			m.Type = TypePassenger
		case "250", "336":
			m.Type = TypeCrew
		default:
			p.warn(s, "BGM document code %q is neither 745 (passenger list) nor 250 (crew list)", m.DocumentCode)
		}
	case "NAD":
		return p.nad(s)
	case "COM":
		if p.pax == nil {
			for _, el := range s.Elements {
				if len(el) > 0 && el[0] != "" {
					m.Phones = append(m.Phones, el[0])
				}
			}
		}
	case "TDT":
		if p.pax != nil {
			p.warn(s, "TDT after the first traveller ignored")
			return nil
		}
		if len(m.Legs) >= MaxLegs {
			return tripline.Errorf(tripline.EINVALID, "paxlst: %s: more than %d flight legs in one message", s.Where(), MaxLegs)
		}
		flight := strings.TrimSpace(s.Value(1, 0))
		carrier := strings.TrimSpace(s.Value(4, 0))
		if carrier == "" {
			carrier = carrierOf(flight)
		}
		m.Legs = append(m.Legs, Leg{Carrier: carrier, Flight: flight})
		p.leg, p.loc92 = &m.Legs[len(m.Legs)-1], 0
	case "LOC":
		p.loc(s)
	case "DTM":
		p.dtm(s)
	case "ATT":
		if p.pax == nil || s.Value(0, 0) != "2" {
			return nil
		}
		switch sex := strings.ToUpper(strings.TrimSpace(s.Value(2, 0))); sex {
		case "M", "F", "X":
			p.pax.Sex = tripline.Sex(sex)
		case "U", "":
		default:
			p.warn(s, "sex %q is not M, F, X or U", sex)
		}
	case "NAT":
		if p.pax != nil {
			p.pax.Nationality = strings.TrimSpace(s.Value(1, 0))
		}
	case "RFF":
		q, v := s.Value(0, 0), strings.TrimSpace(s.Value(0, 1))
		if p.pax == nil {
			if q == "TN" && m.DocumentID == "" {
				m.DocumentID = v
			}
			return nil
		}
		p.pax.Refs = append(p.pax.Refs, Ref{Qualifier: q, Value: v})
		switch q {
		case "AVF":
			p.pax.Booking = v
		case "SEA":
			p.pax.Seat = v
		}
	case "DOC":
		if p.pax == nil {
			p.warn(s, "DOC before any traveller ignored")
			return nil
		}
		d := Document{Type: strings.TrimSpace(s.Value(0, 0)), Number: strings.TrimSpace(s.Value(1, 0))}
		if d.Number == "" {
			p.warn(s, "document without a number")
		}
		p.pax.Documents = append(p.pax.Documents, d)
		p.doc = &p.pax.Documents[len(p.pax.Documents)-1]
	case "GEI":
		if p.pax != nil {
			p.pax.Status = append(p.pax.Status, strings.Join(trimEmpty(s.Element(1)), ":"))
		}
	case "FTX":
		if p.pax != nil {
			if text := strings.Join(trimEmpty(s.Element(3)), " "); text != "" {
				p.pax.FreeText = append(p.pax.FreeText, text)
			}
		}
	case "MEA":
		if p.pax != nil && s.Value(0, 0) == "CT" {
			v := s.Value(2, 1)
			if v == "" {
				v = s.Value(2, 0)
			}
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
				p.pax.Bags = n
			}
		}
	case "CNT":
		p.cnt(s)
	}
	return nil
}

// nad opens a traveller group (FL, FM, DDT, DDU) or reads the reporting
// party (MS).
func (p *parser) nad(s *edifact.Segment) error {
	role := strings.TrimSpace(s.Value(0, 0))
	switch role {
	case "MS":
		p.m.Reporter = strings.TrimSpace(strings.Join(trimEmpty(s.Element(3)), " "))
		return nil
	case "FL", "FM", "DDT", "DDU":
	default:
		p.warn(s, "NAD party %q is not a traveller (FL, FM, DDT, DDU); ignored", role)
		return nil
	}
	if err := p.endTraveller(); err != nil {
		return err
	}
	name := s.Element(3)
	pax := Passenger{
		Role:    role,
		Crew:    role == "FM" || role == "DDU",
		Transit: role == "DDT" || role == "DDU",
		Segment: s.Index,
		Line:    s.Line,
	}
	if len(name) > 0 {
		pax.Surname = clean(name[0])
	}
	if len(name) > 1 {
		var given []string
		for _, g := range name[1:] {
			if g = clean(g); g != "" {
				given = append(given, g)
			}
		}
		pax.GivenNames = strings.Join(given, " ")
	}
	if pax.Surname == "" {
		if pax.GivenNames != "" {
			return failAt(s, "traveller %q has no surname", pax.GivenNames)
		}
		return failAt(s, "traveller has no name")
	}
	pax.Address = Address{
		Street:     clean(strings.Join(trimEmpty(s.Element(4)), " ")),
		City:       clean(s.Value(5, 0)),
		Region:     clean(s.Value(6, 0)),
		PostalCode: clean(s.Value(7, 0)),
		Country:    clean(s.Value(8, 0)),
	}
	p.m.Travellers = append(p.m.Travellers, pax)
	p.pax = &p.m.Travellers[len(p.m.Travellers)-1]
	p.doc = nil
	p.leg = nil
	return nil
}

// endTraveller closes the traveller group; nothing to check yet, kept as
// the one place to add group-level checks.
func (p *parser) endTraveller() error {
	p.pax, p.doc = nil, nil
	return nil
}

func (p *parser) loc(s *edifact.Segment) {
	q := strings.TrimSpace(s.Value(0, 0))
	place := strings.TrimSpace(s.Value(1, 0))
	if p.pax == nil {
		if p.leg == nil {
			p.warn(s, "LOC+%s before any TDT ignored", q)
			return
		}
		switch q {
		case "125":
			p.leg.DepartPort = place
		case "87":
			p.leg.ArrivePort = place
		case "92":
			if p.loc92 == 0 && p.leg.DepartPort == "" {
				p.leg.DepartPort = place
			} else {
				p.leg.ArrivePort = place
			}
			p.loc92++
		}
		return
	}
	switch q {
	case "22":
		p.pax.Clearance = place
	case "174":
		p.pax.Residence = place
	case "178":
		p.pax.Embark = place
	case "179":
		p.pax.Debark = place
	case "180":
		if place == "" {
			place = strings.TrimSpace(strings.Join(trimEmpty(s.Element(1)[min(1, len(s.Element(1))):]), " "))
		}
		p.pax.BirthPlace = place
	case "91":
		if p.doc == nil {
			p.warn(s, "LOC+91 issuing country before any DOC ignored")
			return
		}
		p.doc.Country = place
	}
}

func (p *parser) dtm(s *edifact.Segment) {
	q, v := strings.TrimSpace(s.Value(0, 0)), strings.TrimSpace(s.Value(0, 1))
	switch q {
	case "189", "232":
		if p.leg == nil {
			p.warn(s, "DTM+%s outside a flight leg ignored", q)
			return
		}
		t, ok := stamp(v)
		if !ok {
			p.warn(s, "DTM+%s %q is not a date and time", q, v)
			return
		}
		if q == "189" {
			p.leg.DepartTime = t
		} else {
			p.leg.ArriveTime = t
		}
	case "329":
		if p.pax == nil {
			return
		}
		d, ok := birthDate(v, p.refYear)
		if !ok {
			p.warn(s, "birth date %q is not a date", v)
			return
		}
		p.pax.DOB = d
	case "36", "182":
		if p.doc == nil {
			if p.pax != nil {
				p.warn(s, "DTM+%s before any DOC ignored", q)
			}
			return
		}
		d, ok := docDate(v)
		if !ok {
			p.warn(s, "document date %q is not a date", v)
			return
		}
		if q == "36" {
			p.doc.Expiry = d
		} else {
			p.doc.Issued = d
		}
	}
}

// cnt reads CNT+42:n (passengers) or CNT+41:n (crew). Some feeds put the
// number in a second element (CNT+41+8); that is read with a warning.
func (p *parser) cnt(s *edifact.Segment) {
	q := strings.TrimSpace(s.Value(0, 0))
	if q != "41" && q != "42" {
		return
	}
	v := s.Value(0, 1)
	if v == "" && s.Value(1, 0) != "" {
		v = s.Value(1, 0)
		p.warn(s, "CNT+%s count %q sent as a separate element, not as CNT+%s:%s", q, v, q, v)
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		p.warn(s, "CNT+%s count %q is not a number", q, v)
		return
	}
	p.m.Declared = n
	p.m.cntAt = s.Warn("")
}

// check infers a missing type, compares the declared count, and sets
// Warnings to the parse warnings, extra and its own findings, in order.
func (m *Manifest) check(extra ...Warning) {
	if m.Type == "" {
		m.Type = TypePassenger
		if len(m.Travellers) > 0 && !slices.ContainsFunc(m.Travellers, func(p Passenger) bool { return !p.Crew }) {
			m.Type = TypeCrew
		}
	}
	m.Warnings = append(slices.Clone(m.base), extra...)
	if len(m.Travellers) == 0 {
		m.Warnings = append(m.Warnings, Warning{Message: "manifest lists no travellers"})
	}
	if m.Declared >= 0 && m.Declared != len(m.Travellers) {
		w := m.cntAt
		w.Message = fmt.Sprintf("CNT declares %d travellers; manifest has %d", m.Declared, len(m.Travellers))
		m.Warnings = append(m.Warnings, w)
	}
	sortWarnings(m.Warnings)
}

// Merge joins the parts of one manifest sent as several messages, in the
// order of their UNH sequence numbers: travellers are concatenated; the
// header, legs and references come from the first part. A gap in the
// sequence, a missing final part or parts for different flights become
// warnings. Merge returns an EINVALID error when given no parts or parts of
// different types (passenger and crew).
func Merge(parts ...*Manifest) (*Manifest, error) {
	if len(parts) == 0 {
		return nil, tripline.Errorf(tripline.EINVALID, "paxlst: merge: no parts")
	}
	ps := slices.Clone(parts)
	slices.SortStableFunc(ps, func(a, b *Manifest) int { return cmp.Compare(firstSeq(a), firstSeq(b)) })
	first := ps[0]
	m := *first
	m.Parts, m.Travellers, m.Warnings, m.base = nil, nil, nil, nil
	m.Legs = slices.Clone(first.Legs)
	m.Declared = -1
	sum, declared := 0, map[int]bool{}
	for i, p := range ps {
		if p.Type != "" && first.Type != "" && p.Type != first.Type {
			return nil, tripline.Errorf(tripline.EINVALID, "paxlst: merge: part %s is a %s list, part %s a %s list", p.MessageRef, p.Type, first.MessageRef, first.Type)
		}
		m.base = append(m.base, p.base...)
		if i > 0 && !sameLegs(p.Legs, first.Legs) && len(p.Legs) > 0 {
			m.Warnings = append(m.Warnings, Warning{Message: fmt.Sprintf("part %s is for other flight legs than part %s; keeping the first part's", p.MessageRef, first.MessageRef)})
		}
		m.Travellers = append(m.Travellers, p.Travellers...)
		m.Parts = append(m.Parts, p.Parts...)
		if p.Declared >= 0 {
			sum += p.Declared
			declared[p.Declared] = true
		}
	}
	for i := range m.Travellers {
		m.Travellers[i].Legs = m.Legs
	}
	n := len(m.Travellers)
	switch {
	case len(declared) == 0:
	case sum == n || declared[n]:
		m.Declared = n
	default:
		m.Declared = sum
	}
	for i, pt := range m.Parts {
		if pt.Seq != 0 && pt.Seq != i+1 && (i == 0 || pt.Seq != m.Parts[i-1].Seq+1) {
			m.Warnings = append(m.Warnings, Warning{Message: fmt.Sprintf("part %s has sequence %d where %d was expected: a part is missing", pt.MessageRef, pt.Seq, i+1)})
		}
	}
	if len(m.Parts) == 0 {
		// Hand-built manifests without parts: nothing to check.
	} else if last := m.Parts[len(m.Parts)-1]; !last.Final && (len(m.Parts) > 1 || last.First) {
		m.Warnings = append(m.Warnings, Warning{Message: fmt.Sprintf("last part %s is not marked final (F): later parts may be missing", last.MessageRef)})
	}
	m.check(m.Warnings...)
	return &m, nil
}

func firstSeq(m *Manifest) int {
	if len(m.Parts) == 0 {
		return 0
	}
	return m.Parts[0].Seq
}

func sameLegs(a, b []Leg) bool {
	return slices.EqualFunc(a, b, func(x, y Leg) bool {
		return x.Flight == y.Flight && x.DepartPort == y.DepartPort && x.ArrivePort == y.ArrivePort && x.DepartTime.Equal(y.DepartTime)
	})
}

// stamp parses a DTM date-time: YYMMDDHHMM (format 201), CCYYMMDDHHMM
// (203), YYMMDD or CCYYMMDD. Two-digit years are 20YY: flights are recent.
func stamp(v string) (time.Time, bool) {
	var l string
	switch len(v) {
	case 6:
		l = "060102"
	case 8:
		l = "20060102"
	case 10:
		l = "0601021504"
	case 12:
		l = "200601021504"
	}
	if l == "" || !digits(v) {
		return time.Time{}, false
	}
	t, err := time.Parse(l, v)
	if err != nil {
		return time.Time{}, false
	}
	if len(v) == 6 || len(v) == 10 {
		t = t.AddDate(2000+t.Year()%100-t.Year(), 0, 0)
	}
	return t, true
}

// birthDate parses YYMMDD or CCYYMMDD. A two-digit year is taken in the
// century that puts the birth no later than refYear (the year the manifest
// was prepared); with no refYear, years up to 30 are 20YY.
func birthDate(v string, refYear int) (tripline.PartialDate, bool) {
	if !digits(v) || (len(v) != 6 && len(v) != 8) {
		return tripline.PartialDate{}, false
	}
	y, _ := strconv.Atoi(v[:len(v)-4])
	mo, _ := strconv.Atoi(v[len(v)-4 : len(v)-2])
	d, _ := strconv.Atoi(v[len(v)-2:])
	if len(v) == 6 {
		pivot := refYear % 100
		if refYear == 0 {
			pivot = 30
		}
		century := 2000
		if refYear != 0 {
			century = refYear - refYear%100
		}
		if y > pivot {
			century -= 100
		}
		y += century
	}
	pd := tripline.PartialDate{Year: y, Month: mo, Day: d}
	return pd, pd.Validate() == nil
}

// docDate parses an expiry or issue date, YYMMDD (20YY) or CCYYMMDD, into
// YYYY-MM-DD.
func docDate(v string) (string, bool) {
	if len(v) != 6 && len(v) != 8 {
		return "", false
	}
	t, ok := stamp(v)
	if !ok {
		return "", false
	}
	return t.Format(time.DateOnly), true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// carrierOf returns the airline designator at the front of a flight number
// like "TN506" or "U2123": two characters followed by digits.
func carrierOf(flight string) string {
	if len(flight) < 3 {
		return ""
	}
	c := flight[:2]
	if flight[2] >= 'A' && flight[2] <= 'Z' && len(flight) > 3 {
		c = flight[:3] // ICAO three-letter designator
	}
	for i := 0; i < len(c); i++ {
		if !(c[i] >= 'A' && c[i] <= 'Z' || c[i] >= '0' && c[i] <= '9') {
			return ""
		}
	}
	return c
}

// clean trims a name or address part and collapses inner runs of spaces.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

func trimEmpty(c []string) []string {
	for len(c) > 0 && strings.TrimSpace(c[len(c)-1]) == "" {
		c = c[:len(c)-1]
	}
	return c
}
