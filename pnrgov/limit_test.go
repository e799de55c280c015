package pnrgov_test

import (
	"fmt"
	"strings"
	"testing"

	"tripline"
	"tripline/pnrgov"
)

// bigBooking is a push of one booking ABC123 with n passengers, each by a
// TIF (docs false) or, but the first, only by an SSR DOCS (docs true),
// then a lone
// booking XYZ789.
func bigBooking(n int, docs bool) string {
	var b strings.Builder
	b.WriteString("UNA:+.? 'UNB+IATA:1+XX+YY+260301:1200+1'UNH+1+PNRGOV:13:1:IA+X'MSG+:22'" +
		"TVL+010326:1000+AMS+JFK+KL+641'EQN+2'SRC'RCI+KL:ABC123'")
	for i := range n {
		if docs && i > 0 {
			fmt.Fprintf(&b, "SSR+DOCS:HK:1:KL:::::/P/IRL/PA%d/IRL/01JAN80/F/01JAN30/SURNAME%d/GIVEN+::%d'", i, i, i+1)
		} else {
			fmt.Fprintf(&b, "TIF+SURNAME%d+GIVENMR:A:%d'", i, i+1)
		}
	}
	b.WriteString("SRC'RCI+KL:XYZ789'TIF+LONE+PASSENGERMR:A:1'UNT+9+1'UNZ+1+1'")
	return b.String()
}

// TestBookingPassengerLimit: a booking of more passengers than a PNR holds
// is refused naming it (by TIF groups or by DOCS alone), before anything
// pairs its passengers; one of MaxPassengers is read whole.
func TestBookingPassengerLimit(t *testing.T) {
	for _, docs := range []bool{false, true} {
		m, err := pnrgov.Parse(strings.NewReader(bigBooking(pnrgov.MaxPassengers, docs)))
		if err != nil {
			t.Fatalf("docs %v: %d passengers: %v", docs, pnrgov.MaxPassengers, err)
		}
		if got := len(m.Bookings[0].Passengers); got != pnrgov.MaxPassengers {
			t.Fatalf("docs %v: %d passengers read, want %d", docs, got, pnrgov.MaxPassengers)
		}
		for _, n := range []int{pnrgov.MaxPassengers + 1, 5000} {
			_, err := pnrgov.Parse(strings.NewReader(bigBooking(n, docs)))
			if tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(tripline.ErrorMessage(err), `booking "ABC123" (line 1) holds more than 99 passengers`) {
				t.Errorf("docs %v: %d passengers: got %v, want EINVALID naming booking ABC123", docs, n, err)
			}
			_, err = pnrgov.ParseWith(strings.NewReader(bigBooking(n, docs)), pnrgov.Options{Partial: true})
			if tripline.ErrorCode(err) != tripline.EINVALID {
				t.Errorf("docs %v: %d passengers, partial: got %v, want EINVALID", docs, n, err)
			}
		}
	}
}
