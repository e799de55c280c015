package policy_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"tripline"
	"tripline/network"
	"tripline/policy"
)

// auditLog records audit entries in memory.
type auditLog struct {
	mu      sync.Mutex
	entries []tripline.AuditEntry
}

func (a *auditLog) Record(_ context.Context, e tripline.AuditEntry) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.entries = append(a.entries, e)
}

// TestNetworkQueriesHideLinksBeyondDetails: over generated agencies,
// groups, grants and graphs (each listing's own links, PNR-style links of
// people to listed phones, analysts' links to listing entities naming no
// listing), no neighbourhood, path or export a caller gets from the
// network service holds a link governed by a listing the caller may not
// see in detail, nor that listing's entity, nor a PNR link another agency
// imported; the caller's agency's PNR links stay visible; each query is
// audited.
func TestNetworkQueriesHideLinksBeyondDetails(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t)
		audit := &auditLog{}
		p := policy.New(w.groups, audit)
		byID := map[string]*tripline.Listing{}
		store := network.NewService(network.NewMemStore())
		agency := rapid.SampledFrom(agencies).Draw(t, "agency")
		role := rapid.SampledFrom(roles).Draw(t, "role")
		own := network.FeedSource(network.SourcePNRGOV, agency, "X")
		other := network.FeedSource(network.SourcePNRGOV, "other-agency", "X")
		var links []network.Link
		person := func(i int) network.Entity { return network.NewEntity(network.KindPerson, fmt.Sprint("P", i)) }
		for _, l := range w.listings {
			byID[l.ID] = l
			links = append(links, network.LinksFromListing(l)...)
		}
		npeople := rapid.IntRange(1, 5).Draw(t, "people")
		for i := 0; i < npeople; i++ {
			l := rapid.SampledFrom(w.listings).Draw(t, "phone-of")
			for _, src := range []string{own, other} {
				links = append(links, network.Link{From: person(i), To: network.Phone(l.Phones[0]), Type: network.LinkSharedContact, Source: src})
			}
			if rapid.Bool().Draw(t, "analyst-link") {
				links = append(links, network.Link{From: person(i), To: network.ListingEntity(l.ID), Type: network.LinkAnalyst, Source: "case"})
			}
			if i > 0 {
				links = append(links, network.Link{From: person(i - 1), To: person(i), Type: network.LinkSameBooking, Source: own},
					network.Link{From: person(i - 1), To: person(i), Type: network.LinkSameBooking, Source: other})
			}
		}
		// Imports' links, which AddLinks refuses, go to the store itself.
		if _, err := store.Store.AddLinks(context.Background(), links); err != nil {
			t.Fatal(err)
		}
		ctx := tripline.WithIdentity(context.Background(), &tripline.Identity{User: "u", Agency: agency, Role: role})
		allow, err := p.LinkFilter(ctx, "neighbourhood", func(id string) *tripline.Listing { return byID[id] })
		if err != nil {
			t.Fatal(err)
		}
		if n := len(audit.entries); n != 1 || audit.entries[0].Action != "network.query" || audit.entries[0].Agency != agency {
			t.Fatalf("audit = %+v, want one network.query by %s", audit.entries, agency)
		}
		hidden := map[string]bool{}
		for _, l := range w.listings {
			hidden[l.ID] = oracle(w, l, agency, role) < tripline.LevelDetails
		}
		check := func(what string, edges []network.Edge, nodes []network.Node) {
			for _, e := range edges {
				for _, end := range []string{e.From, e.To} {
					if id, ok := strings.CutPrefix(end, "listing:"); ok && hidden[id] {
						t.Fatalf("%s: edge %+v joins hidden listing %s (%s as %s)", what, e, id, agency, role)
					}
				}
				if hidden[e.Listing] {
					t.Fatalf("%s: edge %+v governed by hidden listing (%s as %s)", what, e, agency, role)
				}
			}
			for _, n := range nodes {
				if id, ok := strings.CutPrefix(n.ID, "listing:"); ok && hidden[id] {
					t.Fatalf("%s: node %s of a hidden listing (%s as %s)", what, n.ID, agency, role)
				}
			}
		}
		var ents []network.Entity
		for i := 0; i < npeople; i++ {
			ents = append(ents, person(i))
		}
		for _, l := range w.listings {
			ents = append(ents, network.ListingEntity(l.ID), network.Phone(l.Phones[0]))
		}
		visible := 0
		for _, e := range ents {
			sg, err := store.Neighbourhood(context.Background(), e, 3, 0, allow)
			if err != nil {
				continue
			}
			check("neighbourhood "+e.String(), sg.Edges, sg.Nodes)
			var gml strings.Builder
			if err := network.WriteGraphML(&gml, *sg); err != nil {
				t.Fatal(err)
			}
			for id, h := range hidden {
				if h && strings.Contains(gml.String(), ">listing:"+id+"<") {
					t.Fatalf("GraphML export of %s names hidden listing %s", e, id)
				}
			}
			for _, e2 := range ents {
				path, err := store.Path(context.Background(), e, e2, -1, allow)
				if err != nil {
					continue
				}
				sg := network.NewSubgraph(path)
				check("path "+e.String()+" to "+e2.String(), sg.Edges, nil)
			}
			for _, ed := range sg.Edges {
				switch ed.Source {
				case own:
					visible++
				case other:
					t.Fatalf("neighbourhood %s: edge %+v of another agency's import (%s as %s)", e, ed, agency, role)
				}
			}
		}
		// The agency's own imports are never hidden by the listings' rules.
		if visible == 0 {
			t.Fatalf("no PNR link visible to %s as %s", agency, role)
		}
	})
}

// TestLinkFilterNeedsIdentity: no caller, no network query.
func TestLinkFilterNeedsIdentity(t *testing.T) {
	p := policy.New(tripline.GroupMap{}, nil)
	if _, err := p.LinkFilter(context.Background(), "q", func(string) *tripline.Listing { return nil }); tripline.ErrorCode(err) != tripline.EUNAUTHORIZED {
		t.Fatalf("err = %v, want EUNAUTHORIZED", err)
	}
	traverse, show := p.ScreenLinks(context.Background(), func(string) *tripline.Listing { return nil })
	l := network.Link{From: network.Phone("1"), To: network.Phone("2"), Type: "x", Source: "s"}
	if traverse(l) || show(l) {
		t.Fatal("screening without a caller walks links")
	}
}
