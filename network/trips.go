package network

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Trip is one person on one flight, as a manifest (PAXLST) or a PNR
// (PNRGOV) states it. It is deliberately plain so that any reader can be
// adapted to it.
type Trip struct {
	Person  Entity // the passenger: a traveller, person or listing entity
	Booking string // PNR record locator; empty when unknown (PAXLST)
	Flight  string // carrier and number, e.g. "TK1980"
	Date    string // departure date YYYY-MM-DD
	Seat    string // e.g. "23C"; empty when unknown
	// Contacts are the phones, emails and addresses given for this
	// passenger on the booking.
	Contacts []Entity
	// Source names the feed (SourcePNRGOV, SourcePAXLST); empty means
	// SourcePNRGOV.
	Source string
	// At is when the message was received; it stamps the derived links.
	At time.Time
}

// flightKey is one departure: flight number and date.
func (t Trip) flightKey() string {
	return canonicalKey(KindFlight, t.Flight) + "/" + strings.TrimSpace(t.Date)
}

func (t Trip) source() string {
	if t.Source == "" {
		return SourcePNRGOV
	}
	return t.Source
}

// Pair is two people who flew together, with the number of distinct
// flights (flight number and date) they shared. A sorts before B.
type Pair struct {
	A, B    Entity
	Flights int
}

// CoTravelLinks derives links from trips:
//
//   - person → booking (has_booking) and person → flight/date (on_flight);
//   - same_booking between every two people on one booking of at most
//     PairedBooking people; a larger (group) booking's people meet at its
//     booking entity, two hops apart, since pairing them all would make
//     links by the square of the booking;
//   - adjacent_seat between people in the same row in neighbouring seat
//     letters on the same flight and date (H and J count as neighbours
//     because airlines skip the letter I); a seat more than SeatHolders
//     people claim is no seat assignment and ties no one;
//   - person → contact: shared_contact when two or more different people
//     in trips give that phone, email or address, has_phone / has_email /
//     has_address otherwise, so that a path between two people runs
//     through the contact they share;
//   - co_travel between people who flew together on at least minFlights
//     distinct flights (see CoTravel), weighted by that count; minFlights
//     below 2 means 2, since one shared flight is no pattern.
//
// Links are de-duplicated and returned in a deterministic order. Each
// takes the Source of its trip; co_travel links, which span trips, take
// the first trip's, so pass the trips of one feed per call.
func CoTravelLinks(trips []Trip, minFlights int) []Link {
	if minFlights < 2 {
		minFlights = 2
	}
	trips = normTrips(trips)
	var out []Link
	seen := make(map[[3]string]bool)
	add := func(l Link) {
		if l.From == l.To || l.From.Key == "" || l.To.Key == "" {
			return
		}
		if l.Type == LinkSameBooking || l.Type == LinkAdjacentSeat || l.Type == LinkCoTravel {
			if l.To.String() < l.From.String() {
				l.From, l.To = l.To, l.From // symmetric: one canonical direction
			}
		}
		k := [3]string{l.From.String(), l.To.String(), l.Type}
		if seen[k] {
			return
		}
		seen[k] = true
		out = append(out, l)
	}

	// Who gives which contact decides has_* versus shared_contact.
	holders := make(map[Entity]map[Entity]bool)
	for _, t := range trips {
		for _, c := range t.Contacts {
			c = c.Canonical()
			if holders[c] == nil {
				holders[c] = make(map[Entity]bool)
			}
			holders[c][t.Person] = true
		}
	}

	byBooking := make(map[string][]int)
	byFlight := make(map[string][]int)
	for i, t := range trips {
		if t.Person.Key == "" {
			continue
		}
		if b := canonicalKey(KindBooking, t.Booking); b != "" {
			add(Link{From: t.Person, To: Entity{KindBooking, b}, Type: LinkHasBooking, Source: t.source(), At: t.At})
			byBooking[b] = append(byBooking[b], i)
		}
		if strings.TrimSpace(t.Flight) != "" {
			fk := t.flightKey()
			add(Link{From: t.Person, To: Entity{KindFlight, fk}, Type: LinkOnFlight, Source: t.source(), At: t.At})
			byFlight[fk] = append(byFlight[fk], i)
		}
		for _, c := range t.Contacts {
			c = c.Canonical()
			typ := LinkSharedContact
			if len(holders[c]) < 2 {
				switch c.Kind {
				case KindPhone:
					typ = LinkHasPhone
				case KindEmail:
					typ = LinkHasEmail
				case KindAddress:
					typ = LinkHasAddress
				case KindDocument:
					typ = LinkHasDocument
				}
			}
			add(Link{From: t.Person, To: c, Type: typ, Source: t.source(), At: t.At})
		}
	}
	for _, b := range sortedKeys(byBooking) {
		people, at := distinctPeople(trips, byBooking[b])
		if len(people) > PairedBooking {
			continue
		}
		for x := 0; x < len(people); x++ {
			for y := x + 1; y < len(people); y++ {
				a, c := trips[people[x]], trips[people[y]]
				add(Link{From: a.Person, To: c.Person, Type: LinkSameBooking, Source: a.source(), At: laterOf(at[a.Person], at[c.Person])})
			}
		}
	}
	for _, f := range sortedKeys(byFlight) {
		// Each seat's holders, then each seat with the ones beside it: the
		// work and the links grow with the seats, not with the flight's
		// pairs of passengers.
		type seat struct {
			row    int
			letter byte
		}
		holders := map[seat][]int{}
		var seats []seat
		for _, i := range byFlight[f] {
			row, letter, ok := parseSeat(trips[i].Seat)
			if !ok {
				continue
			}
			st := seat{row, letter}
			if holders[st] == nil {
				seats = append(seats, st)
			}
			holders[st] = append(holders[st], i)
		}
		for _, st := range seats {
			here, _ := distinctPeople(trips, holders[st])
			beside := []seat{{st.row, st.letter + 1}}
			if st.letter == 'H' {
				beside = append(beside, seat{st.row, 'J'}) // airlines skip the letter I
			}
			for _, next := range beside {
				there, _ := distinctPeople(trips, holders[next])
				if len(here) > SeatHolders || len(there) > SeatHolders {
					continue
				}
				for _, x := range here {
					for _, y := range there {
						a, c := trips[x], trips[y]
						add(Link{From: a.Person, To: c.Person, Type: LinkAdjacentSeat, Source: a.source(), At: laterOf(a.At, c.At)})
					}
				}
			}
		}
	}
	last := make(map[Entity]time.Time)
	for _, t := range trips {
		if t.At.After(last[t.Person]) {
			last[t.Person] = t.At
		}
	}
	for _, p := range CoTravel(trips, minFlights) {
		add(Link{From: p.A, To: p.B, Type: LinkCoTravel, Source: trips[0].source(),
			At: laterOf(last[p.A], last[p.B]), Weight: float64(p.Flights)})
	}
	return out
}

// PairedBooking is the most people on one booking that same_booking links
// pair with each other: the most an ordinary booking holds (larger ones
// are group bookings: a tour, a team, a school trip).
const PairedBooking = 9

// SeatHolders is the most people one seat on one flight may have for
// adjacent_seat links: a passenger, a lap infant, and the passenger keyed
// differently by a second feed.
const SeatHolders = 3

// distinctPeople returns the first of idx's trips of each person, in
// order, and each person's latest trip time among them.
func distinctPeople(trips []Trip, idx []int) ([]int, map[Entity]time.Time) {
	var first []int
	at := make(map[Entity]time.Time, len(idx))
	for _, i := range idx {
		p := trips[i].Person
		t, seen := at[p]
		if !seen {
			first = append(first, i)
		}
		at[p] = laterOf(t, trips[i].At)
	}
	return first, at
}

// CoTravel finds people who flew together — on the same flight number and
// date — on at least minFlights distinct flights, most flights first (then
// by A, B). Only people with at least minFlights flights are paired, which
// keeps the count near-linear for the usual mass of one-off travellers.
func CoTravel(trips []Trip, minFlights int) []Pair {
	if minFlights < 1 {
		minFlights = 1
	}
	trips = normTrips(trips)
	flights := make(map[string][]Entity)
	perPerson := make(map[Entity]map[string]bool)
	for _, t := range trips {
		if t.Person.Key == "" || strings.TrimSpace(t.Flight) == "" {
			continue
		}
		fk := t.flightKey()
		if perPerson[t.Person] == nil {
			perPerson[t.Person] = make(map[string]bool)
		}
		if perPerson[t.Person][fk] {
			continue // listed twice on one flight (PNR and manifest)
		}
		perPerson[t.Person][fk] = true
		flights[fk] = append(flights[fk], t.Person)
	}
	count := make(map[[2]Entity]int)
	for _, f := range sortedKeys(flights) {
		var frequent []Entity
		for _, p := range flights[f] {
			if len(perPerson[p]) >= minFlights {
				frequent = append(frequent, p)
			}
		}
		for x := 0; x < len(frequent); x++ {
			for y := x + 1; y < len(frequent); y++ {
				a, b := frequent[x], frequent[y]
				if b.String() < a.String() {
					a, b = b, a
				}
				count[[2]Entity{a, b}]++
			}
		}
	}
	var out []Pair
	for k, n := range count {
		if n >= minFlights {
			out = append(out, Pair{A: k[0], B: k[1], Flights: n})
		}
	}
	slices.SortFunc(out, func(x, y Pair) int {
		if c := cmp.Compare(y.Flights, x.Flights); c != 0 {
			return c
		}
		if c := cmp.Compare(x.A.String(), y.A.String()); c != 0 {
			return c
		}
		return cmp.Compare(x.B.String(), y.B.String())
	})
	return out
}

// parseSeat reads a seat such as "23C": row and letter. Aisles are not
// known, so C/D across an aisle count as neighbours: people travelling
// together sit there too.
func parseSeat(s string) (row int, letter byte, ok bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) < 2 {
		return 0, 0, false
	}
	letter = s[len(s)-1]
	if letter < 'A' || letter > 'Z' {
		return 0, 0, false
	}
	row, err := strconv.Atoi(strings.TrimLeft(s[:len(s)-1], "0"))
	if err != nil || row <= 0 {
		return 0, 0, false
	}
	return row, letter, true
}

// normTrips returns trips with canonical person keys, copying only when
// the caller's slice would change.
func normTrips(trips []Trip) []Trip {
	for i, t := range trips {
		if c := t.Person.Canonical(); c != t.Person {
			out := slices.Clone(trips)
			for j := i; j < len(out); j++ {
				out[j].Person = out[j].Person.Canonical()
			}
			return out
		}
	}
	return trips
}

func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
