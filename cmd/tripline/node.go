package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"tripline"
	"tripline/federation"
	"tripline/match"
	"tripline/network"
	nodert "tripline/node"
	"tripline/policy"
	"tripline/retro"
	"tripline/screening"
	"tripline/sqlstore"
)

// Node is one opened data directory: the runtime (package node: the
// store, the in-memory indexes kept in step with the event log, the
// background work) and the services this command wires onto it.
type Node struct {
	*nodert.Node
	Identity *sqlstore.IdentityService
	Consents *sqlstore.ConsentService
	Tips     *sqlstore.TipService
	Audit    *sqlstore.AuditLog
	Policy   *policy.Policy
	// Peer, FedService and Notifier are the federation (federation.go).
	Peer       *federation.Peer
	FedService *federation.Service
	Notifier   *federation.Notifier
	Network    *network.Service // link analysis (network.go); nil without the index
	// WitnessEvery is how often each partner's audit checkpoint is
	// fetched and kept (TRIPLINE_AUDIT_WITNESS_EVERY; 0: never).
	WitnessEvery time.Duration
	groups       *groupCache
	// startSwept is closed when the link graph's retention pass at start
	// has run (at once on a replica or without the index): a test that
	// stamps links in the past waits for it, or the pass could take them.
	startSwept chan struct{}
}

// nodeConfig is what openNode needs besides the data directory.
type nodeConfig struct {
	// Index loads the indexes and starts the background work; listing
	// commands do without.
	Index bool
	// Retention is how long screened travellers are kept (zero:
	// $TRIPLINE_TRAVELLER_RETENTION, default 30 days).
	Retention time.Duration
	// Replica serves screening for the writer whose PostgreSQL store
	// this is (serve --replica).
	Replica bool
	// RetroQueue is how many changed listings wait to be retro-screened one
	// by one (default 65,536); past it, a burst is retro-screened the other
	// way round (bulkRetro).
	RetroQueue int
	// AuditFsync, when set, ends an answer's wait once its audit entries
	// (and a review's encounters) are written to their journals; their
	// fsync follows within it (sqlstore.AuditOptions.SyncWritten,
	// node.Node.ReviewFsync). Zero: answers wait for it.
	AuditFsync time.Duration
}

// defaultAuditFsync is how long a served node lets answered audit entries
// wait for their fsync: they survive the process being killed at once
// (they are in the journal's file), a power loss after this span. Waiting
// for the fsync itself cost a third of the answers per second at 8
// clients (bench/README.md, "written, then synced").
const defaultAuditFsync = 10 * time.Millisecond

// openNode opens (creating if needed) the node in dir.
func openNode(ctx context.Context, env *Env, dir string, withIndex bool, log *slog.Logger) (*Node, error) {
	return openNodeConfig(ctx, env, dir, nodeConfig{Index: withIndex}, log)
}

func openNodeConfig(ctx context.Context, env *Env, dir string, cfg nodeConfig, log *slog.Logger) (*Node, error) {
	db, err := openStore(env, dir)
	if err != nil {
		return nil, err
	}
	if cfg.Index {
		// The index is in memory: the store is read in pages once at
		// start, and a 256 MiB page cache per connection is memory the
		// node keeps for nothing (gigabytes on a million listings). Below
		// 64 MiB the journal's writes re-read and re-allocate the pages
		// of the event and encounter indexes they touch.
		db.CacheBytes = 64 << 20
	}
	if err := db.Open(); err != nil {
		return nil, err
	}
	db.Logger = log
	// The node id belongs to the directory, not to whoever runs a command.
	ident, err := nodeIdentity(ctx, env, dir, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	db.Origin = ident.ID
	n := &Node{Node: nodert.New(db, log), Identity: sqlstore.NewIdentityService(db), Consents: sqlstore.NewConsentService(db),
		Tips: sqlstore.NewTipService(db), startSwept: make(chan struct{})}
	n.Agency, n.RetroQueue, n.Replica = ident.Agency, cfg.RetroQueue, cfg.Replica
	// A review's record is as durable as its answer's audit entry.
	n.ReviewFsync = cfg.AuditFsync
	n.Node.Tips, n.Node.Diffusions = n.Tips, sqlstore.NewDiffusionService(db) // erased by the runtime's retention pass
	// The node key signs the audit log's checkpoints as it signs events:
	// loaded (or made) before the first entry is recorded.
	key, err := federation.LoadOrCreateKey(filepath.Join(dir, "node.key"))
	if err != nil {
		db.Close()
		return nil, err
	}
	// Entries are journaled: an answer waits for a write (or an fsync) of
	// the journal, not for a commit of the audit file.
	audit, err := sqlstore.NewAuditLogWith(db, sqlstore.AuditOptions{Node: db.Origin, Key: key, Journal: true, SyncWritten: cfg.AuditFsync})
	if err != nil {
		db.Close()
		return nil, err
	}
	n.Audit = audit
	// The snapshot names the store it reflects: the node id and its key,
	// which no other data directory shares.
	n.StoreID = fmt.Sprintf("%s/%x", db.Origin, key.Public())
	if env.Build != nil {
		n.Build = env.Build()
	}
	n.groups = &groupCache{ids: n.Identity}
	if err := n.groups.reload(ctx); err != nil {
		n.Close()
		return nil, err
	}
	n.Policy = policy.New(n.groups, audit)
	n.Policy.Agency = n.Agency
	if n.Encounters.Escalation, err = tripline.ParseEscalation(env.Getenv("TRIPLINE_ESCALATE")); err != nil {
		n.Close()
		return nil, usagef("TRIPLINE_ESCALATE: %s", tripline.ErrorMessage(err))
	}
	if n.EncounterRetention, err = tripline.ParseEncounterRetention(env.Getenv("TRIPLINE_ENCOUNTER_RETENTION")); err != nil {
		n.Close()
		return nil, usagef("TRIPLINE_ENCOUNTER_RETENTION: %s", tripline.ErrorMessage(err))
	}
	n.WitnessEvery = tripline.DefaultWitnessEvery
	if v := env.Getenv("TRIPLINE_AUDIT_WITNESS_EVERY"); v != "" {
		if n.WitnessEvery, err = time.ParseDuration(v); err != nil || n.WitnessEvery < 0 {
			n.Close()
			return nil, usagef("TRIPLINE_AUDIT_WITNESS_EVERY: %q is not a duration (10m; 0 witnesses no partner)", v)
		}
	}
	n.Fed.Agency = n.Agency
	if n.Fed.MaxOriginListings, err = partnerMax(env, env.partnerMaxListings, "TRIPLINE_PARTNER_MAX_LISTINGS", tripline.DefaultMaxOriginListings); err != nil {
		n.Close()
		return nil, err
	}
	if n.Fed.MaxOriginAlerts, err = partnerMax(env, env.partnerMaxAlerts, "TRIPLINE_PARTNER_MAX_ALERTS", tripline.DefaultMaxOriginAlerts); err != nil {
		n.Close()
		return nil, err
	}
	if err := n.startFederation(ctx, dir); err != nil {
		n.Close()
		return nil, err
	}
	n.Index = match.NewIndex(match.Options{})
	n.Retro = retro.New(match.TableKeys, match.Variants, match.Score, n.Index.Thresholds().Review)
	window := cfg.Retention
	if window == 0 {
		if window, err = tripline.ParseTravellerRetention(env.Getenv("TRIPLINE_TRAVELLER_RETENTION")); err != nil {
			n.Close()
			return nil, usagef("TRIPLINE_TRAVELLER_RETENTION: %s", tripline.ErrorMessage(err))
		}
	}
	n.Retro.SetWindow(window)
	n.Screener = screening.NewService(n.Index)
	n.Screener.Listing = n.Index.Listing
	n.Screener.Redress = screening.NewRedress(match.CompareNames)
	n.Screener.Encounters = n.Encounters
	n.Screener.Origin = db.Origin
	n.Screener.Now = func() time.Time { return n.Now() }
	n.Screener.Allow = n.Policy.CanScreen
	n.Screener.AllowAlert = n.Policy.CanScreenAlert
	n.Policy.Alert = n.Screener.Alerts.Get
	if !cfg.Index {
		return n, nil
	}
	if err := n.openNetwork(ctx); err != nil {
		n.Close()
		return nil, err
	}
	n.OnListing = n.networkListing
	n.OnEncounter = func(e *tripline.Encounter) {
		if n.Peer != nil {
			n.reportEncounter(context.Background(), e)
			n.notifyDeparture(context.Background(), e)
			n.notifyDiffusion(context.Background(), e)
		}
	}
	n.OnEncounterUpdated = func(e *tripline.Encounter) {
		if n.Peer != nil {
			n.sendUpdate(context.Background(), e)
		}
	}
	n.OnErased = func(x tripline.Erasure, lapsed int) {
		// The node's own act, by no user: oversight sees that retention ran
		// and what it took, never whom.
		n.Audit.Record(context.Background(), tripline.AuditEntry{User: "retention", Agency: n.Agency, Action: "retention.erase",
			Detail: fmt.Sprintf("%d encounters, %d tips and %d diffusions erased, %d refusals and %d lapsed clearances removed, %d undelivered reports expired",
				x.Encounters, x.Tips, x.Diffusions, len(x.Refusals), lapsed, x.Reports)})
	}
	n.Notify = func() {
		if n.Notifier != nil {
			n.Notifier.Notify() // wake partners long-polling our feed
		}
	}
	if cfg.Replica {
		// The writer reports this node's encounters to partners: it
		// tails the log these are written to.
		n.OnEncounter, n.OnEncounterUpdated = nil, nil
	}
	if err := n.Node.Start(ctx, dir); err != nil {
		n.Close()
		return nil, err
	}
	n.Every(5*time.Second, func(ctx context.Context) {
		if err := n.groups.reload(ctx); err != nil {
			n.Logger.Error("reload sharing groups", "err", err)
		}
	})
	if !cfg.Replica {
		// With the travellers' hourly purge; the writer's pass is the
		// replicas' too (the links are in the shared store).
		n.Go(func(ctx context.Context) {
			defer close(n.startSwept)
			n.expireLinks(ctx)
		})
		n.Every(time.Hour, n.expireLinks)
	} else {
		close(n.startSwept)
	}
	return n, nil
}

// Close stops the background work, saves the travellers still queued,
// writes and signs the audit log and closes the store.
func (n *Node) Close() error {
	n.Stop()
	var auditErr error
	if n.Audit != nil {
		if auditErr = n.Audit.Close(); auditErr != nil {
			n.Logger.Error("close audit log", "err", auditErr)
		}
	}
	return errors.Join(auditErr, n.DB.Close())
}

// cliContext is the context of a command-line action: a supervisor of the
// node's own agency, so that the command line too goes through the policy
// layer and the audit log.
func (n *Node) cliContext(ctx context.Context) context.Context {
	return tripline.WithIdentity(ctx, &tripline.Identity{User: "cli", Agency: n.Agency, Role: tripline.RoleSupervisor})
}

// audited records a command-line action in the audit log, as the
// node's supervisor, and waits for the entry to be committed: an action
// that reports success has its audit entry.
func (n *Node) audited(ctx context.Context, action, subject, detail string) error {
	n.Policy.Record(n.cliContext(ctx), action, subject, detail)
	if err := n.Audit.Flush(ctx); err != nil {
		return fmt.Errorf("audit %s %s: %w", action, subject, err)
	}
	return nil
}

// groupCache holds the sharing groups in memory for the policy layer,
// reloaded every few seconds so that a change made from the command line
// reaches a running server.
type groupCache struct {
	ids *sqlstore.IdentityService
	mu  sync.RWMutex
	m   tripline.GroupMap
}

func (g *groupCache) reload(ctx context.Context) error {
	m, err := g.ids.Groups(ctx)
	if err != nil {
		return err
	}
	g.mu.Lock()
	g.m = m
	g.mu.Unlock()
	return nil
}

// GroupsOf implements tripline.Groups.
func (g *groupCache) GroupsOf(agency string) []string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.m[agency]
}

// partnerMax is the most records of a kind the node takes from one partner
// origin: serve's flag (flag, 0 when not given), else the environment
// variable key (so that a bundle import keeps the bound the node serves
// with), else def.
func partnerMax(env *Env, flag int, key string, def int) (int, error) {
	if flag > 0 {
		return flag, nil
	}
	v := env.Getenv(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, usagef("%s: %q is not a positive number", key, v)
	}
	return n, nil
}
