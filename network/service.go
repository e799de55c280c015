package network

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tripline"
	"tripline/pnrgov"
)

// Persister keeps the links a Service does not derive from listings, so
// that a restart loses none; sqlite.LinkStore implements it.
type Persister interface {
	// SaveLinks upserts links by the MemStore identity, in one transaction.
	SaveLinks(ctx context.Context, links []Link) error
	// ReplaceLinks replaces every link of source with links, in one
	// transaction.
	ReplaceLinks(ctx context.Context, source string, links []Link) error
}

// Service is the node's link analysis: a MemStore fed from listings,
// manifests, PNRs and analysts, persisted through Persist, with cached
// CSR snapshots for the whole-graph analytics. Disclosure is not decided
// here: every query takes the policy layer's Allow. It is safe for
// concurrent use.
type Service struct {
	Store *MemStore
	// Persist keeps non-listing links; nil keeps them in memory only.
	Persist Persister
	// Country maps an issuing country as written (alpha-2 or alpha-3) to
	// ISO alpha-3, so that "GB:123" and "GBR:123" are one document; nil
	// leaves countries as written.
	Country func(string) (string, bool)
	// SnapshotEvery is the least time between two rebuilds of a cached
	// analytics snapshot: a busy import does not rebuild the CSR on every
	// query. Zero rebuilds on every change.
	SnapshotEvery time.Duration
	// SnapshotMaxAge is the most time a snapshot is served for, changes
	// or not; zero means no limit.
	SnapshotMaxAge time.Duration
	// Now stamps imported links; tests inject it.
	Now func() time.Time
	// Agency is the node's agency: links of feeds imported before
	// agencies were recorded (FeedAgency "") are its.
	Agency string

	version atomic.Uint64 // bumped on every change of the links

	snapMu sync.Mutex
	snaps  map[string]*Snapshot

	follow follower // the LinkLog of Open, and how far it was read

	expireMu sync.Mutex // one retention pass at a time (ExpireFeeds)
	// feedMu orders what rewrites a feed's sources: an import's links
	// and co-travel (ImportTrips), and the retention pass's rewrite of one
	// source, which would otherwise drop links added between its read and
	// its write.
	feedMu sync.Mutex
}

// NewService returns a Service over store.
func NewService(store *MemStore) *Service {
	return &Service{Store: store, Now: time.Now, snaps: map[string]*Snapshot{}}
}

// FeedOwner returns the agency that imported the links of a feed's source
// (FeedAgency), the node's (Agency) for those imported before agencies
// were recorded; "" for a source that is no feed's.
func (s *Service) FeedOwner(source string) string {
	a, feed := FeedAgency(source)
	if feed && a == "" {
		return s.Agency
	}
	return a
}

// ListingSource returns the link source of a listing's own links.
func ListingSource(id string) string { return SourceListing + ":" + id }

// Canon returns e with its key canonical and a document's issuing country
// in alpha-3 (see Service.Country).
func (s *Service) Canon(e Entity) Entity {
	e = e.Canonical()
	if e.Kind != KindDocument || s.Country == nil {
		return e
	}
	ctry, num, _ := strings.Cut(e.Key, ":")
	if a3, ok := s.Country(ctry); ok && a3 != ctry {
		return NewEntity(KindDocument, a3+":"+num)
	}
	return e
}

func (s *Service) canonLinks(links []Link) []Link {
	out := make([]Link, len(links))
	for i, l := range links {
		l.From, l.To = s.Canon(l.From), s.Canon(l.To)
		out[i] = l
	}
	return out
}

func validate(links []Link) error {
	for i, l := range links {
		if err := l.Validate(); err != nil {
			return tripline.Errorf(tripline.EINVALID, "links[%d].%s", i, tripline.ErrorMessage(err))
		}
	}
	return nil
}

// SetListing replaces the links a listing states (LinksFromListing, source
// ListingSource(id)) with those of its new version; a listing that is not
// active keeps none. They live in memory only: the listings are their
// record, and the node rebuilds them on load.
func (s *Service) SetListing(ctx context.Context, l *tripline.Listing) error {
	src := ListingSource(l.ID)
	var links []Link
	if l.Status == tripline.StatusActive {
		links = LinksFromListing(l)
		for i := range links {
			links[i].Source = src
		}
		links = s.canonLinks(links)
	}
	removed, err := s.Store.RemoveSource(ctx, src)
	if err != nil {
		return err
	}
	added, err := s.Store.AddLinks(ctx, links)
	if err != nil {
		return fmt.Errorf("links of listing %s: %w", l.ID, err)
	}
	if removed+added > 0 {
		s.version.Add(1)
	}
	return nil
}

// ListedBy returns the listings that entity e stands for: the listing
// itself for a listing entity, the active listings holding it (by their
// own has_document links) for a document.
func (s *Service) ListedBy(e Entity) []string {
	switch e.Kind {
	case KindListing:
		return []string{e.Key}
	case KindDocument:
		return s.Store.ListedBy(e)
	}
	return nil
}

// Load adds stored links (each passed to fn by the store's reader) to
// memory without writing them back.
func (s *Service) Load(ctx context.Context, each func(ctx context.Context, fn func(Link)) error) error {
	var batch []Link
	flush := func() error {
		_, err := s.Store.AddLinks(ctx, s.canonLinks(batch))
		batch = batch[:0]
		return err
	}
	var addErr error
	err := each(ctx, func(l Link) {
		if addErr != nil {
			return
		}
		if batch = append(batch, l); len(batch) == 10000 {
			addErr = flush()
		}
	})
	if err == nil {
		err = addErr
	}
	if err == nil {
		err = flush()
	}
	s.version.Add(1)
	return err
}

// AddLinks validates, persists and adds links (analysts' input, CSV
// imports), returning how many were new. A link of a listing's own source
// is refused: those follow the listing; so is one of a feed's source
// (FeedAgency): those are an agency's imports, which nobody may add to
// or plant in another agency's. EINVALID names the first bad link.
func (s *Service) AddLinks(ctx context.Context, links []Link) (int, error) {
	for i, l := range links {
		if err := CheckAddSource(l.Source); err != nil {
			return 0, tripline.Errorf(tripline.EINVALID, "links[%d].%s", i, tripline.ErrorMessage(err))
		}
	}
	return s.addLinks(ctx, links)
}

// CheckAddSource returns an EINVALID error when links of source may not
// be added (AddLinks): a listing's own source, or a feed's (FeedAgency).
func CheckAddSource(source string) error {
	if strings.HasPrefix(source, SourceListing+":") {
		return tripline.Errorf(tripline.EINVALID, "source: %.60q is reserved for a listing's own links", source)
	}
	if _, feed := FeedAgency(source); feed {
		return tripline.Errorf(tripline.EINVALID, "source: %.60q is reserved for manifest and PNR imports", source)
	}
	return nil
}

// addLinks validates, persists and adds links.
func (s *Service) addLinks(ctx context.Context, links []Link) (int, error) {
	links = s.canonLinks(links)
	if err := validate(links); err != nil {
		return 0, err
	}
	if s.Persist != nil {
		if err := s.Persist.SaveLinks(ctx, links); err != nil {
			return 0, err
		}
	}
	n, err := s.Store.AddLinks(ctx, links)
	if len(links) > 0 {
		s.version.Add(1)
	}
	return n, err
}

// replaceSource makes links the whole of source, on disk and in memory,
// and returns how many of them were not stored before.
func (s *Service) replaceSource(ctx context.Context, source string, links []Link) (int, error) {
	links = s.canonLinks(links)
	if err := validate(links); err != nil {
		return 0, err
	}
	had, err := s.present(ctx, links)
	if err != nil {
		return 0, err
	}
	if s.Persist != nil {
		if err := s.Persist.ReplaceLinks(ctx, source, links); err != nil {
			return 0, err
		}
	}
	if _, err := s.Store.RemoveSource(ctx, source); err != nil {
		return 0, err
	}
	n, err := s.Store.AddLinks(ctx, links)
	s.version.Add(1)
	return n - had, err
}

// present counts the links already stored, by the MemStore identity, so
// that re-importing an unchanged source reports nothing new.
func (s *Service) present(ctx context.Context, links []Link) (int, error) {
	n := 0
	byFrom := map[Entity][]Link{}
	for _, l := range links {
		byFrom[l.From] = append(byFrom[l.From], l)
	}
	for from, ls := range byFrom {
		stored, err := s.Store.Links(ctx, from, nil)
		if err != nil {
			return 0, err
		}
		for _, l := range ls {
			for _, x := range stored {
				if x.From == l.From && x.To == l.To && x.Type == l.Type && x.Source == l.Source && x.Listing == l.Listing {
					n++
					break
				}
			}
		}
	}
	return n, nil
}

// Import reports what an import of trips derived.
type Import struct {
	Source   string   `json:"source"`
	Bookings int      `json:"bookings,omitempty"`
	Trips    int      `json:"trips"`
	People   int      `json:"people"`
	Links    int      `json:"links"`
	Added    int      `json:"added"`
	CoTravel int      `json:"co_travel"` // pairs flying together on MinCoTravel+ journeys, over all imports
	Warnings []string `json:"warnings,omitempty"`
}

// MinCoTravel is how many separate journeys together (see JourneyGap)
// make two people co-travellers.
const MinCoTravel = 2

// ImportTrips replaces the links of source (an import of agency's:
// FeedSource) with those derived from trips (CoTravelLinks but
// co_travel), then derives co_travel links between the trips' people and
// everyone they shared flights with on MinCoTravel or more separate
// journeys, over every import of agency's so far: one PNR push is one
// flight, so repeated co-travel only shows across pushes. Other agencies'
// imports are theirs: they neither count nor change.
func (s *Service) ImportTrips(ctx context.Context, agency, source string, trips []Trip) (*Import, error) {
	s.feedMu.Lock()
	defer s.feedMu.Unlock()
	for i := range trips {
		trips[i].Person = s.Canon(trips[i].Person)
		trips[i].Source = source
		for j, c := range trips[i].Contacts {
			trips[i].Contacts[j] = s.Canon(c)
		}
	}
	// Co-travel is derived over all imports below, by journeys; within one
	// import a connecting itinerary would count each leg as a flight.
	links := CoTravelLinks(trips, math.MaxInt32)
	added, err := s.replaceSource(ctx, source, links)
	if err != nil {
		return nil, err
	}
	people := map[Entity]bool{}
	for _, t := range trips {
		people[t.Person] = true
	}
	imp := &Import{Source: source, Trips: len(trips), People: len(people), Links: len(links), Added: added}
	co, err := s.historyCoTravel(ctx, agency, people)
	if err != nil {
		return nil, err
	}
	if len(co) > 0 {
		n, err := s.addLinks(ctx, co)
		if err != nil {
			return nil, err
		}
		imp.Added += n
	}
	imp.CoTravel = len(co)
	return imp, nil
}

// historyCoTravel collects, for each of people, the flights shared with
// anyone else in agency's imports, and returns a co_travel link of
// agency's, weighted by journeys, for every pair sharing MinCoTravel or
// more journeys.
func (s *Service) historyCoTravel(ctx context.Context, agency string, people map[Entity]bool) ([]Link, error) {
	now := s.Now().UTC()
	source := FeedSource(SourceCoTravel, agency, "")
	theirs := func(l Link) bool { return l.Type == LinkOnFlight && s.FeedOwner(l.Source) == agency }
	seen := map[[2]Entity]bool{}
	var out []Link
	// Everyone on a flight, read once per flight: a full aircraft's
	// passengers all share it.
	onFlight := map[Entity][]Entity{}
	passengers := func(flight Entity) ([]Entity, error) {
		if ps, ok := onFlight[flight]; ok {
			return ps, nil
		}
		ls, err := s.Store.Links(ctx, flight, theirs)
		if err != nil {
			return nil, err
		}
		var ps []Entity
		for _, l := range ls {
			ps = append(ps, l.Other(flight))
		}
		onFlight[flight] = ps
		return ps, nil
	}
	for _, p := range sortedEntities(people) {
		ls, err := s.Store.Links(ctx, p, theirs)
		if err != nil {
			return nil, err
		}
		// Their own flights first: someone on fewer than MinCoTravel
		// journeys cannot share that many with anyone.
		type leg struct {
			flight Entity
			day    time.Time
		}
		var legs []leg
		var days []time.Time
		for _, l := range ls {
			if l.Type != LinkOnFlight {
				continue
			}
			flight := l.Other(p)
			_, date, _ := strings.Cut(flight.Key, "/")
			day, err := time.Parse(time.DateOnly, date)
			if err != nil {
				continue // no date: one flight number is no departure
			}
			legs = append(legs, leg{flight, day})
			days = append(days, day)
		}
		if journeys(days) < MinCoTravel {
			continue
		}
		shared := map[Entity][]time.Time{}
		for _, lg := range legs {
			flight, day := lg.flight, lg.day
			others, err := passengers(flight)
			if err != nil {
				return nil, err
			}
			for _, q := range others {
				if q != p {
					shared[q] = append(shared[q], day)
				}
			}
		}
		for q, days := range shared {
			a, b := p, q
			if b.String() < a.String() {
				a, b = b, a
			}
			n := journeys(days)
			if n < MinCoTravel || seen[[2]Entity{a, b}] {
				continue
			}
			seen[[2]Entity{a, b}] = true
			out = append(out, Link{From: a, To: b, Type: LinkCoTravel, Source: source, At: now, Weight: float64(n)})
		}
	}
	slices.SortFunc(out, func(x, y Link) int {
		return strings.Compare(x.From.String()+x.To.String(), y.From.String()+y.To.String())
	})
	return out, nil
}

// JourneyGap separates journeys: flights shared less than this apart
// are legs of one journey (WDH–ADD–FRA–IAD over two days is one trip
// together, not three).
const JourneyGap = 72 * time.Hour

// journeys counts the journeys among the departure days of shared flights.
func journeys(days []time.Time) int {
	slices.SortFunc(days, func(a, b time.Time) int { return a.Compare(b) })
	n := 0
	for i, d := range days {
		if i == 0 || d.Sub(days[i-1]) >= JourneyGap {
			n++
		}
	}
	return n
}

func sortedEntities(m map[Entity]bool) []Entity {
	out := make([]Entity, 0, len(m))
	for e := range m {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b Entity) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// ImportPNR reads one PNRGOV interchange (pnrgov.Parse) and imports its
// trips as agency's, under PNRSource: co-travel, shared-contact,
// same-booking and adjacent-seat links. EINVALID when the message cannot
// be read.
func (s *Service) ImportPNR(ctx context.Context, agency string, r io.Reader) (*Import, error) {
	m, err := pnrgov.Parse(r)
	if err != nil {
		return nil, err
	}
	if n := PNRTrips(m); n > MaxPNRTrips {
		return nil, tripline.Errorf(tripline.EINVALID, "pnrgov: %d bookings make %d trips (each passenger on each of its booking's flights), more than the %d of one push",
			len(m.Bookings), n, MaxPNRTrips)
	}
	src := PNRSource(agency, m)
	imp, err := s.ImportTrips(ctx, agency, src, TripsFromPNR(m, src, s.Now().UTC()))
	if err != nil {
		return nil, err
	}
	imp.Bookings = len(m.Bookings)
	for _, w := range m.Warnings {
		imp.Warnings = append(imp.Warnings, w.String())
	}
	return imp, nil
}

// ImportManifest imports a screened manifest's travellers (PAXLST) as
// agency's, grouped by flight and date, each group under the source
// FeedSource(SourcePAXLST, agency, "FLIGHT/DATE"), so that the agency
// screening the same flight again replaces its links (and another
// agency's screening of it does not).
func (s *Service) ImportManifest(ctx context.Context, agency string, ts []*tripline.Traveller) ([]*Import, error) {
	byFlight := map[string][]Trip{}
	for _, t := range TripsFromTravellers(ts, "", s.Now().UTC()) {
		src := FeedSource(SourcePAXLST, agency, canonicalKey(KindFlight, t.Flight)+"/"+strings.TrimSpace(t.Date))
		byFlight[src] = append(byFlight[src], t)
	}
	var out []*Import
	for _, src := range sortedKeys(byFlight) {
		imp, err := s.ImportTrips(ctx, agency, src, byFlight[src])
		if err != nil {
			return out, err
		}
		out = append(out, imp)
	}
	return out, nil
}

// ExpireFeeds removes the links of manifests and PNRs, and the co-travel
// derived from them (FeedAgency), stamped before before (or not stamped),
// on disk and in memory, and returns how many: the retention pass keeps
// travellers' bookings, documents and contacts no longer than the
// travellers themselves. What other processes imported is caught up
// first, so that none of it is lost with the rewrite of its source.
func (s *Service) ExpireFeeds(ctx context.Context, before time.Time) (int, error) {
	s.expireMu.Lock()
	defer s.expireMu.Unlock()
	if _, err := s.CatchUp(ctx); err != nil {
		return 0, err
	}
	feed := func(src string) bool { _, ok := FeedAgency(src); return ok }
	stale := s.Store.StaleSources(feed, before)
	slices.Sort(stale)
	removed := 0
	for _, src := range stale {
		n, err := s.expireSource(ctx, src, before)
		removed += n
		if err != nil {
			return removed, err
		}
	}
	if len(stale) > 0 {
		s.version.Add(1)
	}
	return removed, nil
}

// expireSource rewrites source without its links stamped before before
// (or not stamped), read and written with no import in between, and
// returns how many went.
func (s *Service) expireSource(ctx context.Context, src string, before time.Time) (int, error) {
	s.feedMu.Lock()
	defer s.feedMu.Unlock()
	all := s.Store.SourceLinks(src)
	keep := slices.DeleteFunc(slices.Clone(all), func(l Link) bool { return l.At.IsZero() || l.At.Before(before) })
	if s.Persist != nil {
		if err := s.Persist.ReplaceLinks(ctx, src, keep); err != nil {
			return 0, err
		}
	}
	if _, err := s.Store.RemoveSource(ctx, src); err != nil {
		return 0, err
	}
	if _, err := s.Store.AddLinks(ctx, keep); err != nil {
		return 0, err
	}
	return len(all) - len(keep), nil
}

// Neighbourhood is Store.Neighbourhood with e made canonical (Canon). An
// entity whose every link allow hides is not found, like one the graph
// has never seen: a lone centre would tell that hidden links exist.
func (s *Service) Neighbourhood(ctx context.Context, e Entity, k, limit int, allow Allow) (*Subgraph, error) {
	e = s.Canon(e)
	sg, err := s.Store.Neighbourhood(ctx, e, k, limit, allow)
	if err == nil && len(sg.Edges) == 0 {
		err = fmt.Errorf("entity %s: %w", e, tripline.ErrNotFound)
	}
	return sg, err
}

// Path is Store.Path with the ends made canonical (Canon); EINVALID when
// they are the same entity.
func (s *Service) Path(ctx context.Context, a, b Entity, maxHops int, allow Allow) ([]Link, error) {
	a, b = s.Canon(a), s.Canon(b)
	if a == b {
		return nil, tripline.Errorf(tripline.EINVALID, "to: the same entity as from")
	}
	return s.Store.Path(ctx, a, b, maxHops, allow)
}

// Flag is the screening flag for traveller t (design.md §2.5): the
// shortest path of at most k flag-type links (k ≤ 0: DefaultFlagHops)
// through links traverse allows, from the traveller's entities
// (TravellerEntities) to an entity standing for a listing (ListedBy) that
// active accepts — typically an active listing the caller may screen
// against. It returns nil when there is none, else a review match on that
// listing with action secondary_check, score 0 (a tie is no identity
// match) and the path as explanation, each step the caller may not see in
// detail (show) withheld.
func (s *Service) Flag(ctx context.Context, t *tripline.Traveller, k int, traverse, show Allow, active func(listing string) bool) (*tripline.Match, error) {
	starts := TravellerEntities(t)
	for i, e := range starts {
		starts[i] = s.Canon(e)
	}
	if len(starts) == 0 {
		return nil, nil
	}
	isListed := func(v int32) (string, bool) { return s.Store.listedAt(v, active) }
	f, ok, err := s.Store.flag(ctx, starts, k, isListed, traverse)
	if err != nil || !ok {
		return nil, err
	}
	m := f.Match()
	m.Action = tripline.ActionSecondaryCheck
	m.Instruction = "Linked to a listed network: secondary check."
	m.Explain[0].Detail = fmt.Sprintf("linked within %d hops: %s", len(f.Path), ExplainRedacted(f.Start, f.Path, show))
	return &m, nil
}

// ExplainRedacted is ExplainPath with each entity next to a link show
// does not allow written as "kind:(withheld)": the caller learns the shape
// of the tie, not details they may not see — neither the listed person's
// phone nor that this phone is theirs. The start (the traveller's own
// entity) and listings (named by the match anyway) are always shown. A nil
// show hides nothing.
func ExplainRedacted(start Entity, path []Link, show Allow) string {
	var b strings.Builder
	b.WriteString(start.String())
	at := start
	hidden := func(i int) bool { return show != nil && i < len(path) && !show(path[i]) }
	for i, l := range path {
		at = l.Other(at)
		shown := at.String()
		if at.Kind != KindListing && (hidden(i) || hidden(i+1)) {
			shown = string(at.Kind) + ":(withheld)"
		}
		fmt.Fprintf(&b, " -%s- %s", l.Type, shown)
	}
	return b.String()
}
