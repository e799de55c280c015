package screening_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"tripline/pnrgov"
	"tripline/screening"
)

// TestPNRCoTravellersLinear: each passenger's co-travellers are the others
// on the booking, and a booking of thousands (bigger than the parser lets
// through, built by hand) costs allocations in proportion to its
// passengers, not to their pairs.
func TestPNRCoTravellersLinear(t *testing.T) {
	booking := func(n int) *pnrgov.Message {
		b := pnrgov.Booking{Locator: "ABC123"}
		for i := range n {
			b.Passengers = append(b.Passengers, pnrgov.Passenger{Surname: fmt.Sprintf("SURNAME%d", i), GivenNames: "GIVEN"})
		}
		return &pnrgov.Message{Bookings: []pnrgov.Booking{b, {Locator: "XYZ789", Passengers: []pnrgov.Passenger{{Surname: "LONE"}}}}}
	}
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	m, _, _, err := screening.FromPNRGOV(booking(3), "in", "", now)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"ABC123-2", "ABC123-3"}, {"ABC123-1", "ABC123-3"}, {"ABC123-1", "ABC123-2"}, nil}
	for i, co := range m.CoTravellers {
		var got []string
		for _, c := range co {
			got = append(got, c.Ref)
		}
		slices.Sort(got)
		if !slices.Equal(got, want[i]) {
			t.Errorf("traveller %d: co-travellers %v, want %v", i, got, want[i])
		}
	}
	if got := m.CoTravellers[0][0].Name; got != "GIVEN SURNAME1" {
		t.Errorf("co-traveller name %q", got)
	}

	const n = 2000
	big := booking(n)
	allocs := testing.AllocsPerRun(1, func() {
		if _, _, _, err := screening.FromPNRGOV(big, "in", "", now); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 20*n {
		t.Errorf("a booking of %d: %.0f allocations, want at most %d", n, allocs, 20*n)
	}
}
