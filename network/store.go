package network

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"tripline"
)

// Allow is the policy layer's filter: it reports whether the caller may
// see (and so traverse) a link, typically by the handling rules of
// l.Listing. A nil Allow allows everything. Queries never pass through a
// link the caller may not see, so a hidden link cannot leak as a path.
type Allow func(l Link) bool

// Store holds links with their provenance and answers per-case queries.
// It is the contract a persistent store will implement too; MemStore is
// the in-memory implementation.
type Store interface {
	// AddLinks adds links, returning how many were new. A link equal to a
	// stored one in from, to, type, source and listing replaces it (its
	// time and weight are updated), so re-importing a source is
	// idempotent. An invalid link fails the whole call with EINVALID,
	// naming its index.
	AddLinks(ctx context.Context, links []Link) (added int, err error)
	// RemoveSource removes every link of source, returning how many;
	// re-importing a source is RemoveSource then AddLinks.
	RemoveSource(ctx context.Context, source string) (removed int, err error)
	// Links returns the allowed links touching e, in insertion order.
	Links(ctx context.Context, e Entity, allow Allow) ([]Link, error)
	// Neighbourhood returns the entities within k hops of e through
	// allowed links, at most limit of them (limit ≤ 0: no limit), and the
	// links that reach them. ErrNotFound when e has no links.
	Neighbourhood(ctx context.Context, e Entity, k, limit int, allow Allow) (*Subgraph, error)
	// Path returns the links of a shortest path from a to b through
	// allowed links of at most maxHops links (maxHops < 0: any length),
	// in order from a. ErrNotFound when there is none.
	Path(ctx context.Context, a, b Entity, maxHops int, allow Allow) ([]Link, error)
	// Flag is the screening flag: see MemStore.Flag.
	Flag(ctx context.Context, from []Entity, k int, isListed func(Entity) (listing string, ok bool), allow Allow) (FlagResult, bool, error)
	// Graph returns a CSR snapshot of the allowed links for whole-graph
	// analytics.
	Graph(ctx context.Context, allow Allow) (*Graph, error)
}

var _ Store = (*MemStore)(nil)

// DefaultFlagHops is the screening flag's reach when the caller gives none:
// a traveller sharing a phone with a listed person is 2 hops from them.
const DefaultFlagHops = 2

// FlagLinkType reports whether links of type typ may carry the screening
// flag: contact (phone, email, address), booking and co-travel links. An
// identity link (document) is the matcher's business, and on_flight,
// associate and analyst links are too broad or too soft to stop a
// traveller on.
func FlagLinkType(typ string) bool {
	switch typ {
	case LinkHasPhone, LinkHasEmail, LinkHasAddress, LinkSharedContact,
		LinkHasBooking, LinkSameBooking, LinkCoTravel, LinkAdjacentSeat:
		return true
	}
	return false
}

type linkKey struct {
	from, to             int32
	typ, source, listing string
}

// MemStore is the in-memory Store. Each entity keeps the list of its link
// indexes (incremental adjacency), so k-hop queries never wait for a CSR
// rebuild; the CSR for analytics is rebuilt lazily after changes. It is
// safe for concurrent use.
type MemStore struct {
	mu       sync.RWMutex
	ids      map[Entity]int32
	ents     []Entity
	adj      [][]int32 // entity id → indexes of its live links
	links    []Link
	ends     [][2]int32
	live     []bool
	free     []int32
	nlive    int
	byKey    map[linkKey]int32
	bySource map[string][]int32
	graph    *Graph // CSR of every live link; nil when stale
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{ids: make(map[Entity]int32), byKey: make(map[linkKey]int32),
		bySource: make(map[string][]int32)}
}

// Len returns the number of stored links.
func (s *MemStore) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.nlive
}

func (s *MemStore) intern(e Entity) int32 {
	if id, ok := s.ids[e]; ok {
		return id
	}
	id := int32(len(s.ents))
	s.ids[e] = id
	s.ents = append(s.ents, e)
	s.adj = append(s.adj, nil)
	return id
}

// AddLinks implements Store. Entity keys are canonicalised on the way in.
func (s *MemStore) AddLinks(ctx context.Context, links []Link) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	for i := range links {
		l := links[i]
		l.From, l.To = l.From.Canonical(), l.To.Canonical()
		if err := l.Validate(); err != nil {
			return 0, tripline.Errorf(tripline.EINVALID, "links[%d].%s", i, tripline.ErrorMessage(err))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	added := 0
	for _, l := range links {
		l.From, l.To = l.From.Canonical(), l.To.Canonical()
		l.At = l.At.UTC()
		a, b := s.intern(l.From), s.intern(l.To)
		k := linkKey{a, b, l.Type, l.Source, l.Listing}
		if i, ok := s.byKey[k]; ok {
			s.links[i] = l
			continue
		}
		var i int32
		if n := len(s.free); n > 0 {
			i, s.free = s.free[n-1], s.free[:n-1]
			s.links[i], s.ends[i], s.live[i] = l, [2]int32{a, b}, true
		} else {
			i = int32(len(s.links))
			s.links = append(s.links, l)
			s.ends = append(s.ends, [2]int32{a, b})
			s.live = append(s.live, true)
		}
		s.byKey[k] = i
		s.bySource[l.Source] = append(s.bySource[l.Source], i)
		s.adj[a] = append(s.adj[a], i)
		s.adj[b] = append(s.adj[b], i)
		s.nlive++
		added++
	}
	if added > 0 || len(links) > 0 {
		s.graph = nil // weights may have changed too
	}
	return added, nil
}

// RemoveSource implements Store.
func (s *MemStore) RemoveSource(ctx context.Context, source string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	idx := s.bySource[source]
	delete(s.bySource, source)
	for _, i := range idx {
		l, e := s.links[i], s.ends[i]
		delete(s.byKey, linkKey{e[0], e[1], l.Type, l.Source, l.Listing})
		for _, v := range e {
			if j := slices.Index(s.adj[v], i); j >= 0 {
				s.adj[v] = slices.Delete(s.adj[v], j, j+1)
			}
		}
		s.links[i], s.live[i] = Link{}, false
		s.free = append(s.free, i)
		s.nlive--
	}
	if len(idx) > 0 {
		s.graph = nil
	}
	return len(idx), nil
}

// Links implements Store.
func (s *MemStore) Links(ctx context.Context, e Entity, allow Allow) ([]Link, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.ids[e.Canonical()]
	if !ok {
		return nil, nil
	}
	var out []Link
	for _, i := range s.adj[id] {
		if allow == nil || allow(s.links[i]) {
			out = append(out, s.links[i])
		}
	}
	return out, nil
}

// bfsResult is what a breadth-first search over the store found.
type bfsResult struct {
	order  []int32         // entities in visiting order, starts first
	hops   map[int32]int32 // entity → hop count
	parent map[int32]int32 // entity → link index that reached it
	found  int32           // entity visit stopped at, or -1
	trunc  bool
}

// bfs is a breadth-first search over the store's adjacency from starts,
// through links passing ok, up to k hops (k < 0: unbounded) and limit
// entities (limit ≤ 0: none). visit is called for each newly reached
// entity (not the starts) and stops the search by returning true. Must be
// called with s.mu held.
func (s *MemStore) bfs(ctx context.Context, starts []int32, k, limit int, ok func(Link) bool, visit func(int32) bool) (*bfsResult, error) {
	r := &bfsResult{hops: make(map[int32]int32), parent: make(map[int32]int32), found: -1}
	for _, v := range starts {
		if _, dup := r.hops[v]; !dup {
			r.hops[v] = 0
			r.order = append(r.order, v)
		}
	}
	for head := 0; head < len(r.order); head++ {
		v := r.order[head]
		h := r.hops[v]
		if k >= 0 && int(h) >= k {
			continue
		}
		if head&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		for _, li := range s.adj[v] {
			if !ok(s.links[li]) {
				continue
			}
			e := s.ends[li]
			u := e[0]
			if u == v {
				u = e[1]
			}
			if _, seen := r.hops[u]; seen {
				continue
			}
			if limit > 0 && len(r.order) >= limit {
				r.trunc = true
				return r, nil
			}
			r.hops[u], r.parent[u] = h+1, li
			r.order = append(r.order, u)
			if visit != nil && visit(u) {
				r.found = u
				return r, nil
			}
		}
	}
	return r, nil
}

// pathTo returns the links from the search's start to v, in order.
func (s *MemStore) pathTo(r *bfsResult, v int32) []Link {
	var path []Link
	for {
		li, ok := r.parent[v]
		if !ok {
			break
		}
		path = append(path, s.links[li])
		e := s.ends[li]
		if e[0] == v {
			v = e[1]
		} else {
			v = e[0]
		}
	}
	slices.Reverse(path)
	return path
}

func allowAll(Link) bool { return true }

// Neighbourhood implements Store. The subgraph holds every allowed link
// scanned from an entity less than k hops out whose other end was reached;
// Nodes carry their hop counts, in breadth-first order.
func (s *MemStore) Neighbourhood(ctx context.Context, e Entity, k, limit int, allow Allow) (*Subgraph, error) {
	if allow == nil {
		allow = allowAll
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.ids[e.Canonical()]
	if !ok {
		return nil, fmt.Errorf("entity %s: %w", e, tripline.ErrNotFound)
	}
	r, err := s.bfs(ctx, []int32{id}, max(k, 0), limit, allow, nil)
	if err != nil {
		return nil, err
	}
	sg := &Subgraph{Truncated: r.trunc}
	for _, v := range r.order {
		sg.Nodes = append(sg.Nodes, nodeOf(s.ents[v], int(r.hops[v])))
	}
	seen := make(map[int32]bool)
	for _, v := range r.order {
		if int(r.hops[v]) >= k {
			continue
		}
		for _, li := range s.adj[v] {
			en := s.ends[li]
			_, in0 := r.hops[en[0]]
			_, in1 := r.hops[en[1]]
			if seen[li] || !in0 || !in1 || !allow(s.links[li]) {
				continue
			}
			seen[li] = true
			sg.Edges = append(sg.Edges, edgeOf(s.links[li]))
		}
	}
	return sg, nil
}

// Path implements Store.
func (s *MemStore) Path(ctx context.Context, a, b Entity, maxHops int, allow Allow) ([]Link, error) {
	if allow == nil {
		allow = allowAll
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ia, ok1 := s.ids[a.Canonical()]
	ib, ok2 := s.ids[b.Canonical()]
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("path %s to %s: %w", a, b, tripline.ErrNotFound)
	}
	if ia == ib {
		return []Link{}, nil
	}
	r, err := s.bfs(ctx, []int32{ia}, maxHops, 0, allow, func(v int32) bool { return v == ib })
	if err != nil {
		return nil, err
	}
	if r.found < 0 {
		return nil, fmt.Errorf("path %s to %s: %w", a, b, tripline.ErrNotFound)
	}
	return s.pathTo(r, ib), nil
}

// FlagResult is a traveller's tie to a listed network.
type FlagResult struct {
	Listing string // the listing id isListed gave
	Entity  Entity // the listed entity reached
	Start   Entity // the traveller's entity the path starts from
	Path    []Link // links from Start to Entity, in order
}

// Explain renders the path for a screening explanation, e.g.
// "traveller:T1 -has_phone- phone:+4420… -has_phone- listing:un-sc:QDi.1".
func (f FlagResult) Explain() string { return ExplainPath(f.Start, f.Path) }

// Match returns the flag as a review match on the listing, with the path
// as its explanation. Its score stays 0: a network tie says nothing about
// whether the traveller is the listed person, so it must never rank
// above a name match.
func (f FlagResult) Match() tripline.Match {
	return tripline.Match{Listing: f.Listing, Decision: tripline.DecisionReview,
		Explain: []tripline.Feature{{Feature: "network", Score: 1,
			Detail: fmt.Sprintf("linked within %d hops: %s", len(f.Path), f.Explain())}}}
}

// ExplainPath renders links walked from start as
// "a -type- b -type- c", each link oriented along the walk.
func ExplainPath(start Entity, path []Link) string {
	var b strings.Builder
	b.WriteString(start.String())
	at := start
	for _, l := range path {
		at = l.Other(at)
		fmt.Fprintf(&b, " -%s- %s", l.Type, at)
	}
	return b.String()
}

// Flag is the screening flag: a breadth-first search from all of a
// traveller's entities at once (the traveller record, their phone,
// document, booking…) through allowed links of the flag types
// (FlagLinkType), up to k hops (k ≤ 0: DefaultFlagHops), stopping at the
// first entity for which isListed reports a listing — typically an active
// listing's entity. A start entity that is itself listed is not a network
// tie and is passed through. ok is false when nothing listed is in reach;
// entities the store has never seen are ignored.
func (s *MemStore) Flag(ctx context.Context, from []Entity, k int, isListed func(Entity) (string, bool), allow Allow) (FlagResult, bool, error) {
	if k <= 0 {
		k = DefaultFlagHops
	}
	ok := func(l Link) bool { return FlagLinkType(l.Type) && (allow == nil || allow(l)) }
	s.mu.RLock()
	defer s.mu.RUnlock()
	var starts []int32
	for _, e := range from {
		if id, found := s.ids[e.Canonical()]; found {
			starts = append(starts, id)
		}
	}
	if len(starts) == 0 {
		return FlagResult{}, false, ctx.Err()
	}
	var listing string
	r, err := s.bfs(ctx, starts, k, 0, ok, func(v int32) bool {
		id, hit := isListed(s.ents[v])
		if hit {
			listing = id
		}
		return hit
	})
	if err != nil || r.found < 0 {
		return FlagResult{}, false, err
	}
	path := s.pathTo(r, r.found)
	start := s.ents[r.found]
	if len(path) > 0 {
		start = walkBack(s.ents[r.found], path)
	}
	return FlagResult{Listing: listing, Entity: s.ents[r.found], Start: start, Path: path}, true, nil
}

// walkBack returns the entity a path ends at when walked backwards from end.
func walkBack(end Entity, path []Link) Entity {
	at := end
	for i := len(path) - 1; i >= 0; i-- {
		at = path[i].Other(at)
	}
	return at
}

// Graph implements Store. The snapshot of all links (allow nil) is cached
// until the next change; a filtered one is built per call.
func (s *MemStore) Graph(ctx context.Context, allow Allow) (*Graph, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if allow == nil {
		s.mu.RLock()
		g := s.graph
		s.mu.RUnlock()
		if g != nil {
			return g, nil
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.graph == nil {
			s.graph = s.build(allowAll)
		}
		return s.graph, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.build(allow), nil
}

func (s *MemStore) build(allow Allow) *Graph {
	b := NewBuilder()
	b.Grow(len(s.ents), s.nlive)
	for i, l := range s.links {
		if s.live[i] && allow(l) {
			b.AddLink(l)
		}
	}
	return b.Build()
}
