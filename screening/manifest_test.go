package screening_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"tripline"
	"tripline/paxlst"
	"tripline/screening"
)

// A PAXLST cut short and read with partial processing never clears a
// traveller of the cut message (issue 13, item 11): cut at every byte, each
// such traveller is at least review, with the reason in its notes, while the
// travellers of a whole manifest keep their decisions.
func TestCutManifestNeverClears(t *testing.T) {
	data, err := os.ReadFile("../paxlst/testdata/gtas_apisMessage.txt")
	if err != nil {
		t.Fatal(err)
	}
	// The second passenger is listed; the first is not.
	s, _ := newService(listing("1", "Charles Clark", ""))
	whole, err := paxlst.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := screening.FromPAXLST(whole, "in")
	res, err := s.ScreenManifest(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if res.Results[0].Decision != tripline.DecisionClear || res.Incomplete != "" {
		t.Fatalf("whole manifest: first traveller %s, incomplete %q", res.Results[0].Decision, res.Incomplete)
	}
	screened := 0
	for n := range len(data) {
		pm, err := paxlst.ParseWith(bytes.NewReader(data[:n]), paxlst.Options{Partial: true})
		if err != nil || pm.Incomplete == "" {
			continue
		}
		m, _ := screening.FromPAXLST(pm, "in")
		if len(m.Travellers) == 0 {
			continue
		}
		res, err := s.ScreenManifest(context.Background(), m)
		if err != nil {
			t.Fatalf("cut at %d: %v", n, err)
		}
		screened++
		for i, r := range res.Results {
			if pm.Travellers[i].Incomplete == "" {
				continue
			}
			if r.Decision == tripline.DecisionClear {
				t.Fatalf("cut at %d: traveller %s of the cut message cleared", n, pm.Travellers[i].Name())
			}
			if !strings.Contains(strings.Join(r.Notes, " "), "manifest cut short") {
				t.Fatalf("cut at %d: traveller %d notes %q give no reason", n, i, r.Notes)
			}
		}
	}
	if screened < 100 {
		t.Errorf("only %d cuts screened", screened)
	}
}

// A manifest's own travel date is checked like a traveller's.
func TestManifestDateChecked(t *testing.T) {
	s, _ := newService()
	_, err := s.ScreenManifest(context.Background(), &screening.Manifest{Date: "1e400",
		Travellers: []*tripline.Traveller{{Ref: "a", Name: "Ali Hassan"}}})
	if tripline.ErrorCode(err) != tripline.EINVALID || !strings.HasPrefix(tripline.ErrorMessage(err), "date: ") {
		t.Fatalf("got %v, want EINVALID naming date", err)
	}
}
