package policy_test

import (
	"context"
	"testing"

	"tripline"
	"tripline/policy"
)

// TestNoticeNeedsGrantOrDiffusion: a notice's recipient sees it while the
// originator's grant of the listing holds here; the sender of a diffusion
// sees the notice of a hit on it without holding the recipient's listing
// (it described the subject itself), with the explanation. Any other
// agency, or a notice without either, is told it does not exist.
func TestNoticeNeedsGrantOrDiffusion(t *testing.T) {
	p := policy.New(tripline.GroupMap{}, nil)
	granted := &tripline.Listing{ID: "tr-police:1", Status: tripline.StatusActive, Action: tripline.ActionDetain,
		Handling:   tripline.Handling{Screen: []string{"de-bka"}, Action: []string{"de-bka"}},
		Provenance: tripline.Provenance{Originator: "tr-police"}}
	explain := []tripline.Feature{{Feature: "name", Detail: "listed Karim Benali Haddad"}}
	for _, tc := range []struct {
		name    string
		e       tripline.Encounter
		held    *tripline.Listing
		agency  string
		visible bool
	}{
		{"departure notice, granted", tripline.Encounter{Listing: granted.ID, Originator: "tr-police", Agency: "uk-nca", NoticeTo: "de-bka"}, granted, "de-bka", true},
		{"departure notice, grant gone", tripline.Encounter{Listing: granted.ID, Originator: "tr-police", Agency: "uk-nca", NoticeTo: "de-bka"}, nil, "de-bka", false},
		{"diffusion notice at its sender", tripline.Encounter{Listing: "tr-police:D-1", Originator: "tr-police", Agency: "tr-police", NoticeTo: "de-bka", Diffusion: "D-1"}, nil, "de-bka", true},
		{"diffusion notice, another agency", tripline.Encounter{Listing: "tr-police:D-1", Originator: "tr-police", Agency: "tr-police", NoticeTo: "de-bka", Diffusion: "D-1"}, nil, "fr-dgsi", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.e
			e.ID, e.Action, e.Explain = "e1", tripline.ActionDetain, explain
			ctx := tripline.WithIdentity(context.Background(), &tripline.Identity{User: "u", Agency: tc.agency, Role: tripline.RoleAnalyst})
			got, err := p.Encounter(ctx, &e, func(string) *tripline.Listing { return tc.held })
			if !tc.visible {
				if tripline.ErrorCode(err) != tripline.ENOTFOUND {
					t.Fatalf("got %+v, %v; want not found", got, err)
				}
				return
			}
			if err != nil || len(got.Explain) == 0 || got.Action == "" {
				t.Fatalf("got %+v, %v; want the notice with its action and explanation", got, err)
			}
		})
	}
}
