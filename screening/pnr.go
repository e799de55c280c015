package screening

import (
	"fmt"
	"time"

	"tripline"
	"tripline/country"
	"tripline/pnrgov"
)

// PNRSummary describes the PNRGOV push a manifest was screened from.
type PNRSummary struct {
	MessageRef string `json:"message_ref,omitempty"`
	Sender     string `json:"sender,omitempty"`
	Flight     string `json:"flight,omitempty"`
	DepartPort string `json:"depart_port,omitempty"`
	// Departs is the flight's departure as the PNR gives it (local time
	// at the port, YYYY-MM-DDTHH:MM), "" when not sent.
	Departs string `json:"departs,omitempty"`
	// DepartureCountry is the country the flight leaves from (alpha-3):
	// the operator's, else the departure airport's; "" when unknown.
	DepartureCountry string `json:"departure_country,omitempty"`
	// PreDeparture is true when the flight had not left at screening time.
	PreDeparture bool `json:"pre_departure"`
	Bookings     int  `json:"bookings"`
}

// FromPNRGOV turns every passenger of a PNRGOV push into a traveller to
// screen: name, birth date and document where the PNR has them, the
// booking's locator, and the others on the booking as co-travellers (in
// booking order from the next passenger on, wrapping round).
// direction is "in", "out" or "transit"; departureCountry (alpha-3 or
// alpha-2, "" to look the departure airport up) names the country the
// flight leaves from. A flight that has not left at now is pre-departure:
// each traveller is marked so, and a hit notifies a partner of the
// departure country as well as the originator. PNR times are local times
// without a zone; they are compared as UTC, which is off by the port's
// offset at most: a push days ahead is pre-departure either way.
func FromPNRGOV(m *pnrgov.Message, direction, departureCountry string, now time.Time) (*Manifest, *PNRSummary, []string, error) {
	out := &Manifest{Direction: direction}
	sum := &PNRSummary{MessageRef: m.Ref, Sender: m.Sender, Bookings: len(m.Bookings)}
	if departureCountry != "" {
		c, ok := country.New().Alpha3(departureCountry)
		if !ok {
			return nil, nil, nil, tripline.Errorf(tripline.EINVALID, "departure_country: %.40q is not a country", departureCountry)
		}
		sum.DepartureCountry = c
	}
	if f := m.Flight; f != nil {
		sum.Flight, sum.DepartPort = f.Code(), f.DepartPort
		if !f.DepartTime.IsZero() {
			sum.Departs = f.DepartTime.Format("2006-01-02T15:04")
			sum.PreDeparture = f.DepartTime.After(now)
		}
		if c, ok := country.Airport(f.DepartPort); ok && sum.DepartureCountry == "" {
			sum.DepartureCountry = c
		}
	}
	for bi := range m.Bookings {
		b := &m.Bookings[bi]
		n := len(b.Passengers)
		// The booking's passengers twice over, stored once: passenger i's
		// co-travellers are the n-1 from i+1 on, wrapping round. A list per
		// passenger would grow with the square of the booking.
		all := make([]tripline.CoTraveller, 2*n)
		for i := range b.Passengers {
			all[i] = tripline.CoTraveller{Ref: fmt.Sprintf("%s-%d", firstNonEmpty(b.Locator, fmt.Sprintf("pnr%d", bi+1)), i+1),
				Name: b.Passengers[i].Name()}
			all[n+i] = all[i]
		}
		for i := range b.Passengers {
			t := b.Traveller(i, all[i].Ref, direction)
			if t.Travel != nil {
				t.Travel.FromCountry, t.Travel.PreDeparture = sum.DepartureCountry, sum.PreDeparture
			}
			var co []tripline.CoTraveller
			if n > 1 {
				co = all[i+1 : i+n : i+n]
			}
			out.Travellers = append(out.Travellers, t)
			out.CoTravellers = append(out.CoTravellers, co)
		}
	}
	var warns []string
	for _, w := range m.Warnings {
		warns = append(warns, w.String())
	}
	if m.Incomplete != "" {
		out.Incomplete = make([]string, len(out.Travellers))
		for i := range out.Incomplete {
			out.Incomplete[i] = m.Incomplete // a booking's passengers may be cut anywhere
		}
	}
	return out, sum, warns, nil
}
