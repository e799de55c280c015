package policy_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"tripline"
	"tripline/match"
	"tripline/policy"
	"tripline/screening"
)

// A document alert's handling decides, like a listing's, who screens
// against it, who may act on it and who sees it listed: on a node several
// agencies share, an agency's alert is not everyone's.
func TestAlertHandling(t *testing.T) {
	alert := &tripline.DocumentAlert{ID: "tr-police:TUR:U1234S678", Source: "tr-police", Country: "TUR", Number: "U1234S678",
		Kind: tripline.AlertStolen, Action: tripline.ActionDetain, Instruction: "INSTR-secret", Contact: "CONTACT-desk",
		Reported: "2026-11-01", Status: tripline.StatusActive,
		Handling:   tripline.Handling{Screen: []string{"de-bka"}, Action: []string{"fr-dgsi"}},
		Provenance: tripline.Provenance{Originator: "tr-police", SourceRef: "SOURCE-ref"}}
	p := policy.New(tripline.GroupMap{}, nil)
	s := screening.NewService(match.NewIndex(match.Options{}))
	s.Alerts.Upsert(alert)
	s.AllowAlert = p.CanScreenAlert
	p.Alert = s.Alerts.Get
	traveller := &tripline.Traveller{Ref: "t1", Name: "Ayse Yilmaz", Document: &tripline.Document{Number: "U1234S678", Country: "TUR"}}
	for _, tc := range []struct {
		agency   string
		role     tripline.Role
		matched  bool
		instruct bool     // the alert's own instruction reaches the caller
		listed   []string // sentinels in the caller's alert list; nil: not listed
	}{
		{"tr-police", tripline.RoleAnalyst, true, true, []string{"INSTR-secret", "SOURCE-ref"}},
		{"fr-dgsi", tripline.RoleOfficer, true, true, []string{"INSTR-secret"}},
		{"de-bka", tripline.RoleOfficer, true, false, []string{"CONTACT-desk"}},
		{"uk-nca", tripline.RoleSupervisor, false, false, nil},
	} {
		ctx := tripline.WithIdentity(context.Background(), &tripline.Identity{User: "u", Agency: tc.agency, Role: tc.role})
		raw, err := s.Screen(ctx, traveller)
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.Result(ctx, raw, func(string) *tripline.Listing { return nil })
		if err != nil {
			t.Fatal(err)
		}
		if got := len(res.Matches) == 1; got != tc.matched {
			t.Errorf("%s: matched = %v, want %v (%+v)", tc.agency, got, tc.matched, res.Matches)
			continue
		}
		b, _ := json.Marshal(res)
		if got := strings.Contains(string(b), "INSTR-secret"); got != tc.instruct {
			t.Errorf("%s: instruction disclosed = %v, want %v: %s", tc.agency, got, tc.instruct, b)
		}
		listed, err := p.DocumentAlerts(ctx, []*tripline.DocumentAlert{alert}, "")
		if err != nil {
			t.Fatal(err)
		}
		if tc.listed == nil {
			if len(listed) != 0 {
				t.Errorf("%s: sees the alert listed: %+v", tc.agency, listed[0])
			}
			continue
		}
		lb, _ := json.Marshal(listed)
		for _, want := range tc.listed {
			if !strings.Contains(string(lb), want) {
				t.Errorf("%s: list lacks %s: %s", tc.agency, want, lb)
			}
		}
		if !tc.instruct && strings.Contains(string(lb), "INSTR-secret") {
			t.Errorf("%s: list discloses the instruction: %s", tc.agency, lb)
		}
		if tc.role != tripline.RoleAnalyst && strings.Contains(string(lb), "SOURCE-ref") {
			t.Errorf("%s: list discloses the source reference: %s", tc.agency, lb)
		}
	}
}

// TestResultOfListingGoneShowsLeast: a listing withdrawn between matching
// and shaping (lookup no longer finds it) used to leave its match whole:
// the action, the instruction and an explanation quoting the listed name.
func TestResultOfListingGoneShowsLeast(t *testing.T) {
	p := policy.New(tripline.GroupMap{}, nil)
	ctx := tripline.WithIdentity(context.Background(), &tripline.Identity{User: "u", Agency: "a", Role: tripline.RoleOfficer})
	raw := &tripline.Result{Ref: "t1", Decision: tripline.DecisionHit, Matches: []tripline.Match{
		{Listing: "x:1", Score: 0.95, Decision: tripline.DecisionHit, Action: tripline.ActionDetain, Instruction: "INSTR-secret",
			Name: "LISTED-NAME", Explain: []tripline.Feature{{Feature: "name", Score: 0.95, Weight: 1, Detail: "listed as LISTED-NAME"}}},
		{Listing: tripline.RefusalPrefix + "e1", Score: 0.9, Decision: tripline.DecisionReview, Action: tripline.ActionSecondaryCheck,
			Explain: []tripline.Feature{{Feature: "refusal", Score: 0.9, Weight: 1, Detail: "identity previously refused"}}},
	}}
	res, err := p.Result(ctx, raw, func(string) *tripline.Listing { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Matches) != 2 {
		t.Fatalf("matches %+v", res.Matches)
	}
	b, _ := json.Marshal(res.Matches[0])
	if strings.Contains(string(b), "INSTR-secret") || strings.Contains(string(b), "LISTED-NAME") || res.Matches[0].Action != "" {
		t.Errorf("a gone listing's match disclosed: %s", b)
	}
	if res.Matches[1].Action != tripline.ActionSecondaryCheck || !strings.Contains(res.Matches[1].Explain[0].Detail, "refused") {
		t.Errorf("the node's own refusal finding was trimmed: %+v", res.Matches[1])
	}
}
