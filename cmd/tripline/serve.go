package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"tripline"
	"tripline/federation"
	"tripline/httpapi"
	"tripline/postgres"
	"tripline/tlsconf"
	"tripline/web"
)

var serveCommands = []*command{{
	name: "serve", usage: "[--addr HOST:PORT] [--tls-cert FILE --tls-key FILE] [--nats URL] [--max-import-bytes N] [--partner-max-listings N] [--partner-max-alerts N] [--replica --store URL]",
	summary: "Serve the HTTP API and the console until interrupted.\n" +
		"It also pulls the partners' feeds and retro-screens new listings. Logs go to stderr as JSON;\n" +
		"the node is ready when /readyz answers 200. Uploaded lists spool in DIR/spool.",
	examples: []string{"tripline serve --addr 127.0.0.1:8080", "tripline serve --nats nats://127.0.0.1:4222",
		"tripline serve --addr 0.0.0.0:8443 --tls-cert tripline-tls/cert.pem --tls-key tripline-tls/key.pem",
		"tripline serve --replica --store postgres://db.example/tripline --nats nats://127.0.0.1:4222 --data replica-1"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		addr := fs.String("addr", envOr(env, "TRIPLINE_ADDR", "127.0.0.1:8080"), "listen on `HOST:PORT` ($TRIPLINE_ADDR)")
		data := dataFlag(fs, env)
		natsURL := fs.String("nats", envOr(env, "TRIPLINE_NATS", ""), "a NATS server `URL` whose JetStream carries this node's events to followers ($TRIPLINE_NATS; none by default)")
		maxImport := fs.Int64("max-import-bytes", httpapi.DefaultMaxImportBytes, "the largest list POST /v1/imports accepts, in bytes (`N`)")
		replica := fs.Bool("replica", false, "serve screening for the node whose PostgreSQL --store this is: its index follows the log (and --nats), "+
			"its encounters and audit go to the database; the data directory holds a copy of the node's node.key and "+federation.IdentityFile)
		tlsCert, tlsKey := tlsFlags(env, fs, "serve HTTPS only, with this PEM certificate `FILE` (then any intermediates)")
		cpuProfile := fs.String("cpu-profile", "", "write a CPU profile of the serving node to `FILE` when it stops (for benchmarks: a local file, never served over HTTP)")
		auditFsync := fs.Duration("audit-fsync-within", defaultAuditFsync, "an answer waits until its audit entries (and a review's encounters) are written to their journals, "+
			"which a killed node keeps; their fsync follows within `DURATION`, what a power loss can take (0: every answer waits for the fsync, about a third fewer answers per second). "+
			"A hit's encounter is always fsynced before the answer")
		partnerMax := fs.Int("partner-max-listings", 0, "the most listings the node holds from one partner origin; a partner's new listing past it is refused "+
			"and audited (`N`; default $TRIPLINE_PARTNER_MAX_LISTINGS, else "+strconv.Itoa(tripline.DefaultMaxOriginListings)+")")
		partnerMaxAlerts := fs.Int("partner-max-alerts", 0, "the same for document alerts (`N`; default $TRIPLINE_PARTNER_MAX_ALERTS, else "+
			strconv.Itoa(tripline.DefaultMaxOriginAlerts)+")")
		allocProfile := fs.String("alloc-profile", "", "write a profile of the serving node's heap allocations to `FILE` when it stops (for benchmarks, as --cpu-profile)")
		return func(ctx context.Context, _ []string) error {
			if *maxImport <= 0 || *maxImport > httpapi.MaxImportCeiling {
				return usagef("--max-import-bytes: %d is not between 1 and %d", *maxImport, int64(httpapi.MaxImportCeiling))
			}
			var kp *tlsconf.Keypair
			if *tlsCert != "" || *tlsKey != "" {
				if *tlsCert == "" || *tlsKey == "" {
					return usagef("--tls-cert and --tls-key go together ($TRIPLINE_TLS_CERT, $TRIPLINE_TLS_KEY)")
				}
				var err error
				if kp, err = tlsconf.LoadKeypair(*tlsCert, *tlsKey, nil); err != nil {
					return err // before the node opens: a pair that does not load is an error at start
				}
			}
			if *replica && !postgres.IsURL(storeURL(env)) {
				return usagef("--replica: needs --store postgres://... ($TRIPLINE_STORE), the database of the node it serves for")
			}
			if *replica {
				// Without them the replica would make a key and id of its
				// own: its encounters would carry a signature no partner
				// verifies.
				for _, f := range []string{"node.key", federation.IdentityFile} {
					if _, err := os.Stat(filepath.Join(*data, f)); err != nil {
						return usagef("--replica: %s has no %s: a replica is its writer's node; copy the writer's node.key and %s into it",
							*data, f, federation.IdentityFile)
					}
				}
			}
			env.replica = *replica
			if *partnerMax < 0 || *partnerMaxAlerts < 0 {
				return usagef("--partner-max-listings, --partner-max-alerts: %d, %d: negative", *partnerMax, *partnerMaxAlerts)
			}
			env.partnerMaxListings, env.partnerMaxAlerts = *partnerMax, *partnerMaxAlerts
			if *auditFsync < 0 {
				return usagef("--audit-fsync-within: %v is negative", *auditFsync)
			}
			env.auditFsync = auditFsync
			if *cpuProfile != "" {
				stop, err := startCPUProfile(*cpuProfile)
				if err != nil {
					return err
				}
				defer stop()
			}
			if *allocProfile != "" {
				defer writeAllocProfile(*allocProfile, newLogger(env))
			}
			return serve(ctx, env, *addr, *data, *natsURL, *maxImport, kp, nil)
		}
	},
}}

// tlsFlags adds --tls-cert (described by certUsage) and --tls-key, which
// default to $TRIPLINE_TLS_CERT and $TRIPLINE_TLS_KEY.
func tlsFlags(env *Env, fs *flag.FlagSet, certUsage string) (cert, key *string) {
	return fs.String("tls-cert", envOr(env, "TRIPLINE_TLS_CERT", ""), certUsage+" ($TRIPLINE_TLS_CERT)"),
		fs.String("tls-key", envOr(env, "TRIPLINE_TLS_KEY", ""), "the certificate's PEM private key `FILE` ($TRIPLINE_TLS_KEY)")
}

// serveTLS makes srv answer HTTPS only with kp (nil: plain HTTP, which is
// for loopback or behind a TLS proxy: a warning says so otherwise).
func serveTLS(srv *httpapi.Server, kp *tlsconf.Keypair, addr string, log *slog.Logger) {
	if kp == nil {
		if host, _, err := net.SplitHostPort(addr); err == nil {
			if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
				log.Warn("serving plain HTTP to other machines: tokens and listings cross the network in clear unless a TLS proxy is in front; give --tls-cert and --tls-key", "addr", addr)
			}
		}
		return
	}
	kp.Logger = log
	srv.TLS = kp.Config()
	leaf := kp.Leaf()
	log.Info("serving HTTPS", "cert", kp.CertFile, "subject", leaf.Subject.CommonName, "not_after", leaf.NotAfter, "tls_pin", kp.Pin())
	if time.Now().After(leaf.NotAfter) {
		log.Warn("the TLS certificate has expired: clients that check dates refuse it", "cert", kp.CertFile, "not_after", leaf.NotAfter)
	}
}

// serve opens the node in data, serves the API on addr until ctx ends, and
// calls started (if set) once listening. With natsURL its committed events
// also go to the JetStream stream $TRIPLINE_NATS_STREAM (TRIPLINE_EVENTS).
// maxImport bounds an uploaded list (0: httpapi's default); uploads spool
// in data/spool, where what a killed process left is removed at start.
// With kp it serves HTTPS only.
func serve(ctx context.Context, env *Env, addr, data, natsURL string, maxImport int64, kp *tlsconf.Keypair, started func(addr string)) error {
	log := newLogger(env)
	fsync := defaultAuditFsync
	if env.auditFsync != nil {
		fsync = *env.auditFsync
	}
	n, err := openNodeConfig(ctx, env, data, nodeConfig{Index: true, Replica: env.replica, AuditFsync: fsync}, log)
	if err != nil {
		return err
	}
	defer n.Close()
	if natsURL != "" && n.Replica {
		if err := n.followEvents(n.Context(), natsURL, envOr(env, "TRIPLINE_NATS_STREAM", "TRIPLINE_EVENTS"), envOr(env, "TRIPLINE_NATS_CREDS", "")); err != nil {
			return err
		}
		log.Info("following events", "nats", natsURL)
	} else if natsURL != "" {
		if err := n.publishEvents(n.Context(), natsURL, envOr(env, "TRIPLINE_NATS_STREAM", "TRIPLINE_EVENTS"), envOr(env, "TRIPLINE_NATS_CREDS", "")); err != nil {
			return err
		}
		log.Info("publishing events", "nats", natsURL)
	}
	srv := httpapi.NewServer()
	srv.Listings, srv.Events, srv.Screener, srv.Origin, srv.Logger, srv.Ready = n.Listings, n.Events, n.Screener, n.DB.Origin, log, n.Ready
	srv.Now, srv.Tips = n.Now, n.Tips
	srv.Encounters, srv.Alerts, srv.Consents, srv.Identity, srv.Audit = n.EncounterReads(), n.Alerts, n.Consents, n.Identity, n.Audit
	srv.Policy, srv.Lookup, srv.Active = n.Policy, n.Index.Listing, n.Index.Listings
	srv.Network = n.serveNetwork()
	// What durability costs per answer: each journal write is one fsync.
	for journal, writes := range map[string]func() uint64{"screening": n.JournalWrites, "audit": n.Audit.JournalWrites} {
		srv.Registry().MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "tripline_journal_writes_total", Help: "Writes of a journal (screening, audit), each with its fsync.",
			ConstLabels: prometheus.Labels{"journal": journal},
		}, func() float64 { return float64(writes()) }))
	}
	srv.SpoolDir, srv.MaxImportBytes = filepath.Join(data, "spool"), maxImport
	if removed, err := httpapi.RemoveStaleSpool(srv.SpoolDir); err != nil {
		return err
	} else if removed > 0 {
		log.Info("removed uploads left by an interrupted import", "files", removed, "dir", srv.SpoolDir)
	}
	if err := n.serveBlind(n.Context(), env, srv, data); err != nil {
		return err
	}
	n.serveDiffusions(srv) // before the federation serves: its message kinds are set
	if !n.Replica {
		n.serveFederation(srv) // partners pull from and report to the writer
	}
	web.Register(srv)
	serveTLS(srv, kp, addr, log)
	if err := srv.Listen(addr); err != nil {
		return err
	}
	log.Info("serving", "addr", srv.Addr(), "data", data, "listings", n.Index.Len())
	if started != nil {
		started(srv.Addr())
	}
	if env.Ready != nil {
		env.Ready(srv.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve() }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	log.Info("shutting down")
	return srv.Shutdown(shutdownCtx)
}

// newLogger logs JSON to stderr at $TRIPLINE_LOG_LEVEL (default info).
func newLogger(env *Env) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(envOr(env, "TRIPLINE_LOG_LEVEL", "info"))); err != nil {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(env.Stderr, &slog.HandlerOptions{Level: level}))
}

// startCPUProfile profiles the process's CPU into path until the returned
// func is called. A file the operator names, not an HTTP endpoint: a
// profile endpoint would hand anyone who reaches the port the node's
// timings and, with heap profiles, fragments of its data.
func startCPUProfile(path string) (stop func() error, err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return errors.Join(f.Sync(), f.Close())
	}, nil
}

// writeAllocProfile writes the heap allocations sampled since the start
// to path; a failure is logged (the node has stopped by then).
func writeAllocProfile(path string, log *slog.Logger) {
	f, err := os.Create(path)
	if err == nil {
		err = errors.Join(pprof.Lookup("allocs").WriteTo(f, 0), f.Close())
	}
	if err != nil {
		log.Error("--alloc-profile", "err", err)
	}
}
