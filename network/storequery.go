package network

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"tripline"
)

// storeSearch is per-query scratch sized to the store's entities: epoch
// marks instead of maps, so a query costs what it visits. Pooled, so that
// concurrent queries each have their own.
type storeSearch struct {
	epoch  uint32
	mark   []uint32
	hops   []int32
	parent []int32 // link index that reached the entity; -1 for a start
	order  []int32 // entities in visiting order, starts first
}

// search returns scratch for a query; s.mu must be held (read or write).
func (s *MemStore) search() *storeSearch {
	q, _ := s.states.Get().(*storeSearch)
	n := len(s.ents)
	if q == nil || len(q.mark) < n {
		n += n / 4 // room to grow before the next reallocation
		q = &storeSearch{mark: make([]uint32, n), hops: make([]int32, n), parent: make([]int32, n)}
	}
	q.epoch++
	if q.epoch == 0 {
		clear(q.mark)
		q.epoch = 1
	}
	q.order = q.order[:0]
	return q
}

func (q *storeSearch) seen(v int32) bool { return q.mark[v] == q.epoch }

// bfs is a breadth-first search over the store's adjacency from starts,
// through links i for which ok(i), up to k hops (k < 0: unbounded) and
// limit entities (limit ≤ 0: none). visit is called for each newly
// reached entity (not the starts) and stops the search by returning true;
// that entity is returned as found, else -1. Must be called with s.mu
// held.
func (s *MemStore) bfs(ctx context.Context, q *storeSearch, starts []int32, k, limit int, ok func(i int32) bool, visit func(int32) bool) (found int32, truncated bool, err error) {
	for _, v := range starts {
		if !q.seen(v) {
			q.mark[v], q.hops[v], q.parent[v] = q.epoch, 0, -1
			q.order = append(q.order, v)
		}
	}
	for head := 0; head < len(q.order); head++ {
		v := q.order[head]
		h := q.hops[v]
		if k >= 0 && int(h) >= k {
			continue
		}
		if head&255 == 0 {
			if err := ctx.Err(); err != nil {
				return -1, false, err
			}
		}
		for i := s.head[v]; i >= 0; i = s.next(i, v) {
			u := s.other(i, v)
			if q.seen(u) || !ok(i) {
				continue
			}
			if limit > 0 && len(q.order) >= limit {
				return -1, true, nil
			}
			q.mark[u], q.hops[u], q.parent[u] = q.epoch, h+1, i
			q.order = append(q.order, u)
			if visit != nil && visit(u) {
				return u, false, nil
			}
		}
	}
	return -1, false, nil
}

// pathTo returns the links from the search's start to v, in order, and
// that start.
func (s *MemStore) pathTo(q *storeSearch, v int32) ([]Link, int32) {
	var path []Link
	for q.parent[v] >= 0 {
		i := q.parent[v]
		path = append(path, s.link(i))
		v = s.other(i, v)
	}
	slices.Reverse(path)
	return path, v
}

func (s *MemStore) allowed(allow Allow) func(i int32) bool {
	if allow == nil {
		return func(int32) bool { return true }
	}
	return func(i int32) bool { return allow(s.link(i)) }
}

// Neighbourhood implements Store. The subgraph holds every allowed link
// scanned from an entity less than k hops out whose other end was reached;
// Nodes carry their hop counts, in breadth-first order.
func (s *MemStore) Neighbourhood(ctx context.Context, e Entity, k, limit int, allow Allow) (*Subgraph, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, found := s.lookup(e.Canonical())
	if !found {
		return nil, fmt.Errorf("entity %s: %w", e, tripline.ErrNotFound)
	}
	ok := s.allowed(allow)
	q := s.search()
	defer s.states.Put(q)
	_, trunc, err := s.bfs(ctx, q, []int32{id}, max(k, 0), limit, ok, nil)
	if err != nil {
		return nil, err
	}
	sg := &Subgraph{Nodes: make([]Node, 0, len(q.order)), Edges: []Edge{}, Truncated: trunc}
	for _, v := range q.order {
		sg.Nodes = append(sg.Nodes, nodeOf(s.entity(v), int(q.hops[v])))
	}
	for _, v := range q.order {
		if int(q.hops[v]) >= k {
			continue
		}
		for i := s.head[v]; i >= 0; i = s.next(i, v) {
			u := s.other(i, v)
			// Each link once: from its nearer end, or from its first
			// end when both are equally far.
			if !q.seen(u) || q.hops[u] < q.hops[v] || q.hops[u] == q.hops[v] && u < v || !ok(i) {
				continue
			}
			sg.Edges = append(sg.Edges, edgeOf(s.link(i)))
		}
	}
	return sg, nil
}

// Path implements Store.
func (s *MemStore) Path(ctx context.Context, a, b Entity, maxHops int, allow Allow) ([]Link, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ia, ok1 := s.lookup(a.Canonical())
	ib, ok2 := s.lookup(b.Canonical())
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("path %s to %s: %w", a, b, tripline.ErrNotFound)
	}
	if ia == ib {
		return []Link{}, nil
	}
	q := s.search()
	defer s.states.Put(q)
	found, _, err := s.bfs(ctx, q, []int32{ia}, maxHops, 0, s.allowed(allow), func(v int32) bool { return v == ib })
	if err != nil {
		return nil, err
	}
	if found < 0 {
		return nil, fmt.Errorf("path %s to %s: %w", a, b, tripline.ErrNotFound)
	}
	path, _ := s.pathTo(q, ib)
	return path, nil
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
// entities the store has never seen are ignored. Like allow, isListed is
// called with the store locked for reading and must not write to it.
func (s *MemStore) Flag(ctx context.Context, from []Entity, k int, isListed func(Entity) (string, bool), allow Allow) (FlagResult, bool, error) {
	return s.flag(ctx, from, k, func(v int32) (string, bool) { return isListed(s.entity(v)) }, allow)
}

// flag is Flag with isListed given entity ids, for a caller that reads
// the store to answer it (the read lock is held: see ownListings).
func (s *MemStore) flag(ctx context.Context, from []Entity, k int, isListed func(v int32) (string, bool), allow Allow) (FlagResult, bool, error) {
	if k <= 0 {
		k = DefaultFlagHops
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var starts []int32
	for _, e := range from {
		if id, found := s.lookup(e.Canonical()); found {
			starts = append(starts, id)
		}
	}
	if len(starts) == 0 {
		return FlagResult{}, false, ctx.Err()
	}
	ok := func(i int32) bool {
		return s.flagType[s.recs[i].typ] && (allow == nil || allow(s.link(i)))
	}
	var listing string
	q := s.search()
	defer s.states.Put(q)
	found, _, err := s.bfs(ctx, q, starts, k, 0, ok, func(v int32) bool {
		id, hit := isListed(v)
		if hit {
			listing = id
		}
		return hit
	})
	if err != nil || found < 0 {
		return FlagResult{}, false, err
	}
	path, start := s.pathTo(q, found)
	return FlagResult{Listing: listing, Entity: s.entity(found), Start: s.entity(start), Path: path}, true, nil
}
