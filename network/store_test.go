package network_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"tripline"
	"tripline/network"
)

var ctx = context.Background()

// listedOnly treats every listing entity as an active listing.
func listedOnly(e network.Entity) (string, bool) {
	return e.Key, e.Kind == network.KindListing
}

func traveller(k string) network.Entity {
	return network.Entity{Kind: network.KindTraveller, Key: k}
}

// caseLinks is a small case: listing L1 has a phone and an address; a
// traveller T shares L1's phone; traveller U shares an address with a
// person who shares a booking with T; a secret link (listing L2's) ties
// U straight to L2.
func caseLinks() []network.Link {
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	L1, L2 := network.ListingEntity("un:L1"), network.ListingEntity("ofac:L2")
	phone, addr := network.Phone("+44 20 7946 0958"), network.Address("1 Main St London")
	T, U, P := traveller("T"), traveller("U"), person("P")
	book := network.NewEntity(network.KindBooking, "ABC123")
	return []network.Link{
		{From: L1, To: phone, Type: network.LinkHasPhone, Source: network.SourceListing, Listing: "un:L1", At: at},
		{From: L1, To: addr, Type: network.LinkHasAddress, Source: network.SourceListing, Listing: "un:L1", At: at},
		{From: T, To: network.Phone("0044 20 7946 0958"), Type: network.LinkHasPhone, Source: network.SourcePNRGOV, At: at},
		{From: T, To: book, Type: network.LinkHasBooking, Source: network.SourcePNRGOV, At: at},
		{From: P, To: book, Type: network.LinkHasBooking, Source: network.SourcePNRGOV, At: at},
		{From: P, To: network.Address("1 main st, london"), Type: network.LinkHasAddress, Source: network.SourcePAXLST, At: at},
		{From: U, To: P, Type: network.LinkAssociate, Source: "case-7", At: at},
		{From: U, To: L2, Type: network.LinkHasPhone, Source: "ofac", Listing: "ofac:L2", At: at},
		{From: T, To: network.DocumentEntity("GBR", "123"), Type: network.LinkHasDocument, Source: network.SourcePAXLST, At: at},
	}
}

func newCaseStore(t *testing.T) *network.MemStore {
	t.Helper()
	s := network.NewMemStore()
	n, err := s.AddLinks(ctx, caseLinks())
	if err != nil {
		t.Fatal(err)
	}
	if n != 9 {
		t.Fatalf("added %d, want 9", n)
	}
	return s
}

func TestStoreAddIdempotentAndRemove(t *testing.T) {
	s := newCaseStore(t)
	links := caseLinks()
	links[0].At = links[0].At.Add(time.Hour)
	if n, err := s.AddLinks(ctx, links); err != nil || n != 0 {
		t.Fatalf("re-add = %d, %v; want 0 new", n, err)
	}
	got, _ := s.Links(ctx, network.ListingEntity("un:L1"), nil)
	if len(got) != 2 || !got[0].At.Equal(links[0].At) {
		t.Errorf("Links(L1) = %+v, want 2 with updated time", got)
	}
	if n, err := s.RemoveSource(ctx, network.SourcePNRGOV); err != nil || n != 3 {
		t.Fatalf("RemoveSource = %d, %v; want 3", n, err)
	}
	if s.Len() != 6 {
		t.Errorf("Len = %d, want 6", s.Len())
	}
	if got, _ := s.Links(ctx, traveller("T"), nil); len(got) != 1 {
		t.Errorf("T keeps %d links, want 1 (document)", len(got))
	}
	// Freed slots are reused and the source comes back whole.
	if n, _ := s.AddLinks(ctx, caseLinks()); n != 3 {
		t.Errorf("re-import added %d, want 3", n)
	}
	bad := []network.Link{caseLinks()[0], {From: person("a"), To: person("a"), Type: "x", Source: "y"}}
	if _, err := s.AddLinks(ctx, bad); tripline.ErrorCode(err) != tripline.EINVALID || tripline.ErrorMessage(err) != "links[1].to: link from person:a to itself" {
		t.Errorf("AddLinks(bad) = %v", err)
	}
}

func TestStoreFlag(t *testing.T) {
	s := newCaseStore(t)
	f, ok, err := s.Flag(ctx, []network.Entity{traveller("T")}, 0, listedOnly, nil)
	if err != nil || !ok {
		t.Fatalf("Flag(T) = %v, %v", ok, err)
	}
	if f.Listing != "un:L1" || len(f.Path) != 2 {
		t.Errorf("Flag(T) = %+v", f)
	}
	if got, want := f.Explain(), "traveller:T -has_phone- phone:+442079460958 -has_phone- listing:un:L1"; got != want {
		t.Errorf("Explain = %s\nwant %s", got, want)
	}
	m := f.Match()
	if m.Decision != tripline.DecisionReview || m.Listing != "un:L1" || len(m.Explain) != 1 {
		t.Errorf("Match = %+v", m)
	}

	// U: the direct tie to L2 is a phone link but hidden from this
	// caller; the associate link is not a flag type, so U is clear.
	hideOFAC := func(l network.Link) bool { return l.Listing != "ofac:L2" }
	if f, ok, _ := s.Flag(ctx, []network.Entity{traveller("U")}, 4, listedOnly, hideOFAC); ok {
		t.Errorf("Flag(U) through hidden or non-flag links: %s", f.Explain())
	}
	if f, ok, _ := s.Flag(ctx, []network.Entity{traveller("U")}, 2, listedOnly, nil); !ok || f.Listing != "ofac:L2" {
		t.Errorf("Flag(U) unfiltered = %+v, %v; want ofac:L2", f, ok)
	}
	// P reaches L1 by address in 2 hops; the phone of T from a booking
	// start in 3.
	if f, ok, _ := s.Flag(ctx, []network.Entity{person("P")}, 2, listedOnly, nil); !ok || f.Explain() != "person:P -has_address- address:1 main st london -has_address- listing:un:L1" {
		t.Errorf("Flag(P) = %s, %v", f.Explain(), ok)
	}
	// Several start entities: the booking alone is 3 hops from L1.
	b := network.NewEntity(network.KindBooking, "abc123")
	if _, ok, _ := s.Flag(ctx, []network.Entity{b}, 2, listedOnly, nil); ok {
		t.Error("booking flagged at 2 hops, needs 3")
	}
	if f, ok, _ := s.Flag(ctx, []network.Entity{traveller("nobody"), b}, 3, listedOnly, nil); !ok || f.Start != b || len(f.Path) != 3 {
		t.Errorf("Flag(booking, 3) = %+v, %v", f, ok)
	}
	// A listed start is not a network tie to itself.
	if f, ok, _ := s.Flag(ctx, []network.Entity{network.ListingEntity("un:L1")}, 2, listedOnly, nil); ok {
		t.Errorf("listing flagged against itself: %s", f.Explain())
	}
}

func TestStorePathAndNeighbourhood(t *testing.T) {
	s := newCaseStore(t)
	path, err := s.Path(ctx, traveller("U"), network.ListingEntity("un:L1"), -1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := network.ExplainPath(traveller("U"), path), "traveller:U -associate- person:P -has_address- address:1 main st london -has_address- listing:un:L1"; got != want {
		t.Errorf("path = %s\nwant %s", got, want)
	}
	if _, err := s.Path(ctx, traveller("U"), network.ListingEntity("un:L1"), 2, nil); !errors.Is(err, tripline.ErrNotFound) {
		t.Errorf("Path within 2 = %v, want not found", err)
	}
	noAssoc := func(l network.Link) bool { return l.Type != network.LinkAssociate }
	if _, err := s.Path(ctx, traveller("U"), traveller("T"), -1, noAssoc); !errors.Is(err, tripline.ErrNotFound) {
		t.Errorf("Path through a filtered link: %v", err)
	}

	sg, err := s.Neighbourhood(ctx, network.ListingEntity("un:L1"), 2, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	hops := map[string]int{}
	for _, n := range sg.Nodes {
		hops[n.ID] = n.Hops
	}
	want := map[string]int{"listing:un:L1": 0, "phone:+442079460958": 1, "address:1 main st london": 1, "traveller:T": 2, "person:P": 2}
	if len(hops) != len(want) {
		t.Errorf("nodes = %v, want %v", hops, want)
	}
	for id, h := range want {
		if got, ok := hops[id]; !ok || got != h {
			t.Errorf("node %s hops = %d (%v), want %d", id, got, ok, h)
		}
	}
	if len(sg.Edges) != 4 {
		t.Errorf("edges = %+v, want 4", sg.Edges)
	}
	for _, e := range sg.Edges {
		if e.Source == "" || e.At.IsZero() {
			t.Errorf("edge without provenance: %+v", e)
		}
	}
	if sg, _ := s.Neighbourhood(ctx, network.ListingEntity("un:L1"), 2, 3, nil); !sg.Truncated || len(sg.Nodes) != 3 {
		t.Errorf("limited neighbourhood: %d nodes, truncated %v", len(sg.Nodes), sg.Truncated)
	}
	if _, err := s.Neighbourhood(ctx, person("ghost"), 2, 0, nil); !errors.Is(err, tripline.ErrNotFound) {
		t.Errorf("Neighbourhood(unknown) = %v", err)
	}
}

func TestStoreGraphSnapshot(t *testing.T) {
	s := newCaseStore(t)
	g, err := s.Graph(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if g.N() != 9 || g.Edges() != 9 {
		t.Errorf("graph %d nodes %d edges, want 9, 9", g.N(), g.Edges())
	}
	if g2, _ := s.Graph(ctx, nil); g2 != g {
		t.Error("unchanged store rebuilt its graph")
	}
	s.RemoveSource(ctx, "ofac")
	g3, _ := s.Graph(ctx, nil)
	if g3 == g || g3.Edges() != 8 {
		t.Errorf("after remove: %d edges, want 8 in a new snapshot", g3.Edges())
	}
	noListing := func(l network.Link) bool { return l.Listing == "" }
	g4, _ := s.Graph(ctx, noListing)
	if g4.Edges() != 6 {
		t.Errorf("filtered graph %d edges, want 6", g4.Edges())
	}
	if _, ok := g4.ID(network.ListingEntity("un:L1")); ok {
		t.Error("filtered graph holds a hidden listing")
	}
}

func TestStoreContextCancelled(t *testing.T) {
	s := newCaseStore(t)
	c, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.AddLinks(c, caseLinks()); !errors.Is(err, context.Canceled) {
		t.Errorf("AddLinks = %v", err)
	}
	if _, err := s.Neighbourhood(c, traveller("T"), 2, 0, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Neighbourhood = %v", err)
	}
}

func TestConcurrentQueries(t *testing.T) {
	s := newCaseStore(t)
	g, id := cells(t)
	done := make(chan bool)
	for w := range 4 {
		go func() {
			defer func() { done <- true }()
			for i := range 200 {
				if nodes, _, _ := g.Neighbourhood(id("a1"), 2, 0); len(nodes) != 8 {
					t.Errorf("Neighbourhood: %d nodes", len(nodes))
				}
				if p := g.ShortestPath(id("a3"), id("b4")); len(p) != 5 {
					t.Errorf("ShortestPath: %v", p)
				}
				if _, ok, _ := s.Flag(ctx, []network.Entity{traveller("T")}, 2, listedOnly, nil); !ok {
					t.Error("Flag lost under concurrency")
				}
				if w == 0 && i%20 == 0 {
					s.AddLinks(ctx, []network.Link{{From: person(fmt.Sprint("z", i)), To: person("P"), Type: "associate", Source: "w"}})
				}
				if _, err := s.Neighbourhood(ctx, traveller("U"), 2, 0, nil); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
}
