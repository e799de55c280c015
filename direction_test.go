package tripline_test

import (
	"strings"
	"testing"

	"tripline"
)

func TestActionFor(t *testing.T) {
	ban := &tripline.Listing{Action: tripline.ActionRefuseEntry}
	wanted := &tripline.Listing{Action: tripline.ActionDetain, Instruction: "Arrest: warrant 17/2026."}
	exit := &tripline.Listing{Action: tripline.ActionReport, Directions: map[string]tripline.DirectedAction{
		"out":     {Action: tripline.ActionPreventDeparture},
		"transit": {Action: tripline.ActionSecondaryCheck, Instruction: "Hold; call the desk."},
	}}
	for _, tc := range []struct {
		name string
		l    *tripline.Listing
		dir  string
		want tripline.Action
		text string // a part of the instruction
	}{
		{"entry ban arriving", ban, "in", tripline.ActionRefuseEntry, "Refuse entry"},
		{"entry ban, direction unknown", ban, "", tripline.ActionRefuseEntry, "Refuse entry"},
		{"entry ban departing: reported, not refused entry", ban, "out", tripline.ActionReport, "Attempted departure"},
		{"entry ban in transit: held for secondary", ban, "transit", tripline.ActionSecondaryCheck, "In transit"},
		{"wanted arriving keeps its own text", wanted, "in", tripline.ActionDetain, "warrant 17/2026"},
		{"wanted departing keeps its own text", wanted, "out", tripline.ActionDetain, "warrant 17/2026"},
		{"detain without text, departing", &tripline.Listing{Action: tripline.ActionDetain}, "out", tripline.ActionDetain, "before they board"},
		{"exit ban departing", exit, "out", tripline.ActionPreventDeparture, "Prevent departure"},
		{"exit ban in transit, own text", exit, "transit", tripline.ActionSecondaryCheck, "Hold; call the desk."},
		{"exit ban arriving", exit, "in", tripline.ActionReport, "report the encounter"},
	} {
		a, text := tc.l.ActionFor(tc.dir)
		if a != tc.want || !strings.Contains(text, tc.text) {
			t.Errorf("%s: got %s %q, want %s with %q", tc.name, a, text, tc.want, tc.text)
		}
	}
}

// TestDirectionsRefused: what an originator (or a hostile partner) sends
// as per-direction actions is checked like the rest of a listing.
func TestDirectionsRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		dirs map[string]tripline.DirectedAction
		want string
	}{
		{"unknown direction", map[string]tripline.DirectedAction{"sideways": {Action: tripline.ActionDetain}}, `directions: "sideways" is not in, out or transit`},
		{"exit ban on arrival", map[string]tripline.DirectedAction{"in": {Action: tripline.ActionPreventDeparture}}, "directions.in.action"},
		{"exit ban in transit", map[string]tripline.DirectedAction{"transit": {Action: tripline.ActionPreventDeparture}}, "directions.transit.action"},
		{"unknown action", map[string]tripline.DirectedAction{"out": {Action: "shoot"}}, "directions.out.action"},
		{"empty action", map[string]tripline.DirectedAction{"out": {}}, "directions.out.action"},
		{"huge instruction", map[string]tripline.DirectedAction{"out": {Action: tripline.ActionReport, Instruction: strings.Repeat("x", 5000)}}, "directions.out.instruction"},
	} {
		l := validListing()
		l.Directions = tc.dirs
		err := l.Validate()
		if err == nil || tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(tripline.ErrorMessage(err), tc.want) {
			t.Errorf("%s: got %v, want EINVALID naming %q", tc.name, err, tc.want)
		}
	}
	l := validListing()
	l.Action = tripline.ActionPreventDeparture
	if err := l.Validate(); err == nil {
		t.Error("prevent_departure as a listing's arrival action was accepted")
	}
	l = validListing()
	l.Directions = map[string]tripline.DirectedAction{"out": {Action: tripline.ActionPreventDeparture}}
	if err := l.Validate(); err != nil {
		t.Errorf("exit ban refused: %v", err)
	}
}

func TestDirectionsDisclosed(t *testing.T) {
	l := validListing()
	l.Directions = map[string]tripline.DirectedAction{"out": {Action: tripline.ActionPreventDeparture}}
	if d := l.Disclose(tripline.LevelScreen); d.Directions != nil {
		t.Errorf("hit/no-hit level shows directions %v", d.Directions)
	}
	if d := l.Disclose(tripline.LevelAction); d.Directions["out"].Action != tripline.ActionPreventDeparture {
		t.Errorf("action level hides directions: %v", d.Directions)
	}
}
