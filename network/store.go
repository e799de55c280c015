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

// MemStore keeps links compact, so that the links of a million listings
// take about 200 bytes a listing rather than 600 (issue 17):
//
//   - every string (entity keys, sources, listing ids) is interned once in
//     a strTable, and an entity is its kind and key location, found through an
//     open-addressing index of ids rather than a map of Entity;
//   - a link is 28 bytes: its ends, the next link in each end's list and in
//     its source's list (linked lists threaded through the links instead
//     of a slice per entity and a map of sources), its type and its
//     attributes;
//   - attributes (source, listing, time, weight) are stored once for the
//     links added together with the same ones: a listing's phone, e-mail
//     and passport links share one.
//
// A free slot has a < 0. Lists end at -1.
type rec struct {
	a, b         int32  // entity ids
	nextA, nextB int32  // the next link in a's and in b's list
	nextSrc      int32  // the next link of the same source
	typ          uint32 // index into MemStore.types; deadType while being removed
	attr         uint32 // index into MemStore.attrs
}

const deadType = math.MaxUint32

// attr is what links added together share. Strings are kept by location
// (strView.at), which is as unique as an id and one read cheaper to
// expand.
type attr struct {
	source, listing uint64
	at              int64 // UnixNano; noTime for the zero time
	weight          float64
	refs            uint32 // links using it; 0 when free
	own             bool   // source is ListingSource(listing): a listing's own link
}

// ent is an entity: its kind (index into Kinds) in the top 4 bits, its
// key's location (strView.at) below.
type ent uint64

func newEnt(kind uint8, loc uint64) ent { return ent(uint64(kind)<<60 | loc) }
func (e ent) kind() EntityKind          { return Kinds[e>>60] }
func (e ent) loc() uint64               { return uint64(e) & (1<<60 - 1) }

const noTime = math.MinInt64

// MemStore is the in-memory Store. Each entity keeps the list of its
// links (incremental adjacency), so k-hop queries never wait for a CSR
// rebuild; the CSR for analytics is rebuilt lazily after changes. It is
// safe for concurrent use.
type MemStore struct {
	mu         sync.RWMutex
	strs       strTable
	ents       []ent
	entIx      idIndex
	head, tail []int32 // entity id → first and last of its live links, in insertion order
	recs       []rec
	free       []int32
	nlive      int
	srcHead    []int32 // string id of a source → its last added link + 1; 0: none
	attrs      []attr
	freeAttrs  []uint32
	types      []string // link types, few
	typeIx     map[string]uint32
	flagType   []bool    // by type: FlagLinkType, precomputed for Flag
	hasDoc     uint32    // the type id of LinkHasDocument
	graph      *Graph    // CSR of every live link; nil when stale
	states     sync.Pool // *storeSearch, reused by queries
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	s := &MemStore{strs: newStrTable(), typeIx: map[string]uint32{}}
	s.hasDoc = s.typeID(LinkHasDocument)
	return s
}

// Len returns the number of stored links.
func (s *MemStore) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.nlive
}

func kindIndex(k EntityKind) (uint8, bool) {
	for i, x := range Kinds {
		if x == k {
			return uint8(i), true
		}
	}
	return 0, false
}

// entity returns entity v; its key points into the store's strings.
func (s *MemStore) entity(v int32) Entity {
	e := s.ents[v]
	return Entity{Kind: e.kind(), Key: s.strs.at(e.loc())}
}

func (s *MemStore) entHash(e ent) uint64 { return mix64(uint64(e)) }

// findEnt looks up an entity by kind and key id (see idIndex.find).
func (s *MemStore) findEnt(e ent) (int32, int, bool) {
	id, slot, ok := s.entIx.find(s.entHash(e), func(id uint32) bool { return s.ents[id] == e })
	return int32(id), slot, ok
}

// lookup returns the id of e, and false when the store has never seen it.
func (s *MemStore) lookup(e Entity) (int32, bool) {
	k, ok := kindIndex(e.Kind)
	if !ok {
		return -1, false
	}
	key, ok := s.strs.lookup(e.Key)
	if !ok {
		return -1, false
	}
	id, _, ok := s.findEnt(newEnt(k, s.strs.locs[key]))
	return id, ok
}

// intern returns the id of e, a valid entity, adding it if new.
func (s *MemStore) intern(e Entity) int32 {
	k, _ := kindIndex(e.Kind)
	x := newEnt(k, s.strs.locs[s.strs.intern(e.Key)])
	id, slot, ok := s.findEnt(x)
	if ok {
		return id
	}
	id = int32(len(s.ents))
	s.ents = append(s.ents, x)
	s.head = append(s.head, -1)
	s.tail = append(s.tail, -1)
	if s.entIx.add(slot, uint32(id)) {
		s.entIx.rehash(len(s.ents), func(id uint32) uint64 { return s.entHash(s.ents[id]) }, 0)
	}
	return id
}

func (s *MemStore) typeID(t string) uint32 {
	if id, ok := s.typeIx[t]; ok {
		return id
	}
	id := uint32(len(s.types))
	s.typeIx[t] = id
	s.types = append(s.types, t)
	s.flagType = append(s.flagType, FlagLinkType(t))
	return id
}

// next returns the link after i in entity v's list.
func (s *MemStore) next(i, v int32) int32 {
	if r := &s.recs[i]; r.a == v {
		return r.nextA
	}
	return s.recs[i].nextB
}

func (s *MemStore) setNext(i, v, to int32) {
	if r := &s.recs[i]; r.a == v {
		r.nextA = to
	} else {
		r.nextB = to
	}
}

// appendTo puts link i at the end of entity v's list.
func (s *MemStore) appendTo(v, i int32) {
	if t := s.tail[v]; t < 0 {
		s.head[v] = i
	} else {
		s.setNext(t, v, i)
	}
	s.tail[v] = i
}

// link expands stored link i. Its strings are the store's.
func (s *MemStore) link(i int32) Link {
	r := &s.recs[i]
	x := &s.attrs[r.attr]
	l := Link{From: s.entity(r.a), To: s.entity(r.b), Type: s.types[r.typ], Source: s.strs.at(x.source),
		Listing: s.strs.at(x.listing), Weight: x.weight}
	if x.at != noTime {
		l.At = time.Unix(0, x.at).UTC()
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

// attrCache finds the attribute records one AddLinks call made, so that
// its links with the same attributes share one however they interleave.
// The map is made only when a call has two different sets.
type attrCache struct {
	last int64           // the record the previous link used; -1 none
	seen map[attr]uint32 // by source, listing, time and weight
}

// newAttr returns an attribute record for these values, one of this
// call's (c) when it holds them, else a new one. The caller counts the
// reference before the next call.
func (s *MemStore) newAttr(c *attrCache, source, listing uint64, at int64, weight float64) uint32 {
	k := attr{source: source, listing: listing, at: at, weight: weight}
	same := func(id uint32) bool {
		x := &s.attrs[id]
		return x.refs > 0 && x.source == source && x.listing == listing && x.at == at && x.weight == weight
	}
	if c.last >= 0 && same(uint32(c.last)) {
		return uint32(c.last)
	}
	if id, ok := c.seen[k]; ok && same(id) {
		c.last = int64(id)
		return id
	}
	src, lst := s.strs.at(source), s.strs.at(listing)
	x := k
	x.own = lst != "" && len(src) == len(SourceListing)+1+len(lst) && src == ListingSource(lst)
	var id uint32
	if n := len(s.freeAttrs); n > 0 {
		id = s.freeAttrs[n-1]
		s.freeAttrs = s.freeAttrs[:n-1]
		s.attrs[id] = x
	} else {
		id = uint32(len(s.attrs))
		s.attrs = append(s.attrs, x)
	}
	if c.last >= 0 {
		if c.seen == nil {
			p := s.attrs[c.last]
			c.seen = map[attr]uint32{{source: p.source, listing: p.listing, at: p.at, weight: p.weight}: uint32(c.last)}
		}
		c.seen[k] = id
	}
	c.last = int64(id)
	return id
}

func (s *MemStore) release(a uint32) {
	if x := &s.attrs[a]; x.refs > 0 {
		if x.refs--; x.refs == 0 {
			s.freeAttrs = append(s.freeAttrs, a)
		}
	}
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
	cache := attrCache{last: -1}
	for _, l := range canon {
		a, b, typ := s.intern(l.From), s.intern(l.To), s.typeID(l.Type)
		srcID := s.strs.intern(l.Source)
		source, listing := s.strs.locs[srcID], s.strs.locs[s.strs.intern(l.Listing)]
		at := int64(noTime)
		if !l.At.IsZero() {
			at = l.At.UnixNano()
		}
		if i := s.find(a, b, typ, source, listing); i >= 0 {
			r := &s.recs[i]
			if x := &s.attrs[r.attr]; x.at != at || x.weight != l.Weight {
				na := s.newAttr(&cache, source, listing, at, l.Weight)
				s.attrs[na].refs++
				s.release(r.attr)
				r.attr = na
			}
			continue
		}
		na := s.newAttr(&cache, source, listing, at, l.Weight)
		s.attrs[na].refs++
		for int(srcID) >= len(s.srcHead) {
			s.srcHead = append(s.srcHead, 0)
		}
		r := rec{a: a, b: b, nextA: -1, nextB: -1, nextSrc: s.srcHead[srcID] - 1, typ: typ, attr: na}
		var i int32
		if n := len(s.free); n > 0 {
			i, s.free = s.free[n-1], s.free[:n-1]
			s.recs[i] = r
		} else {
			i = int32(len(s.recs))
			s.recs = append(s.recs, r)
		}
		s.srcHead[srcID] = i + 1
		s.appendTo(a, i)
		s.appendTo(b, i)
		s.nlive++
		added++
	}
	if len(canon) > 0 {
		s.graph = nil // new links, or new weights
	}
	return added, nil
}

// find returns the index of the stored link between a and b with this
// type, source and listing, or -1. It walks both ends' lists in step, so
// it costs twice the shorter list: cheaper in memory than a key map, and
// short for all but hub-to-hub links.
func (s *MemStore) find(a, b int32, typ uint32, source, listing uint64) int32 {
	match := func(i int32) bool {
		x := &s.recs[i]
		if x.a != a || x.b != b || x.typ != typ {
			return false
		}
		y := &s.attrs[x.attr]
		return y.source == source && y.listing == listing
	}
	for i, j := s.head[a], s.head[b]; i >= 0 && j >= 0; i, j = s.next(i, a), s.next(j, b) {
		if match(i) {
			return i
		}
		if match(j) {
			return j
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
	src, ok := s.strs.lookup(source)
	if !ok || int(src) >= len(s.srcHead) || s.srcHead[src] == 0 {
		return 0, nil
	}
	// Mark the links first, then filter each touched list once: removing
	// a big source costs the lists' lengths, not a search per link
	// through a hub's thousands of links.
	var touched, dead []int32
	for i := s.srcHead[src] - 1; i >= 0; i = s.recs[i].nextSrc {
		r := &s.recs[i]
		touched = append(touched, r.a, r.b)
		dead = append(dead, i)
		r.typ = deadType
	}
	s.srcHead[src] = 0
	slices.Sort(touched)
	for _, v := range slices.Compact(touched) {
		prev := int32(-1)
		for i := s.head[v]; i >= 0; {
			nx := s.next(i, v)
			if s.recs[i].typ != deadType {
				if prev < 0 {
					s.head[v] = i
				} else {
					s.setNext(prev, v, i)
				}
				prev = i
			}
			i = nx
		}
		if prev < 0 {
			s.head[v] = -1
		} else {
			s.setNext(prev, v, -1)
		}
		s.tail[v] = prev
	}
	for _, i := range dead {
		s.release(s.recs[i].attr)
		s.recs[i] = rec{a: -1, b: -1, nextA: -1, nextB: -1, nextSrc: -1}
	}
	s.free = append(s.free, dead...)
	s.nlive -= len(dead)
	s.graph = nil
	return len(dead), nil
}

// StaleSources returns the sources keep accepts that hold a link stamped
// before before, or not stamped, in no particular order.
func (s *MemStore) StaleSources(keep func(source string) bool, before time.Time) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	cut := before.UnixNano()
	var out []string
	for id, h := range s.srcHead {
		if h == 0 {
			continue
		}
		src := s.strs.get(uint32(id))
		if !keep(src) {
			continue
		}
		for i := h - 1; i >= 0; i = s.recs[i].nextSrc {
			if at := s.attrs[s.recs[i].attr].at; at == noTime || at < cut {
				out = append(out, src)
				break
			}
		}
	}
	return out
}

// SourceLinks returns the links of source.
func (s *MemStore) SourceLinks(source string) []Link {
	s.mu.RLock()
	defer s.mu.RUnlock()
	src, ok := s.strs.lookup(source)
	if !ok || int(src) >= len(s.srcHead) {
		return nil
	}
	var out []Link
	for i := s.srcHead[src] - 1; i >= 0; i = s.recs[i].nextSrc {
		out = append(out, s.link(i))
	}
	return out
}

// ownListings calls fn with the listing of each of a listing's own
// has_document links at entity v, in insertion order, until fn returns
// true. s.mu must be held.
func (s *MemStore) ownListings(v int32, fn func(listing string) bool) {
	for i := s.head[v]; i >= 0; i = s.next(i, v) {
		r := &s.recs[i]
		if x := &s.attrs[r.attr]; r.typ == s.hasDoc && x.own && fn(s.strs.at(x.listing)) {
			return
		}
	}
}

// listedAt is Service.ListedBy for entity v, the first listing active
// accepts; s.mu must be held.
func (s *MemStore) listedAt(v int32, active func(listing string) bool) (listing string, hit bool) {
	switch e := s.ents[v]; e.kind() {
	case KindListing:
		id := s.strs.at(e.loc())
		return id, active(id)
	case KindDocument:
		s.ownListings(v, func(id string) bool {
			listing, hit = id, active(id)
			return hit
		})
	}
	return listing, hit
}

// ListedBy returns the listings whose own has_document links reach the
// document e (see Service.ListedBy).
func (s *MemStore) ListedBy(e Entity) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := s.lookup(e)
	if !ok {
		return nil
	}
	var out []string
	s.ownListings(v, func(id string) bool {
		out = append(out, id)
		return false
	})
	return out
}

// Links implements Store.
func (s *MemStore) Links(ctx context.Context, e Entity, allow Allow) ([]Link, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.lookup(e.Canonical())
	if !ok {
		return nil, nil
	}
	var out []Link
	for i := s.head[id]; i >= 0; i = s.next(i, id) {
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

// build makes the CSR of the allowed links, its nodes named by the
// store's entities (storeNames). Unfiltered, it reuses the store's entity
// ids. Filtered, it keeps only the entities of allowed links (a hidden
// entity has no id in the snapshot), numbered in the order the links
// reach them.
func (s *MemStore) build(allow Allow) *Graph {
	b := NewBuilder()
	names := &storeNames{ents: s.ents[:len(s.ents):len(s.ents)], strs: s.strs.view()}
	if allow == nil {
		b.Grow(0, s.nlive)
		b.n = int32(len(s.ents))
		for i := range s.recs {
			if r := &s.recs[i]; r.a >= 0 {
				b.AddEdge(r.a, r.b, float32(linkWeight(s.attrs[r.attr].weight)))
			}
		}
		g := b.Build()
		g.names = names
		return g
	}
	kept := make([]bool, len(s.recs))
	newID := make([]int32, len(s.ents))
	for i := range newID {
		newID[i] = -1
	}
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
				newID[v] = int32(len(names.ids))
				names.ids = append(names.ids, v)
			}
		}
	}
	b.Grow(0, edges)
	b.n = int32(len(names.ids))
	for i, ok := range kept {
		if r := &s.recs[i]; ok {
			b.AddEdge(newID[r.a], newID[r.b], float32(linkWeight(s.attrs[r.attr].weight)))
		}
	}
	g := b.Build()
	g.names = names
	return g
}

func linkWeight(w float64) float64 {
	if w == 0 {
		return 1
	}
	return w
}
