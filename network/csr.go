package network

import (
	"hash/maphash"
	"math"
	"runtime"
	"slices"
	"sync"
)

// Builder collects entities and edges for a Graph. It interns each Entity
// to a dense int32 id so that the analytics work on arrays, not maps. A
// Builder is not safe for concurrent use and is spent by Build.
type Builder struct {
	index    map[Entity]int32
	ents     []Entity
	n        int32
	src, dst []int32
	w        []float32
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder {
	return &Builder{index: make(map[Entity]int32)}
}

// Grow reserves room for about nodes entities and edges edges, to avoid
// re-allocation while loading a known-size graph.
func (b *Builder) Grow(nodes, edges int) {
	if len(b.index) == 0 {
		b.index = make(map[Entity]int32, nodes)
	}
	b.ents = slices.Grow(b.ents, nodes)
	b.src = slices.Grow(b.src, edges)
	b.dst = slices.Grow(b.dst, edges)
	b.w = slices.Grow(b.w, edges)
}

// Intern returns e's id, adding it as a node if it is new.
func (b *Builder) Intern(e Entity) int32 {
	if id, ok := b.index[e]; ok {
		return id
	}
	id := b.n
	b.index[e] = id
	for int32(len(b.ents)) < id {
		b.ents = append(b.ents, Entity{}) // anonymous nodes from AddNodes
	}
	b.ents = append(b.ents, e)
	b.n++
	return id
}

// AddNodes adds n anonymous nodes and returns the id of the first; the
// benchmarks and tests use them to build graphs without entity keys.
func (b *Builder) AddNodes(n int) int32 {
	first := b.n
	b.n += int32(n)
	return first
}

// AddEdge adds an undirected edge between two ids of this builder with
// weight w, which should be positive: PageRank and Louvain read weights
// as strengths. Parallel edges are merged by Build, summing weights;
// self-loops are dropped because no analysis here gives them meaning. It
// panics on an id the builder did not hand out, a programming error.
func (b *Builder) AddEdge(u, v int32, w float32) {
	if u < 0 || v < 0 || u >= b.n || v >= b.n {
		panic("network: AddEdge id out of range")
	}
	b.src = append(b.src, u)
	b.dst = append(b.dst, v)
	b.w = append(b.w, w)
}

// AddLink interns both ends of l and adds it as an edge of weight l.W().
func (b *Builder) AddLink(l Link) {
	b.AddEdge(b.Intern(l.From), b.Intern(l.To), float32(l.W()))
}

// Graph is an immutable undirected graph in compressed sparse row form:
// the neighbours of v are adj[off[v]:off[v+1]], sorted, without
// duplicates or self-loops. It is safe for concurrent use.
type Graph struct {
	off   []int64
	adj   []int32
	w     []float32 // parallel to adj; nil when every weight is 1
	ents  []Entity  // id → entity; shorter than N for anonymous nodes
	index map[Entity]int32
	names *storeNames // instead of ents and index, in a graph a MemStore built

	states sync.Pool // *searchState, reused by traversals
}

// Build returns the Graph of everything added. The Builder must not be
// used afterwards: its edge lists are released to keep peak memory down.
func (b *Builder) Build() *Graph {
	n := int(b.n)
	g := &Graph{ents: b.ents, index: b.index}
	deg := make([]int64, n+1)
	for i := range b.src {
		if b.src[i] != b.dst[i] {
			deg[b.src[i]]++
			deg[b.dst[i]]++
		}
	}
	off := make([]int64, n+1)
	for v := 0; v < n; v++ {
		off[v+1] = off[v] + deg[v]
	}
	// Pack (neighbour, weight) into one uint64 so that one fast integer
	// sort per row orders neighbours and carries weights along.
	packed := make([]uint64, off[n])
	pos := deg[:n]
	copy(pos, off[:n])
	for i := range b.src {
		u, v := b.src[i], b.dst[i]
		if u == v {
			continue
		}
		wb := uint64(math.Float32bits(b.w[i]))
		packed[pos[u]] = uint64(v)<<32 | wb
		pos[u]++
		packed[pos[v]] = uint64(u)<<32 | wb
		pos[v]++
	}
	b.src, b.dst, b.w = nil, nil, nil
	parallelRange(n, func(lo, hi int) {
		for v := lo; v < hi; v++ {
			slices.Sort(packed[off[v]:off[v+1]])
		}
	})
	adj := make([]int32, len(packed))
	w := make([]float32, len(packed))
	var k int64
	unit := true
	for v := 0; v < n; v++ {
		start := k
		for i := off[v]; i < off[v+1]; i++ {
			nb := int32(packed[i] >> 32)
			wt := math.Float32frombits(uint32(packed[i]))
			if k > start && adj[k-1] == nb {
				w[k-1] += wt
			} else {
				adj[k], w[k] = nb, wt
				k++
			}
		}
		off[v] = start
		for i := start; i < k; i++ {
			unit = unit && w[i] == 1
		}
	}
	off[n] = k
	g.off = off
	g.adj = slices.Clip(adj[:k])
	if !unit {
		g.w = slices.Clip(w[:k])
	}
	if k < int64(len(packed))*3/4 {
		// Many duplicates: give the slack back.
		g.adj = slices.Clone(g.adj)
		if g.w != nil {
			g.w = slices.Clone(g.w)
		}
	}
	return g
}

// N returns the number of nodes; ids run from 0 to N-1.
func (g *Graph) N() int { return len(g.off) - 1 }

// Edges returns the number of distinct undirected edges.
func (g *Graph) Edges() int64 { return int64(len(g.adj)) / 2 }

// Degree returns the number of distinct neighbours of v.
func (g *Graph) Degree(v int32) int { return int(g.off[v+1] - g.off[v]) }

// Neighbours returns v's neighbours in ascending order. The slice belongs
// to the graph and must not be modified.
func (g *Graph) Neighbours(v int32) []int32 { return g.adj[g.off[v]:g.off[v+1]] }

// Weights returns the weights parallel to Neighbours(v), or nil when the
// graph is unweighted (every weight 1).
func (g *Graph) Weights(v int32) []float32 {
	if g.w == nil {
		return nil
	}
	return g.w[g.off[v]:g.off[v+1]]
}

// Weighted reports whether some edge weight differs from 1.
func (g *Graph) Weighted() bool { return g.w != nil }

// ID returns the id of entity e, and false when e is not in the graph.
func (g *Graph) ID(e Entity) (int32, bool) {
	if g.names != nil {
		return g.names.id(e, g.N())
	}
	id, ok := g.index[e]
	return id, ok
}

// Entity returns the entity of id, or the zero Entity for an anonymous node.
func (g *Graph) Entity(id int32) Entity {
	if g.names != nil && id >= 0 && int(id) < g.N() {
		return g.names.entity(id)
	}
	if int(id) < len(g.ents) {
		return g.ents[id]
	}
	return Entity{}
}

// Bytes returns the memory held by the adjacency arrays (not the entity
// index), the figure to compare with other graph engines.
func (g *Graph) Bytes() int64 {
	return int64(len(g.off))*8 + int64(len(g.adj))*4 + int64(len(g.w))*4
}

// strength returns the weighted degree of every node.
func (g *Graph) strength() []float64 {
	s := make([]float64, g.N())
	for v := range s {
		if g.w == nil {
			s[v] = float64(g.off[v+1] - g.off[v])
			continue
		}
		var sum float64
		for _, x := range g.w[g.off[v]:g.off[v+1]] {
			sum += float64(x)
		}
		s[v] = sum
	}
	return s
}

// workers is how many goroutines the parallel algorithms use.
func workers() int { return max(1, runtime.GOMAXPROCS(0)) }

// parallelRange splits [0,n) into one contiguous chunk per worker and runs
// fn on each concurrently; small inputs run inline, where goroutines cost
// more than they save.
func parallelRange(n int, fn func(lo, hi int)) {
	p := workers()
	if p == 1 || n < 4096 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for i := 0; i < p; i++ {
		lo, hi := n*i/p, n*(i+1)/p
		wg.Go(func() { fn(lo, hi) })
	}
	wg.Wait()
}

// permute returns g with node i of the result being node order[i] of g,
// and inv mapping old ids to new.
func (g *Graph) permute(order []int32) (pg *Graph, inv []int32) {
	n := g.N()
	inv = make([]int32, n)
	for i, v := range order {
		inv[v] = int32(i)
	}
	pg = &Graph{off: make([]int64, n+1), adj: make([]int32, len(g.adj))}
	if g.w != nil {
		pg.w = make([]float32, len(g.w))
	}
	for i, v := range order {
		a, b := g.off[v], g.off[v+1]
		start := pg.off[i]
		for x := a; x < b; x++ {
			pg.adj[start+x-a] = inv[g.adj[x]]
		}
		if g.w != nil {
			copy(pg.w[start:], g.w[a:b])
		}
		pg.off[i+1] = start + b - a
	}
	return pg, inv
}

// localityOrder returns the nodes in breadth-first order, starting from
// the highest-degree node of each component, so that nodes searched
// together sit together in memory. On a million-node graph this makes
// each breadth-first search about 1.5× faster: it is bound by cache
// misses, not arithmetic.
func (g *Graph) localityOrder() []int32 {
	n := g.N()
	// Nodes by degree, descending (counting sort: degrees are small ints).
	maxDeg := 0
	for v := range n {
		maxDeg = max(maxDeg, g.Degree(int32(v)))
	}
	cnt := make([]int32, maxDeg+2)
	for v := range n {
		cnt[maxDeg-g.Degree(int32(v))+1]++
	}
	for d := 1; d < len(cnt); d++ {
		cnt[d] += cnt[d-1]
	}
	byDeg := make([]int32, n)
	for v := range n {
		d := maxDeg - g.Degree(int32(v))
		byDeg[cnt[d]] = int32(v)
		cnt[d]++
	}
	seen := make([]bool, n)
	order := make([]int32, 0, n)
	for _, s := range byDeg {
		if seen[s] {
			continue
		}
		seen[s] = true
		head := len(order)
		order = append(order, s)
		for ; head < len(order); head++ {
			for _, u := range g.Neighbours(order[head]) {
				if !seen[u] {
					seen[u] = true
					order = append(order, u)
				}
			}
		}
	}
	return order
}

// storeNames names the nodes of a Graph a MemStore built by reading the
// store's entities and strings as of the build (append-only, see strView)
// instead of holding a copy of every Entity and a map of them: a cached
// analytics snapshot of a million-entity store costs its CSR and about
// a dozen bytes a node more, not a hundred.
type storeNames struct {
	ents []ent // the store's entities as of the build
	strs strView
	ids  []int32 // graph id → store entity id; nil: the same
	seed maphash.Seed
	once sync.Once
	ix   idIndex // graph ids by entity, built by the first ID
}

func (x *storeNames) entity(id int32) Entity {
	if x.ids != nil {
		id = x.ids[id]
	}
	e := x.ents[id]
	return Entity{Kind: e.kind(), Key: x.strs.at(e.loc())}
}

func (x *storeNames) hash(e Entity) uint64 {
	k, _ := kindIndex(e.Kind)
	return maphash.String(x.seed, e.Key) ^ mix64(uint64(k)+1)
}

// id returns the graph id of e among the n nodes.
func (x *storeNames) id(e Entity, n int) (int32, bool) {
	x.once.Do(func() {
		x.seed = maphash.MakeSeed()
		size := 64
		for n*8 > size*5 {
			size *= 2
		}
		x.ix.fill(size, n, func(id uint32) uint64 { return x.hash(x.entity(int32(id))) }, 0)
	})
	if _, ok := kindIndex(e.Kind); !ok {
		return -1, false
	}
	id, _, ok := x.ix.find(x.hash(e), func(id uint32) bool { return x.entity(int32(id)) == e })
	if !ok {
		return -1, false
	}
	return int32(id), true
}
