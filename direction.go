package tripline

import "strings"

// Travel directions, as seen from the screening state.
const (
	DirectionIn      = "in"
	DirectionOut     = "out"
	DirectionTransit = "transit"
)

// ActionPreventDeparture is an exit ban: the person must not leave. It is
// an action for departures only (Listing.Directions), never a listing's
// arrival action, so older nodes and blind tables never meet it as one.
const ActionPreventDeparture Action = "prevent_departure"

// DirectedAction is what to do on a hit when the listed person travels in
// one direction: its action and, optionally, its own instruction text.
type DirectedAction struct {
	Action      Action `json:"action"`
	Instruction string `json:"instruction,omitempty"`
}

// validDirected reports whether a may be given for direction dir: any
// listing action, and prevent_departure for departures.
func validDirected(dir string, a Action) bool {
	return a.Valid() || (a == ActionPreventDeparture && dir == DirectionOut)
}

// CheckDirections validates l.Directions, naming the field at fault (EINVALID).
func (l *Listing) CheckDirections() error {
	for dir, d := range l.Directions {
		switch dir {
		case DirectionIn, DirectionOut, DirectionTransit:
		default:
			return Errorf(EINVALID, "directions: %.40q is not in, out or transit", dir)
		}
		if !validDirected(dir, d.Action) {
			want := "refuse_entry, detain, secondary_check, report, info"
			if dir == DirectionOut {
				want = "prevent_departure, " + want
			}
			return Errorf(EINVALID, "directions.%s.action: %.40q is not one of %s", dir, d.Action, want)
		}
		if len(d.Instruction) > 2000 {
			return Errorf(EINVALID, "directions.%s.instruction: %d bytes, at most 2000", dir, len(d.Instruction))
		}
	}
	return nil
}

// ActionFor returns the action and instruction that fit a traveller going
// in direction dir ("in", "out", "transit", "" for unknown): the
// originator's own for that direction when it gave one, else one derived
// from the listing's arrival action. An entry ban does not stop a person
// leaving: a departing or transiting person under one is reported to the
// originator (an attempted departure) or held for secondary, never
// "refused entry" at an exit gate. Detention holds in every direction;
// an action that stays the same keeps the originator's instruction.
func (l *Listing) ActionFor(dir string) (Action, string) {
	if d, ok := l.Directions[dir]; ok && d.Action != "" {
		return d.Action, firstText(d.Instruction, d.Action.InstructionFor(dir))
	}
	switch dir {
	case DirectionOut, DirectionTransit:
		a := l.Action
		if a == ActionRefuseEntry {
			a = ActionReport
			if dir == DirectionTransit {
				a = ActionSecondaryCheck
			}
			return a, a.InstructionFor(dir)
		}
		// The same action: the originator's own words still apply.
		return a, firstText(l.Instruction, a.InstructionFor(dir))
	}
	return l.Action, firstText(l.Instruction, l.Action.Instruction())
}

// InstructionFor is Instruction worded for a traveller going in dir.
func (a Action) InstructionFor(dir string) string {
	switch {
	case a == ActionPreventDeparture:
		return "Prevent departure: do not let the person board or leave; hold them and call the contact point."
	case dir == DirectionOut && a == ActionReport:
		return "Attempted departure: let the person go without alerting them unless told otherwise; the originator is notified of the departure."
	case dir == DirectionOut && a == ActionDetain:
		return "Departing: detain the person before they board and call the contact point immediately."
	case dir == DirectionTransit && a == ActionSecondaryCheck:
		return "In transit: hold for secondary inspection before onward travel; do not admit; contact the originator."
	case dir == DirectionTransit && a == ActionDetain:
		return "In transit: detain the person before onward travel and call the contact point immediately."
	}
	return a.Instruction()
}

func firstText(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}
