package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"

	"tripline"
	"tripline/match"
	"tripline/screening"
	"tripline/sqlite"
)

// Node is one opened data directory: the store, the in-memory index kept in
// step with the event log, and the services built on them.
type Node struct {
	DB       *sqlite.DB
	Listings *sqlite.ListingService
	Events   *sqlite.EventService
	Index    *match.Index
	Screener *screening.Service
	Logger   *slog.Logger
	ready    atomic.Bool

	mu       sync.Mutex
	versions map[string]int64 // newest version applied per listing, withdrawn ones too
}

// openNode opens (creating if needed) the node in dir. The index is loaded
// only when withIndex is set: listing commands do not need it.
func openNode(ctx context.Context, env *Env, dir string, withIndex bool, log *slog.Logger) (*Node, error) {
	db := sqlite.NewDB(filepath.Join(dir, "tripline.db"))
	db.Origin = envOr(env, "TRIPLINE_NODE", "local")
	if err := db.Open(); err != nil {
		return nil, err
	}
	n := &Node{DB: db, Listings: sqlite.NewListingService(db), Events: sqlite.NewEventService(db), Logger: log,
		versions: map[string]int64{}}
	n.Index = match.NewIndex(match.Options{})
	n.Screener = screening.NewService(n.Index)
	if !withIndex {
		return n, nil
	}
	// Subscribe before loading, so no change between the load and the
	// subscription is missed; the version check makes a replay harmless.
	db.Subscribe(n.apply)
	if err := n.loadIndex(ctx); err != nil {
		db.Close()
		return nil, err
	}
	n.ready.Store(true)
	return n, nil
}

// Close closes the store.
func (n *Node) Close() error { return n.DB.Close() }

// Ready reports whether the index is loaded.
func (n *Node) Ready() bool { return n.ready.Load() }

func (n *Node) loadIndex(ctx context.Context) error {
	after := ""
	for {
		page, err := n.Listings.Listings(ctx, tripline.ListingFilter{Status: tripline.StatusActive, After: after, Limit: 5000})
		if err != nil {
			return fmt.Errorf("load index: %w", err)
		}
		if len(page) == 0 {
			return nil
		}
		for _, l := range page {
			n.upsert(l)
		}
		after = page[len(page)-1].ID
	}
}

// apply keeps the index in step with committed listing events.
func (n *Node) apply(evs []*tripline.Event) {
	for _, ev := range evs {
		switch ev.Type {
		case tripline.EventListingUpserted, tripline.EventListingWithdrawn, tripline.EventListingExpired:
			var l tripline.Listing
			if err := json.Unmarshal(ev.Payload, &l); err != nil {
				n.Logger.Error("apply event: bad listing payload", "origin", ev.Origin, "seq", ev.Seq, "err", err)
				continue
			}
			n.upsert(&l)
		}
	}
}

// upsert puts l in the index unless a newer version was already applied
// (events of two transactions may be published out of order).
func (n *Node) upsert(l *tripline.Listing) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.versions[l.ID] > l.Version {
		return
	}
	n.versions[l.ID] = l.Version
	n.Index.Upsert(l) // Upsert drops listings that are not active
}
