package network_test

import (
	"slices"
	"testing"

	"tripline/network"
)

func person(k string) network.Entity { return network.Entity{Kind: network.KindPerson, Key: k} }

// pnrTrips mirrors what PNRGOV messages give: a two-person booking with a
// shared phone, seated together, who also flew together on two other
// flights; a stranger on the same flight in the row behind; a third person
// on another booking giving the same email as one of the pair.
func pnrTrips() []network.Trip {
	phone := network.Phone("+90 532 000 1111")
	return []network.Trip{
		{Person: person("P1"), Booking: "ABC123", Flight: "TK1980", Date: "2026-11-01", Seat: "12A", Contacts: []network.Entity{phone}},
		{Person: person("P2"), Booking: "abc123", Flight: "TK 1980", Date: "2026-11-01", Seat: "12B", Contacts: []network.Entity{phone, network.Email("p2@x.org")}},
		{Person: person("S"), Booking: "ZZZ999", Flight: "TK1980", Date: "2026-11-01", Seat: "13B"},
		{Person: person("P1"), Booking: "DEF456", Flight: "TK1981", Date: "2026-11-08", Seat: "3H"},
		{Person: person("P2"), Booking: "GHI789", Flight: "TK1981", Date: "2026-11-08", Seat: "3J"},
		{Person: person("P1"), Booking: "JKL012", Flight: "LH100", Date: "2026-11-15"},
		{Person: person("P2"), Booking: "JKL012", Flight: "LH100", Date: "2026-11-15"},
		{Person: person("P2"), Booking: "JKL012", Flight: "LH100", Date: "2026-11-15"}, // PNR and manifest both
		{Person: person("S"), Booking: "MNO345", Flight: "LH100", Date: "2026-11-16"},  // other day
		{Person: person("Q"), Booking: "PQR678", Flight: "AF1", Date: "2026-11-02", Contacts: []network.Entity{network.Email("P2@X.ORG")}},
	}
}

func TestCoTravel(t *testing.T) {
	got := network.CoTravel(pnrTrips(), 2)
	want := []network.Pair{{A: person("P1"), B: person("P2"), Flights: 3}}
	if !slices.Equal(got, want) {
		t.Fatalf("CoTravel = %+v, want %+v", got, want)
	}
	if got := network.CoTravel(pnrTrips(), 4); len(got) != 0 {
		t.Errorf("CoTravel(min 4) = %+v, want none", got)
	}
	// With min 1 every shared flight counts, including the stranger's.
	got = network.CoTravel(pnrTrips(), 1)
	if len(got) != 3 || got[0].Flights != 3 {
		t.Errorf("CoTravel(min 1) = %+v, want P1-P2 (3) and two single-flight pairs", got)
	}
}

func TestCoTravelLinks(t *testing.T) {
	links := network.CoTravelLinks(pnrTrips(), 2)
	has := func(typ string, a, b network.Entity) bool {
		for _, l := range links {
			if l.Type == typ && (l.From == a && l.To == b || l.From == b && l.To == a) {
				return true
			}
		}
		return false
	}
	phone := network.Phone("+905320001111")
	email := network.Email("p2@x.org")
	for _, tc := range []struct {
		typ  string
		a, b network.Entity
		want bool
	}{
		{network.LinkSameBooking, person("P1"), person("P2"), true},
		{network.LinkAdjacentSeat, person("P1"), person("P2"), true}, // 12A/12B and 3H/3J
		{network.LinkAdjacentSeat, person("P2"), person("S"), false}, // 12B/13B: other row
		{network.LinkSharedContact, person("P1"), phone, true},
		{network.LinkSharedContact, person("P2"), phone, true},
		{network.LinkSharedContact, person("P2"), email, true}, // Q gives it too
		{network.LinkSharedContact, person("Q"), email, true},
		{network.LinkCoTravel, person("P1"), person("P2"), true},
		{network.LinkCoTravel, person("P1"), person("S"), false},
		{network.LinkHasBooking, person("P1"), network.NewEntity(network.KindBooking, "ABC123"), true},
		{network.LinkOnFlight, person("S"), network.NewEntity(network.KindFlight, "TK1980/2026-11-01"), true},
	} {
		if got := has(tc.typ, tc.a, tc.b); got != tc.want {
			t.Errorf("%s %s–%s: got %v, want %v", tc.typ, tc.a, tc.b, got, tc.want)
		}
	}
	seen := make(map[network.Link]bool)
	for _, l := range links {
		if err := l.Validate(); err != nil {
			t.Errorf("%v: %v", l, err)
		}
		if seen[l] {
			t.Errorf("duplicate %v", l)
		}
		seen[l] = true
		if l.Type == network.LinkCoTravel && l.Weight != 3 {
			t.Errorf("co_travel weight = %v, want 3", l.Weight)
		}
		if l.Source != network.SourcePNRGOV {
			t.Errorf("%v: source %q", l, l.Source)
		}
	}
	if again := network.CoTravelLinks(pnrTrips(), 2); !slices.Equal(again, links) {
		t.Error("CoTravelLinks is not deterministic")
	}
}

func TestCoTravelLinksFlagThroughSharedPhone(t *testing.T) {
	// End to end: a listing's phone appears on a PNR; the co-traveller on
	// the same booking is flagged through the booking.
	trips := []network.Trip{
		{Person: person("X"), Booking: "B1", Flight: "TK1", Date: "2026-11-01", Contacts: []network.Entity{network.Phone("+1 555 0100")}},
		{Person: person("Y"), Booking: "B1", Flight: "TK1", Date: "2026-11-01"},
	}
	links := network.CoTravelLinks(trips, 2)
	links = append(links, network.Link{From: network.ListingEntity("un:1"), To: network.Phone("+15550100"), Type: network.LinkHasPhone, Source: network.SourceListing, Listing: "un:1"})
	s := network.NewMemStore()
	if _, err := s.AddLinks(ctx, links); err != nil {
		t.Fatal(err)
	}
	f, ok, err := s.Flag(ctx, []network.Entity{person("Y")}, 3, listedOnly, nil)
	if err != nil || !ok {
		t.Fatalf("Flag = %v, %v, %v", f, ok, err)
	}
	if got, want := f.Explain(), "person:Y -same_booking- person:X -has_phone- phone:+15550100 -has_phone- listing:un:1"; got != want {
		t.Errorf("path = %s, want %s", got, want)
	}
	if _, ok, _ := s.Flag(ctx, []network.Entity{person("Y")}, 2, listedOnly, nil); ok {
		t.Error("flagged at 3 hops with k=2")
	}
}
