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

// TestParallelPathsMatchSerial covers the multi-core paths (graphs of
// 4,096 nodes and more): the row sorts of Build and PageRank's chunks.
func TestParallelPathsMatchSerial(t *testing.T) {
	g := randomInternal(10_000, 40_000, 3)
	if len(g.edgeChunks(2)) != 3 {
		t.Fatalf("chunks %v", g.edgeChunks(2))
	}
	for v := range int32(g.N()) {
		nb := g.Neighbours(v)
		for i := 1; i < len(nb); i++ {
			if nb[i-1] >= nb[i] {
				t.Fatalf("node %d: neighbours not sorted and unique: %v", v, nb)
			}
		}
	}
	// Reference PageRank, serial and plain.
	n := g.N()
	str := g.strength()
	pr := make([]float64, n)
	for i := range pr {
		pr[i] = 1 / float64(n)
	}
	for range 100 {
		next := make([]float64, n)
		var dangling float64
		for v := range n {
			if str[v] == 0 {
				dangling += pr[v]
			}
		}
		for v := range n {
			sum := 0.0
			for i, u := range g.Neighbours(int32(v)) {
				sum += pr[u] / str[u] * float64(g.Weights(int32(v))[i])
			}
			next[v] = 0.15/float64(n) + 0.85*(sum+dangling/float64(n))
		}
		pr = next
	}
	got := g.PageRank(0.85, 100, 1e-300)
	for v := range pr {
		if math.Abs(got[v]-pr[v]) > 1e-12 {
			t.Fatalf("PageRank[%d] = %v, serial %v", v, got[v], pr[v])
		}
	}
}
