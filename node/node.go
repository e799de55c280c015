// Package node is a Tripline node's runtime: the in-memory indexes
// (matching, document alerts, redress, retro-screening window) loaded from
// the store and kept in step with its event log (this process's commits
// as they happen, other processes' by tailing the log), and the background
// work: the screening journal, the pending-encounter queue, the traveller
// log, retro-screening, expiry and purge. The command wires its services
// and the federation and network hooks onto it.
package node

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"tripline"
	"tripline/journal"
	"tripline/match"
	"tripline/retro"
	"tripline/screening"
	"tripline/sqlstore"
)

// Node is a node's runtime on one store. New fills the store's services;
// the caller sets Index, Retro and Screener (and the hooks), then Start.
type Node struct {
	DB         *sqlstore.DB
	Listings   *sqlstore.ListingService
	Events     *sqlstore.EventService
	Encounters *sqlstore.EncounterService
	Alerts     *sqlstore.DocumentAlertService
	Travellers *sqlstore.TravellerLog
	Fed        *sqlstore.FederationStore
	// ScreeningLog applies the screening journal (journal.go) to the
	// store; journal is nil when another process serves the directory.
	ScreeningLog *sqlstore.ScreeningLog
	journal      *journal.Journal
	journalName  string // the journal's position in the store (journalPosition)
	// Agency is the agency running this node: a partner's document alert
	// it no longer may see is dropped, its own are kept.
	Agency   string
	Index    *match.Index
	Retro    *retro.Store
	Screener *screening.Service
	Logger   *slog.Logger
	Now      func() time.Time
	// StoreID names the store an index snapshot must reflect: the node id
	// and its key, which no other data directory shares. Build identifies
	// the program (a snapshot holds what its matcher prepared); "" loads
	// from the store alone, writing no snapshot.
	StoreID, Build string
	// Replica leaves the store's upkeep (expiry, purge) to the writer
	// whose database it shares: it screens, and writes only what
	// screening writes (encounters, travellers, audit).
	Replica bool
	// RetroQueue is how many changed listings wait to be retro-screened
	// one by one (default 65,536); past it, a burst is retro-screened the
	// other way round (bulkRetro).
	RetroQueue int
	// ReviewFsync, when set, ends the wait of an answer whose encounters
	// are all reviews once its journal record is written (it survives the
	// process being killed); its fsync follows within ReviewFsync, as the
	// answer's audit entries' does. A hit's encounter is always fsynced
	// before the answer. Zero: reviews wait for the fsync too.
	ReviewFsync time.Duration
	// EncounterRetention is how long resolved encounters keep the
	// traveller's identity (zero: for good); the hourly purge erases it
	// past that.
	EncounterRetention tripline.EncounterRetention
	// Tips and Diffusions, when set, are the node's tips and diffusions,
	// erased past the same retention.
	Tips       tripline.TipService
	Diffusions tripline.DiffusionService

	// OnListing, when set, sees every listing the index applies (the
	// link analysis follows them); called under the index's lock.
	OnListing func(*tripline.Listing)
	// OnEncounter and OnEncounterUpdated, when set, get this node's
	// encounters as they commit (federation reports them to the
	// originator), each call in a goroutine of its own.
	OnEncounter, OnEncounterUpdated func(*tripline.Encounter)
	// OnErased, when set, hears what a retention pass erased (only when it
	// erased something): oversight sees retention applied in the audit log.
	OnErased func(x tripline.Erasure, lapsedClearances int)
	// Notify, when set, is called after each batch of events applied
	// (partners long-polling the feed wake up).
	Notify func()

	ready atomic.Bool

	mu       sync.Mutex
	versions map[string]int64 // newest version applied of listings not in the index (withdrawn, expired)
	applied  appliedSet       // which of this node's events the indexes reflect
	foreign  foreignApplied   // how far the indexes reflect each partner's log

	seen   chan sqlstore.Seen     // screened travellers waiting to be saved
	retroq chan *tripline.Listing // listings waiting to be retro-screened
	window chan struct{}          // closed once the retention window's travellers are in Retro (loadWindow)
	// a burst of listings too large for retroq, retro-screened traveller by
	// traveller: the ids, since when, and how many such passes ran
	bulkMu    sync.Mutex
	bulk      map[string]struct{}
	bulkSince time.Time
	bulkWake  chan struct{}
	bulkRuns  atomic.Int64
	// encounters the store could not take in time (busy with a long
	// import): recorded in the background, with backoff
	pending chan *tripline.Encounter
	// publish, when set, hands events to the NATS stream (SetPublish);
	// set while tail already runs, hence atomic
	publish atomic.Pointer[func([]*tripline.Event)]
	stop    context.CancelFunc
	bgCtx   context.Context
	bg      sync.WaitGroup
	snapWG  sync.WaitGroup // an index snapshot being written (snapshot.go)
	// snapCancel stops deriving the links of a snapshot's listings
	snapCancel context.CancelFunc
	// snapDir is the data directory of the index snapshot, and snapHead
	// the listing change the loaded index reflects at least: a snapshot
	// rewritten later says so, and the next start catches up from there.
	snapDir  string
	snapHead int64
}

// New returns the runtime of db, its store's services made; log receives
// what the background work reports.
func New(db *sqlstore.DB, log *slog.Logger) *Node {
	return &Node{DB: db, Listings: sqlstore.NewListingService(db), Events: sqlstore.NewEventService(db),
		Encounters: sqlstore.NewEncounterService(db), Alerts: sqlstore.NewDocumentAlertService(db),
		Travellers: sqlstore.NewTravellerLog(db), Fed: sqlstore.NewFederationStore(db),
		Logger: log, Now: time.Now, versions: map[string]int64{}}
}

// Start loads the indexes from the store and starts the background work;
// dir holds the screening journal. It returns an error when the store
// cannot be read or the journal left by the last run cannot be applied.
func (n *Node) Start(ctx context.Context, dir string) error {
	// Note the log's head, subscribe, then load: no change between the load
	// and the subscription is missed, and version checks make a replay
	// harmless. Changes made by other processes on the same data directory
	// (`tripline import` while serving) are picked up by tailing the log.
	head, err := n.Events.LastSeq(ctx, n.DB.Origin)
	if err != nil {
		return err
	}
	n.applied.cursor = head
	if err := n.foreign.start(ctx, n.Fed, n.Events); err != nil {
		return err
	}
	n.DB.Subscribe(n.apply)
	// Before the load: screenings journaled by the last run reach the
	// store (their travellers the retention window) first.
	if err := n.openJournal(ctx, dir); err != nil {
		return err
	}
	if err := n.loadIndex(ctx, dir, n.Build); err != nil {
		return err
	}
	// Decoding the store's pages left garbage of about the index's own
	// size: give it back to the system now rather than over minutes.
	debug.FreeOSMemory()
	n.start()
	n.ready.Store(true)
	return nil
}

// Stop stops the background work, saving the travellers and encounters
// still queued and applying the journal, and waits for it. The store stays
// open: its owner closes it.
func (n *Node) Stop() {
	if n.stop != nil {
		n.stop()
		n.bg.Wait()
	}
	if n.snapCancel != nil {
		n.snapCancel()
	}
	n.snapWG.Wait()
	if n.journal != nil {
		n.journal.Close() // applyLoop closed it already, unless the node never started
	}
}

// Context is the background work's context, cancelled by Stop; nil before
// Start.
func (n *Node) Context() context.Context { return n.bgCtx }

// Go runs fn as background work of the node: Stop cancels its context and
// waits for it to return. Before Start it does nothing.
func (n *Node) Go(fn func(ctx context.Context)) {
	if n.bgCtx == nil {
		return
	}
	n.bg.Add(1)
	go func() {
		defer n.bg.Done()
		fn(n.bgCtx)
	}()
}

// Every runs fn every d as background work of the node.
func (n *Node) Every(d time.Duration, fn func(context.Context)) {
	if n.bgCtx != nil {
		n.every(n.bgCtx, d, fn)
	}
}

// SetPublish hands every event of this node's log, from now on, to fn (a
// NATS stream) as the tail reads it.
func (n *Node) SetPublish(fn func([]*tripline.Event)) { n.publish.Store(&fn) }

// Apply applies events of the store's log to the indexes (a stream
// carrying them, as a replica follows its writer's): each once, whichever
// way it arrives first.
func (n *Node) Apply(evs []*tripline.Event) { n.apply(evs) }

// Applied returns the sequence number up to which this node's own events
// are applied.
func (n *Node) Applied() int64 { return n.applied.next() }

// BulkRuns reports how many bursts of listings were retro-screened
// traveller by traveller.
func (n *Node) BulkRuns() int64 { return n.bulkRuns.Load() }

// Journaled reports whether screenings go through the journal (false when
// another process serves the directory).
func (n *Node) Journaled() bool { return n.journal != nil }

// JournalWrites returns how many writes (each with its fsync) the
// screening journal has made; 0 without one.
func (n *Node) JournalWrites() uint64 {
	if n.journal == nil {
		return 0
	}
	return n.journal.Writes()
}

// Ready reports whether the indexes are loaded.
func (n *Node) Ready() bool { return n.ready.Load() }

// loadListings puts every active listing of the store in the index.
func (n *Node) loadListings(ctx context.Context) error {
	// A million listings take a minute to load one by one: pages are read
	// and decoded on one goroutine while workers on every core tokenise
	// (match.Prepare) and hand each listing to the index in turn.
	pages := make(chan []*tripline.Listing, 2)
	var readErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(pages)
		after := ""
		for {
			page, err := n.Listings.Listings(ctx, tripline.ListingFilter{Status: tripline.StatusActive, After: after, Limit: 5000})
			if err != nil || len(page) == 0 {
				readErr = err
				return
			}
			pages <- page
			after = page[len(page)-1].ID
		}
	})
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for page := range pages {
				for _, l := range page {
					loadedListing(l)
					n.put(l, match.Prepare(l))
				}
			}
		})
	}
	wg.Wait()
	if readErr != nil {
		return fmt.Errorf("load index: %w", readErr)
	}
	return nil
}

// loadRest loads what screening needs besides the listings (document
// alerts, clearances, refusals) and purges the travellers past the
// retention window from the store; the window's travellers are loaded
// behind the ready node (loadWindow).
func (n *Node) loadRest(ctx context.Context) error {
	alerts, err := n.Alerts.DocumentAlerts(ctx, tripline.AlertFilter{})
	if err != nil {
		return fmt.Errorf("load document alerts: %w", err)
	}
	for _, a := range alerts {
		n.Screener.Alerts.Upsert(a)
	}
	clrs, err := n.Encounters.Clearances(ctx)
	if err != nil {
		return fmt.Errorf("load clearances: %w", err)
	}
	for _, c := range clrs {
		n.clearanceAgency(ctx, c)
		n.Screener.Redress.AddClearance(c)
	}
	refs, err := n.Encounters.Refusals(ctx)
	if err != nil {
		return fmt.Errorf("load refusals: %w", err)
	}
	for _, r := range refs {
		n.Screener.Redress.AddRefusal(r)
	}
	_, err = n.Travellers.Purge(ctx, n.Now().Add(-n.Retro.Window))
	return err
}

// loadWindow puts the retention window's travellers stored before until
// in the retro store, behind the ready node: screening does not read
// them, only retro-screening does (retroLoop waits for them), and hundreds
// of thousands of names take seconds to key. Screenings from until on add
// their travellers themselves (Screener.Seen): the store's copies of
// those are left out, so none is there twice.
func (n *Node) loadWindow(ctx context.Context, until time.Time) {
	t0, k := time.Now(), 0
	err := n.Retro.Load(func(add func(*tripline.Traveller, time.Time)) error {
		return n.Travellers.Each(ctx, until.Add(-n.Retro.Window), func(s sqlstore.Seen) {
			if s.At.Before(until) {
				add(s.Traveller, s.At)
				k++
			}
		})
	})
	if err != nil && ctx.Err() == nil {
		// Retro-screening goes on against what was read: a traveller
		// missing here is still in the store, and found again at the next
		// start.
		n.Logger.Error("load the retention window's travellers", "loaded", k, "err", err)
		return
	}
	n.Logger.Info("retention window loaded", "travellers", k, "took", time.Since(t0).Round(time.Millisecond))
}

// start runs the background work: saving screened travellers in batches,
// retro-screening changed listings, and the hourly purge.
func (n *Node) start() {
	ctx, stop := context.WithCancel(context.Background())
	n.stop, n.bgCtx = stop, ctx
	n.seen = make(chan sqlstore.Seen, 65536)
	n.retroq = make(chan *tripline.Listing, cmp.Or(n.RetroQueue, 65536))
	n.bulkWake = make(chan struct{}, 1)
	n.Screener.Seen = func(t *tripline.Traveller, at time.Time) {
		n.Retro.Add(t, at)
		select {
		case n.seen <- sqlstore.Seen{Traveller: t, At: at}:
		default:
			n.Logger.Warn("traveller log queue full: a screened traveller is kept in memory only")
		}
	}
	if n.journal != nil {
		n.Screener.Recorder = screenJournal{n, n.journal}
		n.Screener.Seen = n.Retro.Add // stored through the journal
		n.bg.Add(1)
		go n.applyLoop(ctx)
	}
	// An officer's instruction never waits long on the store: an encounter
	// it cannot record within a quarter second is queued and recorded (and
	// reported to the originator) as soon as the store is free.
	n.pending = make(chan *tripline.Encounter, 4096)
	n.Screener.RecordWithin = 250 * time.Millisecond
	n.Screener.Pending = func(e *tripline.Encounter) {
		select {
		case n.pending <- e:
		default:
			n.Logger.Error("encounter queue full: an encounter is lost", "listing", e.Listing, "agency", e.Agency)
		}
	}
	n.window = make(chan struct{})
	until := n.Now() // before the node is ready: every screening is later
	n.bg.Add(4)
	go func() {
		defer n.bg.Done()
		defer close(n.window)
		n.loadWindow(ctx, until)
	}()
	go n.saveLoop(ctx)
	go n.retroLoop(ctx)
	go n.pendingLoop(ctx)
	n.every(ctx, 300*time.Millisecond, n.tail)
	if !n.Replica {
		n.expire(ctx)
		n.bg.Add(1)
		go func() { // a backlog after an upgrade must not hold the node's start
			defer n.bg.Done()
			n.eraseEncounters(ctx)
		}()
		n.every(ctx, 30*time.Second, n.expire)
		// As often as a segment of the window fills (hourly for the
		// default 30 days): no traveller outlives it by more.
		n.every(ctx, n.Retro.Segment, n.purge)
	} else {
		n.every(ctx, time.Hour, n.syncRedress)
	}
}

// every runs fn every d until ctx ends, as the node's background work.
func (n *Node) every(ctx context.Context, d time.Duration, fn func(context.Context)) {
	n.bg.Add(1)
	go func() {
		defer n.bg.Done()
		tick := time.NewTicker(d)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				fn(ctx)
			}
		}
	}()
}

// maxUnsavedTravellers bounds the screened travellers kept in memory while
// the store cannot take them.
const maxUnsavedTravellers = 100_000

func (n *Node) saveLoop(ctx context.Context) {
	defer n.bg.Done()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	var batch []sqlstore.Seen
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if err := n.Travellers.Save(context.Background(), batch); err != nil {
			// The store is busy (a long import) or failing: keep the batch
			// for the next tick, up to a bound, rather than lose travellers
			// a new listing should be retro-screened against.
			if len(batch) < maxUnsavedTravellers {
				n.Logger.Warn("save screened travellers: kept for the next attempt", "n", len(batch), "err", err)
				return
			}
			n.Logger.Error("save screened travellers: dropped", "n", len(batch), "err", err)
		}
		batch = batch[:0]
	}
	for {
		select {
		case s := <-n.seen:
			if batch = append(batch, s); len(batch) >= 1000 {
				flush()
			}
		case <-tick.C:
			flush()
		case <-ctx.Done():
			for {
				select {
				case s := <-n.seen:
					batch = append(batch, s)
				default:
					flush()
					return
				}
			}
		}
	}
}

// pendingLoop records the encounters screening had to queue, in order,
// retrying each with backoff; at shutdown it tries each left once more.
func (n *Node) pendingLoop(ctx context.Context) {
	defer n.bg.Done()
	for {
		select {
		case e := <-n.pending:
			for wait := 100 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
				_, err := n.Encounters.CreateEncounter(ctx, e)
				if err == nil {
					break
				}
				if ctx.Err() != nil {
					n.Screener.Pending(e) // for the final attempt at shutdown
					break
				}
				n.Logger.Warn("record queued encounter", "listing", e.Listing, "err", err, "retry_in", wait)
				select {
				case <-ctx.Done():
				case <-time.After(wait):
				}
			}
		case <-ctx.Done():
			for {
				select {
				case e := <-n.pending:
					if _, err := n.Encounters.CreateEncounter(context.Background(), e); err != nil {
						n.Logger.Error("encounter lost at shutdown", "listing", e.Listing, "agency", e.Agency, "err", err)
					}
				default:
					return
				}
			}
		}
	}
}

// expire expires listings past their valid-until date, each with its
// event, so that the expiry reaches partners like any change.
func (n *Node) expire(ctx context.Context) {
	ids, err := n.Listings.ExpireListings(ctx, n.Now())
	if err != nil && ctx.Err() == nil {
		n.Logger.Error("expire listings", "err", err)
	} else if len(ids) > 0 {
		n.Logger.Info("listings expired", "n", len(ids))
	}
}

// purge drops travellers past the retention window, from memory and disk.
func (n *Node) purge(ctx context.Context) {
	now := n.Now()
	mem := n.Retro.Purge(now)
	disk, err := n.Travellers.Purge(ctx, now.Add(-n.Retro.Window))
	if err != nil {
		n.Logger.Error("purge travellers", "err", err)
		return
	}
	if mem > 0 || disk > 0 {
		n.Logger.Info("purged travellers past the retention window", "memory", mem, "disk", disk)
	}
	n.eraseEncounters(ctx)
}

// eraseEncounters erases the traveller's identity from resolved
// encounters, and removes refusals, past their retention
// (tripline.EncounterRetention), from the store and the screener.
func (n *Node) eraseEncounters(ctx context.Context) {
	x, err := n.Encounters.EraseEncounters(ctx, n.EncounterRetention)
	for _, id := range x.Refusals {
		n.Screener.Redress.RemoveRefusal(id)
	}
	if err != nil && ctx.Err() == nil {
		n.Logger.Error("erase encounters past their retention", "err", err)
	}
	if n.Tips != nil {
		if x.Tips, err = n.Tips.EraseTips(ctx, n.EncounterRetention); err != nil && ctx.Err() == nil {
			n.Logger.Error("erase tips past their retention", "err", err)
		}
	}
	if n.Diffusions != nil {
		if x.Diffusions, err = n.Diffusions.EraseDiffusions(ctx, n.EncounterRetention); err != nil && ctx.Err() == nil {
			n.Logger.Error("erase diffusions past their retention", "err", err)
		}
	}
	lapsed, err := n.removeLapsedClearances(ctx)
	if err != nil && ctx.Err() == nil {
		n.Logger.Error("remove lapsed clearances", "err", err)
	}
	if x.Encounters > 0 || len(x.Refusals) > 0 || lapsed > 0 || x.Tips > 0 || x.Diffusions > 0 || x.Reports > 0 {
		n.Logger.Info("erased travellers' identity past its retention", "encounters", x.Encounters, "refusals", len(x.Refusals),
			"lapsed_clearances", lapsed, "tips", x.Tips, "diffusions", x.Diffusions, "expired_reports", x.Reports)
		if x.Tips > 0 || x.Diffusions > 0 {
			n.rewriteSnapshot() // it may hold the listings the pass trimmed
		}
		if n.OnErased != nil {
			n.OnErased(x, lapsed)
		}
	}
}

// appliedSet tracks applied sequence numbers: all up to cursor, and those
// in above, so that an event published in-process and read again by the
// tail is applied once.
type appliedSet struct {
	mu     sync.Mutex
	cursor int64
	above  map[int64]bool
}

// mark records seq as applied and reports whether it was new.
func (a *appliedSet) mark(seq int64) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if seq <= a.cursor || a.above[seq] {
		return false
	}
	if a.above == nil {
		a.above = map[int64]bool{}
	}
	a.above[seq] = true
	for a.above[a.cursor+1] {
		delete(a.above, a.cursor+1)
		a.cursor++
	}
	return true
}

func (a *appliedSet) next() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cursor
}

// tail applies events other processes wrote to this node's log.
func (n *Node) tail(ctx context.Context) {
	for {
		evs, err := n.Events.Events(ctx, n.DB.Origin, n.applied.next(), 5000)
		if err != nil {
			if ctx.Err() == nil {
				n.Logger.Error("tail event log", "err", err)
			}
			return
		}
		n.apply(evs)
		if publish := n.publish.Load(); publish != nil && len(evs) > 0 {
			(*publish)(evs)
		}
		if len(evs) < 5000 {
			break
		}
	}
	n.tailForeign(ctx)
}

// apply keeps the in-memory indexes in step with committed events.
func (n *Node) apply(evs []*tripline.Event) {
	for _, ev := range evs {
		if ev.Origin == n.DB.Origin && !n.applied.mark(ev.Seq) || ev.Origin != n.DB.Origin && !n.foreign.mark(ev.Origin, ev.Seq) {
			continue
		}
		if ev.Ignored {
			continue // a partner's event the store refused: the indexes follow the store
		}
		if ev.Redacted {
			// A partner may no longer show us this (a placeholder, or the
			// records a range names): if it is a listing we hold from a
			// partner, drop it.
			for _, d := range ev.DropRefs() {
				if l := n.Index.Listing(d.Subject); l != nil && len(l.Provenance.Chain) > 0 && !n.stillHeld(d.Subject) {
					n.mu.Lock()
					n.versions[l.ID] = l.Version // out of the index: its version kept here
					n.Index.Remove(d.Subject)
					n.mu.Unlock()
					n.onListing(&tripline.Listing{ID: d.Subject, Status: tripline.StatusWithdrawn}) // and its links
				}
				if a := n.Screener.Alerts.Get(d.Subject); a != nil && a.Provenance.Originator != n.Agency && !n.alertHeld(d.Subject) {
					n.Screener.Alerts.Remove(d.Subject)
				}
			}
			continue
		}
		switch ev.Type {
		case tripline.EventEncounter:
			var e tripline.Encounter
			if ev.Origin == n.DB.Origin && n.OnEncounter != nil && n.decode(ev, &e) {
				go n.OnEncounter(&e)
			}
		case tripline.EventEncounterUpdated:
			var e tripline.Encounter
			if ev.Origin == n.DB.Origin && n.OnEncounterUpdated != nil && n.decode(ev, &e) {
				go n.OnEncounterUpdated(&e)
			}
		case tripline.EventListingUpserted, tripline.EventListingWithdrawn, tripline.EventListingExpired:
			var l tripline.Listing
			if n.decode(ev, &l) && ev.Origin != n.DB.Origin {
				foreignListing(&l, ev.Via)
			}
			if n.upsert(&l) && l.Status == tripline.StatusActive && n.retroq != nil {
				select {
				case n.retroq <- &l:
				default:
					n.markBulk(l.ID)
				}
			}
		case tripline.EventDocumentAlert, tripline.EventDocumentAlertWithdrawn:
			var a tripline.DocumentAlert
			if n.decode(ev, &a) {
				n.Screener.Alerts.Upsert(&a)
			}
		case tripline.EventClearance:
			var c tripline.Clearance
			if n.decode(ev, &c) && c.Revoked {
				n.Screener.Redress.RemoveClearance(c.ID) // a shared clearance revoked
			} else if c.ID != "" {
				if !c.Shared && c.Agency == "" {
					c.Agency = n.Agency // an encounter naming no agency: the node's
				}
				n.Screener.Redress.AddClearance(&c)
			}
		case tripline.EventRefusal:
			var r tripline.Refusal
			if n.decode(ev, &r) {
				n.Screener.Redress.AddRefusal(&r)
			}
		}
	}
	if n.Notify != nil && len(evs) > 0 {
		n.Notify()
	}
}

// foreignListing makes a partner's listing as this node holds it: the node
// it came through joins the provenance chain, and a listing shared for
// screening only (no action disclosed) reads "report": the officer lets the
// traveller pass and the originator is told.
func foreignListing(l *tripline.Listing, via string) {
	if via != "" {
		l.Provenance.Chain = append(l.Provenance.Chain, via)
	}
	if l.Action == "" {
		l.Action = tripline.ActionReport
	}
}

func (n *Node) decode(ev *tripline.Event, v any) bool {
	if err := json.Unmarshal(ev.Payload, v); err != nil {
		n.Logger.Error("apply event: bad payload", "origin", ev.Origin, "seq", ev.Seq, "type", ev.Type, "err", err)
		return false
	}
	return true
}

// upsert puts l in the index unless a newer version was already applied
// (events of two transactions may be published out of order), and reports
// whether it did.
func (n *Node) upsert(l *tripline.Listing) bool { return n.put(l, match.Prepare(l)) }

// put is upsert with l already prepared for the index, outside the lock.
func (n *Node) put(l *tripline.Listing, p match.Prepared) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.version(l.ID) > l.Version {
		return false
	}
	// An indexed listing's version is the index's copy: a second map of a
	// million ids would cost a hundred megabytes.
	if l.Status == "" || l.Status == tripline.StatusActive {
		delete(n.versions, l.ID)
	} else {
		n.versions[l.ID] = l.Version
	}
	n.Index.Put(p) // Put drops listings that are not active
	n.onListing(l)
	return true
}

// version returns the newest version applied of listing id (0 for none);
// n.mu must be held.
func (n *Node) version(id string) int64 {
	if v, ok := n.versions[id]; ok {
		return v
	}
	v, _ := n.Index.Version(id)
	return v
}

func (n *Node) onListing(l *tripline.Listing) {
	if n.OnListing != nil {
		n.OnListing(l)
	}
}
