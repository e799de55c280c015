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

// TestBookingListLimits: each list a booking keeps free of duplicates
// (flights, contacts, record locators; a passenger's documents, seats,
// tickets, frequent-flyer numbers, bags) is bounded, the push refused
// naming the booking past its bound and read whole at it. Before, each
// addition searched the list: 40,000 seats of one passenger (389 KB) took
// 17 s to parse, and a 16 MiB push hours, outside any screening slot.
func TestBookingListLimits(t *testing.T) {
	head := "UNA:+.? 'UNB+IATA:1+XX+YY+260301:1200+1'UNH+1+PNRGOV:13:1:IA+X'MSG+:22'" +
		"TVL+010326:1000+AMS+JFK+KL+641'EQN+1'SRC'RCI+KL:ABC123'TIF+SMITH+JOHNMR:A:1'"
	tail := "UNT+9+1'UNZ+1+1'"
	tvl := "TVL+010326:1000+AMS+JFK+KL+641'"
	tests := []struct {
		what  string
		limit int
		each  func(i int) string // the i-th distinct item
		open  string             // segments before the items
		close string             // segments after them
		got   func(b *pnrgov.Booking) int
	}{
		{"flights", pnrgov.MaxFlights, func(i int) string { return fmt.Sprintf("TVL+010326:1000+AMS+JFK+KL+%d'", 1000+i) }, "", "",
			func(b *pnrgov.Booking) int { return len(b.Flights) }},
		{"contacts", pnrgov.MaxContacts, func(i int) string { return fmt.Sprintf("SSR+CTCE:HK:1:KL:::::/A%d//X.COM'", i) }, "", "",
			func(b *pnrgov.Booking) int { return len(b.Contacts) }},
		{"record locators", pnrgov.MaxItems, func(i int) string { return fmt.Sprintf("RCI+KL:L%d'", i) }, "", "",
			func(b *pnrgov.Booking) int { return len(b.Locators) }}, // ABC123 and the rest
		{"documents of one passenger", pnrgov.MaxItems,
			func(i int) string {
				return fmt.Sprintf("SSR+DOCS:HK:1:KL:::::/P/IRL/PA%d/IRL/01JAN80/M/01JAN30/SMITH/JOHN+::1'", i)
			}, "", "", func(b *pnrgov.Booking) int { return len(b.Passengers[0].Documents) }},
		{"seats of one passenger", pnrgov.MaxItems, func(i int) string { return fmt.Sprintf("+%dA::1", i+1) },
			tvl + "SSR+SEAT:HK:1:KL:::AMS:JFK", "'", func(b *pnrgov.Booking) int { return len(b.Passengers[0].Seats) }},
		{"tickets of one passenger", pnrgov.MaxItems, func(i int) string { return fmt.Sprintf("TKT+%d:T:1'", 7000+i) }, "", "",
			func(b *pnrgov.Booking) int { return len(b.Passengers[0].Tickets) }},
		{"frequent-flyer numbers of one passenger", pnrgov.MaxItems, func(i int) string { return fmt.Sprintf("FTI+KL:%d'", 9000+i) }, "", "",
			func(b *pnrgov.Booking) int { return len(b.Passengers[0].FrequentFlyer) }},
		{"checked-bag records of one passenger", pnrgov.MaxItems, func(i int) string { return "TBD++1:20:700'" },
			tvl + "TRI++1'TIF+SMITH+JOHNMR:A:1'", "", func(b *pnrgov.Booking) int { return len(b.Passengers[0].Bags) }},
	}
	for _, tc := range tests {
		push := func(n int) string {
			var b strings.Builder
			b.WriteString(head + tc.open)
			if tc.what == "record locators" {
				n-- // the head's ABC123 is one
			}
			for i := range n {
				b.WriteString(tc.each(i))
			}
			return b.String() + tc.close + tail
		}
		m, err := pnrgov.Parse(strings.NewReader(push(tc.limit)))
		if err != nil {
			t.Errorf("%s: %d: %v", tc.what, tc.limit, err)
		} else if got := tc.got(&m.Bookings[0]); got != tc.limit {
			t.Errorf("%s: %d read of %d", tc.what, got, tc.limit)
		}
		for _, n := range []int{tc.limit + 1, 40000} {
			_, err := pnrgov.Parse(strings.NewReader(push(n)))
			if want := fmt.Sprintf(`booking "ABC123" (line 1) holds more than %d %s`, tc.limit, tc.what); tripline.ErrorCode(err) != tripline.EINVALID ||
				!strings.Contains(tripline.ErrorMessage(err), want) {
				t.Errorf("%s: %d: got %v, want EINVALID %q", tc.what, n, err, want)
			}
		}
	}
}
