package tripline_test

import (
	"strings"
	"testing"
	"time"

	"tripline"
)

func TestBlindFor(t *testing.T) {
	l := &tripline.Listing{Handling: tripline.Handling{Blind: []string{"agency-b", "eu"}, Screen: []string{"agency-c"}},
		Provenance: tripline.Provenance{Originator: "agency-a"}}
	g := tripline.GroupMap{"agency-d": {"eu"}, "agency-c": {"eu"}}
	for _, tc := range []struct {
		agency string
		want   bool
	}{
		{"agency-b", true},  // named
		{"agency-d", true},  // through its group
		{"agency-c", false}, // screens in clear already: it holds the listing
		{"agency-a", false}, // the originator
		{"agency-x", false},
		{"", false},
	} {
		if got := l.BlindFor(tc.agency, g); got != tc.want {
			t.Errorf("BlindFor(%q) = %v, want %v", tc.agency, got, tc.want)
		}
	}
	if c := tripline.Combine(tripline.Handling{Blind: []string{"*"}}, tripline.Handling{Blind: []string{"x"}}); len(c.Blind) != 1 || c.Blind[0] != "x" {
		t.Errorf("Combine keeps blind grants both allow: %v", c.Blind)
	}
}

func TestBlindMatchID(t *testing.T) {
	id := tripline.BlindMatchID("node-a", "BLX")
	if o, r, ok := tripline.ParseBlindMatchID(id); !ok || o != "node-a" || r != "BLX" {
		t.Errorf("ParseBlindMatchID(%q) = %q, %q, %v", id, o, r, ok)
	}
	for _, bad := range []string{"un-sc:QDi.1", "blind:", "blind:a", "blind::r", "blind:a:"} {
		if tripline.IsBlindMatch(bad) {
			t.Errorf("IsBlindMatch(%q)", bad)
		}
	}
}

func TestBlindPayloadValidate(t *testing.T) {
	ok := tripline.BlindPayload{Ref: "BL1", Action: tripline.ActionDetain, Expires: "2027-01-01", Contact: "desk"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for field, p := range map[string]tripline.BlindPayload{
		"ref":     {Ref: "a:b", Action: tripline.ActionDetain},
		"action":  {Ref: "r", Action: "shoot"},
		"contact": {Ref: "r", Action: tripline.ActionInfo, Contact: strings.Repeat("x", tripline.MaxBlindContactBytes+1)},
		"expires": {Ref: "r", Action: tripline.ActionInfo, Expires: "soon"},
	} {
		if err := p.Validate(); tripline.ErrorCode(err) != tripline.EINVALID || !strings.HasPrefix(tripline.ErrorMessage(err), field) {
			t.Errorf("%s: %v", field, err)
		}
	}
	if !ok.ExpiredAt(time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)) || ok.ExpiredAt(time.Date(2027, 1, 1, 23, 0, 0, 0, time.UTC)) {
		t.Error("ExpiredAt: the listing holds through its last day, not after")
	}
	long := strings.Repeat("é", 60)
	if c := tripline.ClipContact(long); len(c) > tripline.MaxBlindContactBytes || !strings.HasPrefix(long, c) {
		t.Errorf("ClipContact cut %q", c)
	}
}

// TestBlindReportCarriesNoTraveller: what the originator is told of a
// blind hit names its alert, not the person.
func TestBlindReportCarriesNoTraveller(t *testing.T) {
	e := &tripline.Encounter{ID: "e1", Listing: "blind:a:BL1", Originator: "agency-a", Agency: "agency-b", Decision: tripline.DecisionHit,
		Action: tripline.ActionDetain, Officer: "b-officer", Note: "seen at gate 4",
		Traveller: tripline.Traveller{Ref: "t", Name: "Secret Traveller", Document: &tripline.Document{Number: "X1"}, Travel: &tripline.Travel{Flight: "TK1"}},
		Explain:   []tripline.Feature{{Feature: "blind", Detail: "exact key: name and birth date"}}}
	r := tripline.BlindReport(e)
	if r.Traveller.Name != "" || r.Traveller.Document != nil || r.Traveller.Travel != nil || r.Officer != "" || r.Note != "" || r.Explain != nil {
		t.Errorf("report %+v", r)
	}
	if r.ID != "e1" || r.Listing != e.Listing || r.Agency != "agency-b" || r.Action != tripline.ActionDetain {
		t.Errorf("report lost what the originator needs: %+v", r)
	}
	m := tripline.BlindMatch("a", "agency-a", &tripline.BlindPayload{Ref: "BL1", Action: tripline.ActionReport, Contact: "desk 7"}, tripline.BlindVariant)
	m.Name = "leaked"
	if d := tripline.DiscloseBlindMatch(m); d.Name != "" || d.Contact != "desk 7" || d.Action != tripline.ActionReport || d.Decision != tripline.DecisionReview {
		t.Errorf("disclosed %+v", d)
	}
}
