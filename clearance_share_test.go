package tripline

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestStepClearance: each step of a shared clearance is taken only by the
// agency whose step it is, and only in turn.
func TestStepClearance(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	enc := func(outcome Outcome, status string) *Encounter {
		e := &Encounter{ID: "e1", Listing: "agency-a:1", Originator: "agency-a", Agency: "agency-b", Outcome: outcome,
			Traveller: Traveller{DOB: PartialDate{Year: 1969, Month: 4, Day: 5}, Document: &Document{Number: "NL4455667", Country: "NLD"}}}
		if status != "" {
			e.Clearance = &ClearanceShare{Status: status}
		}
		return e
	}
	cases := []struct {
		name   string
		e      *Encounter
		step   string
		agency string
		code   string
		want   string
	}{
		{"proposed by the reporter", enc(OutcomeFalsePositive, ""), "propose", "agency-b", "", ClearanceProposed},
		{"proposed again after a refusal", enc(OutcomeFalsePositive, ClearanceRefused), "propose", "agency-b", "", ClearanceProposed},
		{"proposed by the originator", enc(OutcomeFalsePositive, ""), "propose", "agency-a", EFORBIDDEN, ""},
		{"proposed by a third agency", enc(OutcomeFalsePositive, ""), "propose", "agency-c", EFORBIDDEN, ""},
		{"proposed before false_positive", enc(OutcomeAdmitted, ""), "propose", "agency-b", ECONFLICT, ""},
		{"proposed twice", enc(OutcomeFalsePositive, ClearanceProposed), "propose", "agency-b", ECONFLICT, ""},
		{"granted by the originator", enc(OutcomeFalsePositive, ClearanceProposed), "grant", "agency-a", "", ClearanceGranted},
		{"refused by the originator", enc(OutcomeFalsePositive, ClearanceProposed), "refuse", "agency-a", "", ClearanceRefused},
		{"granted by the reporter", enc(OutcomeFalsePositive, ClearanceProposed), "grant", "agency-b", EFORBIDDEN, ""},
		{"granted unproposed", enc(OutcomeFalsePositive, ""), "grant", "agency-a", ECONFLICT, ""},
		{"revoked", enc(OutcomeFalsePositive, ClearanceGranted), "revoke", "agency-a", "", ClearanceRevoked},
		{"revoked ungranted", enc(OutcomeFalsePositive, ClearanceProposed), "revoke", "agency-a", ECONFLICT, ""},
		{"an unknown step", enc(OutcomeFalsePositive, ""), "approve", "agency-a", EINVALID, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := StepClearance(tc.e, tc.step, tc.agency, "u1", "", now)
			if ErrorCode(err) != tc.code && !(tc.code == "" && err == nil) {
				t.Fatalf("err = %v, want code %q", err, tc.code)
			}
			if tc.want != "" && (tc.e.Clearance == nil || tc.e.Clearance.Status != tc.want) {
				t.Fatalf("status = %+v, want %s", tc.e.Clearance, tc.want)
			}
		})
	}
	// The other end takes a state only from the agency whose it is.
	e := enc(OutcomeFalsePositive, "")
	if _, err := MergeUpdate(e, &EncounterUpdate{ID: "e1", Kind: UpdateClearance, Clearance: &ClearanceShare{Status: ClearanceGranted}}, "agency-b"); ErrorCode(err) != EFORBIDDEN {
		t.Fatalf("a grant from the reporter = %v", err)
	}
	if ok, err := MergeUpdate(e, &EncounterUpdate{ID: "e1", Kind: UpdateClearance, Clearance: &ClearanceShare{Status: ClearanceProposed}}, "agency-b"); !ok || err != nil {
		t.Fatalf("a proposal from the reporter = %v, %v", ok, err)
	}
	// The reason is shown to the other agency: bounded plain text, from
	// the API and from the partner alike (it was taken as sent).
	for _, reason := range []string{strings.Repeat("x", MaxNote+1), "cleared \u202edetain", "ok\nGRANTED"} {
		if err := StepClearance(enc(OutcomeFalsePositive, ""), "propose", "agency-b", "u1", reason, now); ErrorCode(err) != EINVALID {
			t.Errorf("proposed with reason %.30q: %v, want invalid", reason, err)
		}
		u := &EncounterUpdate{ID: "e1", Kind: UpdateClearance, Clearance: &ClearanceShare{Status: ClearanceProposed, Reason: reason}}
		if _, err := MergeUpdate(enc(OutcomeFalsePositive, ""), u, "agency-b"); ErrorCode(err) != EINVALID {
			t.Errorf("a partner's proposal with reason %.30q: %v, want invalid", reason, err)
		}
	}
}

// TestCheckForeignClearance: a partner's shared clearance is taken only
// from the origin that gave this node the listing.
func TestCheckForeignClearance(t *testing.T) {
	c := Clearance{ID: "shr-e1", Listing: "agency-a:1", Shared: true, DocCountry: "NLD", DocNumber: "NL4455667", DOB: PartialDate{Year: 1969}}
	ev := func(c Clearance) *Event {
		b, _ := json.Marshal(c)
		return &Event{Origin: "A", Type: EventClearance, Subject: c.ID, Payload: b}
	}
	if _, err := CheckForeignClearance(ev(c), "A", nil); err != nil {
		t.Fatalf("from the listing's origin: %v", err)
	}
	if _, err := CheckForeignClearance(ev(c), "B", nil); ErrorCode(err) != EFORBIDDEN || !strings.Contains(err.Error(), "only its originator") {
		t.Fatalf("for another origin's listing: %v", err)
	}
	local := c
	local.Shared = false
	if _, err := CheckForeignClearance(ev(local), "A", nil); ErrorCode(err) != EFORBIDDEN {
		t.Fatalf("a local clearance: %v", err)
	}
	other := c
	other.Listing = "agency-b:1"
	if _, err := CheckForeignClearance(ev(c), "A", &other); ErrorCode(err) != EFORBIDDEN || !strings.Contains(err.Error(), "held for listing") {
		t.Fatalf("over another listing's clearance of the same id: %v", err)
	}
	if _, err := CheckForeignClearance(ev(c), "A", &c); err != nil {
		t.Fatalf("a new version of its own: %v", err)
	}
	unprefixed := c
	unprefixed.ID = "clr-e1"
	if _, err := CheckForeignClearance(ev(unprefixed), "A", nil); ErrorCode(err) != EFORBIDDEN {
		t.Fatalf("a local clearance's id: %v", err)
	}
	bare := c
	bare.DocNumber = ""
	if _, err := CheckForeignClearance(ev(bare), "A", nil); ErrorCode(err) != EINVALID {
		t.Fatalf("no document: %v", err)
	}
}
