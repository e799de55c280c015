package policy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"tripline"
	"tripline/policy"
)

var (
	agencies = []string{"tr-police", "de-bka", "fr-dgsi", "iq-ins", "uk-nca", "un-sc"}
	groupIDs = []string{"eu", "five", "gulf"}
	roles    = []tripline.Role{tripline.RoleOfficer, tripline.RoleAnalyst, tripline.RoleSupervisor, tripline.RoleAdmin, tripline.RoleAuditor, tripline.RoleNode}
)

// world is one generated setting: group memberships and listings whose
// every field carries a sentinel naming its listing and field, so a leak
// shows up in any serialised output.
type world struct {
	groups   tripline.GroupMap
	listings []*tripline.Listing
}

func genPrincipals(t *rapid.T, label string) []string {
	pool := append(append([]string{"*"}, agencies...), groupIDs...)
	return rapid.SliceOfNDistinct(rapid.SampledFrom(pool), 0, 3, rapid.ID[string]).Draw(t, label)
}

func genWorld(t *rapid.T) world {
	w := world{groups: tripline.GroupMap{}}
	for _, a := range agencies {
		w.groups[a] = rapid.SliceOfNDistinct(rapid.SampledFrom(groupIDs), 0, 2, rapid.ID[string]).Draw(t, "groups-"+a)
	}
	n := rapid.IntRange(1, 6).Draw(t, "listings")
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("L%d", i)
		orig := rapid.SampledFrom(agencies).Draw(t, "originator")
		w.listings = append(w.listings, &tripline.Listing{
			ID: orig + ":" + id, Source: orig, Status: tripline.StatusActive,
			Names:         []tripline.Name{{Full: "NAME-" + id, Kind: tripline.NamePrimary}},
			BirthDates:    []tripline.PartialDate{{Year: 1970}},
			Nationalities: []string{"NAT-" + id}, Documents: []tripline.Document{{Number: "DOC-" + id}},
			Addresses: []string{"ADDR-" + id}, Phones: []string{"PHONE-" + id}, Emails: []string{"EMAIL-" + id},
			Reason: tripline.Reason("REASON-" + id), Narrative: "NARRATIVE-" + id,
			Action: tripline.ActionDetain, Instruction: "INSTR-" + id, Contact: "CONTACT-" + id,
			Handling: tripline.Handling{
				Screen: genPrincipals(t, "screen"), Action: genPrincipals(t, "action"), Details: genPrincipals(t, "details"),
				Reshare: rapid.SampledFrom([]tripline.Reshare{tripline.ReshareNever, tripline.ReshareWithConsent, tripline.ReshareAllowed}).Draw(t, "reshare"),
			},
			Provenance: tripline.Provenance{Originator: orig, SourceRef: "SOURCE-" + id, LegalBasis: "LEGAL-" + id, Chain: []string{"CHAIN-" + id}},
		})
	}
	return w
}

// oracle is the handling rules written out independently of the code
// under test: the grant of the agency (originator: everything), capped by
// the role.
func oracle(w world, l *tripline.Listing, agency string, role tripline.Role) tripline.Level {
	grants := func(list []string) bool {
		for _, p := range list {
			if p == "*" || p == agency || slices.Contains(w.groups[agency], p) {
				return true
			}
		}
		return false
	}
	lvl := tripline.LevelNone
	switch {
	case agency == l.Provenance.Originator, grants(l.Handling.Details):
		lvl = tripline.LevelDetails
	case grants(l.Handling.Action):
		lvl = tripline.LevelAction
	case grants(l.Handling.Screen):
		lvl = tripline.LevelScreen
	}
	ceiling := map[tripline.Role]tripline.Level{tripline.RoleOfficer: tripline.LevelAction, tripline.RoleAnalyst: tripline.LevelDetails,
		tripline.RoleSupervisor: tripline.LevelDetails, tripline.RoleAdmin: tripline.LevelAction, tripline.RoleNode: tripline.LevelAction}[role]
	return min(lvl, ceiling)
}

// forbidden returns the sentinels of l that must not appear at level lvl.
func forbidden(l *tripline.Listing, lvl tripline.Level) []string {
	id := strings.SplitN(l.ID, ":", 2)[1]
	var out []string
	if lvl < tripline.LevelDetails {
		for _, p := range []string{"ADDR", "PHONE", "EMAIL", "REASON", "NARRATIVE", "SOURCE", "LEGAL"} {
			out = append(out, p+"-"+id)
		}
	}
	if lvl < tripline.LevelAction {
		for _, p := range []string{"NAME", "NAT", "DOC", "INSTR", "CHAIN"} {
			out = append(out, p+"-"+id)
		}
	}
	return out
}

func assertNoLeak(t *rapid.T, what string, v any, l *tripline.Listing, lvl tripline.Level) {
	b, _ := json.Marshal(v)
	for _, s := range forbidden(l, lvl) {
		if strings.Contains(string(b), s) {
			t.Fatalf("%s discloses %s at level %s: %s", what, s, lvl, b)
		}
	}
}

// TestNoReadPathDisclosesBeyondGrant generates agencies, groups, grants,
// listings, users and requests and checks every read path of the policy
// layer against the oracle: a listing read, a listing page, a screening
// result and an encounter never carry a field beyond what the rules grant.
func TestNoReadPathDisclosesBeyondGrant(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t)
		p := policy.New(w.groups, nil)
		agency := rapid.SampledFrom(append(agencies, "xx-unknown")).Draw(t, "agency")
		role := rapid.SampledFrom(roles).Draw(t, "role")
		ctx := tripline.WithIdentity(context.Background(), &tripline.Identity{User: "u", Agency: agency, Role: role})
		byID := map[string]*tripline.Listing{}
		for _, l := range w.listings {
			byID[l.ID] = l
		}
		lookup := func(id string) *tripline.Listing { return byID[id] }

		// One listing.
		for _, l := range w.listings {
			want := oracle(w, l, agency, role)
			got, err := p.Listing(ctx, l)
			if want == tripline.LevelNone {
				if tripline.ErrorCode(err) != tripline.ENOTFOUND {
					t.Fatalf("listing %s visible to %s/%s: %v", l.ID, agency, role, got)
				}
				continue
			}
			if err != nil {
				t.Fatalf("listing %s: %v", l.ID, err)
			}
			assertNoLeak(t, "listing read", got, l, want)
			if want >= tripline.LevelAction && (len(got.Names) == 0 || got.Action == "") {
				t.Fatalf("listing %s at level %s lacks the identity or action it grants", l.ID, want)
			}
		}
		// A page of listings.
		page, err := p.Listings(ctx, w.listings)
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range page {
			l := byID[got.ID]
			want := oracle(w, l, agency, role)
			if want == tripline.LevelNone {
				t.Fatalf("page lists %s to %s/%s", l.ID, agency, role)
			}
			assertNoLeak(t, "listing page", got, l, want)
		}
		// A screening result matching every listing the agency may screen.
		allow := p.CanScreen(ctx)
		res := &tripline.Result{Ref: "t"}
		for _, l := range w.listings {
			if allow(l) != (oracle(w, l, agency, tripline.RoleSupervisor) >= tripline.LevelScreen) {
				t.Fatalf("CanScreen(%s) = %v for %s", l.ID, allow(l), agency)
			}
			if !allow(l) {
				continue
			}
			res.Matches = append(res.Matches, tripline.Match{Listing: l.ID, Score: 0.95, Decision: tripline.DecisionHit,
				Action: l.Action, Instruction: l.Instruction, Name: l.Names[0].Full, Contact: l.Contact,
				Explain: []tripline.Feature{{Feature: "name", Score: 0.9, Detail: "listed " + l.Names[0].Full}}})
		}
		res.Summarise()
		shaped, err := p.Result(ctx, res, lookup)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range shaped.Matches {
			l := byID[m.Listing]
			want := oracle(w, l, agency, role)
			assertNoLeak(t, "match", m, l, want)
			if want < tripline.LevelAction && m.Action != "" {
				t.Fatalf("match on %s shows action at level %s", l.ID, want)
			}
		}
		if shaped.Decision == tripline.DecisionHit && shaped.Action != "" {
			// The result-level instruction comes from a match the caller may act on.
			ok := false
			for _, m := range shaped.Matches {
				ok = ok || (m.Action == shaped.Action && oracle(w, byID[m.Listing], agency, role) >= tripline.LevelAction)
			}
			if !ok {
				t.Fatalf("result action %s not from an actionable match", shaped.Action)
			}
		}
		// An encounter on each listing.
		for _, l := range w.listings {
			e := &tripline.Encounter{ID: "e", Listing: l.ID, Originator: l.Provenance.Originator, Action: l.Action,
				Explain: []tripline.Feature{{Feature: "name", Detail: "listed " + l.Names[0].Full}}}
			got, err := p.Encounter(ctx, e, lookup)
			want := oracle(w, l, agency, role)
			if err != nil {
				continue
			}
			if agency != l.Provenance.Originator {
				assertNoLeak(t, "encounter", got, l, want)
			}
			// Its listing gone (withdrawn, expired: the index no longer
			// holds it): least disclosure for all but the originator.
			e.Agency = agency
			gone, err := p.Encounter(ctx, e, func(string) *tripline.Listing { return nil })
			if err != nil {
				t.Fatalf("encounter reported by %s: %v", agency, err)
			}
			if agency != l.Provenance.Originator {
				assertNoLeak(t, "encounter of a listing gone", gone, l, tripline.LevelNone)
				if gone.Action != "" {
					t.Fatalf("encounter of a listing gone shows action %s", gone.Action)
				}
			}
		}
		// The event log: each listing's event shows what reading it would.
		var evs []*tripline.Event
		for i, l := range w.listings {
			payload, _ := json.Marshal(l)
			evs = append(evs, &tripline.Event{Origin: "N", Seq: int64(i + 1), Type: tripline.EventListingUpserted, Subject: l.ID, Payload: payload})
		}
		shown, err := p.Events(ctx, "N", 0, evs)
		if err != nil || len(shown) != len(evs) {
			t.Fatalf("events: %d of %d, %v", len(shown), len(evs), err)
		}
		for i, ev := range shown {
			l, want := w.listings[i], oracle(w, w.listings[i], agency, role)
			if want == tripline.LevelNone && (!ev.Redacted || ev.Subject != "" || len(ev.Payload) > 0) {
				t.Fatalf("event of %s shown to %s/%s: %+v", l.ID, agency, role, ev)
			}
			assertNoLeak(t, "event", ev, l, want)
			// The payload's digest the origin signed, never its left-out
			// fields' (each guessable from a few values).
			if d, _ := evs[i].PayloadDigest(); !ev.Redacted && (ev.Digest != d || len(ev.Omitted) > 0) {
				t.Fatalf("event of %s: digest %s, want the signed %s, and %d fields' digests", l.ID, ev.Digest, d, len(ev.Omitted))
			}
		}
	})
}

// TestReshareNeverWithoutConsent: a listing reaches a third party only when
// its originator allowed re-sharing or consented to that party, and
// combining rules (a relay's on top of the originator's) never widens them.
func TestReshareNeverWithoutConsent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t)
		l := w.listings[0]
		to := rapid.SampledFrom(agencies).Draw(t, "to")
		consented := rapid.SliceOfNDistinct(rapid.SampledFrom(agencies), 0, 3, rapid.ID[string]).Draw(t, "consented")
		got := l.MayReshare(to, consented)
		want := l.Handling.Reshare == tripline.ReshareAllowed || (l.Handling.Reshare == tripline.ReshareWithConsent && slices.Contains(consented, to))
		if got != want {
			t.Fatalf("MayReshare(%s, %v) under %s = %v", to, consented, l.Handling.Reshare, got)
		}
		relay := genWorld(t).listings[0].Handling
		combined := *l
		combined.Handling = tripline.Combine(l.Handling, relay)
		if combined.MayReshare(to, consented) && !got {
			t.Fatalf("combining with the relay's rules widened re-share")
		}
		for _, a := range agencies {
			if a == l.Provenance.Originator {
				continue
			}
			relayed := *l
			relayed.Handling = relay
			if combined.LevelFor(a, w.groups) > min(l.LevelFor(a, w.groups), relayed.LevelFor(a, w.groups)) {
				t.Fatalf("combined rules give %s more than either", a)
			}
		}
	})
}

func TestNoIdentityNoDisclosure(t *testing.T) {
	p := policy.New(tripline.GroupMap{}, nil)
	l := &tripline.Listing{ID: "a:1", Provenance: tripline.Provenance{Originator: "a"}}
	if _, err := p.Listing(context.Background(), l); tripline.ErrorCode(err) != tripline.EUNAUTHORIZED {
		t.Fatalf("err = %v", err)
	}
}

// The checkpoints this node keeps of a partner's audit log go to this
// node's auditors and to that partner's node, for its own log only.
func TestWitnessedCheckpoints(t *testing.T) {
	p := policy.New(tripline.GroupMap{}, nil)
	for _, tc := range []struct {
		id   tripline.Identity
		node string
		ok   bool
	}{
		{tripline.Identity{User: "u1", Agency: "a", Role: tripline.RoleAuditor}, "B", true},
		{tripline.Identity{User: "node:B", Agency: "b", Role: tripline.RoleNode}, "B", true},
		{tripline.Identity{User: "node:C", Agency: "c", Role: tripline.RoleNode}, "B", false},
		{tripline.Identity{User: "u2", Agency: "a", Role: tripline.RoleAdmin}, "B", false},
		{tripline.Identity{User: "u3", Agency: "a", Role: tripline.RoleAnalyst}, "B", false},
	} {
		err := p.Witnessed(tripline.WithIdentity(context.Background(), &tc.id), tc.node)
		if (err == nil) != tc.ok || err != nil && tripline.ErrorCode(err) != tripline.EFORBIDDEN {
			t.Errorf("%s (%s) reading %s's checkpoints: %v, want allowed %v", tc.id.User, tc.id.Role, tc.node, err, tc.ok)
		}
	}
}
