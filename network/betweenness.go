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
// searches instead of N. Sources are spread over all cores. The result is
// deterministic for a given seed and core count.
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
	// Large graphs are searched in a copy relabelled for locality; the
	// sources were drawn in the caller's ids, so a seed means the same
	// sample either way.
	sg := g
	var inv []int32
	if n >= reorderMin && len(sources) >= 8 {
		sg, inv = g.permute(g.localityOrder())
		for i, s := range sources {
			sources[i] = inv[s]
		}
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
				st.run(sg, sources[i], acc)
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
	if inv != nil {
		out := make([]float64, n)
		for v := range out {
			out[v] = bc[inv[v]]
		}
		return out
	}
	return bc
}

// reorderMin is the graph size from which Betweenness relabels for
// locality; below it the graph fits in cache anyway. A variable so that
// tests can exercise the relabelled path on small graphs.
var reorderMin = 1 << 16

// brandes is one worker's scratch for single-source dependency sums.
// Distances are a compact array of their own because most neighbour
// visits only test a distance; path count and dependency, read together,
// share one entry so that a successor costs one cache miss, not two.
type brandes struct {
	dist  []int32
	sd    []sigmaDelta
	order []int32
}

type sigmaDelta struct {
	sigma float64 // number of shortest paths from the source
	delta float64 // dependency of the source on this node
}

func newBrandes(n int) *brandes {
	b := &brandes{dist: make([]int32, n), sd: make([]sigmaDelta, n)}
	for i := range b.dist {
		b.dist[i] = -1
	}
	return b
}

// run adds the dependencies of source s to acc. While unwinding, each
// node pulls from its successors (neighbours one hop further) instead of
// pushing to stored predecessors: no per-node lists, and every write
// stays local.
func (b *brandes) run(g *Graph, s int32, acc []float64) {
	dist, sd := b.dist, b.sd
	b.order = append(b.order[:0], s)
	dist[s], sd[s].sigma = 0, 1
	for head := 0; head < len(b.order); head++ {
		v := b.order[head]
		dv, sv := dist[v], sd[v].sigma
		for _, u := range g.adj[g.off[v]:g.off[v+1]] {
			du := dist[u]
			if du < 0 {
				dist[u], du = dv+1, dv+1
				b.order = append(b.order, u)
			}
			if du == dv+1 {
				sd[u].sigma += sv
			}
		}
	}
	// Nodes on the last level, and leaves, have no successors: their
	// dependency is 0 and their adjacency need not be scanned again.
	last := dist[b.order[len(b.order)-1]]
	for i := len(b.order) - 1; i > 0; i-- {
		v := b.order[i]
		dv := dist[v]
		if dv == last || g.off[v+1]-g.off[v] == 1 {
			continue
		}
		var sum float64
		for _, w := range g.adj[g.off[v]:g.off[v+1]] {
			if dist[w] == dv+1 {
				sum += (1 + sd[w].delta) / sd[w].sigma
			}
		}
		d := sd[v].sigma * sum
		sd[v].delta = d
		acc[v] += d
	}
	for _, v := range b.order {
		dist[v], sd[v] = -1, sigmaDelta{}
	}
}
