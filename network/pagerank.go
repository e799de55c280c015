package network

import (
	"math"
	"sort"
	"sync"
)

// PageRank returns each node's PageRank, summing to 1: the share of time a
// random walker spends at the node, following edges in proportion to
// their weights and jumping anywhere with probability 1-damping. Nodes
// without edges spread their rank evenly, as gonum's PageRank does.
// Iteration stops after iters rounds or when the L1 change drops below
// tol. Out-of-range arguments take the usual defaults: damping 0.85,
// 100 iterations, tol 1e-9. The pull step runs on all cores, split by
// edge count so that a hub does not leave one core idle.
func (g *Graph) PageRank(damping float64, iters int, tol float64) []float64 {
	n := g.N()
	if n == 0 {
		return nil
	}
	if damping <= 0 || damping >= 1 {
		damping = 0.85
	}
	if iters <= 0 {
		iters = 100
	}
	if tol <= 0 {
		tol = 1e-9
	}
	str := g.strength()
	pr := make([]float64, n)
	next := make([]float64, n)
	contrib := make([]float64, n)
	for i := range pr {
		pr[i] = 1 / float64(n)
	}
	chunks := g.edgeChunks(workers())
	diffs := make([]float64, len(chunks)-1)
	dangl := make([]float64, len(chunks)-1)
	for it := 0; it < iters; it++ {
		g.eachChunk(chunks, func(c, lo, hi int) {
			var d float64
			for v := lo; v < hi; v++ {
				if str[v] == 0 {
					d += pr[v]
					contrib[v] = 0
				} else {
					contrib[v] = pr[v] / str[v]
				}
			}
			dangl[c] = d
		})
		var dangling float64
		for _, d := range dangl {
			dangling += d
		}
		base := (1-damping)/float64(n) + damping*dangling/float64(n)
		g.eachChunk(chunks, func(c, lo, hi int) {
			var diff float64
			for v := lo; v < hi; v++ {
				var sum float64
				a, b := g.off[v], g.off[v+1]
				if g.w == nil {
					for _, u := range g.adj[a:b] {
						sum += contrib[u]
					}
				} else {
					ws := g.w[a:b]
					for i, u := range g.adj[a:b] {
						sum += contrib[u] * float64(ws[i])
					}
				}
				x := base + damping*sum
				next[v] = x
				diff += math.Abs(x - pr[v])
			}
			diffs[c] = diff
		})
		pr, next = next, pr
		var diff float64
		for _, d := range diffs {
			diff += d
		}
		if diff < tol {
			break
		}
	}
	return pr
}

// edgeChunks splits the nodes into p contiguous ranges with about equal
// numbers of adjacency entries (plus nodes, so empty nodes count too).
func (g *Graph) edgeChunks(p int) []int {
	n := g.N()
	if n < 4096 {
		p = 1
	}
	total := g.off[n] + int64(n)
	bounds := []int{0}
	for i := 1; i < p; i++ {
		target := total * int64(i) / int64(p)
		v := sort.Search(n, func(v int) bool { return g.off[v]+int64(v) >= target })
		bounds = append(bounds, max(v, bounds[len(bounds)-1]))
	}
	return append(bounds, n)
}

// eachChunk runs fn over each range of chunks concurrently.
func (g *Graph) eachChunk(chunks []int, fn func(c, lo, hi int)) {
	if len(chunks) == 2 {
		fn(0, chunks[0], chunks[1])
		return
	}
	var wg sync.WaitGroup
	for c := 0; c+1 < len(chunks); c++ {
		wg.Go(func() { fn(c, chunks[c], chunks[c+1]) })
	}
	wg.Wait()
}
