package screening_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"tripline"
	"tripline/paxlst"
	"tripline/screening"
)

// TestDepartingListedPerson: the same listed person gets the instruction of
// the direction they travel in: refused entry arriving, prevented from
// leaving at an exit gate, held for secondary in transit.
func TestDepartingListedPerson(t *testing.T) {
	l := listing("exit-1", "Karim Benali Haddad", "1988-04-02")
	l.Action = tripline.ActionRefuseEntry
	l.Directions = map[string]tripline.DirectedAction{"out": {Action: tripline.ActionPreventDeparture}}
	ban := listing("ban-1", "Oskar Lindqvist Berg", "1970-01-09")
	ban.Action = tripline.ActionRefuseEntry
	s, _ := newService(l, ban)
	for _, tc := range []struct {
		name, dir string
		want      tripline.Action
		text      string
	}{
		{"Karim Benali Haddad", "out", tripline.ActionPreventDeparture, "Prevent departure"},
		{"Karim Benali Haddad", "in", tripline.ActionRefuseEntry, "Refuse entry"},
		{"Karim Benali Haddad", "transit", tripline.ActionSecondaryCheck, "In transit"},
		{"Karim Benali Haddad", "", tripline.ActionRefuseEntry, "Refuse entry"},
		{"Oskar Lindqvist Berg", "out", tripline.ActionReport, "Attempted departure"},
	} {
		tr := &tripline.Traveller{Ref: "t", Name: tc.name, Travel: &tripline.Travel{Direction: tc.dir}}
		if tc.name == "Karim Benali Haddad" {
			tr.DOB, _ = tripline.ParsePartialDate("1988-04-02")
		} else {
			tr.DOB, _ = tripline.ParsePartialDate("1970-01-09")
		}
		r, err := s.Screen(context.Background(), tr)
		if err != nil {
			t.Fatal(err)
		}
		if r.Decision != tripline.DecisionHit || r.Action != tc.want || !strings.Contains(r.Instruction, tc.text) || r.Direction != tc.dir {
			t.Errorf("%s going %q: %s %s %q (direction %q); want hit %s with %q", tc.name, tc.dir, r.Decision, r.Action, r.Instruction, r.Direction, tc.want, tc.text)
		}
	}
}

// TestPAXLSTTransitPassenger: a DDT/DDU passenger of a manifest sent as an
// arrival is screened as in transit.
func TestPAXLSTTransitPassenger(t *testing.T) {
	f, err := os.Open("../paxlst/testdata/handmade_transit_d03b.edi")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pm, err := paxlst.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	l := listing("t-1", "Hans Peter Mueller-Luedenscheidt", "1959-01-01")
	l.Action = tripline.ActionRefuseEntry
	s, _ := newService(l)
	m, _ := screening.FromPAXLST(pm, "in")
	res, err := s.ScreenManifest(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	r := res.Results[0]
	if r.Decision != tripline.DecisionHit || r.Direction != "transit" || r.Action != tripline.ActionSecondaryCheck {
		t.Fatalf("transit passenger: %s %s direction %q; want hit secondary_check in transit", r.Decision, r.Action, r.Direction)
	}
}
