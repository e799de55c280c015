package network_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"tripline/network"
)

// TestPropStoreMatchesModel runs random additions and source removals on
// a MemStore and on a plain list of links, and checks that every entity's
// links (in insertion order), the count and the listings a document
// stands for agree after each step: the compact store's threaded lists,
// shared attributes and reused slots must not change an answer.
func TestPropStoreMatchesModel(t *testing.T) {
	ents := []network.Entity{
		network.ListingEntity("gen:1"), network.ListingEntity("gen:2"), network.ListingEntity("gen:3"),
		network.DocumentEntity("GBR", "1"), network.DocumentEntity("FRA", "2"),
		network.Phone("+441"), network.Phone("+442"), network.Email("a@b.c"),
		network.NewEntity(network.KindPerson, "p1"), network.NewEntity(network.KindPerson, "p2"),
	}
	types := []string{network.LinkHasDocument, network.LinkHasPhone, network.LinkAnalyst}
	sources := []string{"listing:gen:1", "listing:gen:2", "listing:gen:3", "pnrgov:1", "case"}
	listings := []string{"", "gen:1", "gen:2", "gen:3"}
	key := func(l network.Link) string {
		return strings.Join([]string{l.From.String(), l.To.String(), l.Type, l.Source, l.Listing}, "|")
	}
	rapid.Check(t, func(t *rapid.T) {
		s := network.NewMemStore()
		var model []network.Link
		steps := rapid.IntRange(1, 30).Draw(t, "steps")
		for range steps {
			if rapid.IntRange(0, 3).Draw(t, "op") == 0 {
				src := rapid.SampledFrom(sources).Draw(t, "remove")
				n, err := s.RemoveSource(ctx, src)
				if err != nil {
					t.Fatal(err)
				}
				before := len(model)
				model = slices.DeleteFunc(model, func(l network.Link) bool { return l.Source == src })
				if n != before-len(model) {
					t.Fatalf("RemoveSource(%s) = %d, want %d", src, n, before-len(model))
				}
			} else {
				var batch []network.Link
				for range rapid.IntRange(1, 6).Draw(t, "batch") {
					a := rapid.IntRange(0, len(ents)-1).Draw(t, "from")
					b := rapid.IntRange(0, len(ents)-2).Draw(t, "to")
					if b >= a {
						b++
					}
					batch = append(batch, network.Link{From: ents[a], To: ents[b],
						Type: rapid.SampledFrom(types).Draw(t, "type"), Source: rapid.SampledFrom(sources).Draw(t, "source"),
						Listing: rapid.SampledFrom(listings).Draw(t, "listing"),
						At:      time.Unix(int64(rapid.IntRange(0, 2).Draw(t, "at")), 0).UTC(),
						Weight:  float64(rapid.IntRange(0, 2).Draw(t, "weight"))})
				}
				added, err := s.AddLinks(ctx, batch)
				if err != nil {
					t.Fatal(err)
				}
				want := 0
				for _, l := range batch {
					if i := slices.IndexFunc(model, func(x network.Link) bool { return key(x) == key(l) }); i >= 0 {
						model[i].At, model[i].Weight = l.At, l.Weight
					} else {
						model = append(model, l)
						want++
					}
				}
				if added != want {
					t.Fatalf("AddLinks added %d, want %d", added, want)
				}
			}
			if s.Len() != len(model) {
				t.Fatalf("Len %d, want %d", s.Len(), len(model))
			}
			for _, e := range ents {
				got, err := s.Links(ctx, e, nil)
				if err != nil {
					t.Fatal(err)
				}
				var want, listed []string
				for _, l := range model {
					if l.From == e || l.To == e {
						want = append(want, key(l)+"|"+l.At.String()+"|"+l.String())
						if l.Type == network.LinkHasDocument && l.Listing != "" && l.Source == network.ListingSource(l.Listing) {
							listed = append(listed, l.Listing)
						}
					}
				}
				var have []string
				for _, l := range got {
					have = append(have, key(l)+"|"+l.At.String()+"|"+l.String())
				}
				if !slices.Equal(have, want) {
					t.Fatalf("links of %s:\n got %q\nwant %q", e, have, want)
				}
				if got := s.ListedBy(e); !slices.Equal(got, listed) {
					t.Fatalf("ListedBy(%s) = %q, want %q", e, got, listed)
				}
			}
			// Snapshots name their nodes through the store's strings.
			allow := func(l network.Link) bool { return l.Type != network.LinkAnalyst }
			for _, g := range []*network.Graph{must(s.Graph(ctx, nil)), must(s.Graph(ctx, allow))} {
				for id := range int32(g.N()) {
					if got, ok := g.ID(g.Entity(id)); !ok || got != id {
						t.Fatalf("ID(Entity(%d) = %s) = %d %v", id, g.Entity(id), got, ok)
					}
				}
				if _, ok := g.ID(network.Phone("+449")); ok {
					t.Fatal("a snapshot has an id for an entity the store never saw")
				}
			}
		}
	})
}

func must[T any](x T, err error) T {
	if err != nil {
		panic(err)
	}
	return x
}

// TestSnapshotNamesWhileStoreGrows reads a snapshot's entities while the
// store goes on interning (run with -race): a snapshot reads the store's
// strings without its lock.
func TestSnapshotNamesWhileStoreGrows(t *testing.T) {
	s := network.NewMemStore()
	add := func(i int) {
		l := network.Link{From: network.ListingEntity(fmt.Sprintf("gen:%d", i)), To: network.Phone(fmt.Sprintf("+44%d", i)),
			Type: network.LinkHasPhone, Source: network.ListingSource(fmt.Sprintf("gen:%d", i)), Listing: fmt.Sprintf("gen:%d", i)}
		if _, err := s.AddLinks(ctx, []network.Link{l}); err != nil {
			t.Error(err)
		}
	}
	for i := range 1000 {
		add(i)
	}
	g, err := s.Graph(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 1000; i < 20_000; i++ {
			add(i)
		}
	}()
	for id := range int32(g.N()) {
		e := g.Entity(id)
		if got, ok := g.ID(e); !ok || got != id {
			t.Fatalf("ID(Entity(%d) = %s) = %d %v", id, e, got, ok)
		}
	}
	<-done
	if g.N() != 2000 {
		t.Fatalf("snapshot grew to %d nodes", g.N())
	}
}
