package network

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"tripline"
)

// Snapshot is a CSR graph of the links one kind of caller may see, with
// the whole-graph analytics computed on it at most once each: PageRank,
// betweenness and Louvain cost seconds on a large graph, so they are
// shared by every query until the snapshot is rebuilt.
type Snapshot struct {
	Graph *Graph
	Built time.Time

	version uint64
	mu      sync.Mutex
	label   []int32
	ncomp   int
	rank    map[string][]float64
	comm    []int32
	modular float64
}

// maxSnapshots bounds the cache: one snapshot per kind of caller.
const maxSnapshots = 16

// Snapshot returns the analytics snapshot of the links allow lets through,
// cached under key (the caller's agency and role: callers with one key
// must see the same links). It is rebuilt when the links changed since it
// was built, but not more often than SnapshotEvery, and in any case once
// it is SnapshotMaxAge old: what a caller may see also changes with
// sharing groups, which the links do not know of.
func (s *Service) Snapshot(ctx context.Context, key string, allow Allow) (*Snapshot, error) {
	s.snapMu.Lock()
	defer s.snapMu.Unlock()
	now := s.Now()
	v := s.version.Load()
	if sn := s.snaps[key]; sn != nil {
		age := now.Sub(sn.Built)
		fresh := sn.version == v || age < s.SnapshotEvery
		if fresh && (s.SnapshotMaxAge <= 0 || age < s.SnapshotMaxAge) {
			return sn, nil
		}
	}
	g, err := s.Store.Graph(ctx, allow)
	if err != nil {
		return nil, err
	}
	sn := &Snapshot{Graph: g, Built: now, version: v, rank: map[string][]float64{}}
	if len(s.snaps) >= maxSnapshots {
		oldest := ""
		for k, x := range s.snaps {
			if oldest == "" || x.Built.Before(s.snaps[oldest].Built) {
				oldest = k
			}
		}
		delete(s.snaps, oldest)
	}
	s.snaps[key] = sn
	return sn, nil
}

// ComponentSummary describes the connected components of a snapshot.
type ComponentSummary struct {
	Nodes      int   `json:"nodes"`
	Edges      int64 `json:"edges"`
	Components int   `json:"components"`
	// Largest are the sizes of the largest components, largest first (at
	// most limit of them).
	Largest []int `json:"largest"`
	// Isolated counts entities with no visible link (components of one).
	Isolated int `json:"isolated"`
}

func (sn *Snapshot) components() ([]int32, int) {
	if sn.label == nil {
		sn.label, sn.ncomp = sn.Graph.Components()
	}
	return sn.label, sn.ncomp
}

// Components summarises the connected components: their count and the
// sizes of the limit largest (limit ≤ 0: 10).
func (sn *Snapshot) Components(limit int) ComponentSummary {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	if limit <= 0 {
		limit = 10
	}
	label, n := sn.components()
	sizes := ComponentSizes(label, n)
	out := ComponentSummary{Nodes: sn.Graph.N(), Edges: sn.Graph.Edges(), Largest: []int{}}
	for _, sz := range sizes {
		if sz == 1 {
			out.Isolated++
		} else {
			out.Components++
		}
	}
	slices.SortFunc(sizes, func(a, b int) int { return cmp.Compare(b, a) })
	for _, sz := range sizes {
		if sz < 2 || len(out.Largest) == limit {
			break
		}
		out.Largest = append(out.Largest, sz)
	}
	return out
}

// Ranked is an entity with its centrality score.
type Ranked struct {
	Entity Entity  `json:"entity"`
	ID     string  `json:"id"` // Entity.String()
	Score  float64 `json:"score"`
	Degree int     `json:"degree"`
}

// PersonKinds are the kinds ranked as facilitators by default: people,
// however the graph knows them (a document stands for its holder).
var PersonKinds = []EntityKind{KindPerson, KindListing, KindTraveller, KindDocument}

// BetweennessSamples is how many sources sampled betweenness uses on a
// graph larger than that; smaller graphs get the exact measure.
const BetweennessSamples = 512

// Facilitators ranks the entities of the given kinds (none: PersonKinds)
// by centrality, highest first, at most limit (≤ 0: 20). by is "pagerank"
// or "betweenness" (""): betweenness puts the broker between two cells on
// top; it is sampled on graphs larger than BetweennessSamples nodes.
// EINVALID for another measure.
func (sn *Snapshot) Facilitators(by string, kinds []EntityKind, limit int) ([]Ranked, error) {
	if by == "" {
		by = "betweenness"
	}
	if by != "pagerank" && by != "betweenness" {
		return nil, tripline.Errorf(tripline.EINVALID, "by: %q is not pagerank or betweenness", by)
	}
	if limit <= 0 {
		limit = 20
	}
	if len(kinds) == 0 {
		kinds = PersonKinds
	}
	sn.mu.Lock()
	score := sn.rank[by]
	if score == nil {
		if by == "pagerank" {
			score = sn.Graph.PageRank(0.85, 100, 1e-9)
		} else {
			samples := 0
			if sn.Graph.N() > BetweennessSamples {
				samples = BetweennessSamples
			}
			score = sn.Graph.Betweenness(samples, 1)
		}
		sn.rank[by] = score
	}
	sn.mu.Unlock()
	out := []Ranked{}
	for v := range int32(len(score)) {
		e := sn.Graph.Entity(v)
		if !slices.Contains(kinds, e.Kind) || sn.Graph.Degree(v) == 0 {
			continue
		}
		out = append(out, Ranked{Entity: e, ID: e.String(), Score: score[v], Degree: sn.Graph.Degree(v)})
	}
	slices.SortFunc(out, func(a, b Ranked) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Community is one community of a partition, with its members (the
// best-connected first, at most MaxMembers of them).
type Community struct {
	ID      int      `json:"id"`
	Size    int      `json:"size"`
	Members []string `json:"members"` // entity ids, highest degree first
}

// CommunitySummary is a Louvain partition of a snapshot.
type CommunitySummary struct {
	Count       int         `json:"count"` // communities of two or more entities
	Modularity  float64     `json:"modularity"`
	Communities []Community `json:"communities"`
}

// MaxMembers bounds the members listed per community.
const MaxMembers = 50

// Communities partitions the graph by Louvain (seed 1, so answers are
// stable) and returns the limit largest communities of two or more
// entities (limit ≤ 0: 20).
func (sn *Snapshot) Communities(limit int) CommunitySummary {
	if limit <= 0 {
		limit = 20
	}
	sn.mu.Lock()
	if sn.comm == nil {
		sn.comm, sn.modular = sn.Graph.Louvain(1)
	}
	comm, q := sn.comm, sn.modular
	sn.mu.Unlock()
	members := map[int32][]int32{}
	for v, c := range comm {
		if sn.Graph.Degree(int32(v)) > 0 {
			members[c] = append(members[c], int32(v))
		}
	}
	out := CommunitySummary{Modularity: q, Communities: []Community{}}
	for c, vs := range members {
		if len(vs) < 2 {
			continue
		}
		out.Count++
		slices.SortFunc(vs, func(a, b int32) int {
			if c := cmp.Compare(sn.Graph.Degree(b), sn.Graph.Degree(a)); c != 0 {
				return c
			}
			return cmp.Compare(sn.Graph.Entity(a).String(), sn.Graph.Entity(b).String())
		})
		cm := Community{ID: int(c), Size: len(vs), Members: []string{}}
		for _, v := range vs[:min(len(vs), MaxMembers)] {
			cm.Members = append(cm.Members, sn.Graph.Entity(v).String())
		}
		out.Communities = append(out.Communities, cm)
	}
	slices.SortFunc(out.Communities, func(a, b Community) int {
		if c := cmp.Compare(b.Size, a.Size); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if len(out.Communities) > limit {
		out.Communities = out.Communities[:limit]
	}
	return out
}

// CoTravelPair is two people who flew together on Flights distinct
// flights, as the snapshot's links show.
type CoTravelPair struct {
	A       string `json:"a"`
	B       string `json:"b"`
	Flights int    `json:"flights"`
}

// CoTravel finds people who shared at least minFlights (< 2: 2) flight
// nodes — the same flight number and date — in the snapshot, most flights
// first, at most limit (≤ 0: 100). Only people linked to at least
// minFlights flights are paired, which keeps it near-linear.
func (sn *Snapshot) CoTravel(minFlights, limit int) []CoTravelPair {
	if minFlights < 2 {
		minFlights = 2
	}
	if limit <= 0 {
		limit = 100
	}
	g := sn.Graph
	flights := func(v int32) int {
		n := 0
		for _, u := range g.Neighbours(v) {
			if g.Entity(u).Kind == KindFlight {
				n++
			}
		}
		return n
	}
	count := map[[2]int32]int{}
	frequent := map[int32]bool{}
	for f := range int32(g.N()) {
		if g.Entity(f).Kind != KindFlight {
			continue
		}
		var ps []int32
		for _, u := range g.Neighbours(f) {
			ok, seen := frequent[u]
			if !seen {
				ok = slices.Contains(PersonKinds, g.Entity(u).Kind) && flights(u) >= minFlights
				frequent[u] = ok
			}
			if ok {
				ps = append(ps, u)
			}
		}
		for x := range ps {
			for y := x + 1; y < len(ps); y++ {
				count[[2]int32{ps[x], ps[y]}]++
			}
		}
	}
	out := []CoTravelPair{}
	for k, n := range count {
		if n >= minFlights {
			a, b := g.Entity(k[0]).String(), g.Entity(k[1]).String()
			if b < a {
				a, b = b, a
			}
			out = append(out, CoTravelPair{A: a, B: b, Flights: n})
		}
	}
	slices.SortFunc(out, func(x, y CoTravelPair) int {
		if c := cmp.Compare(y.Flights, x.Flights); c != 0 {
			return c
		}
		if c := cmp.Compare(x.A, y.A); c != 0 {
			return c
		}
		return cmp.Compare(x.B, y.B)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}
