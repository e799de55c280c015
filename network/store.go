package network

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"

	"tripline"
)

// Allow is the policy layer's filter: it reports whether the caller may
// see (and so traverse) a link, typically by the handling rules of
// l.Listing. A nil Allow allows everything. Queries never pass through a
// link the caller may not see, so a hidden link cannot leak as a path.
// MemStore calls it with the store locked for reading: it must not write
// to the store.
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
	// Flag is the screening flag: the shortest path of at most k links
	// (k ≤ 0: DefaultFlagHops) of the flag types (FlagLinkType) the
	// caller may see, from any of a traveller's entities to an entity
	// isListed reports as a listing. ok is false when there is none.
	Flag(ctx context.Context, from []Entity, k int, isListed func(Entity) (listing string, ok bool), allow Allow) (f FlagResult, ok bool, err error)
	// Graph returns a CSR snapshot of the allowed links for whole-graph
	// analytics. The unfiltered snapshot keeps entities whose links were
	// all removed, as isolated nodes, so that ids stay stable.
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

// rec is a stored link, compact: entity ids and interned strings instead
// of an Entity and strings per link, so that five million links take
// about 300 MB rather than 3 GB. a < 0 marks a free slot.
type rec struct {
	a, b                 int32
	typ, source, listing uint32 // indexes into MemStore.strs
	at                   int64  // UnixNano; noTime for the zero time
	weight               float64
}

const noTime = math.MinInt64

// MemStore is the in-memory Store. Each entity keeps the list of its link
// indexes (incremental adjacency), so k-hop queries never wait for a CSR
// rebuild; the CSR for analytics is rebuilt lazily after changes. It is
// safe for concurrent use.
type MemStore struct {
	mu       sync.RWMutex
	ids      map[Entity]int32
	ents     []Entity
	adj      [][]int32 // entity id → indexes of its live links
	recs     []rec
	free     []int32
	nlive    int
	strs     []string // interned types, sources and listing ids
	strID    map[string]uint32
	flagType []bool // by string id: FlagLinkType, precomputed for Flag
	bySource map[uint32][]int32
	graph    *Graph    // CSR of every live link; nil when stale
	states   sync.Pool // *storeSearch, reused by queries
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{ids: make(map[Entity]int32), strID: map[string]uint32{"": 0}, strs: []string{""},
		flagType: []bool{false}, bySource: make(map[uint32][]int32)}
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

func (s *MemStore) str(x string) uint32 {
	if id, ok := s.strID[x]; ok {
		return id
	}
	id := uint32(len(s.strs))
	s.strID[x] = id
	s.strs = append(s.strs, x)
	s.flagType = append(s.flagType, FlagLinkType(x))
	return id
}

// link expands stored link i. Its entities share the store's strings.
func (s *MemStore) link(i int32) Link {
	r := &s.recs[i]
	l := Link{From: s.ents[r.a], To: s.ents[r.b], Type: s.strs[r.typ], Source: s.strs[r.source],
		Listing: s.strs[r.listing], Weight: r.weight}
	if r.at != noTime {
		l.At = time.Unix(0, r.at).UTC()
	}
	return l
}

// other returns the end of stored link i that is not v.
func (s *MemStore) other(i, v int32) int32 {
	if r := &s.recs[i]; r.a != v {
		return r.a
	}
	return s.recs[i].b
}

// AddLinks implements Store. Entity keys are canonicalised on the way in.
func (s *MemStore) AddLinks(ctx context.Context, links []Link) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	canon := make([]Link, len(links))
	for i, l := range links {
		l.From, l.To = l.From.Canonical(), l.To.Canonical()
		if err := l.Validate(); err != nil {
			return 0, tripline.Errorf(tripline.EINVALID, "links[%d].%s", i, tripline.ErrorMessage(err))
		}
		canon[i] = l
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	added := 0
	for _, l := range canon {
		r := rec{a: s.intern(l.From), b: s.intern(l.To), typ: s.str(l.Type), source: s.str(l.Source),
			listing: s.str(l.Listing), at: noTime, weight: l.Weight}
		if !l.At.IsZero() {
			r.at = l.At.UnixNano()
		}
		if i := s.find(r); i >= 0 {
			s.recs[i].at, s.recs[i].weight = r.at, r.weight
			continue
		}
		var i int32
		if n := len(s.free); n > 0 {
			i, s.free = s.free[n-1], s.free[:n-1]
			s.recs[i] = r
		} else {
			i = int32(len(s.recs))
			s.recs = append(s.recs, r)
		}
		s.bySource[r.source] = append(s.bySource[r.source], i)
		s.adj[r.a] = append(s.adj[r.a], i)
		s.adj[r.b] = append(s.adj[r.b], i)
		s.nlive++
		added++
	}
	if len(canon) > 0 {
		s.graph = nil // new links, or new weights
	}
	return added, nil
}

// find returns the index of the stored link equal to r in ends, type,
// source and listing, or -1. It scans the shorter adjacency list: cheaper
// in memory than a key map, and short for all but hub-to-hub links.
func (s *MemStore) find(r rec) int32 {
	list := s.adj[r.a]
	if len(s.adj[r.b]) < len(list) {
		list = s.adj[r.b]
	}
	for _, i := range list {
		x := &s.recs[i]
		if x.a == r.a && x.b == r.b && x.typ == r.typ && x.source == r.source && x.listing == r.listing {
			return i
		}
	}
	return -1
}

// RemoveSource implements Store.
func (s *MemStore) RemoveSource(ctx context.Context, source string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	src, ok := s.strID[source]
	if !ok {
		return 0, nil
	}
	idx := s.bySource[src]
	delete(s.bySource, src)
	// Free the records first, then filter each touched adjacency list
	// once: removing a big source costs the lists' lengths, not a search
	// per link through a hub's thousands of links.
	var touched []int32
	for _, i := range idx {
		r := s.recs[i]
		touched = append(touched, r.a, r.b)
		s.recs[i] = rec{a: -1, b: -1}
		s.free = append(s.free, i)
		s.nlive--
	}
	slices.Sort(touched)
	for _, v := range slices.Compact(touched) {
		s.adj[v] = slices.DeleteFunc(s.adj[v], func(i int32) bool { return s.recs[i].a < 0 })
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
		if l := s.link(i); allow == nil || allow(l) {
			out = append(out, l)
		}
	}
	return out, nil
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
			s.graph = s.build(nil)
		}
		return s.graph, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.build(allow), nil
}

// build makes the CSR of the allowed links. Unfiltered, it reuses the
// store's entity ids, so the builder need not hash a single entity.
// Filtered, it keeps only the entities of allowed links (a hidden entity
// has no id in the snapshot) and renumbers them through a slice, hashing
// each kept entity once instead of both ends of every link.
func (s *MemStore) build(allow Allow) *Graph {
	b := NewBuilder()
	if allow == nil {
		b.Grow(0, s.nlive)
		b.index, b.ents = make(map[Entity]int32, len(s.ids)), slices.Clone(s.ents)
		for e, id := range s.ids {
			b.index[e] = id
		}
		b.n = int32(len(s.ents))
		for i := range s.recs {
			if r := &s.recs[i]; r.a >= 0 {
				b.AddEdge(r.a, r.b, float32(linkWeight(r.weight)))
			}
		}
		return b.Build()
	}
	kept := make([]bool, len(s.recs))
	newID := make([]int32, len(s.ents))
	for i := range newID {
		newID[i] = -1
	}
	var ents []Entity
	edges := 0
	for i := range s.recs {
		r := &s.recs[i]
		if r.a < 0 || !allow(s.link(int32(i))) {
			continue
		}
		kept[i] = true
		edges++
		for _, v := range [2]int32{r.a, r.b} {
			if newID[v] < 0 {
				newID[v] = int32(len(ents))
				ents = append(ents, s.ents[v])
			}
		}
	}
	b.Grow(0, edges)
	b.index, b.ents, b.n = make(map[Entity]int32, len(ents)), ents, int32(len(ents))
	for id, e := range ents {
		b.index[e] = int32(id)
	}
	for i, ok := range kept {
		if r := &s.recs[i]; ok {
			b.AddEdge(newID[r.a], newID[r.b], float32(linkWeight(r.weight)))
		}
	}
	return b.Build()
}

func linkWeight(w float64) float64 {
	if w == 0 {
		return 1
	}
	return w
}
