package pnrgov

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"tripline"
	"tripline/edifact"
)

// section is where in a PNRGOV message the parser is.
type section int

const (
	sectionHeader  section = iota // before the first SRC: message flight, EQN
	sectionPNR                    // SRC..first TVL: booking and TIF groups
	sectionFlight                 // TVL groups with their TRI check-in groups
	sectionHistory                // ABI, SAC, LTS: changes, not the current booking
)

// parser reads one PNRGOV message as a flat sequence of segments, each
// applying to the innermost group open: booking, passenger, flight.
type parser struct {
	m       *Message
	refYear int
	sect    section
	b       *Booking
	pax     int // index of the current TIF passenger, -1 for none
	flight  int // index of the current booking flight, -1 for none
	// err is the first bound a segment broke (room): the message is
	// refused with it.
	err error
}

func (p *parser) warn(s *edifact.Segment, format string, args ...any) {
	p.m.Warnings = append(p.m.Warnings, s.Warn(format, args...))
}

func parseMessage(msg *edifact.Message, refYear int) (*Message, error) {
	m := &Message{Ref: msg.Ref, Version: msg.Version, Declared: -1}
	p := &parser{m: m, refYear: refYear, pax: -1, flight: -1}
	for i := range msg.Segments {
		if err := p.segment(&msg.Segments[i]); err != nil {
			return nil, err
		}
		if p.err != nil {
			return nil, p.err
		}
	}
	for i := range m.Bookings {
		b := &m.Bookings[i]
		b.pushed = -1
		if m.Flight != nil {
			b.pushed = slices.IndexFunc(b.Flights, func(f Flight) bool {
				return f.Code() == m.Flight.Code() && f.Date() == m.Flight.Date()
			})
		}
	}
	return m, nil
}

// booking returns the open booking, opening one (with a warning) when data
// comes before any SRC.
func (p *parser) booking(s *edifact.Segment) *Booking {
	if p.b == nil {
		p.warn(s, "%s before any SRC: starting a booking", s.Tag)
		p.open(s)
	}
	return p.b
}

func (p *parser) open(s *edifact.Segment) {
	p.m.Bookings = append(p.m.Bookings, Booking{Segment: s.Index, Line: s.Line, pushed: -1})
	p.b = &p.m.Bookings[len(p.m.Bookings)-1]
	p.sect, p.pax, p.flight = sectionPNR, -1, -1
}

func (p *parser) segment(s *edifact.Segment) error {
	switch s.Tag {
	case "SRC":
		p.open(s)
		return nil
	case "ORG":
		if p.sect == sectionHeader && p.m.Sender == "" {
			p.m.Sender = strings.Join(trimEmpty(s.Element(0)), ":")
		}
		return nil
	case "EQN":
		if p.sect == sectionHeader {
			if n, err := strconv.Atoi(strings.TrimSpace(s.Value(0, 0))); err == nil && n >= 0 {
				p.m.Declared = n
				p.m.eqnAt = s.Warn("")
			} else {
				p.warn(s, "EQN count %q is not a number", s.Value(0, 0))
			}
		}
		return nil
	case "ABI", "SAC", "LTS":
		if p.b != nil {
			p.sect = sectionHistory
		}
		return nil
	}
	if p.sect == sectionHistory {
		return nil
	}
	switch s.Tag {
	case "TVL":
		p.tvl(s)
	case "RCI":
		p.rci(s)
	case "TIF":
		return p.tif(s)
	case "TRI":
		p.pax = -1
	case "SSR":
		return p.ssr(s)
	case "SSD":
		if seat := s.Value(0, 0); p.current(s) != nil {
			p.addSeat(s, p.current(s), seat, "SSD")
		}
	case "TBD":
		p.tbd(s)
	case "ADD":
		p.add(s)
	case "IFT":
		p.ift(s)
	case "FTI":
		if pax := p.current(s); pax != nil {
			if ff := s.Value(0, 0) + s.Value(0, 1); s.Value(0, 1) != "" && !slices.Contains(pax.FrequentFlyer, ff) &&
				p.room(s, len(pax.FrequentFlyer), MaxItems, "frequent-flyer numbers of one passenger") {
				pax.FrequentFlyer = append(pax.FrequentFlyer, ff)
			}
		}
	case "TKT":
		if pax := p.current(s); pax != nil {
			if n := s.Value(0, 0); n != "" && !slices.Contains(pax.Tickets, n) && p.room(s, len(pax.Tickets), MaxItems, "tickets of one passenger") {
				pax.Tickets = append(pax.Tickets, n)
			}
		}
	}
	return nil
}

// current returns the passenger of the open TIF group, or nil.
func (p *parser) current(s *edifact.Segment) *Passenger {
	if p.b == nil || p.pax < 0 {
		return nil
	}
	return &p.b.Passengers[p.pax]
}

func (p *parser) tvl(s *edifact.Segment) {
	f := Flight{
		DepartPort: strings.TrimSpace(s.Value(1, 0)),
		ArrivePort: strings.TrimSpace(s.Value(2, 0)),
		Carrier:    strings.TrimSpace(s.Value(3, 0)),
		Operating:  strings.TrimSpace(s.Value(3, 1)),
		Number:     strings.TrimSpace(s.Value(4, 0)),
		Class:      strings.TrimSpace(s.Value(4, 1)),
	}
	if f.Operating == f.Carrier {
		f.Operating = ""
	}
	// Date and times: depdate:deptime:arrdate:arrtime, the arrival date
	// left out (or given as a time) when it is the departure date.
	depDate, depTime := s.Value(0, 0), s.Value(0, 1)
	arrDate, arrTime := s.Value(0, 2), s.Value(0, 3)
	if len(arrDate) == 4 && arrTime == "" {
		arrDate, arrTime = "", arrDate
	}
	if depDate != "" {
		t, ok := stamp(depDate, depTime)
		if !ok {
			p.warn(s, "TVL departure %q %q is not a date and time", depDate, depTime)
		}
		f.DepartTime = t
		if arrTime != "" {
			if arrDate == "" {
				arrDate = depDate
			}
			if f.ArriveTime, ok = stamp(arrDate, arrTime); !ok {
				p.warn(s, "TVL arrival %q %q is not a date and time", arrDate, arrTime)
			}
		}
	}
	if p.sect == sectionHeader {
		p.m.Flight = &f
		return
	}
	b := p.booking(s)
	p.sect, p.pax = sectionFlight, -1
	if f.DepartPort == "" || f.ArrivePort == "" {
		// A hotel or car (no arrival airport), an open or partial segment:
		// not a flight; later check-in data stays with the last flight.
		p.warn(s, "TVL without departure and arrival ports is not a flight; ignored")
		return
	}
	for i := range b.Flights {
		if b.Flights[i].same(&f) {
			p.flight = i
			return
		}
	}
	if !p.room(s, len(b.Flights), MaxFlights, "flights") {
		return
	}
	b.Flights = append(b.Flights, f)
	p.flight = len(b.Flights) - 1
}

// rci records reservation references; the first becomes the locator.
func (p *parser) rci(s *edifact.Segment) {
	b := p.booking(s)
	for _, el := range s.Elements {
		if len(el) < 2 || strings.TrimSpace(el[1]) == "" {
			continue
		}
		l := Locator{Company: strings.TrimSpace(el[0]), Locator: strings.TrimSpace(el[1])}
		if b.Locator == "" {
			b.Locator, b.Carrier = l.Locator, l.Company
		}
		if !slices.Contains(b.Locators, l) && p.room(s, len(b.Locators), MaxItems, "record locators") {
			b.Locators = append(b.Locators, l)
		}
	}
	if b.Locator == "" {
		p.warn(s, "RCI without a record locator")
	}
}

// tif opens a passenger group: a new passenger in the booking part, the
// passenger checked in within a flight's TRI group.
func (p *parser) tif(s *edifact.Segment) error {
	b := p.booking(s)
	surname := strings.Join(strings.Fields(s.Value(0, 0)), " ")
	given, title := splitTitle(s.Value(1, 0))
	ref := strings.TrimSpace(s.Value(1, 2))
	if surname == "" {
		return tripline.Errorf(tripline.EINVALID, "pnrgov: %s: passenger has no surname", s.Where())
	}
	i := p.find(ref, surname, given)
	if i < 0 {
		if p.sect == sectionFlight {
			p.warn(s, "passenger %s/%s appears only in flight data", surname, given)
		}
		if err := p.addPassenger(s, Passenger{
			Ref: ref, Surname: surname, GivenNames: given, Title: title,
			Type: strings.TrimSpace(s.Value(1, 1)), Segment: s.Index, Line: s.Line,
		}); err != nil {
			return err
		}
		i = len(b.Passengers) - 1
	}
	p.pax = i
	return nil
}

// MaxPassengers bounds the passengers of one booking: a passenger name
// record holds at most 99 names (a group booking's limit in the airlines'
// reservation systems; an ordinary one holds 9). A booking of more is not
// a PNR, and every passenger is paired with every other one downstream
// (co-travellers), so it is refused rather than read.
const MaxPassengers = 99

// The other bounds of one booking, far above what a reservation system
// holds: a booking is refused rather than read past them, since each list
// is searched for duplicates at every addition and a hostile push of a
// few hundred kilobytes of one passenger's seats took minutes (a 16 MiB
// one, hours). MaxFlights bounds its flights (every passenger is a trip
// on each one downstream), MaxContacts its contacts, MaxItems its record
// locators and each passenger's documents, seats, tickets, frequent-flyer
// numbers and checked-bag records.
const (
	MaxFlights  = 99
	MaxContacts = 999
	MaxItems    = 99
)

// addPassenger adds pax to the open booking, or fails naming the booking
// when it already holds MaxPassengers.
func (p *parser) addPassenger(s *edifact.Segment, pax Passenger) error {
	b := p.b
	if len(b.Passengers) >= MaxPassengers {
		return tripline.Errorf(tripline.EINVALID, "pnrgov: %s: booking %s holds more than %d passengers, the most a PNR holds",
			s.Where(), p.bookingName(), MaxPassengers)
	}
	b.Passengers = append(b.Passengers, pax)
	return nil
}

// room reports whether a list of the open booking holding n may take one
// more of at most limit; when not, the message is refused (p.err) naming
// the booking and what it holds too many of.
func (p *parser) room(s *edifact.Segment, n, limit int, what string) bool {
	if n < limit {
		return true
	}
	if p.err == nil {
		p.err = tripline.Errorf(tripline.EINVALID, "pnrgov: %s: booking %s holds more than %d %s", s.Where(), p.bookingName(), limit, what)
	}
	return false
}

// bookingName names the open booking in an error: its locator and line.
func (p *parser) bookingName() string {
	if p.b.Locator != "" {
		return fmt.Sprintf("%.20q (line %d)", p.b.Locator, p.b.Line)
	}
	return fmt.Sprintf("at line %d", p.b.Line)
}

// find returns the index of the booking's passenger with reference ref, or
// failing that with the same names, or -1.
func (p *parser) find(ref, surname, given string) int {
	b := p.b
	if ref != "" {
		for i := range b.Passengers {
			if b.Passengers[i].Ref == ref {
				return i
			}
		}
	}
	for i := range b.Passengers {
		q := &b.Passengers[i]
		if q.Surname == surname && (q.GivenNames == given || given == "" || q.GivenNames == "") && (ref == "" || q.Ref == "") {
			if q.Ref == "" {
				q.Ref = ref
			}
			return i
		}
	}
	return -1
}

// byRef returns the passenger an SSR's traveller reference names, the
// current TIF passenger when it names none, or the only passenger.
func (p *parser) byRef(ref string) *Passenger {
	b := p.b
	if ref != "" {
		for i := range b.Passengers {
			if b.Passengers[i].Ref == ref {
				return &b.Passengers[i]
			}
		}
		// One passenger whose TIF was lost (only DOCS named them): the
		// reference can only be theirs.
		if len(b.Passengers) == 1 && b.Passengers[0].Ref == "" {
			b.Passengers[0].Ref = ref
			return &b.Passengers[0]
		}
		return nil
	}
	if p.pax >= 0 && p.sect == sectionPNR {
		return &b.Passengers[p.pax]
	}
	if len(b.Passengers) == 1 {
		return &b.Passengers[0]
	}
	return nil
}

func (p *parser) ssr(s *edifact.Segment) error {
	b := p.booking(s)
	code := strings.TrimSpace(s.Value(0, 0))
	text := ""
	if el := s.Element(0); len(el) > 8 {
		text = strings.Join(el[8:], ":")
	}
	switch code {
	case "DOCS":
		d, err := ParseDOCS(text, p.refYear)
		if err != nil {
			p.warn(s, "%s", tripline.ErrorMessage(err))
		}
		d.Segment, d.Line = s.Index, s.Line
		pax := p.byRef(strings.TrimSpace(s.Value(1, 2)))
		if pax == nil && d.Surname != "" {
			if i := p.find("", d.Surname, d.GivenNames); i >= 0 {
				pax = &b.Passengers[i]
			} else {
				p.warn(s, "DOCS for %s/%s before any TIF: adding the passenger", d.Surname, d.GivenNames)
				if err := p.addPassenger(s, Passenger{Surname: d.Surname, GivenNames: d.GivenNames, Segment: s.Index, Line: s.Line}); err != nil {
					return err
				}
				pax = &b.Passengers[len(b.Passengers)-1]
			}
		}
		if pax == nil {
			p.warn(s, "DOCS names no passenger; ignored")
			return nil
		}
		p.addDocument(s, pax, d)
	case "SEAT", "RQST":
		for _, el := range s.Elements[min(1, len(s.Elements)):] {
			seat, ref := "", ""
			if len(el) > 0 {
				seat = el[0]
			}
			if len(el) > 2 {
				ref = strings.TrimSpace(el[2])
			}
			if seat == "" {
				continue
			}
			if pax := p.byRef(ref); pax != nil {
				p.addSeat(s, pax, seat, code)
			} else {
				p.warn(s, "%s %s for unknown passenger %q", code, seat, ref)
			}
		}
	case "DOCA":
		// /D/USA/123 MAIN ST/CITY/STATE/ZIP: type D (destination) or R
		// (residence), country, street, city, state, postcode.
		f := strings.Split(strings.TrimPrefix(text, "/"), "/")
		if len(f) > 2 {
			parts := append(slices.Clone(f[2:]), f[1])
			p.contact(s, Contact{Kind: ContactAddress, Value: joinNonEmpty(parts), Source: "SSR DOCA"})
		}
	default:
		if c, ok := ctc(code, text); ok {
			c.Source = "SSR " + code
			p.contact(s, c)
		}
	}
	return nil
}

// addDocument adds d to pax unless pax has it already (same type and
// number); a repeat fills blanks and replaces two-letter country codes with
// three-letter ones.
func (p *parser) addDocument(s *edifact.Segment, pax *Passenger, d Document) {
	for i := range pax.Documents {
		e := &pax.Documents[i]
		if e.Number != d.Number || e.Type != d.Type || (d.Number == "" && e.Surname != d.Surname) {
			continue
		}
		fill := func(dst *string, src string) {
			if *dst == "" || (len(*dst) == 2 && len(src) == 3) {
				*dst = src
			}
		}
		fill(&e.Country, d.Country)
		fill(&e.Nationality, d.Nationality)
		fill(&e.Expiry, d.Expiry)
		fill(&e.Surname, d.Surname)
		if len(d.GivenNames) > len(e.GivenNames) {
			e.GivenNames = d.GivenNames
		}
		if e.DOB.IsZero() {
			e.DOB = d.DOB
		}
		if e.Sex == "" {
			e.Sex = d.Sex
		}
		return
	}
	if p.room(s, len(pax.Documents), MaxItems, "documents of one passenger") {
		pax.Documents = append(pax.Documents, d)
	}
}

// addSeat records a seat on the current flight. "XXX" and other seats
// without a row number are placeholders for "not assigned" and skipped.
func (p *parser) addSeat(s *edifact.Segment, pax *Passenger, seat, source string) {
	seat = strings.TrimLeft(strings.TrimSpace(seat), "0")
	if seat == "" || seat[0] < '1' || seat[0] > '9' {
		return
	}
	st := Seat{Number: seat, Source: source}
	if p.flight >= 0 {
		f := &p.b.Flights[p.flight]
		st.Flight, st.Date = f.Code(), f.Date()
	}
	for i, e := range pax.Seats {
		if e.Flight == st.Flight && e.Date == st.Date && e.Number == st.Number {
			if source == "SSD" {
				pax.Seats[i].Source = source // checked in beats assigned
			}
			return
		}
	}
	if p.room(s, len(pax.Seats), MaxItems, "seats of one passenger") {
		pax.Seats = append(pax.Seats, st)
	}
}

// tbd reads checked bags: TBD++count:weight:unit+++tag+tag where each tag
// is company:serial:...
func (p *parser) tbd(s *edifact.Segment) {
	pax := p.current(s)
	if pax == nil {
		p.warn(s, "TBD outside a passenger's check-in group; ignored")
		return
	}
	bag := Bag{Unit: s.Value(1, 2)}
	bag.Count, _ = strconv.Atoi(strings.TrimSpace(s.Value(1, 0)))
	bag.Weight, _ = strconv.Atoi(strings.TrimSpace(s.Value(1, 1)))
	if p.flight >= 0 {
		bag.Flight = p.b.Flights[p.flight].Code()
	}
	for _, el := range s.Elements[min(4, len(s.Elements)):] {
		if len(el) > 1 && strings.TrimSpace(el[1]) != "" {
			bag.Tags = append(bag.Tags, strings.TrimSpace(el[0])+strings.TrimSpace(el[1]))
		}
	}
	if p.room(s, len(pax.Bags), MaxItems, "checked-bag records of one passenger") {
		pax.Bags = append(pax.Bags, bag)
	}
}

// add reads an ADD address: purpose:street:city:region:region
// name:country:postcode:phone.
func (p *parser) add(s *edifact.Segment) {
	el := s.Element(1)
	if len(el) == 0 {
		return
	}
	var parts []string
	for i := 1; i < min(len(el), 7); i++ {
		parts = append(parts, el[i])
	}
	if addr := joinNonEmpty(parts); addr != "" {
		p.contact(s, Contact{Kind: ContactAddress, Value: addr, Source: "ADD"})
	}
	if len(el) > 7 && strings.TrimSpace(el[7]) != "" {
		p.contact(s, Contact{Kind: ContactPhone, Value: strings.TrimSpace(el[7]), Source: "ADD"})
	}
}

// ift reads contacts from free text: OSI "CTCx ..." texts (IFT+4:28) and
// sponsor or payer details (IFT+4:43+name+address+phone).
func (p *parser) ift(s *edifact.Segment) {
	switch s.Value(0, 1) {
	case "28":
		text := strings.TrimSpace(strings.Join(trimEmpty(s.Element(1)), " "))
		code, rest, _ := strings.Cut(text, " ")
		if c, ok := ctc(code, rest); ok {
			c.Source = "IFT " + code
			p.contact(s, c)
		}
	case "43":
		name := strings.TrimSpace(s.Value(1, 0))
		if addr := strings.Join(strings.Fields(s.Value(2, 0)), " "); addr != "" {
			p.contact(s, Contact{Kind: ContactAddress, Value: addr, Name: name, Source: "IFT"})
		}
		if phone := strings.TrimSpace(s.Value(3, 0)); phone != "" {
			p.contact(s, Contact{Kind: ContactPhone, Value: phone, Name: name, Source: "IFT"})
		}
	}
}

// contact adds c to the booking unless it holds the same kind and value.
func (p *parser) contact(s *edifact.Segment, c Contact) {
	b := p.booking(s)
	if pax := p.current(s); pax != nil && p.sect == sectionPNR {
		c.Passenger = pax.Ref
	}
	for _, e := range b.Contacts {
		if e.Kind == c.Kind && e.Value == c.Value {
			return
		}
	}
	if p.room(s, len(b.Contacts), MaxContacts, "contacts") {
		b.Contacts = append(b.Contacts, c)
	}
}

// stamp parses a DDMMYY date and an optional HHMM time.
func stamp(date, clock string) (time.Time, bool) {
	if clock == "" {
		t, err := time.Parse("020106", date)
		return t, err == nil
	}
	t, err := time.Parse("0201061504", date+clock)
	return t, err == nil
}

func joinNonEmpty(parts []string) string {
	var out []string
	for _, s := range parts {
		if s = strings.Join(strings.Fields(s), " "); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, ", ")
}

func trimEmpty(c []string) []string {
	for len(c) > 0 && strings.TrimSpace(c[len(c)-1]) == "" {
		c = c[:len(c)-1]
	}
	return c
}
