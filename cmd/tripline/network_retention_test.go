package main

import (
	"context"
	"sync"
	"testing"
	"time"

	"tripline"
	"tripline/network"
	"tripline/screening"
	"tripline/sqlstore"
)

// TestManifestLinksExpire (red-team hole 7): the links a screened manifest
// leaves in the graph (document, booking, flight) go with the screened
// travellers' retention window, from memory and from the store, at the
// retention pass; a later manifest's stay; the pass is audited. The link
// graph's clock is injected (the node's own is read by its background
// work): the first manifest is stamped 40 days ago, the second 10.
func TestManifestLinksExpire(t *testing.T) {
	n := openTestNode(t, t.TempDir())
	defer n.Close()
	// The node's own pass at start reads the real clock: on a busy machine
	// it could run after the first manifest and take its links.
	<-n.startSwept
	var mu sync.Mutex
	at := time.Now().UTC().Add(-40 * 24 * time.Hour)
	n.Network.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return at }
	ctx := tripline.WithIdentity(context.Background(), &tripline.Identity{User: "o", Agency: n.Agency, Role: tripline.RoleOfficer})
	screen := func(flight, doc string) network.Entity {
		t.Helper()
		ts := []*tripline.Traveller{
			{Ref: "a", Surname: "ROE", GivenNames: "RICHARD", Booking: "B" + doc, Document: &tripline.Document{Country: "GBR", Number: doc}},
			{Ref: "b", Surname: "ROE", GivenNames: "RUTH", Booking: "B" + doc},
		}
		m := &screening.Manifest{Direction: "in", Flight: flight, Date: "2026-12-01", Travellers: ts}
		if _, err := n.Screener.ScreenManifest(ctx, m); err != nil {
			t.Fatal(err)
		}
		return network.DocumentEntity("GBR", doc)
	}
	linked := func(e network.Entity) bool {
		_, err := n.Network.Neighbourhood(ctx, e, 1, 10, nil)
		return err == nil
	}
	stored := func() map[string]int {
		out := map[string]int{}
		if err := sqlstore.NewLinkStore(n.DB).Links(ctx, func(l network.Link) { out[l.Source]++ }); err != nil {
			t.Fatal(err)
		}
		return out
	}

	old := screen("TK1", "111")
	mu.Lock()
	at = at.Add(30 * 24 * time.Hour)
	mu.Unlock()
	recent := screen("TK2", "222")
	if !linked(old) || !linked(recent) || len(stored()) != 2 {
		t.Fatalf("before the pass: linked %v %v, stored %v", linked(old), linked(recent), stored())
	}
	n.expireLinks(ctx)
	if linked(old) || !linked(recent) {
		t.Fatalf("after the pass: old linked %v, recent linked %v; want only the recent", linked(old), linked(recent))
	}
	src := network.FeedSource(network.SourcePAXLST, n.Agency, "TK2/2026-12-01")
	if got := stored(); len(got) != 1 || got[src] != 5 {
		t.Fatalf("stored after the pass: %v, want the 5 links of %s only", got, src)
	}
	if err := n.Audit.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	es, err := n.Audit.Entries(ctx, tripline.AuditFilter{User: "retention", Action: "retention.links"})
	if err != nil || len(es) != 1 || es[0].Detail != "5 manifest and PNR links past the retention window removed" {
		t.Fatalf("audit of the pass = %v, %v", es, err)
	}
}
