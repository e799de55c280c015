package screening_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/pnrgov"
	"tripline/screening"
)

func readPNR(t *testing.T, path string) *pnrgov.Message {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := pnrgov.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPNRGOVPreDeparture: every passenger of a push is screened; the
// listed one is a pre-departure hit with the departure instruction, each
// result carries the booking and the others on it, and the departure
// country comes from the airport unless the operator names it.
func TestPNRGOVPreDeparture(t *testing.T) {
	l := listing("exit-1", "Karim Benali Haddad", "1988-04-02")
	l.Action = tripline.ActionRefuseEntry
	l.Directions = map[string]tripline.DirectedAction{"out": {Action: tripline.ActionPreventDeparture}}
	s, _ := newService(l)
	pm := readPNR(t, "testdata/pnr_predeparture.edi")
	m, sum, _, err := screening.FromPNRGOV(pm, "out", "", s.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !sum.PreDeparture || sum.DepartureCountry != "TUR" || sum.Flight != "TK1980" || sum.Bookings != 2 {
		t.Fatalf("summary %+v", sum)
	}
	res, err := s.ScreenManifest(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Results) != 3 {
		t.Fatalf("%d results, want 3", len(res.Results))
	}
	r := res.Results[0]
	if r.Decision != tripline.DecisionHit || r.Action != tripline.ActionPreventDeparture || r.Booking != "ABC123" ||
		len(r.CoTravellers) != 1 || r.CoTravellers[0].Ref != "ABC123-2" || !strings.Contains(r.CoTravellers[0].Name, "LEILA") {
		t.Fatalf("listed passenger: %+v", r)
	}
	if tr := m.Travellers[0].Travel; !tr.PreDeparture || tr.FromCountry != "TUR" || tr.Direction != "out" {
		t.Fatalf("travel %+v", tr)
	}
	if r := res.Results[2]; r.Decision != tripline.DecisionClear || r.Booking != "XYZ789" || len(r.CoTravellers) != 0 {
		t.Fatalf("lone passenger: %+v", r)
	}

	// The flight has left: no longer pre-departure.
	_, sum, _, _ = screening.FromPNRGOV(pm, "out", "", time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC))
	if sum.PreDeparture {
		t.Error("a flight that has left is pre-departure")
	}
	// The operator names the country; a name that is none is refused.
	if _, sum, _, _ = screening.FromPNRGOV(pm, "out", "GB", s.Now()); sum.DepartureCountry != "GBR" {
		t.Errorf("departure country %q, want GBR", sum.DepartureCountry)
	}
	if _, _, _, err := screening.FromPNRGOV(pm, "out", "Atlantis\n", s.Now()); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Errorf("bad country: %v", err)
	}
}

// TestPNRGOVSamples: the GTAS samples screen whole, each passenger with
// its locator; their flights (2012–2018) have left.
func TestPNRGOVSamples(t *testing.T) {
	s, _ := newService()
	for _, p := range []string{"gtas_pnrMessage.txt", "gtas_pnrMessagePg75.txt", "gtas_pnrWithBags.txt"} {
		pm := readPNR(t, "../pnrgov/testdata/"+p)
		m, sum, _, err := screening.FromPNRGOV(pm, "in", "", s.Now())
		if err != nil {
			t.Fatal(err)
		}
		if sum.PreDeparture {
			t.Errorf("%s: pre-departure", p)
		}
		res, err := s.ScreenManifest(context.Background(), m)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, r := range res.Results {
			if r.Booking == "" || r.Error != nil {
				t.Errorf("%s: %+v", p, r)
			}
		}
	}
}
