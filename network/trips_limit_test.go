package network_test

import (
	"fmt"
	"testing"

	"tripline"
	"tripline/network"
)

// TestCoTravelLinksLinear: one booking of thousands and a flight whose
// travellers all claim two seats make links in proportion to the
// travellers, not to their pairs; the people of a group booking still
// meet, two hops apart, at the booking; an ordinary booking is paired.
func TestCoTravelLinksLinear(t *testing.T) {
	crowd := func(n int, booking string, seat func(i int) string) []*tripline.Traveller {
		var ts []*tripline.Traveller
		for i := range n {
			ts = append(ts, &tripline.Traveller{Surname: fmt.Sprintf("PAX%d", i), GivenNames: booking, Booking: booking,
				Seat: seat(i), Travel: &tripline.Travel{Flight: "TK1", Date: "2026-12-01"}})
		}
		return ts
	}
	noSeat := func(int) string { return "" }
	count := func(links []network.Link, typ string) int {
		n := 0
		for _, l := range links {
			if l.Type == typ {
				n++
			}
		}
		return n
	}
	for _, tc := range []struct {
		name        string
		ts          []*tripline.Traveller
		same, seats int
	}{
		{"ordinary booking", crowd(network.PairedBooking, "FAM1", noSeat), network.PairedBooking * (network.PairedBooking - 1) / 2, 0},
		{"group booking", crowd(network.PairedBooking+1, "GRP1", noSeat), 0, 0},
		{"booking of 2000", crowd(2000, "BIG1", noSeat), 0, 0},
		{"2000 in two seats", crowd(2000, "", func(i int) string { return []string{"1A", "1B"}[i%2] }), 0, 0},
		{"a row of three", crowd(3, "", func(i int) string { return []string{"2H", "2J", "2K"}[i] }), 0, 2},
	} {
		links := network.CoTravelLinks(network.TripsFromTravellers(tc.ts, network.SourcePAXLST, importAt), 2)
		if got := count(links, network.LinkSameBooking); got != tc.same {
			t.Errorf("%s: %d same_booking links, want %d", tc.name, got, tc.same)
		}
		if got := count(links, network.LinkAdjacentSeat); got != tc.seats {
			t.Errorf("%s: %d adjacent_seat links, want %d", tc.name, got, tc.seats)
		}
		if n, most := len(tc.ts), (4+network.PairedBooking)*len(tc.ts); len(links) > most {
			t.Errorf("%s: %d links for %d travellers, want at most %d", tc.name, len(links), n, most)
		}
	}

	// Two of a group booking meet at the booking: a path of two, and the
	// screening flag (person and booking as starts) reaches a listed one.
	svc := newService(t)
	group := crowd(50, "GRP2", noSeat)
	group[49].Document = &tripline.Document{Country: "GBR", Number: "999"}
	imps, err := svc.ImportManifest(ctx, "", group)
	if err != nil || len(imps) != 1 || imps[0].Links > 3*len(group) {
		t.Fatalf("import = %+v, %v", imps, err)
	}
	a, b := network.TravellerPerson(group[0]), network.TravellerPerson(group[49])
	if path, err := svc.Path(ctx, a, b, 2, nil); err != nil || len(path) != 2 {
		t.Errorf("path within a group booking = %v, %v; want two hops through the booking", path, err)
	}
	if err := svc.SetListing(ctx, listing("un:9", nil, tripline.Document{Country: "GBR", Number: "999"})); err != nil {
		t.Fatal(err)
	}
	for _, who := range []*tripline.Traveller{group[0], {Surname: group[0].Surname, GivenNames: group[0].GivenNames}} {
		m, err := svc.Flag(ctx, who, network.DefaultFlagHops, nil, nil, func(string) bool { return true })
		if err != nil || m == nil || m.Listing != "un:9" {
			t.Errorf("flag of %s (booking %q) = %+v, %v; want a tie to un:9", who.Surname, who.Booking, m, err)
		}
	}
}
