package network_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/community"
	gnetwork "gonum.org/v1/gonum/graph/network"
	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/graph/topo"

	"tripline/network"
)

// randomGraph returns n nodes with edges from a planted partition — k
// groups, dense inside, sparse between — so that components, cores and
// communities are all non-trivial. Edges are listed once each.
func randomGraph(rng *rand.Rand, n, k int, pIn, pOut float64) [][2]int32 {
	var edges [][2]int32
	for u := 0; u < n; u++ {
		for v := u + 1; v < n; v++ {
			p := pOut
			if u%k == v%k {
				p = pIn
			}
			if rng.Float64() < p {
				edges = append(edges, [2]int32{int32(u), int32(v)})
			}
		}
	}
	return edges
}

func ours(n int, edges [][2]int32) *network.Graph {
	b := network.NewBuilder()
	b.AddNodes(n)
	for _, e := range edges {
		b.AddEdge(e[0], e[1], 1)
	}
	return b.Build()
}

func gonumUndirected(n int, edges [][2]int32) *simple.UndirectedGraph {
	g := simple.NewUndirectedGraph()
	for i := 0; i < n; i++ {
		g.AddNode(simple.Node(i))
	}
	for _, e := range edges {
		g.SetEdge(simple.Edge{F: simple.Node(e[0]), T: simple.Node(e[1])})
	}
	return g
}

func gonumDirected(n int, edges [][2]int32) *simple.DirectedGraph {
	g := simple.NewDirectedGraph()
	for i := 0; i < n; i++ {
		g.AddNode(simple.Node(i))
	}
	for _, e := range edges {
		g.SetEdge(simple.Edge{F: simple.Node(e[0]), T: simple.Node(e[1])})
		g.SetEdge(simple.Edge{F: simple.Node(e[1]), T: simple.Node(e[0])})
	}
	return g
}

type gonumCase struct {
	name  string
	n     int
	edges [][2]int32
}

func gonumCases() []gonumCase {
	rng := rand.New(rand.NewPCG(8, 8))
	var cs []gonumCase
	for i, p := range []struct {
		n, k      int
		pIn, pOut float64
	}{{12, 2, 0.6, 0.05}, {30, 3, 0.4, 0.02}, {60, 4, 0.3, 0.01}, {80, 5, 0.05, 0.01}, {100, 4, 0.25, 0.02}} {
		cs = append(cs, gonumCase{name: string(rune('A' + i)), n: p.n, edges: randomGraph(rng, p.n, p.k, p.pIn, p.pOut)})
	}
	return cs
}

func TestGonumComponents(t *testing.T) {
	for _, c := range gonumCases() {
		label, count := ours(c.n, c.edges).Components()
		cc := topo.ConnectedComponents(gonumUndirected(c.n, c.edges))
		if count != len(cc) {
			t.Errorf("%s: %d components, gonum %d", c.name, count, len(cc))
			continue
		}
		for _, comp := range cc {
			for _, nd := range comp {
				if label[nd.ID()] != label[comp[0].ID()] {
					t.Errorf("%s: node %d split from its gonum component", c.name, nd.ID())
				}
			}
		}
	}
}

func TestGonumKCore(t *testing.T) {
	for _, c := range gonumCases() {
		core := ours(c.n, c.edges).KCore()
		ug := gonumUndirected(c.n, c.edges)
		for k := 1; k <= int(slices.Max(core))+1; k++ {
			var want []int64
			for _, nd := range topo.KCore(k, ug) {
				want = append(want, nd.ID())
			}
			slices.Sort(want)
			var got []int64
			for v, x := range core {
				if int(x) >= k {
					got = append(got, int64(v))
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: %d-core = %v, gonum %v", c.name, k, got, want)
			}
		}
	}
}

func TestGonumPageRank(t *testing.T) {
	for _, c := range gonumCases() {
		pr := ours(c.n, c.edges).PageRank(0.85, 1000, 1e-15)
		want := gnetwork.PageRank(gonumDirected(c.n, c.edges), 0.85, 1e-12)
		for v, x := range pr {
			if d := math.Abs(x - want[int64(v)]); d > 1e-6 {
				t.Errorf("%s: PageRank[%d] = %v, gonum %v", c.name, v, x, want[int64(v)])
			}
		}
	}
}

func TestGonumBetweenness(t *testing.T) {
	for _, c := range gonumCases() {
		bc := ours(c.n, c.edges).Betweenness(0, 0)
		want := gnetwork.Betweenness(gonumUndirected(c.n, c.edges))
		for v, x := range bc {
			// gonum counts each pair from both ends.
			if d := math.Abs(x - want[int64(v)]/2); d > 1e-9*max(1, x) {
				t.Errorf("%s: betweenness[%d] = %v, gonum/2 %v", c.name, v, x, want[int64(v)]/2)
			}
		}
	}
}

func TestGonumSampledBetweennessEstimates(t *testing.T) {
	// Sampling half the sources, averaged over seeds, lands near exact.
	rng := rand.New(rand.NewPCG(3, 3))
	edges := randomGraph(rng, 200, 4, 0.1, 0.01)
	g := ours(200, edges)
	exact := g.Betweenness(0, 0)
	avg := make([]float64, g.N())
	const runs = 40
	for seed := range runs {
		for v, x := range g.Betweenness(100, int64(seed)) {
			avg[v] += x / runs
		}
	}
	var errSum, sum float64
	for v := range exact {
		errSum += math.Abs(avg[v] - exact[v])
		sum += exact[v]
	}
	if errSum/sum > 0.05 {
		t.Errorf("sampled estimate off by %.1f%% in L1", 100*errSum/sum)
	}
}

func TestGonumLouvainModularity(t *testing.T) {
	for _, c := range gonumCases() {
		g := ours(c.n, c.edges)
		ug := gonumUndirected(c.n, c.edges)
		comm, q := g.Louvain(1)
		// Our modularity agrees with gonum's Q for our partition…
		groups := make([][]graph.Node, slices.Max(comm)+1)
		for v, x := range comm {
			groups[x] = append(groups[x], simple.Node(v))
		}
		if gq := community.Q(ug, groups, 1); math.Abs(gq-q) > 1e-9 {
			t.Errorf("%s: our Q %v, gonum's Q of our partition %v", c.name, q, gq)
		}
		// …and our partition is about as good as gonum's Louvain.
		best := math.Inf(-1)
		for seed := range 3 {
			r := community.Modularize(ug, 1, rand.NewPCG(uint64(seed), 1))
			best = max(best, community.Q(ug, r.Communities(), 1))
		}
		if q < best-0.02 {
			t.Errorf("%s: our modularity %v below gonum's %v", c.name, q, best)
		}
	}
}

func TestGonumWeightedPageRankAndModularity(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, c := range gonumCases() {
		b := network.NewBuilder()
		b.AddNodes(c.n)
		wd := simple.NewWeightedDirectedGraph(0, 0)
		wu := simple.NewWeightedUndirectedGraph(0, 0)
		for i := 0; i < c.n; i++ {
			wd.AddNode(simple.Node(i))
			wu.AddNode(simple.Node(i))
		}
		for _, e := range c.edges {
			w := float64(1 + rng.IntN(4)) // small integers: exact in float32
			b.AddEdge(e[0], e[1], float32(w))
			wd.SetWeightedEdge(simple.WeightedEdge{F: simple.Node(e[0]), T: simple.Node(e[1]), W: w})
			wd.SetWeightedEdge(simple.WeightedEdge{F: simple.Node(e[1]), T: simple.Node(e[0]), W: w})
			wu.SetWeightedEdge(simple.WeightedEdge{F: simple.Node(e[0]), T: simple.Node(e[1]), W: w})
		}
		g := b.Build()
		pr := g.PageRank(0.85, 1000, 1e-15)
		want := gnetwork.PageRank(wd, 0.85, 1e-12)
		for v, x := range pr {
			if d := math.Abs(x - want[int64(v)]); d > 1e-6 {
				t.Errorf("%s: weighted PageRank[%d] = %v, gonum %v", c.name, v, x, want[int64(v)])
			}
		}
		comm, q := g.Louvain(3)
		groups := make([][]graph.Node, slices.Max(comm)+1)
		for v, x := range comm {
			groups[x] = append(groups[x], simple.Node(v))
		}
		if gq := community.Q(wu, groups, 1); math.Abs(gq-q) > 1e-9 {
			t.Errorf("%s: weighted Q %v, gonum %v", c.name, q, gq)
		}
		r := community.Modularize(wu, 1, rand.NewPCG(1, 1))
		if best := community.Q(wu, r.Communities(), 1); q < best-0.02 {
			t.Errorf("%s: weighted modularity %v below gonum's %v", c.name, q, best)
		}
	}
}
