package network_test

import (
	"fmt"
	"slices"
	"testing"

	"tripline/network"
)

// cells is the hand-built network with known answers: two cells of five
// people, everyone in a cell linked to everyone else; a facilitator F
// linked to one member of each (a1, b1) and to F's own phone; and an
// unrelated pair x1–x2.
func cells(t testing.TB) (*network.Graph, func(string) int32) {
	b := network.NewBuilder()
	add := func(x, y network.Entity) {
		b.AddLink(network.Link{From: x, To: y, Type: network.LinkAssociate, Source: "case"})
	}
	for _, cell := range []string{"a", "b"} {
		for i := 1; i <= 5; i++ {
			for j := i + 1; j <= 5; j++ {
				add(person(fmt.Sprint(cell, i)), person(fmt.Sprint(cell, j)))
			}
		}
	}
	add(person("F"), person("a1"))
	add(person("F"), person("b1"))
	add(person("F"), network.Phone("+1 555 0100"))
	add(person("x1"), person("x2"))
	add(person("a2"), person("a1")) // a parallel link: merged, weight 2
	g := b.Build()
	id := func(k string) int32 {
		e := person(k)
		if k[0] == '+' {
			e = network.Phone(k)
		}
		v, ok := g.ID(e)
		if !ok {
			t.Fatalf("no node %s", k)
		}
		return v
	}
	return g, id
}

func TestCellsStructure(t *testing.T) {
	g, id := cells(t)
	if g.N() != 14 || g.Edges() != 10+10+3+1 {
		t.Fatalf("N, Edges = %d, %d; want 14, 24", g.N(), g.Edges())
	}
	if !g.Weighted() {
		t.Error("parallel link did not make the graph weighted")
	}
	a1 := id("a1")
	nb := g.Neighbours(a1)
	if !slices.IsSorted(nb) || len(nb) != 5 {
		t.Errorf("Neighbours(a1) = %v, want 5 sorted", nb)
	}
	if w := g.Weights(a1)[slices.Index(nb, id("a2"))]; w != 2 {
		t.Errorf("weight a1–a2 = %v, want 2 (two links summed)", w)
	}
	if g.Entity(id("F")) != person("F") {
		t.Errorf("Entity(F) = %v", g.Entity(id("F")))
	}
}

func TestCellsComponentsAndCores(t *testing.T) {
	g, id := cells(t)
	label, count := g.Components()
	if count != 2 {
		t.Fatalf("components = %d, want 2", count)
	}
	if label[id("a3")] != label[id("b5")] || label[id("a3")] == label[id("x1")] {
		t.Errorf("labels %v", label)
	}
	if got := network.ComponentSizes(label, count); !slices.Equal(got, []int{12, 2}) {
		t.Errorf("sizes = %v, want [12 2]", got)
	}
	core := g.KCore()
	for k, want := range map[string]int32{"a1": 4, "a5": 4, "b3": 4, "F": 2, "+15550100": 1, "x1": 1} {
		if got := core[id(k)]; got != want {
			t.Errorf("core(%s) = %d, want %d", k, got, want)
		}
	}
}

func TestCellsFacilitatorRanksFirst(t *testing.T) {
	g, id := cells(t)
	for _, samples := range []int{0, g.N()} {
		bc := g.Betweenness(samples, 1)
		best := int32(0)
		for v := range bc {
			if bc[v] > bc[best] {
				best = int32(v)
			}
		}
		if best != id("F") {
			t.Errorf("samples %d: top betweenness %v (%v), want F", samples, g.Entity(best), bc)
		}
		// F carries every shortest path between the cells (5 × 5 pairs)
		// and from its phone to the 10 cell members.
		if got, want := bc[id("F")], 25.0+10; got != want {
			t.Errorf("betweenness(F) = %v, want %v", got, want)
		}
		if bc[id("x1")] != 0 || bc[id("a3")] != 0 {
			t.Errorf("peripheral betweenness %v %v, want 0", bc[id("x1")], bc[id("a3")])
		}
	}
	// A sample of sources still puts F first.
	bc := g.Betweenness(6, 7)
	if slices.Index(bc, slices.Max(bc)) != int(id("F")) {
		t.Errorf("sampled: F not first: %v", bc)
	}
}

func TestCellsLouvain(t *testing.T) {
	g, id := cells(t)
	comm, q := g.Louvain(42)
	for _, cell := range []string{"a", "b"} {
		c := comm[id(cell+"1")]
		for i := 2; i <= 5; i++ {
			if comm[id(fmt.Sprint(cell, i))] != c {
				t.Errorf("%s%d not with %s1: %v", cell, i, cell, comm)
			}
		}
	}
	if comm[id("a1")] == comm[id("b1")] || comm[id("x1")] != comm[id("x2")] || comm[id("x1")] == comm[id("a1")] {
		t.Errorf("communities %v", comm)
	}
	if q < 0.5 || q != g.Modularity(comm) {
		t.Errorf("modularity %v (recomputed %v), want > 0.5", q, g.Modularity(comm))
	}
	again, _ := g.Louvain(42)
	if !slices.Equal(again, comm) {
		t.Error("Louvain not deterministic under one seed")
	}
}

func TestCellsShortestPath(t *testing.T) {
	g, id := cells(t)
	path := g.ShortestPath(id("a3"), id("b4"))
	want := []int32{id("a3"), id("a1"), id("F"), id("b1"), id("b4")}
	if !slices.Equal(path, want) {
		t.Errorf("path = %v, want %v", path, want)
	}
	if p := g.ShortestPathWithin(id("a3"), id("b4"), 3); p != nil {
		t.Errorf("path within 3 = %v, want none", p)
	}
	if p := g.ShortestPathWithin(id("a3"), id("b4"), 4); len(p) != 5 {
		t.Errorf("path within 4 = %v", p)
	}
	if p := g.ShortestPath(id("a3"), id("x1")); p != nil {
		t.Errorf("path across components = %v", p)
	}
	if p := g.ShortestPath(id("a3"), id("a3")); !slices.Equal(p, []int32{id("a3")}) {
		t.Errorf("path to self = %v", p)
	}
	nodes, hops, trunc := g.Neighbourhood(id("F"), 1, 0)
	if len(nodes) != 4 || trunc || hops[0] != 0 || hops[3] != 1 {
		t.Errorf("Neighbourhood(F,1) = %v %v %v", nodes, hops, trunc)
	}
	nodes, _, trunc = g.Neighbourhood(id("F"), 2, 6)
	if len(nodes) != 6 || !trunc {
		t.Errorf("capped Neighbourhood = %v, %v", nodes, trunc)
	}
}

func TestCellsPageRank(t *testing.T) {
	g, id := cells(t)
	pr := g.PageRank(0.85, 200, 1e-12)
	var sum float64
	for _, x := range pr {
		sum += x
	}
	if sum < 1-1e-9 || sum > 1+1e-9 {
		t.Errorf("sum = %v, want 1", sum)
	}
	if pr[id("a1")] <= pr[id("a3")] || pr[id("x1")] != pr[id("x2")] {
		t.Errorf("PageRank a1 %v a3 %v x1 %v x2 %v", pr[id("a1")], pr[id("a3")], pr[id("x1")], pr[id("x2")])
	}
}

func TestBuilderEdgeCases(t *testing.T) {
	g := network.NewBuilder().Build()
	if g.N() != 0 || g.PageRank(0, 0, 0) != nil {
		t.Error("empty graph")
	}
	if c, q := g.Louvain(1); len(c) != 0 || q != 0 {
		t.Error("empty Louvain")
	}
	b := network.NewBuilder()
	first := b.AddNodes(3)
	b.AddEdge(first, first, 1) // self-loop: dropped
	b.AddEdge(first, first+1, 1)
	g = b.Build()
	if g.N() != 3 || g.Edges() != 1 || g.Weighted() {
		t.Errorf("N %d Edges %d weighted %v", g.N(), g.Edges(), g.Weighted())
	}
	if _, n := g.Components(); n != 2 {
		t.Errorf("components = %d, want 2", n)
	}
	if c, q := g.Louvain(1); c[0] != c[1] || c[2] == c[0] || q != 0 {
		t.Errorf("Louvain = %v, %v", c, q)
	}
	if g.Entity(2) != (network.Entity{}) {
		t.Error("anonymous node has an entity")
	}
	if n, _, _ := g.Neighbourhood(99, 2, 0); n != nil {
		t.Error("out-of-range Neighbourhood")
	}
}
