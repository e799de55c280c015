package network

import (
	"strings"
	"time"

	"tripline"
	"tripline/pnrgov"
)

// PersonEntity returns the graph entity of a passenger or traveller. With
// a travel document it is the document ("CTRY:NUMBER"): the same person on
// two PNRs, a manifest and at the border then meets at one node, and a
// listed person's co-travellers meet the listing that holds that document.
// Without one it is a person keyed "SURNAME/GIVEN NAMES/DOB" (the birth
// date as written, possibly partial). The zero Entity means nothing
// identifies the person.
func PersonEntity(surname, given string, dob tripline.PartialDate, docCountry, docNumber string) Entity {
	if d := DocumentEntity(docCountry, docNumber); d.Key != "" {
		return d
	}
	norm := func(s string) string { return strings.Join(strings.Fields(strings.ToUpper(s)), " ") }
	surname, given = norm(surname), norm(given)
	if surname == "" && given == "" {
		return Entity{}
	}
	key := surname + "/" + given
	if !dob.IsZero() {
		key += "/" + dob.String()
	}
	return NewEntity(KindPerson, key)
}

// TravellerPerson returns the person entity of a screened traveller (see
// PersonEntity); a traveller given only a full name is keyed by it.
func TravellerPerson(t *tripline.Traveller) Entity {
	var ctry, num string
	if t.Document != nil {
		ctry, num = t.Document.Country, t.Document.Number
	}
	surname, given := t.Surname, t.GivenNames
	if surname == "" && given == "" {
		given = t.Name
	}
	return PersonEntity(surname, given, t.DOB, ctry, num)
}

// TravellerEntities returns the entities a screened traveller is known by
// in the graph, the starts of the screening flag: the person (their
// document when they have one) and their booking locator.
func TravellerEntities(t *tripline.Traveller) []Entity {
	var out []Entity
	if p := TravellerPerson(t); p.Key != "" {
		out = append(out, p)
	}
	if b := NewEntity(KindBooking, t.Booking); b.Key != "" {
		out = append(out, b)
	}
	return out
}

// TripsFromTravellers turns a screened manifest into trips: one per
// traveller with a person entity and a flight, with their booking and
// seat when the manifest gives them. Crew are left out: they fly together
// by roster, not by choice.
func TripsFromTravellers(ts []*tripline.Traveller, source string, at time.Time) []Trip {
	var out []Trip
	for _, t := range ts {
		if t == nil || t.Crew || t.Travel == nil || strings.TrimSpace(t.Travel.Flight) == "" {
			continue
		}
		p := TravellerPerson(t)
		if p.Key == "" {
			continue
		}
		out = append(out, Trip{Person: p, Booking: t.Booking, Flight: t.Travel.Flight, Date: t.Travel.Date,
			Seat: t.Seat, Source: source, At: at})
	}
	return out
}

// PNRSource returns the link source of a PNRGOV push agency imports:
// FeedSource of the flight and date it was pushed for, so that the
// agency's next push for the same flight replaces its links (a cancelled
// booking's links go with it); the message reference when the push names
// no flight.
func PNRSource(agency string, m *pnrgov.Message) string {
	if m.Flight != nil && m.Flight.Code() != "" {
		return FeedSource(SourcePNRGOV, agency, canonicalKey(KindFlight, m.Flight.Code())+"/"+m.Flight.Date())
	}
	return FeedSource(SourcePNRGOV, agency, m.Ref)
}

// MaxPNRTrips bounds the trips of one PNRGOV push: a push is one flight's
// bookings, some 900 passengers on a few flights each at most. Each
// passenger is a trip on each flight of its booking, so a hostile push of
// bookings of 99 passengers on 99 flights made three million trips (a
// gigabyte) from 1.4 MB; it is refused before they are made.
const MaxPNRTrips = 100_000

// PNRTrips returns how many trips TripsFromPNR makes of m.
func PNRTrips(m *pnrgov.Message) int {
	n := 0
	for i := range m.Bookings {
		n += len(m.Bookings[i].Passengers) * max(1, len(m.Bookings[i].Flights))
	}
	return n
}

// TripsFromPNR turns a PNRGOV message into trips: one per passenger and
// booked flight, with the booking's record locator, the passenger's seat
// on that flight, and the contacts given for the passenger or for the
// booking as a whole. Each trip takes source and is stamped with at.
func TripsFromPNR(m *pnrgov.Message, source string, at time.Time) []Trip {
	var out []Trip
	for bi := range m.Bookings {
		b := &m.Bookings[bi]
		flights := b.Flights
		if len(flights) == 0 && m.Flight != nil {
			flights = []pnrgov.Flight{*m.Flight}
		}
		for pi := range b.Passengers {
			p := &b.Passengers[pi]
			person := passengerEntity(p)
			if person.Key == "" {
				continue
			}
			var contacts []Entity
			for _, c := range b.Contacts {
				if c.Passenger != "" && c.Passenger != p.Ref {
					continue
				}
				switch c.Kind {
				case pnrgov.ContactPhone:
					contacts = append(contacts, Phone(c.Value))
				case pnrgov.ContactEmail:
					contacts = append(contacts, Email(c.Value))
				case pnrgov.ContactAddress:
					contacts = append(contacts, Address(c.Value))
				}
			}
			if len(flights) == 0 {
				out = append(out, Trip{Person: person, Booking: b.Locator, Contacts: contacts, Source: source, At: at})
				continue
			}
			for fi := range flights {
				f := &flights[fi]
				out = append(out, Trip{Person: person, Booking: b.Locator, Flight: f.Code(), Date: f.Date(),
					Seat: seatOn(p, f), Contacts: contacts, Source: source, At: at})
			}
		}
	}
	return out
}

// passengerEntity is the person entity of a PNR passenger: the first
// document with a number, else name and the documents' birth date.
func passengerEntity(p *pnrgov.Passenger) Entity {
	var dob tripline.PartialDate
	for _, d := range p.Documents {
		if strings.TrimSpace(d.Number) != "" {
			return PersonEntity(p.Surname, p.GivenNames, d.DOB, d.Country, d.Number)
		}
		if dob.IsZero() {
			dob = d.DOB
		}
	}
	return PersonEntity(p.Surname, p.GivenNames, dob, "", "")
}

// seatOn returns the passenger's seat on flight f, "" when not known.
func seatOn(p *pnrgov.Passenger, f *pnrgov.Flight) string {
	code := canonicalKey(KindFlight, f.Code())
	for _, s := range p.Seats {
		if canonicalKey(KindFlight, s.Flight) == code && (s.Date == "" || f.Date() == "" || s.Date == f.Date()) {
			return s.Number
		}
	}
	return ""
}
