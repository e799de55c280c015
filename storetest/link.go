package storetest

import (
	"testing"
	"time"

	"tripline"
	"tripline/network"
	"tripline/sqlstore"
)

// TestLinkStore: links survive a round trip, a re-save updates time and
// weight instead of adding a row, removal goes by source, and an invalid
// link stores nothing.
func testLinkStore(t *testing.T, e Engine) {
	db := e.Open(t)
	s := sqlstore.NewLinkStore(db)
	ctx := t.Context()
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	a := network.Link{From: network.Phone("+44 20 7946 0958"), To: network.ListingEntity("un:1"), Type: network.LinkHasPhone,
		Source: "case-1", Listing: "un:1", At: at, Weight: 2}
	b := network.Link{From: network.NewEntity(network.KindPerson, "P1"), To: network.NewEntity(network.KindBooking, "ABC123"),
		Type: network.LinkHasBooking, Source: "pnrgov:TK1/2026-11-25"}
	if err := s.SaveLinks(ctx, []network.Link{a, b}); err != nil {
		t.Fatal(err)
	}
	a2 := a
	a2.Weight, a2.At = 5, at.Add(time.Hour)
	if err := s.SaveLinks(ctx, []network.Link{a2}); err != nil {
		t.Fatal(err)
	}
	got := all(t, s)
	if len(got) != 2 {
		t.Fatalf("got %d links, want 2: %v", len(got), got)
	}
	for _, l := range got {
		switch l.Source {
		case "case-1":
			if l.Weight != 5 || !l.At.Equal(a2.At) || l.From != a.From || l.Listing != "un:1" {
				t.Errorf("upserted link = %+v, want %+v", l, a2)
			}
		default:
			if l != b {
				t.Errorf("link = %+v, want %+v", l, b)
			}
		}
	}
	bad := b
	bad.Type = "Not A Type"
	if err := s.SaveLinks(ctx, []network.Link{a, bad}); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Fatalf("invalid link: err = %v, want EINVALID", err)
	}
	if n, err := s.RemoveLinksBySource(ctx, "case-1"); err != nil || n != 1 {
		t.Fatalf("remove = %d, %v; want 1", n, err)
	}
	if got := all(t, s); len(got) != 1 || got[0] != b {
		t.Fatalf("after removal: %v", got)
	}
}

func all(t *testing.T, s *sqlstore.LinkStore) []network.Link {
	t.Helper()
	var out []network.Link
	if err := s.Links(t.Context(), func(l network.Link) { out = append(out, l) }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestReplaceLinks: a source's links are replaced as a whole; others stay.
func testReplaceLinks(t *testing.T, e Engine) {
	db := e.Open(t)
	s := sqlstore.NewLinkStore(db)
	ctx := t.Context()
	p := func(k string) network.Entity { return network.NewEntity(network.KindPerson, k) }
	old := []network.Link{{From: p("A"), To: p("B"), Type: network.LinkSameBooking, Source: "pnrgov:TK1/2026-11-25"},
		{From: p("A"), To: p("C"), Type: network.LinkSameBooking, Source: "pnrgov:TK1/2026-11-25"}}
	other := network.Link{From: p("A"), To: p("D"), Type: network.LinkAnalyst, Source: "case-1"}
	if err := s.SaveLinks(ctx, append(old, other)); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceLinks(ctx, "pnrgov:TK1/2026-11-25", old[1:]); err != nil {
		t.Fatal(err)
	}
	got := all(t, s)
	if len(got) != 2 || got[0] != old[1] || got[1] != other {
		t.Fatalf("after replace: %v, want %v and %v", got, old[1], other)
	}
}

// TestLinkChangesFollowed: two processes on one file — a server's service
// catches up with a PNR another process imported, and with that
// process's removal of a source; its own writes are not reloaded.
func testLinkChangesFollowed(t *testing.T, e Engine) {
	db := e.Open(t)
	ctx := t.Context()
	server, cli := network.NewService(network.NewMemStore()), network.NewService(network.NewMemStore())
	if err := server.Open(ctx, sqlstore.NewLinkStore(db)); err != nil {
		t.Fatal(err)
	}
	cliStore := sqlstore.NewLinkStore(db)
	if err := cli.Open(ctx, cliStore); err != nil {
		t.Fatal(err)
	}
	p := func(k string) network.Entity { return network.NewEntity(network.KindPerson, k) }
	if _, err := server.AddLinks(ctx, []network.Link{{From: p("S1"), To: p("S2"), Type: network.LinkAnalyst, Source: "server-case"}}); err != nil {
		t.Fatal(err)
	}
	if n, err := server.CatchUp(ctx); err != nil || n != 0 {
		t.Fatalf("own write reloaded: %d, %v", n, err)
	}
	if _, err := cli.AddLinks(ctx, []network.Link{{From: p("A"), To: p("B"), Type: network.LinkAnalyst, Source: "cli-case"}}); err != nil {
		t.Fatal(err)
	}
	if n, err := server.CatchUp(ctx); err != nil || n != 1 {
		t.Fatalf("catch up = %d, %v; want 1 source", n, err)
	}
	if _, err := server.Path(ctx, p("A"), p("B"), 1, nil); err != nil {
		t.Fatalf("server misses the CLI's link: %v", err)
	}
	if _, err := cliStore.RemoveLinksBySource(ctx, "cli-case"); err != nil {
		t.Fatal(err)
	}
	if n, _ := server.CatchUp(ctx); n != 1 {
		t.Fatalf("removal not followed: %d", n)
	}
	if _, err := server.Path(ctx, p("A"), p("B"), 1, nil); tripline.ErrorCode(err) != tripline.ENOTFOUND {
		t.Fatalf("removed link still served: %v", err)
	}
	if server.Store.Len() != 1 {
		t.Fatalf("server holds %d links, want its own 1", server.Store.Len())
	}
}
