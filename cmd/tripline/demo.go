package main

import (
	"bytes"
	"context"
	_ "embed"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"tripline"
	"tripline/importer"
)

// The UN Security Council consolidated list of 2024-09-26, shipped so the
// demo needs nothing outside the binary.
//
//go:embed sample/un_sc_consolidated_2024-09-26.xml
var sampleUN []byte

var demoCommands = []*command{{
	name: "demo", usage: "[--addr HOST:PORT] [--data DIR]",
	summary: "Serve a ready node with sample data, for a first look.\n" +
		"The bundled UN Security Council list is imported, a user of each role made, their tokens printed\n" +
		"as export lines to paste, and the API and the console served. Its data directory is temporary\n" +
		"and removed when it stops, unless --data names one.",
	examples: []string{"tripline demo", "tripline demo --addr 127.0.0.1:9090 --data demo-data"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		addr := fs.String("addr", envOr(env, "TRIPLINE_ADDR", "127.0.0.1:8080"), "listen on `HOST:PORT` ($TRIPLINE_ADDR)")
		data := fs.String("data", "", "keep the data in directory `DIR` (default: a fresh temporary one, removed at the end)")
		return func(ctx context.Context, _ []string) error { return runDemo(ctx, env, *addr, *data) }
	},
}}

func runDemo(ctx context.Context, env *Env, addr, data string) error {
	dir := data
	if dir == "" {
		// A throwaway node: its directory (database, node key) goes when the
		// demo stops. --data keeps it.
		var err error
		if dir, err = os.MkdirTemp("", "tripline-demo-"); err != nil {
			return fmt.Errorf("create demo data directory: %w", err)
		}
		defer func() {
			if err := os.RemoveAll(dir); err != nil {
				fmt.Fprintf(env.Stderr, "tripline demo: remove %s: %v\n", dir, err)
				return
			}
			fmt.Fprintf(env.Stdout, "Removed the demo's data directory %s (use --data DIR to keep one).\n", dir)
		}()
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
	sum, err := n.Listings.ImportListings(ctx, importer.SourceUN, tripline.Records(ls))
	if err != nil {
		n.Close()
		return err
	}
	tokens, err := demoUsers(ctx, n)
	n.Close()
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Tripline demo\n  data:     %s\n  imported: %d UN Security Council listings (%d new)\n", dir, sum.Listings, sum.Added)
	fmt.Fprintf(env.Stdout, "  users of agency %q (tokens are shown once; only their hashes are stored),\n", n.Agency)
	fmt.Fprintf(env.Stdout, "  as lines to paste into another terminal:\n")
	for _, role := range demoRoles {
		fmt.Fprintf(env.Stdout, "    export %s_TOKEN=%s\n", strings.ToUpper(string(role)), tokens[role])
	}
	return serve(ctx, env, addr, dir, "", 0, nil, func(a string) {
		fmt.Fprintf(env.Stdout, "  console:  http://%s/  (sign in with a token above)\n", a)
		fmt.Fprintf(env.Stdout, "  API:      http://%s/v1/  (OpenAPI at http://%s/openapi.json)\n", a, a)
		fmt.Fprintf(env.Stdout, "  try:      curl -s -H 'Authorization: Bearer %s' http://%s/v1/screen -d '{\"ref\":\"t1\",\"name\":\"Mohammed Taher Anwari\",\"dob\":\"1961\"}'\n", tokens[tripline.RoleOfficer], a)
		fmt.Fprintf(env.Stdout, "Press Ctrl-C to stop.\n")
	})
}

var demoRoles = []tripline.Role{tripline.RoleOfficer, tripline.RoleAnalyst, tripline.RoleSupervisor, tripline.RoleAuditor, tripline.RoleAdmin}

// demoUsers makes a user of each role in the node's agency (once) and
// issues each a fresh token.
func demoUsers(ctx context.Context, n *Node) (map[tripline.Role]string, error) {
	out := map[tripline.Role]string{}
	for _, role := range demoRoles {
		id := "demo-" + string(role)
		err := n.Identity.CreateUser(ctx, &tripline.User{ID: id, Agency: n.Agency, Role: role})
		if err != nil && tripline.ErrorCode(err) != tripline.ECONFLICT {
			return nil, err
		}
		if out[role], err = n.Identity.IssueToken(ctx, id, "api", "demo", time.Time{}); err != nil {
			return nil, err
		}
	}
	return out, nil
}
