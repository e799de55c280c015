package tripline

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Traveller is a person presented for screening (design.md §5).
type Traveller struct {
	Ref         string      `json:"ref"`
	Name        string      `json:"name,omitempty"`
	GivenNames  string      `json:"given_names,omitempty"`
	Surname     string      `json:"surname,omitempty"`
	DOB         PartialDate `json:"dob,omitzero"`
	Sex         Sex         `json:"sex,omitempty"`
	Nationality string      `json:"nationality,omitempty"`
	Document    *Document   `json:"document,omitempty"`
	Travel      *Travel     `json:"travel,omitempty"`
	// Seat and Booking come from manifests and PNRs; they feed link analysis.
	Seat    string `json:"seat,omitempty"`
	Booking string `json:"booking,omitempty"`
	Crew    bool   `json:"crew,omitempty"`
}

// Travel is the context of a crossing.
type Travel struct {
	Direction string `json:"direction,omitempty"` // in, out, transit
	Port      string `json:"port,omitempty"`
	Flight    string `json:"flight,omitempty"`
	Date      string `json:"date,omitempty"` // YYYY-MM-DD
	// FromCountry is the country (ISO 3166 alpha-3) the crossing flight
	// leaves from, when known (a PNR's flight): a partner of that country
	// that may see the listing is told of a pre-departure hit.
	FromCountry string `json:"from_country,omitempty"`
	// PreDeparture marks a screening of a booking before its flight left
	// (a PNR push): there is still time to stop the person boarding.
	PreDeparture bool `json:"pre_departure,omitempty"`
	// Agency is the agency whose border post screened the traveller: set
	// by screening from the caller, whatever a request says, and kept
	// with the traveller so that a retro-encounter reaches that agency.
	Agency string `json:"agency,omitempty"`
}

// FullName returns the traveller's name as one string, whichever way it was given.
func (t *Traveller) FullName() string {
	if strings.TrimSpace(t.Name) != "" {
		return strings.TrimSpace(t.Name)
	}
	return strings.TrimSpace(strings.TrimSpace(t.GivenNames) + " " + strings.TrimSpace(t.Surname))
}

// Validate reports the first problem with t, naming the field.
func (t *Traveller) Validate() error { return t.validate(true) }

// ValidateForScreening is Validate but for the birth date: screening
// ignores an impossible one (see DOBIgnored) and screens the traveller on
// the name and the other fields, rather than not at all.
func (t *Traveller) ValidateForScreening() error { return t.validate(false) }

// DOBIgnored returns why t's birth date cannot be used, for screening to
// say so (`birth date "1975-13-01" ignored: month 13 out of range`), and ""
// when the date is absent or possible.
func (t *Traveller) DOBIgnored() string {
	err := t.DOB.validateIfSet()
	if err == nil {
		return ""
	}
	text := t.DOB.Bad()
	if text == "" {
		text = t.DOB.String()
	}
	msg := ErrorMessage(err)
	if _, after, ok := strings.Cut(msg, fmt.Sprintf("date %q: ", text)); ok {
		msg = after // the date is named once
	}
	return fmt.Sprintf("birth date %q ignored: %s", text, msg)
}

func (t *Traveller) validate(dob bool) error {
	if err := t.validateName(); err != nil {
		return err
	}
	if err := t.DOB.validateIfSet(); dob && err != nil {
		return Errorf(EINVALID, "dob: %s", ErrorMessage(err))
	}
	switch t.Sex {
	case "", "M", "F", "X":
	default:
		return Errorf(EINVALID, "sex: %.40q is not M, F or X", t.Sex)
	}
	if t.Travel != nil {
		switch t.Travel.Direction {
		case "", "in", "out", "transit":
		default:
			return Errorf(EINVALID, "travel.direction: %.40q is not in, out or transit", t.Travel.Direction)
		}
		if err := CheckTravelDate(t.Travel.Date); err != nil {
			return Errorf(EINVALID, "travel.date: %s", ErrorMessage(err))
		}
		if c := t.Travel.FromCountry; c != "" && (len(c) != 3 || strings.ToUpper(c) != c || strings.ContainsFunc(c, func(r rune) bool { return r < 'A' || r > 'Z' })) {
			return Errorf(EINVALID, "travel.from_country: %.40q is not an ISO 3166 alpha-3 code", c)
		}
	}
	return nil
}

// CheckTravelDate reports a travel date that is not a calendar date
// written YYYY-MM-DD ("1e400" is not); an empty date is allowed.
func CheckTravelDate(s string) error {
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		return Errorf(EINVALID, "%.40q is not a date (want YYYY-MM-DD)", s)
	}
	return nil
}

// validateName checks the name fields: each bounded (MaxNameBytes), and
// the name they make bounded in words and holding a letter or digit.
func (t *Traveller) validateName() error {
	for _, f := range [...]struct{ field, v string }{{"name", t.Name}, {"given_names", t.GivenNames}, {"surname", t.Surname}} {
		if len(f.v) > MaxNameBytes {
			return Errorf(EINVALID, "%s: %d bytes long, at most %d", f.field, len(f.v), MaxNameBytes)
		}
	}
	full := t.FullName()
	if full == "" {
		return Errorf(EINVALID, "name: required (name, or given_names and surname)")
	}
	return checkNameWords("name", full)
}

func (d PartialDate) validateIfSet() error {
	if d.IsZero() && d.bad == "" {
		return nil
	}
	return d.Validate()
}

// Decision is the outcome of a screening.
type Decision string

// Decisions. A border officer acts on hit, an analyst looks at review.
const (
	DecisionHit    Decision = "hit"
	DecisionReview Decision = "review"
	DecisionClear  Decision = "clear"
)

// Feature is one part of a match's explanation: what was compared, how well
// it agreed, and how much it counted.
type Feature struct {
	Feature string  `json:"feature"`
	Score   float64 `json:"score"`
	Weight  float64 `json:"weight,omitempty"`
	Detail  string  `json:"detail,omitempty"`
}

// Match is one listing a traveller may be.
type Match struct {
	Listing     string    `json:"listing"`
	Score       float64   `json:"score"`
	Decision    Decision  `json:"decision,omitempty"`
	Action      Action    `json:"action,omitempty"`
	Instruction string    `json:"instruction,omitempty"`
	Contact     string    `json:"contact,omitempty"`
	Name        string    `json:"name,omitempty"` // the listed name that matched best
	Minor       bool      `json:"minor,omitempty"`
	Suppressed  bool      `json:"suppressed,omitempty"` // by a clearance: shown, not acted on
	Explain     []Feature `json:"explain,omitempty"`
}

// Result is the screening of one traveller.
type Result struct {
	Ref      string   `json:"ref"`
	Decision Decision `json:"decision"`
	// Direction is the traveller's direction the action was chosen for
	// (in, out, transit; "" when the request gave none: arrival actions).
	Direction   string  `json:"direction,omitempty"`
	Action      Action  `json:"action,omitempty"`
	Instruction string  `json:"instruction,omitempty"`
	Minor       bool    `json:"minor,omitempty"`
	Matches     []Match `json:"matches"`
	// Notes are findings beyond the matches: a document whose MRZ checks
	// fail, an identity refused before under another document.
	Notes []string `json:"notes,omitempty"`
	// Booking is the traveller's booking (PNR record locator) and
	// CoTravellers the others on it, when the traveller came from a PNR
	// or a manifest naming one.
	Booking      string        `json:"booking,omitempty"`
	CoTravellers []CoTraveller `json:"co_travellers,omitempty"`
	// Encounters are the ids of the encounters this screening recorded, for
	// the officer to record the outcome against.
	Encounters []string `json:"encounters,omitempty"`
	Error      *ErrBody `json:"error,omitempty"`
}

// CoTraveller is another passenger of the same booking: the ref of their
// own result and their name as booked.
type CoTraveller struct {
	Ref  string `json:"ref"`
	Name string `json:"name"`
}

// ErrBody is the JSON shape of an error (design.md §5).
type ErrBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Screener screens travellers against the listings the caller may screen against.
type Screener interface {
	Screen(ctx context.Context, t *Traveller) (*Result, error)
}

// Thresholds turn a score into a decision.
type Thresholds struct {
	Hit    float64 `json:"hit"`
	Review float64 `json:"review"`
}

// Decide returns the decision for a score.
func (th Thresholds) Decide(score float64) Decision {
	switch {
	case score >= th.Hit:
		return DecisionHit
	case score >= th.Review:
		return DecisionReview
	}
	return DecisionClear
}

// Summarise sets r's decision, action and instruction from its matches: the
// strongest decision wins, and among hits the most severe action. Suppressed
// matches do not count.
func (r *Result) Summarise() {
	r.Decision, r.Action, r.Instruction, r.Minor = DecisionClear, "", "", false
	for _, m := range r.Matches {
		if m.Suppressed {
			continue
		}
		r.Minor = r.Minor || m.Minor
		switch m.Decision {
		case DecisionHit:
			if r.Decision != DecisionHit || m.Action.Severity() > r.Action.Severity() {
				r.Action, r.Instruction = m.Action, m.Instruction
			}
			r.Decision = DecisionHit
		case DecisionReview:
			if r.Decision == DecisionClear {
				r.Decision = DecisionReview
			}
		}
	}
	if r.Decision == DecisionReview {
		r.Instruction = "Possible match: hold for analyst review."
	}
	if r.Matches == nil {
		r.Matches = []Match{}
	}
}
