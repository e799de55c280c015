package network

import "slices"

// searchState is per-query scratch sized to the graph. Marks are epoch
// stamps, so a query costs what it visits, not O(N) to clear; states are
// pooled so that concurrent queries do not allocate N-sized arrays.
type searchState struct {
	epoch        uint32
	markA, markB []uint32
	parA, parB   []int32
}

func (g *Graph) state() *searchState {
	if s, ok := g.states.Get().(*searchState); ok {
		s.epoch++
		if s.epoch == 0 { // wrapped: old stamps could collide
			clear(s.markA)
			clear(s.markB)
			s.epoch = 1
		}
		return s
	}
	n := g.N()
	return &searchState{epoch: 1, markA: make([]uint32, n), markB: make([]uint32, n),
		parA: make([]int32, n), parB: make([]int32, n)}
}

// Neighbourhood returns the nodes within k hops of id in breadth-first
// order, starting with id itself, and each node's hop count. It stops
// once limit nodes are found (limit ≤ 0: no limit) and then reports
// truncated, so that a query touching a hub cannot take the whole graph.
// An id outside the graph yields nothing.
func (g *Graph) Neighbourhood(id int32, k, limit int) (nodes []int32, hops []int32, truncated bool) {
	if id < 0 || int(id) >= g.N() {
		return nil, nil, false
	}
	s := g.state()
	defer g.states.Put(s)
	ep := s.epoch
	nodes = append(nodes, id)
	hops = append(hops, 0)
	s.markA[id] = ep
	for head, level, levelEnd := 0, int32(0), 1; head < len(nodes) && int(level) < k; level++ {
		for ; head < levelEnd; head++ {
			v := nodes[head]
			for _, u := range g.adj[g.off[v]:g.off[v+1]] {
				if s.markA[u] == ep {
					continue
				}
				if limit > 0 && len(nodes) >= limit {
					return nodes, hops, true
				}
				s.markA[u] = ep
				nodes = append(nodes, u)
				hops = append(hops, level+1)
			}
		}
		levelEnd = len(nodes)
	}
	return nodes, hops, false
}

// ShortestPath returns a shortest path (fewest hops) from a to b as the ids
// along it, a first and b last; nil when b is unreachable from a. It
// searches from both ends, always growing the smaller frontier, which
// visits far fewer nodes than one-sided search in a small-world graph.
func (g *Graph) ShortestPath(a, b int32) []int32 {
	return g.ShortestPathWithin(a, b, -1)
}

// ShortestPathWithin is ShortestPath limited to paths of at most maxHops
// edges (maxHops < 0: unlimited); nil when there is none.
func (g *Graph) ShortestPathWithin(a, b int32, maxHops int) []int32 {
	n := int32(g.N())
	if a < 0 || b < 0 || a >= n || b >= n {
		return nil
	}
	if a == b {
		return []int32{a}
	}
	if maxHops == 0 {
		return nil
	}
	s := g.state()
	defer g.states.Put(s)
	ep := s.epoch
	s.markA[a], s.parA[a] = ep, -1
	s.markB[b], s.parB[b] = ep, -1
	fa, fb := []int32{a}, []int32{b}
	var next []int32
	hops := 0
	for len(fa) > 0 && len(fb) > 0 && (maxHops < 0 || hops < maxHops) {
		// Expand the side with the smaller frontier by one level.
		fromA := g.frontierCost(fa) <= g.frontierCost(fb)
		front, mark, par, other := fa, s.markA, s.parA, s.markB
		if !fromA {
			front, mark, par, other = fb, s.markB, s.parB, s.markA
		}
		next = next[:0]
		meet := int32(-1)
		for _, v := range front {
			for _, u := range g.adj[g.off[v]:g.off[v+1]] {
				if mark[u] == ep {
					continue
				}
				mark[u], par[u] = ep, v
				if other[u] == ep {
					meet = u
					break
				}
				next = append(next, u)
			}
			if meet >= 0 {
				break
			}
		}
		hops++
		if meet >= 0 {
			return joinPath(meet, s.parA, s.parB)
		}
		if fromA {
			fa = append(fa[:0:0], next...)
		} else {
			fb = append(fb[:0:0], next...)
		}
	}
	return nil
}

// frontierCost estimates the work of expanding a frontier: its total degree.
func (g *Graph) frontierCost(f []int32) int64 {
	var c int64
	for _, v := range f {
		c += g.off[v+1] - g.off[v]
		if c > 1<<40 {
			break
		}
	}
	return c
}

// joinPath walks the parent pointers from the meeting node back to a and
// forward to b.
func joinPath(meet int32, parA, parB []int32) []int32 {
	var path []int32
	for v := meet; v >= 0; v = parA[v] {
		path = append(path, v)
	}
	slices.Reverse(path)
	for v := parB[meet]; v >= 0; v = parB[v] {
		path = append(path, v)
	}
	return path
}
