package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"tripline/httpapi"
	"tripline/web"
)

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "serve")
	addr := fs.String("addr", envOr(env, "TRIPLINE_ADDR", "127.0.0.1:8080"), "listen address ($TRIPLINE_ADDR)")
	data := fs.String("data", dataDirDefault(env), "data directory ($TRIPLINE_DATA)")
	natsURL := fs.String("nats", envOr(env, "TRIPLINE_NATS", ""), "NATS server whose JetStream carries this node's events to followers ($TRIPLINE_NATS; none by default)")
	maxImport := fs.Int64("max-import-bytes", httpapi.DefaultMaxImportBytes, "largest list POST /v1/imports accepts, in bytes")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *maxImport <= 0 || *maxImport > httpapi.MaxImportCeiling {
		return usagef("--max-import-bytes: %d is not between 1 and %d", *maxImport, int64(httpapi.MaxImportCeiling))
	}
	return serve(ctx, env, *addr, *data, *natsURL, *maxImport, nil)
}

// serve opens the node in data, serves the API on addr until ctx ends, and
// calls started (if set) once listening. With natsURL its committed events
// also go to the JetStream stream $TRIPLINE_NATS_STREAM (TRIPLINE_EVENTS).
// maxImport bounds an uploaded list (0: httpapi's default); uploads spool
// in data/spool, where what a killed process left is removed at start.
func serve(ctx context.Context, env *Env, addr, data, natsURL string, maxImport int64, started func(addr string)) error {
	log := newLogger(env)
	n, err := openNode(ctx, env, data, true, log)
	if err != nil {
		return err
	}
	defer n.Close()
	if natsURL != "" {
		if err := n.publishEvents(n.bgCtx, natsURL, envOr(env, "TRIPLINE_NATS_STREAM", "TRIPLINE_EVENTS"), envOr(env, "TRIPLINE_NATS_CREDS", "")); err != nil {
			return err
		}
		log.Info("publishing events", "nats", natsURL)
	}
	srv := httpapi.NewServer()
	srv.Listings, srv.Events, srv.Screener, srv.Origin, srv.Logger, srv.Ready = n.Listings, n.Events, n.Screener, n.DB.Origin, log, n.Ready
	srv.Encounters, srv.Alerts, srv.Consents, srv.Identity, srv.Audit = n.Encounters, n.Alerts, n.Consents, n.Identity, n.Audit
	srv.Policy, srv.Lookup, srv.Active = n.Policy, n.Index.Listing, n.Index.Listings
	srv.Network = n.serveNetwork()
	srv.SpoolDir, srv.MaxImportBytes = filepath.Join(data, "spool"), maxImport
	if removed, err := httpapi.RemoveStaleSpool(srv.SpoolDir); err != nil {
		return err
	} else if removed > 0 {
		log.Info("removed uploads left by an interrupted import", "files", removed, "dir", srv.SpoolDir)
	}
	srv.Federation = n.FedService
	if err := n.serveBlind(n.bgCtx, env, srv, data); err != nil {
		return err
	}
	n.runFederation(n.bgCtx)
	web.Register(srv)
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
