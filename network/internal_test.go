package network

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func randomInternal(n, m int, seed uint64) *Graph {
	rng := rand.New(rand.NewPCG(seed, seed))
	b := NewBuilder()
	b.AddNodes(n)
	for range m {
		b.AddEdge(int32(rng.IntN(n)), int32(rng.IntN(n)), float32(1+rng.IntN(3)))
	}
	return b.Build()
}

func TestLocalityOrderIsPermutation(t *testing.T) {
	g := randomInternal(500, 700, 1)
	order := g.localityOrder()
	sorted := slices.Clone(order)
	slices.Sort(sorted)
	for i, v := range sorted {
		if v != int32(i) {
			t.Fatalf("order is not a permutation at %d", i)
		}
	}
	pg, inv := g.permute(order)
	if pg.Edges() != g.Edges() {
		t.Fatalf("edges %d, want %d", pg.Edges(), g.Edges())
	}
	for v := range int32(g.N()) {
		var want []int32
		for _, u := range g.Neighbours(v) {
			want = append(want, inv[u])
		}
		got := slices.Clone(pg.Neighbours(inv[v]))
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("node %d: neighbours %v, want %v", v, got, want)
		}
	}
}

func TestBetweennessRelabelledSameResult(t *testing.T) {
	g := randomInternal(300, 600, 2)
	direct := g.Betweenness(40, 9)
	exact := g.Betweenness(0, 0)
	old := reorderMin
	reorderMin = 1
	defer func() { reorderMin = old }()
	for name, pair := range map[string][2][]float64{
		"sampled": {direct, g.Betweenness(40, 9)},
		"exact":   {exact, g.Betweenness(0, 0)},
	} {
		for v := range pair[0] {
			if math.Abs(pair[0][v]-pair[1][v]) > 1e-9*max(1, pair[0][v]) {
				t.Fatalf("%s: node %d: %v relabelled, %v direct", name, v, pair[1][v], pair[0][v])
			}
		}
	}
}
