package policy_test

import (
	"context"
	"testing"

	"tripline"
	"tripline/policy"
)

// TestResultShowsBlindMatch: a match on a partner's blind list is no
// listing this node holds, yet every screener sees what its originator
// sealed for it — the action and whom to call — and nothing more, and the
// disclosure is audited.
func TestResultShowsBlindMatch(t *testing.T) {
	var log auditLog
	p := policy.New(tripline.GroupMap{}, &log)
	m := tripline.BlindMatch("node-a", "agency-a", &tripline.BlindPayload{Ref: "BL7", Action: tripline.ActionDetain, Contact: "desk 7"}, tripline.BlindNameDOB)
	m.Name = "should not show"
	res := &tripline.Result{Ref: "t", Matches: []tripline.Match{m}}
	res.Summarise()
	for _, role := range []tripline.Role{tripline.RoleOfficer, tripline.RoleAnalyst, tripline.RoleSupervisor} {
		ctx := tripline.WithIdentity(context.Background(), &tripline.Identity{User: "u", Agency: "agency-b", Role: role})
		out, err := p.Result(ctx, res, func(string) *tripline.Listing { return nil })
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Matches) != 1 {
			t.Fatalf("%s: %d matches", role, len(out.Matches))
		}
		got := out.Matches[0]
		if got.Action != tripline.ActionDetain || got.Contact != "desk 7" || got.Name != "" || out.Decision != tripline.DecisionHit || out.Action != tripline.ActionDetain {
			t.Errorf("%s sees %+v (result %s %s)", role, got, out.Decision, out.Action)
		}
	}
	found := false
	for _, e := range log.entries {
		found = found || e.Action == "disclose" && e.Subject == m.Listing
	}
	if !found {
		t.Errorf("no disclosure entry for %s in %+v", m.Listing, log.entries)
	}
}
