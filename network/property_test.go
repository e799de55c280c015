package network_test

import (
	"slices"
	"testing"

	"pgregory.net/rapid"

	"tripline/network"
)

// bfsDist is the reference: plain breadth-first distances, -1 unreachable.
func bfsDist(g *network.Graph, s int32) []int {
	dist := make([]int, g.N())
	for i := range dist {
		dist[i] = -1
	}
	dist[s] = 0
	q := []int32{s}
	for len(q) > 0 {
		v := q[0]
		q = q[1:]
		for _, u := range g.Neighbours(v) {
			if dist[u] < 0 {
				dist[u] = dist[v] + 1
				q = append(q, u)
			}
		}
	}
	return dist
}

func genGraph(t *rapid.T) *network.Graph {
	n := rapid.IntRange(1, 40).Draw(t, "n")
	m := rapid.IntRange(0, 3*n).Draw(t, "m")
	b := network.NewBuilder()
	b.AddNodes(n)
	for i := 0; i < m; i++ {
		u := rapid.Int32Range(0, int32(n-1)).Draw(t, "u")
		v := rapid.Int32Range(0, int32(n-1)).Draw(t, "v")
		b.AddEdge(u, v, 1)
	}
	return b.Build()
}

func TestPropNeighbourhoodNested(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := genGraph(t)
		s := rapid.Int32Range(0, int32(g.N()-1)).Draw(t, "s")
		k := rapid.IntRange(1, 5).Draw(t, "k")
		dist := bfsDist(g, s)
		inner, _, _ := g.Neighbourhood(s, k-1, 0)
		outer, hops, _ := g.Neighbourhood(s, k, 0)
		for _, v := range inner {
			if !slices.Contains(outer, v) {
				t.Fatalf("node %d within %d hops but not within %d", v, k-1, k)
			}
		}
		want := 0
		for _, d := range dist {
			if d >= 0 && d <= k {
				want++
			}
		}
		if len(outer) != want {
			t.Fatalf("Neighbourhood(%d,%d) has %d nodes, want %d", s, k, len(outer), want)
		}
		for i, v := range outer {
			if int(hops[i]) != dist[v] {
				t.Fatalf("hops[%d] = %d, want %d", v, hops[i], dist[v])
			}
		}
		limit := rapid.IntRange(1, 10).Draw(t, "limit")
		capped, _, trunc := g.Neighbourhood(s, k, limit)
		if len(capped) > limit || trunc != (want > limit) || !slices.Equal(capped, outer[:len(capped)]) {
			t.Fatalf("limit %d: %v trunc %v; full %v", limit, capped, trunc, outer)
		}
	})
}

func TestPropShortestPath(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := genGraph(t)
		a := rapid.Int32Range(0, int32(g.N()-1)).Draw(t, "a")
		b := rapid.Int32Range(0, int32(g.N()-1)).Draw(t, "b")
		k := rapid.IntRange(0, 6).Draw(t, "k")
		d := bfsDist(g, a)[b]
		path := g.ShortestPath(a, b)
		if d < 0 {
			if path != nil {
				t.Fatalf("path %v to unreachable node", path)
			}
			return
		}
		if len(path)-1 != d || path[0] != a || path[len(path)-1] != b {
			t.Fatalf("path %v, want %d hops from %d to %d", path, d, a, b)
		}
		for i := 1; i < len(path); i++ {
			if !slices.Contains(g.Neighbours(path[i-1]), path[i]) {
				t.Fatalf("path %v uses a non-edge", path)
			}
		}
		within := g.ShortestPathWithin(a, b, k)
		if (within != nil) != (d <= k) || within != nil && len(within)-1 > k {
			t.Fatalf("within %d: %v (distance %d)", k, within, d)
		}
	})
}

// TestPropStorePathMatchesGraph checks the store's filtered search
// against the CSR search on the same links.
func TestPropStorePathMatchesGraph(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(2, 25).Draw(t, "n")
		var links []network.Link
		for i := rapid.IntRange(0, 3*n).Draw(t, "m"); i > 0; i-- {
			u := rapid.IntRange(0, n-1).Draw(t, "u")
			v := rapid.IntRange(0, n-1).Draw(t, "v")
			if u != v {
				links = append(links, network.Link{From: person(string(rune('A' + u))), To: person(string(rune('A' + v))), Type: "associate", Source: "t"})
			}
		}
		s := network.NewMemStore()
		if _, err := s.AddLinks(ctx, links); err != nil {
			t.Fatal(err)
		}
		g, _ := s.Graph(ctx, nil)
		if g.N() < 2 {
			return
		}
		a := rapid.Int32Range(0, int32(g.N()-1)).Draw(t, "a")
		b := rapid.Int32Range(0, int32(g.N()-1)).Draw(t, "b")
		k := rapid.IntRange(1, 5).Draw(t, "k")
		want := g.ShortestPathWithin(a, b, k)
		got, err := s.Path(ctx, g.Entity(a), g.Entity(b), k, nil)
		if (err == nil) != (want != nil) || err == nil && len(got) != len(want)-1 {
			t.Fatalf("store path %v (%v), graph path %v", got, err, want)
		}
		if len(got) > k {
			t.Fatalf("path of %d links within %d hops", len(got), k)
		}
	})
}
