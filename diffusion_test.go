package tripline

import (
	"strings"
	"testing"
)

// A received diffusion's listing screens at the recipient with the action
// its kind asks for, in each direction, names the sender as contact, and
// is the recipient's alone: no other agency may screen it.
func TestDiffusionReceivedListing(t *testing.T) {
	dob, _ := ParsePartialDate("2009-04-02")
	for _, tc := range []struct {
		kind             DiffusionKind
		in, out, transit Action
	}{
		{DiffusePreventDeparture, ActionSecondaryCheck, ActionPreventDeparture, ActionSecondaryCheck},
		{DiffuseDetain, ActionDetain, ActionDetain, ActionDetain},
		{DiffuseLocateReport, ActionReport, ActionReport, ActionReport},
		{DiffuseDoNotAlert, ActionReport, ActionReport, ActionReport},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			d := &Diffusion{ID: "A-d1", Sender: "agency-a", SenderNode: "A", Kind: tc.kind, Contact: "A duty desk +44 20 7946 0000",
				Subject: TipSubject{Name: "Karim Benali Haddad", Aliases: []string{"Karim Haddad"}, DOB: dob, Document: &Document{Number: "P123", Country: "FRA"}},
				Status:  DiffusionActive, Version: 1}
			l := d.ReceivedListing("agency-b")
			if err := l.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if l.ID != "agency-b:A-d1" || len(l.Names) != 2 || len(l.BirthDates) != 1 || len(l.Documents) != 1 {
				t.Errorf("listing %+v", l)
			}
			for dir, want := range map[string]Action{DirectionIn: tc.in, DirectionOut: tc.out, DirectionTransit: tc.transit} {
				got, instruction := l.ActionFor(dir)
				if got != want || !strings.Contains(instruction, "from agency-a; contact: A duty desk") {
					t.Errorf("%s: %s %q; want %s naming the sender's contact", dir, got, instruction, want)
				}
			}
			if lvl := l.LevelFor("agency-b", GroupMap{}); lvl < LevelScreen {
				t.Errorf("the recipient's level %v, want at least screen", lvl)
			}
			for _, other := range []string{"agency-a", "agency-c"} {
				if lvl := l.LevelFor(other, GroupMap{}); lvl != LevelNone {
					t.Errorf("%s's level %v, want none", other, lvl)
				}
			}
			d.Version, d.Text = 2, "more"
			if l2 := d.ReceivedListing("agency-b"); l2.ID != l.ID {
				t.Errorf("version 2's listing %s, want %s", l2.ID, l.ID)
			}
		})
	}
}
