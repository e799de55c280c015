package policy_test

import (
	"context"
	"testing"

	"tripline"
	"tripline/policy"
)

// Changes to encounters and document alerts are decided in the policy
// layer (they were decided in the HTTP handlers): an agency that is no
// party gets the store's not-found answer, a party without the right gets
// forbidden, and each refusal is recorded under its action.
func TestChangesOfEncountersAndAlerts(t *testing.T) {
	e := &tripline.Encounter{ID: "e1", Listing: "o:1", Originator: "o", Agency: "r", Decision: tripline.DecisionHit}
	a := &tripline.DocumentAlert{ID: "o:IRQ:1", Source: "o", Handling: tripline.Handling{Screen: []string{"s"}}, Provenance: tripline.Provenance{Originator: "o"}}
	type check struct {
		name string
		run  func(p *policy.Policy, ctx context.Context) error
	}
	resolve := check{"resolve", func(p *policy.Policy, ctx context.Context) error { return p.Resolve(ctx, e, tripline.OutcomeAdmitted) }}
	ack := check{"ack", func(p *policy.Policy, ctx context.Context) error { return p.Acknowledge(ctx, e) }}
	alert := check{"alert", func(p *policy.Policy, ctx context.Context) error { return p.ChangeAlert(ctx, a) }}
	for _, tc := range []struct {
		check  check
		agency string
		role   tripline.Role
		want   string
		entry  string
	}{
		{resolve, "r", tripline.RoleOfficer, "", ""},
		{resolve, "r", tripline.RoleAdmin, tripline.EFORBIDDEN, "encounter.resolve.refused"},
		{resolve, "o", tripline.RoleAnalyst, tripline.EFORBIDDEN, "encounter.resolve.refused"}, // the originator does not record the reporter's outcome
		{resolve, "x", tripline.RoleOfficer, tripline.ENOTFOUND, "encounter.change.refused"},
		{ack, "o", tripline.RoleAnalyst, "", ""},
		{ack, "r", tripline.RoleAnalyst, tripline.EFORBIDDEN, "encounter.ack.refused"},
		{ack, "x", tripline.RoleAnalyst, tripline.ENOTFOUND, "encounter.change.refused"},
		{alert, "o", tripline.RoleAnalyst, "", ""},
		{alert, "s", tripline.RoleAnalyst, tripline.EFORBIDDEN, "alert.withdraw.refused"}, // screens against it, does not own it
		{alert, "x", tripline.RoleAnalyst, tripline.ENOTFOUND, "alert.withdraw.refused"},
	} {
		t.Run(tc.check.name+"/"+tc.agency+"/"+string(tc.role), func(t *testing.T) {
			audit := &auditLog{}
			p := policy.New(tripline.GroupMap{}, audit)
			ctx := tripline.WithIdentity(context.Background(), &tripline.Identity{User: "u", Agency: tc.agency, Role: tc.role})
			err := tc.check.run(p, ctx)
			if got := tripline.ErrorCode(err); got != tc.want {
				t.Fatalf("%v, want %q", err, tc.want)
			}
			if tc.want == tripline.ENOTFOUND && tripline.ErrorMessage(err) != `encounter "e1" not found` && tripline.ErrorMessage(err) != `document alert "o:IRQ:1" not found` {
				t.Errorf("hidden: %q, want the store's answer for a missing record", tripline.ErrorMessage(err))
			}
			if tc.entry != "" && !audited(audit, tc.entry) {
				t.Errorf("no %s entry", tc.entry)
			}
		})
	}
}
