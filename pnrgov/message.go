// Package pnrgov reads UN/EDIFACT PNRGOV messages — the passenger name
// record pushes airlines send to border agencies — into bookings whose
// passengers can be screened and linked: record locators, passengers and
// their co-travellers, contacts, seats, travel documents (SSR DOCS), flights
// and checked bags.
//
// Like paxlst it is lenient with real-feed defects and reports each as a
// Warning, failing with a coded tripline EINVALID error naming the segment
// when the message cannot be read, and when it was cut short (a message
// without its UNT, no UNZ after a UNB) unless the caller asks for partial
// processing (Options.Partial).
package pnrgov

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"tripline"
	"tripline/edifact"
)

// Warning is a defect in a message that did not stop parsing. Line and
// Segment are 1-based, zero when unknown.
type Warning = edifact.Warning

// Message is one PNRGOV push: the bookings on one flight.
type Message struct {
	Ref     string // UNH message reference
	Version string // message version and release, e.g. "11:1"
	// Sender is the ORG sending system, e.g. "DL:ATL".
	Sender string
	// Flight is the flight the push is for (the TVL before the first
	// booking), nil when not sent.
	Flight *Flight
	// Declared is the EQN number of bookings, -1 when not sent.
	Declared int
	Bookings []Booking
	Warnings []Warning
	// Incomplete says why the push is not whole when it was read with
	// Options.Partial from a cut interchange; "" when it is whole.
	Incomplete string

	eqnAt Warning // position of the EQN, for the count warning
}

// Booking is one passenger name record (an SRC segment group).
type Booking struct {
	// Locator is the record locator of the first RCI: the booking's
	// reference in the sending system; Carrier is the company holding it.
	Locator string
	Carrier string
	// Locators are every RCI reference in the booking, the first included,
	// de-duplicated: other systems' and operating carriers' locators.
	Locators   []Locator
	Passengers []Passenger
	// Contacts are the booking's phones, emails and addresses, from ADD,
	// IFT (OSI CTCx, sponsor) and SSR CTCx/DOCA, de-duplicated.
	Contacts []Contact
	// Flights are the booked air segments (TVL with both ports), in order.
	Flights []Flight
	// Segment and Line locate the SRC (or first RCI) of the booking.
	Segment, Line int

	pushed int // index in Flights of the message's flight, -1 if absent
}

// Locator is one RCI reservation reference.
type Locator struct {
	Company string
	Locator string
}

// Contact kinds.
const (
	ContactPhone   = "phone"
	ContactEmail   = "email"
	ContactAddress = "address"
)

// Contact is a phone number, email address or postal address in a booking.
// Emails are decoded from PNR notation (// for @, .. for _, ./ for -) and
// lower-cased.
type Contact struct {
	Kind  string // ContactPhone, ContactEmail or ContactAddress
	Value string
	// Name is whose contact it is when the PNR says (a sponsor, a card
	// holder); Passenger is the TIF reference of the passenger group it was
	// found in, "" for the booking as a whole.
	Name      string
	Passenger string
	Source    string // the segment it came from: "ADD", "IFT", "SSR CTCE", ...
}

// Flight is one booked air segment (TVL). Times are local times at the
// port, carried in a time.Time whose location is UTC; zero when not sent.
type Flight struct {
	Carrier    string // marketing carrier
	Operating  string // operating carrier, when different
	Number     string // flight number without carrier, e.g. "324"
	Class      string // booking class
	DepartPort string
	DepartTime time.Time
	ArrivePort string
	ArriveTime time.Time
}

// Code returns the operating carrier (the marketing one when no other
// operates it) and the number, e.g. "DL324": the flight as border manifests
// name it.
func (f *Flight) Code() string {
	if f.Operating != "" {
		return f.Operating + f.Number
	}
	return f.Carrier + f.Number
}

// Date returns the departure date as YYYY-MM-DD, or "" when not known.
func (f *Flight) Date() string {
	if f.DepartTime.IsZero() {
		return ""
	}
	return f.DepartTime.Format(time.DateOnly)
}

func (f *Flight) same(g *Flight) bool {
	return f.Carrier == g.Carrier && f.Number == g.Number && f.DepartPort == g.DepartPort &&
		f.ArrivePort == g.ArrivePort && f.Date() == g.Date()
}

// Passenger is one traveller of a booking (a TIF group).
type Passenger struct {
	Ref        string // TIF traveller reference, unique within the booking
	Surname    string
	GivenNames string
	Title      string // MR, MRS, MS, MISS, MSTR, DR split off the given names
	Type       string // TIF traveller type: A adult, C child, IN infant, ...
	// Documents are the SSR DOCS of the passenger, de-duplicated.
	Documents     []Document
	Seats         []Seat
	Bags          []Bag
	FrequentFlyer []string // FTI carrier and number, e.g. "DL1234567890"
	Tickets       []string // TKT numbers
	// Segment and Line locate the passenger's first TIF.
	Segment, Line int
}

// Name returns "GIVEN NAMES SURNAME".
func (p *Passenger) Name() string { return strings.TrimSpace(p.GivenNames + " " + p.Surname) }

// Seat is a seat of a passenger on one flight.
type Seat struct {
	Flight string // flight code, e.g. "DL324"
	Date   string // departure date, YYYY-MM-DD
	Number string // e.g. "15A", leading zeros dropped
	Source string // SSD (checked in), SEAT (assigned) or RQST (requested)
}

// Bag is the checked baggage of a passenger on one flight (TBD).
type Bag struct {
	Flight string
	Count  int
	Weight int
	Unit   string // weight unit code as sent, e.g. "700" kilograms, "701" pounds
	Tags   []string
}

// CoTravellers returns the passengers of b other than passenger i (an
// index into b.Passengers): the people travelling on the same booking.
func (b *Booking) CoTravellers(i int) []*Passenger {
	var out []*Passenger
	for j := range b.Passengers {
		if j != i {
			out = append(out, &b.Passengers[j])
		}
	}
	return out
}

// Flight returns the booking's flight the message was pushed for, or nil
// when the booking does not hold it.
func (b *Booking) Flight() *Flight {
	if b.pushed < 0 || b.pushed >= len(b.Flights) {
		return nil
	}
	return &b.Flights[b.pushed]
}

// Traveller converts passenger i of b (an index into b.Passengers) for
// screening. ref is the caller's reference; direction is "in", "out" or
// "transit". The crossing flight is the one the message was pushed for,
// else the last flight for "in" and the first otherwise; Port is its arrival
// port for "in" and "transit" and its departure port for "out". Name, birth
// date, sex and nationality come from the passenger's documents where the
// TIF does not give them; the first document with a number becomes
// Document; Seat is the seat on the crossing flight, Booking the locator.
// Traveller returns nil when i is out of range.
func (b *Booking) Traveller(i int, ref, direction string) *tripline.Traveller {
	if i < 0 || i >= len(b.Passengers) {
		return nil
	}
	p := &b.Passengers[i]
	t := &tripline.Traveller{Ref: ref, Surname: p.Surname, GivenNames: p.GivenNames, Booking: b.Locator}
	for _, d := range p.Documents {
		if t.DOB.IsZero() {
			t.DOB = d.DOB
		}
		if t.Sex == "" {
			t.Sex = d.Sex
		}
		if t.Nationality == "" {
			t.Nationality = d.Nationality
		}
		if t.Document == nil && d.Number != "" {
			t.Document = &tripline.Document{Type: d.Type, Number: d.Number, Country: d.Country, Expiry: d.Expiry}
		}
		if t.Surname == "" {
			t.Surname, t.GivenNames = d.Surname, d.GivenNames
		}
	}
	f := b.Flight()
	if f == nil && len(b.Flights) > 0 {
		f = &b.Flights[0]
		if direction == "in" {
			f = &b.Flights[len(b.Flights)-1]
		}
	}
	t.Travel = &tripline.Travel{Direction: direction}
	if f != nil {
		port, when := f.ArrivePort, f.ArriveTime
		if direction == "out" || when.IsZero() {
			when = f.DepartTime
		}
		if direction == "out" {
			port = f.DepartPort
		}
		t.Travel.Port, t.Travel.Flight = port, f.Code()
		if !when.IsZero() {
			t.Travel.Date = when.Format(time.DateOnly)
		}
		for _, s := range p.Seats {
			if s.Flight == f.Code() && (s.Date == "" || s.Date == f.Date()) {
				t.Seat = s.Number
				break
			}
		}
	}
	return t
}

// Options configure parsing.
type Options struct {
	// Partial reads an interchange that was cut short instead of failing:
	// what arrived is returned with Message.Incomplete set. The segment
	// the input ended inside is dropped, so a passenger cut mid-name is
	// not read as someone else.
	Partial bool
}

// Parse reads one interchange of PNRGOV messages and returns them as one
// Message: the bookings of all messages in order, the header (flight,
// sender, reference) of the first. It returns an EINVALID error naming the
// segment and line when the text is not a readable PNRGOV — no UNH, a
// message of another type, text that is not segments, a passenger without
// a surname, an interchange cut short (naming what is missing) — or a read
// error from r.
func Parse(r io.Reader) (*Message, error) { return ParseWith(r, Options{}) }

// ParseWith is Parse with options.
func ParseWith(r io.Reader, opts Options) (*Message, error) {
	ic, err := edifact.Read(r)
	if err != nil {
		if tripline.ErrorCode(err) == tripline.EINVALID {
			return nil, tripline.Errorf(tripline.EINVALID, "pnrgov: %s", tripline.ErrorMessage(err))
		}
		return nil, fmt.Errorf("pnrgov: %w", err)
	}
	out := &Message{Declared: -1, Warnings: ic.Warnings}
	if err := ic.Complete(); err != nil {
		if !opts.Partial {
			// A cut push read as whole would replace the flight's links
			// with what arrived, and name passengers from fragments.
			return nil, tripline.Errorf(tripline.EINVALID, "pnrgov: %s", tripline.ErrorMessage(err))
		}
		out.Incomplete = tripline.ErrorMessage(err)
		out.Warnings = append(out.Warnings, ic.Incomplete...)
	}
	refYear := preparedYear(ic.Prepared)
	for i, msg := range ic.Messages {
		if msg.Type != "PNRGOV" {
			return nil, tripline.Errorf(tripline.EINVALID, "pnrgov: %s: message %d is %q, not PNRGOV", msg.Header.Where(), i+1, msg.Type)
		}
		m, err := parseMessage(msg, refYear)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			out.Ref, out.Version, out.Sender, out.Flight, out.Declared, out.eqnAt = m.Ref, m.Version, m.Sender, m.Flight, m.Declared, m.eqnAt
		} else if m.Declared >= 0 && out.Declared >= 0 {
			out.Declared += m.Declared
		}
		out.Bookings = append(out.Bookings, m.Bookings...)
		out.Warnings = append(out.Warnings, m.Warnings...)
	}
	if out.Declared >= 0 && out.Declared != len(out.Bookings) {
		w := out.eqnAt
		w.Message = fmt.Sprintf("EQN declares %d bookings; message has %d", out.Declared, len(out.Bookings))
		out.Warnings = append(out.Warnings, w)
	}
	sortWarnings(out.Warnings)
	return out, nil
}

// sortWarnings orders warnings by line, then segment; those without a
// position go last, each group keeping its order.
func sortWarnings(ws []Warning) {
	key := func(n int) int {
		if n == 0 {
			return int(^uint(0) >> 1)
		}
		return n
	}
	slices.SortStableFunc(ws, func(a, b Warning) int {
		if c := cmp.Compare(key(a.Line), key(b.Line)); c != 0 {
			return c
		}
		return cmp.Compare(key(a.Segment), key(b.Segment))
	})
}
