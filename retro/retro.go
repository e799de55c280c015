// Package retro keeps the travellers screened in the retention window and
// screens a new or changed listing against them: a listing shared today
// catches the person who arrived last week.
//
// Travellers are held compactly in time segments (one per hour), each with
// an inverted index from hashed name keys to the segment's travellers, so a
// purge drops whole segments and a retro-screening touches only the
// travellers who share a name key with the listing, never all of them.
package retro

import (
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"tripline"
)

// Keys returns the blocking keys of a name: the same keys for the same
// spelling on both sides. match.TableKeys provides them.
type Keys func(name string) (keys, skeletons []string)

// Variants returns the known spellings of a name token, to widen a
// listing's keys (match.Variants).
type Variants func(token string) []string

// Scorer scores one traveller against one listing (match.Score).
type Scorer func(t *tripline.Traveller, l *tripline.Listing) (float64, []tripline.Feature)

// Store holds recently screened travellers.
type Store struct {
	// Window is how long travellers are kept (default 30 days).
	Window time.Duration
	// Segment is the time span of one segment (default one hour).
	Segment  time.Duration
	keys     Keys
	variants Variants
	score    Scorer
	review   float64

	mu   sync.RWMutex
	segs []*segment // oldest first
	n    int
}

// person is one stored traveller, compact (about a third of a
// tripline.Traveller): the identity fields scoring reads, where they
// crossed, and when.
type person struct {
	at                   int64 // unix seconds
	ref, name, docNumber string
	flight, port, date   string
	agency               string // the screening agency (Travel.Agency)
	dob                  int32  // yyyymmdd, zero parts unknown
	nat, docCountry      [3]byte
	sex, direction       byte
	docType              byte
}

func pack(t *tripline.Traveller, at int64) person {
	p := person{at: at, ref: t.Ref, name: t.FullName(), sex: byteOf(string(t.Sex)),
		dob: int32(t.DOB.Year*10000 + t.DOB.Month*100 + t.DOB.Day)}
	copy(p.nat[:], t.Nationality)
	if d := t.Document; d != nil {
		p.docNumber, p.docType = d.Number, byteOf(d.Type)
		copy(p.docCountry[:], d.Country)
	}
	if tr := t.Travel; tr != nil {
		p.flight, p.port, p.date, p.direction, p.agency = tr.Flight, tr.Port, tr.Date, byteOf(tr.Direction), tr.Agency
	}
	return p
}

func byteOf(s string) byte {
	if s == "" {
		return 0
	}
	return s[0]
}

func str3(b [3]byte) string {
	n := 0
	for n < 3 && b[n] != 0 {
		n++
	}
	return string(b[:n])
}

func strByte(b byte) string {
	if b == 0 {
		return ""
	}
	return string(rune(b))
}

var directions = map[byte]string{'i': "in", 'o': "out", 't': "transit"}

func (p *person) traveller() tripline.Traveller {
	t := tripline.Traveller{Ref: p.ref, Name: p.name, Sex: tripline.Sex(strByte(p.sex)), Nationality: str3(p.nat),
		DOB: tripline.PartialDate{Year: int(p.dob / 10000), Month: int(p.dob / 100 % 100), Day: int(p.dob % 100)}}
	if p.docNumber != "" {
		t.Document = &tripline.Document{Type: strByte(p.docType), Number: p.docNumber, Country: str3(p.docCountry)}
	}
	if p.flight != "" || p.port != "" || p.date != "" || p.agency != "" {
		t.Travel = &tripline.Travel{Flight: p.flight, Port: p.port, Date: p.date, Direction: directions[p.direction], Agency: p.agency}
	}
	return t
}

// segment holds the travellers of one time span. While it is the newest its
// postings are a map; once sealed they are packed into sorted arrays (a
// fraction of the map's memory).
type segment struct {
	start, end int64 // unix seconds, [start, end)
	people     []person
	postings   map[uint32][]int32
	// Sealed postings: keys sorted, the ids of keys[i] are ids[offs[i]:offs[i+1]].
	keys []uint32
	offs []uint32
	ids  []int32
}

// posting returns the ids of travellers with key k.
func (seg *segment) posting(k uint32) []int32 {
	if seg.postings != nil {
		return seg.postings[k]
	}
	i, ok := slices.BinarySearch(seg.keys, k)
	if !ok {
		return nil
	}
	return seg.ids[seg.offs[i]:seg.offs[i+1]]
}

func (seg *segment) seal() {
	if seg.postings == nil {
		return
	}
	seg.keys = make([]uint32, 0, len(seg.postings))
	for k := range seg.postings {
		seg.keys = append(seg.keys, k)
	}
	slices.Sort(seg.keys)
	seg.offs = make([]uint32, 0, len(seg.keys)+1)
	n := 0
	for _, p := range seg.postings {
		n += len(p)
	}
	seg.ids = make([]int32, 0, n)
	for _, k := range seg.keys {
		seg.offs = append(seg.offs, uint32(len(seg.ids)))
		seg.ids = append(seg.ids, seg.postings[k]...)
	}
	seg.offs = append(seg.offs, uint32(len(seg.ids)))
	seg.postings = nil
	seg.people = slices.Clone(seg.people) // drop append's spare capacity
}

// unseal turns packed postings back into a map, for a late arrival.
func (seg *segment) unseal() {
	if seg.postings != nil {
		return
	}
	seg.postings = make(map[uint32][]int32, len(seg.keys))
	for i, k := range seg.keys {
		seg.postings[k] = slices.Clone(seg.ids[seg.offs[i]:seg.offs[i+1]])
	}
	seg.keys, seg.offs, seg.ids = nil, nil, nil
}

// New returns a Store using keys to index names, variants to widen listing
// names, and score with the review threshold to decide retro-matches.
func New(keys Keys, variants Variants, score Scorer, review float64) *Store {
	return &Store{Window: 30 * 24 * time.Hour, Segment: time.Hour, keys: keys, variants: variants, score: score, review: review}
}

// hashKey returns the FNV-1a hash of prefix ("k:" or "s:") followed by k,
// computed in place: a screening hashes every key of its traveller's name.
func hashKey(prefix, k string) uint32 {
	const offset, prime = 2166136261, 16777619
	h := uint32(offset)
	for i := 0; i < len(prefix); i++ {
		h = (h ^ uint32(prefix[i])) * prime
	}
	for i := 0; i < len(k); i++ {
		h = (h ^ uint32(k[i])) * prime
	}
	return h
}

// travellerKeys returns the distinct hashed keys of a traveller's name.
func (s *Store) travellerKeys(name string) []uint32 {
	keys, skels := s.keys(name)
	out := make([]uint32, 0, len(keys)+len(skels))
	for _, k := range keys {
		out = append(out, hashKey("k:", k))
	}
	for _, k := range skels {
		if len(k) >= 2 { // a one-letter skeleton matches half the world
			out = append(out, hashKey("s:", k))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Add stores a screened traveller seen at at. Travellers arrive roughly in
// time order; one older than the newest segment joins the segment of its time.
func (s *Store) Add(t *tripline.Traveller, at time.Time) {
	ks := s.travellerKeys(t.FullName())
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addLocked(t, at, ks)
}

// addLocked stores t with its name's keys ks; s.mu held.
func (s *Store) addLocked(t *tripline.Traveller, at time.Time, ks []uint32) {
	sec := at.Unix()
	p := pack(t, sec)
	seg := s.segmentFor(sec)
	seg.unseal()
	idx := int32(len(seg.people))
	seg.people = append(seg.people, p)
	for _, k := range ks {
		seg.postings[k] = append(seg.postings[k], idx)
	}
	s.n++
}

func (s *Store) segmentFor(sec int64) *segment {
	span := int64(s.Segment / time.Second)
	if span <= 0 {
		span = 3600
	}
	start := sec - sec%span
	i := sort.Search(len(s.segs), func(i int) bool { return s.segs[i].start >= start })
	if i < len(s.segs) && s.segs[i].start == start {
		return s.segs[i]
	}
	seg := &segment{start: start, end: start + span, postings: map[uint32][]int32{}}
	s.segs = slices.Insert(s.segs, i, seg)
	// Only the newest segment keeps growing: pack the others.
	if i == len(s.segs)-1 {
		for _, old := range s.segs[:i] {
			old.seal()
		}
	}
	return seg
}

// Len returns the number of stored travellers.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.n
}

// SetWindow keeps travellers for w, in segments of an eighth of it (an
// hour at most, a second at least): purged as often as a segment fills, a
// traveller outlives the window by a segment at most.
func (s *Store) SetWindow(w time.Duration) {
	s.Window, s.Segment = w, min(time.Hour, max(time.Second, w/8))
}

// Purge drops travellers seen before now − Window and returns how many.
// Whole segments go at once; a segment straddling the cut goes when all of
// it is past (Screen also ignores travellers past the window).
func (s *Store) Purge(now time.Time) int {
	cut := now.Add(-s.Window).Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	dropped, keep := 0, 0
	for keep < len(s.segs) && s.segs[keep].end <= cut {
		dropped += len(s.segs[keep].people)
		keep++
	}
	s.segs = slices.Clone(s.segs[keep:])
	s.n -= dropped
	return dropped
}

// Each calls fn with every stored traveller seen within the window up to
// before, oldest segment first, until fn returns false: the other way
// round from Screen, for a burst of listings too large to screen one by
// one (each traveller is then screened against the index instead). Times
// are kept to the second, so the second of before is included.
func (s *Store) Each(now, before time.Time, fn func(t tripline.Traveller, seen time.Time) bool) {
	cut, end := now.Add(-s.Window).Unix(), before.Unix()+1
	s.mu.RLock()
	segs := slices.Clone(s.segs)
	s.mu.RUnlock()
	for _, seg := range segs {
		if seg.end <= cut || seg.start >= end {
			continue
		}
		s.mu.RLock()
		people := seg.people
		s.mu.RUnlock()
		for i := range people {
			p := &people[i]
			if p.at < cut || p.at >= end {
				continue
			}
			if !fn(p.traveller(), time.Unix(p.at, 0).UTC()) {
				return
			}
		}
	}
}

// Hit is a stored traveller who matches a listing.
type Hit struct {
	Traveller tripline.Traveller
	Seen      time.Time
	Score     float64
	Explain   []tripline.Feature
}

// Screen returns the stored travellers within the window who match l at or
// above the review threshold, best first.
func (s *Store) Screen(l *tripline.Listing, now time.Time) []Hit {
	keys := s.listingKeys(l)
	cut := now.Add(-s.Window).Unix()
	s.mu.RLock()
	segs := slices.Clone(s.segs)
	s.mu.RUnlock()
	var hits []Hit
	for _, seg := range segs {
		if seg.end <= cut {
			continue
		}
		// The segment's slices only grow; reading under the read lock
		// keeps Add from reallocating them under us.
		s.mu.RLock()
		cands := candidates(seg, keys)
		people := seg.people
		s.mu.RUnlock()
		for _, i := range cands {
			p := &people[i]
			if p.at < cut {
				continue
			}
			t := p.traveller()
			score, explain := s.score(&t, l)
			if score >= s.review {
				hits = append(hits, Hit{Traveller: t, Seen: time.Unix(p.at, 0).UTC(), Score: score, Explain: explain})
			}
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	return hits
}

// listingKeys returns, per token of every name of l, the hashed keys of
// the token and of every known spelling of it: the listing side is widened,
// the traveller side kept as it was seen.
func (s *Store) listingKeys(l *tripline.Listing) [][]uint32 {
	var groups [][]uint32
	seen := map[string]bool{}
	for _, n := range l.Names {
		keys, _ := s.keys(n.Full)
		for _, tok := range keys {
			g := s.travellerKeys(tok)
			for _, v := range s.variants(tok) {
				g = append(g, s.travellerKeys(v)...)
			}
			slices.Sort(g)
			g = slices.Compact(g)
			if id := fmt.Sprint(g); !seen[id] {
				seen[id] = true
				groups = append(groups, g)
			}
		}
	}
	return groups
}

// candidates returns the segment's travellers sharing a name token with the
// listing. A traveller sharing only tokens that are very common in the
// segment (a frequent given name) must share two of them to be scored.
func candidates(seg *segment, groups [][]uint32) []int32 {
	limit := max(64, len(seg.people)/50)
	type mark struct {
		count uint8
		group int32
	}
	common := map[int32]mark{}
	var out []int32
	for gi, g := range groups {
		total := 0
		for _, k := range g {
			total += len(seg.posting(k))
		}
		for _, k := range g {
			for _, i := range seg.posting(k) {
				if total <= limit {
					out = append(out, i)
					continue
				}
				m := common[i]
				if m.count == 0 || m.group != int32(gi) {
					m.count++
					m.group = int32(gi)
					common[i] = m
				}
			}
		}
	}
	for i, m := range common {
		if m.count >= 2 {
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
