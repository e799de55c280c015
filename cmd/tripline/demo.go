package main

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"os"

	"tripline/importer"
)

// The UN Security Council consolidated list of 2024-09-26, shipped so the
// demo needs nothing outside the binary.
//
//go:embed sample/un_sc_consolidated_2024-09-26.xml
var sampleUN []byte

func runDemo(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "demo")
	addr := fs.String("addr", envOr(env, "TRIPLINE_ADDR", "127.0.0.1:8080"), "listen address ($TRIPLINE_ADDR)")
	data := fs.String("data", "", "data directory (default: a fresh temporary directory)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	dir := *data
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "tripline-demo-"); err != nil {
			return fmt.Errorf("create demo data directory: %w", err)
		}
	}
	n, err := openNode(ctx, env, dir, false, newLogger(env))
	if err != nil {
		return err
	}
	ls, err := importer.ReadUN(bytes.NewReader(sampleUN), "un_sc_consolidated_2024-09-26.xml")
	if err != nil {
		n.Close()
		return err
	}
	sum, err := n.Listings.ImportListings(ctx, importer.SourceUN, ls)
	n.Close()
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Tripline demo\n  data:     %s\n  imported: %d UN Security Council listings (%d new)\n", dir, sum.Listings, sum.Added)
	return serve(ctx, env, *addr, dir, func(a string) {
		fmt.Fprintf(env.Stdout, "  API:      http://%s/v1/  (OpenAPI at http://%s/openapi.json)\n", a, a)
		fmt.Fprintf(env.Stdout, "  try:      curl -s http://%s/v1/screen -d '{\"ref\":\"t1\",\"name\":\"Mohammed Taher Anwari\"}'\n", a)
		fmt.Fprintf(env.Stdout, "Press Ctrl-C to stop.\n")
	})
}
