package network

import (
	"math/rand/v2"
	"sync"
)

// Betweenness returns each node's betweenness centrality: over all
// unordered pairs of other nodes, the fraction of their shortest paths
// (in hops; weights are ignored) that run through the node. It is the
// measure that puts a facilitator bridging two cells on top.
//
// With samples ≤ 0 or ≥ N every node is a source and the result is exact
// (Brandes 2001) — half of gonum's network.Betweenness, which counts each
// pair once in each direction. Otherwise samples sources are drawn
// uniformly with seed and the sums are scaled by N/samples, an unbiased
// estimate (Brandes & Pich 2007) whose cost is samples breadth-first
// searches instead of N. Sources are spread over all cores.
func (g *Graph) Betweenness(samples int, seed int64) []float64 {
	n := g.N()
	bc := make([]float64, n)
	if n == 0 {
		return bc
	}
	var sources []int32
	scale := 0.5 // each unordered pair is seen from both ends
	if samples <= 0 || samples >= n {
		sources = make([]int32, n)
		for i := range sources {
			sources[i] = int32(i)
		}
	} else {
		rng := rand.New(rand.NewPCG(uint64(seed), 0x6a09e667f3bcc909))
		// Partial Fisher–Yates over an index map: distinct sources
		// without an N-sized permutation.
		picked := make(map[int32]int32, samples)
		at := func(i int32) int32 {
			if v, ok := picked[i]; ok {
				return v
			}
			return i
		}
		for i := 0; i < samples; i++ {
			j := int32(i) + int32(rng.IntN(n-i))
			vi, vj := at(int32(i)), at(j)
			picked[j] = vi
			sources = append(sources, vj)
		}
		scale *= float64(n) / float64(samples)
	}
	p := min(workers(), len(sources))
	partial := make([][]float64, p)
	var wg sync.WaitGroup
	for w := 0; w < p; w++ {
		wg.Go(func() {
			acc := bc
			if w > 0 {
				acc = make([]float64, n)
			}
			partial[w] = acc
			st := newBrandes(n)
			// Strided assignment: deterministic for a given core count.
			for i := w; i < len(sources); i += p {
				st.run(g, sources[i], acc)
			}
		})
	}
	wg.Wait()
	for _, acc := range partial[1:] {
		for v, x := range acc {
			bc[v] += x
		}
	}
	for v := range bc {
		bc[v] *= scale
	}
	return bc
}

// brandes is one worker's scratch for single-source dependency sums.
type brandes struct {
	dist  []int32
	sigma []float64
	delta []float64
	order []int32
}

func newBrandes(n int) *brandes {
	b := &brandes{dist: make([]int32, n), sigma: make([]float64, n), delta: make([]float64, n)}
	for i := range b.dist {
		b.dist[i] = -1
	}
	return b
}

// run adds the dependencies of source s to acc. Predecessors are found
// again from dist while unwinding instead of being stored, which saves a
// list per node at the cost of a second scan of each adjacency.
func (b *brandes) run(g *Graph, s int32, acc []float64) {
	b.order = append(b.order[:0], s)
	b.dist[s], b.sigma[s] = 0, 1
	for head := 0; head < len(b.order); head++ {
		v := b.order[head]
		dv := b.dist[v]
		for _, u := range g.adj[g.off[v]:g.off[v+1]] {
			if b.dist[u] < 0 {
				b.dist[u] = dv + 1
				b.order = append(b.order, u)
			}
			if b.dist[u] == dv+1 {
				b.sigma[u] += b.sigma[v]
			}
		}
	}
	for i := len(b.order) - 1; i > 0; i-- {
		w := b.order[i]
		dw := b.dist[w]
		coef := (1 + b.delta[w]) / b.sigma[w]
		for _, v := range g.adj[g.off[w]:g.off[w+1]] {
			if b.dist[v] == dw-1 {
				b.delta[v] += b.sigma[v] * coef
			}
		}
		acc[w] += b.delta[w]
	}
	for _, v := range b.order {
		b.dist[v], b.sigma[v], b.delta[v] = -1, 0, 0
	}
}
