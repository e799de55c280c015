package policy_test

import (
	"context"
	"testing"

	"tripline"
	"tripline/policy"
)

// A consent request is the originator's and the requester's business: a
// third agency sees none and is answered as if it did not exist; only the
// originator decides or withdraws. Each refusal is on record. (The checks
// lived in the HTTP handlers, beside the policy layer.)
func TestConsentParties(t *testing.T) {
	c := &tripline.Consent{ID: "c1", Listing: "a:1", Originator: "a", Requester: "b", Recipient: "r"}
	other := &tripline.Consent{ID: "c2", Listing: "x:1", Originator: "x", Requester: "y", Recipient: "b"}
	for _, tc := range []struct {
		agency string
		seen   int
		decide string
		entry  string
	}{
		{"a", 1, "", ""},
		{"b", 1, tripline.EFORBIDDEN, "consent.decide.refused"},
		{"r", 0, tripline.ENOTFOUND, "consent.decide.refused"}, // the recipient is no party to the request
		{"z", 0, tripline.ENOTFOUND, "consent.decide.refused"},
	} {
		t.Run(tc.agency, func(t *testing.T) {
			audit := &auditLog{}
			p := policy.New(tripline.GroupMap{}, audit)
			ctx := tripline.WithIdentity(context.Background(), &tripline.Identity{User: "u", Agency: tc.agency, Role: tripline.RoleSupervisor})
			seen, err := p.DiscloseConsents(ctx, []*tripline.Consent{c, other})
			if err != nil || len(seen) != tc.seen {
				t.Fatalf("consents seen: %v, %v; want %d", seen, err, tc.seen)
			}
			for _, check := range []func(context.Context, *tripline.Consent) error{p.DecideConsent, p.WithdrawConsent} {
				if got := tripline.ErrorCode(check(ctx, c)); got != tc.decide {
					t.Errorf("decide or withdraw: %q, want %q", got, tc.decide)
				}
			}
			if err := p.DecideConsent(ctx, c); tc.decide == tripline.ENOTFOUND && tripline.ErrorMessage(err) != `consent request "c1" not found` {
				t.Errorf("hidden: %q, want the store's answer for a missing request", tripline.ErrorMessage(err))
			}
			if tc.entry != "" && !audited(audit, tc.entry) {
				t.Errorf("no %s entry", tc.entry)
			}
		})
	}
}

func audited(a *auditLog, action string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, e := range a.entries {
		if e.Action == action {
			return true
		}
	}
	return false
}
