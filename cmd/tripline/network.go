package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"tripline"
	"tripline/httpapi"
	"tripline/network"
	"tripline/screening"
	"tripline/sqlite"
)

// snapshotEvery is the least time between two rebuilds of an analytics
// snapshot while links keep changing; snapshotMaxAge bounds how long a
// change of sharing groups can take to reach the analytics.
const (
	snapshotEvery  = 10 * time.Second
	snapshotMaxAge = time.Minute
)

// openNetwork builds the node's link analysis (issue 8): the stored links
// of PNRs, manifests and analysts are loaded; listings add theirs as the
// index loads them (networkListing); screening gains the network flag and
// manifests feed co-travel links.
func (n *Node) openNetwork(ctx context.Context) error {
	svc := network.NewService(network.NewMemStore())
	svc.Country = n.Screener.Countries.Alpha3
	svc.SnapshotEvery, svc.SnapshotMaxAge = snapshotEvery, snapshotMaxAge
	svc.Now = func() time.Time { return n.Now() }
	if err := svc.Open(ctx, sqlite.NewLinkStore(n.DB)); err != nil {
		return fmt.Errorf("load links: %w", err)
	}
	n.Network = svc
	n.Screener.Linked = n.linked
	n.Screener.OnManifest = n.onManifest
	return nil
}

// networkListing keeps a listing's own links in step with its newest
// version; the index calls it for every listing it loads or applies.
func (n *Node) networkListing(l *tripline.Listing) {
	if n.Network == nil {
		return
	}
	if err := n.Network.SetListing(context.Background(), l); err != nil {
		n.Logger.Error("network: links of listing", "listing", l.ID, "err", err)
	}
}

// followEvery is how often a server looks for links that command-line
// imports on the same data directory wrote.
const followEvery = 2 * time.Second

// serveNetwork returns the service for the HTTP API — nil (disabled) on a
// node opened without its index — and, on a started node, follows the
// links other processes import into the data directory until it closes.
func (n *Node) serveNetwork() httpapi.NetworkService {
	if n.Network == nil {
		return nil
	}
	if n.bgCtx != nil {
		n.bg.Add(1)
		go func() {
			defer n.bg.Done()
			n.Network.Follow(n.bgCtx, followEvery, func(err error) { n.Logger.Error("network: follow link imports", "err", err) })
		}()
	}
	return n.Network
}

// linked is the screening flag: a traveller within DefaultFlagHops of an
// active listing the caller may screen against, through phone, address,
// booking or co-travel links, gets a review match with the path.
func (n *Node) linked(ctx context.Context, t *tripline.Traveller) *tripline.Match {
	traverse, show := n.Policy.ScreenLinks(ctx, n.Index.Listing)
	canScreen := n.Policy.CanScreen(ctx)
	now := n.Now()
	active := func(id string) bool {
		l := n.Index.Listing(id)
		return l != nil && l.ActiveAt(now) && canScreen(l)
	}
	m, err := n.Network.Flag(ctx, t, network.DefaultFlagHops, traverse, show, active)
	if err != nil {
		n.Logger.Error("network: screening flag", "ref", t.Ref, "err", err)
		return nil
	}
	return m
}

// onManifest derives the links of a screened manifest (same booking,
// adjacent seats, co-travel) before its travellers are screened. A failure
// is logged: screening goes on without them.
func (n *Node) onManifest(ctx context.Context, m *screening.Manifest) {
	imps, err := n.Network.ImportManifest(ctx, m.Travellers)
	if err != nil {
		n.Logger.Error("network: manifest links", "err", err)
		return
	}
	for _, imp := range imps {
		n.Policy.Record(ctx, "network.manifest.import", imp.Source, fmt.Sprintf("%d trips, %d links", imp.Trips, imp.Links))
	}
}

const networkUsage = `usage:
  tripline network neighbourhood ENTITY [--k 2] [--limit 1000]   entities within k hops, JSON
  tripline network path FROM TO [--k 6]                          a shortest path, JSON
  tripline network components [--limit 10]                       connected components
  tripline network facilitators [--by betweenness|pagerank] [--kinds K,K] [--limit 20]
  tripline network communities [--limit 20]                      Louvain communities
  tripline network cotravel [--min 2] [--limit 100]              people flying together repeatedly
  tripline network export ENTITY [--k 2] [--format json|graphml] [--out FILE]
  tripline network import-links [--source NAME] FILE...          the link CSV format (network.CSVColumns)
  tripline network import-pnr FILE...                            PNRGOV messages
Entities are kind:key, e.g. listing:un-sc:QDi.1, phone:+442079460958, document:GBR:123456789.
All take --data DIR. A server on the same data directory picks imported links up within seconds.`

// runNetwork is `tripline network`: the link-analysis queries and imports,
// as the node's supervisor and through the policy layer like the API.
func runNetwork(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return usagef("missing subcommand\n%s", networkUsage)
	}
	sub, args := args[0], args[1:]
	fs := newFlags(env, "network "+sub)
	data := fs.String("data", dataDirDefault(env), "data directory ($TRIPLINE_DATA)")
	k := fs.Int("k", 0, "hops (neighbourhood, export: default 2; path: default 6)")
	limit := fs.Int("limit", 0, "at most this many results")
	by := fs.String("by", "betweenness", "facilitators: betweenness or pagerank")
	kinds := fs.String("kinds", "", "facilitators: comma-separated entity kinds to rank")
	minFlights := fs.Int("min", 2, "cotravel: shared flights")
	format := fs.String("format", "json", "export: json or graphml")
	out := fs.String("out", "", "export: write to this file instead of stdout")
	source := fs.String("source", "", "import-links: the source of links whose row names none")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	want := map[string]int{"neighbourhood": 1, "path": 2, "components": 0, "facilitators": 0, "communities": 0,
		"cotravel": 0, "export": 1, "import-links": -1, "import-pnr": -1}
	nargs, ok := want[sub]
	switch {
	case !ok:
		return usagef("unknown subcommand %q\n%s", sub, networkUsage)
	case nargs < 0 && fs.NArg() == 0:
		return usagef("%s: FILE required", sub)
	case nargs >= 0 && fs.NArg() != nargs:
		return usagef("%s takes %d argument(s), got %d\n%s", sub, nargs, fs.NArg(), networkUsage)
	}
	var ents []network.Entity
	if nargs > 0 {
		for _, a := range fs.Args() {
			e, err := network.ParseEntity(a)
			if err != nil {
				return usagef("%s", tripline.ErrorMessage(err))
			}
			ents = append(ents, e)
		}
	}
	n, err := openNode(ctx, env, *data, true, newLogger(env))
	if err != nil {
		return err
	}
	defer n.Close()
	ctx = n.cliContext(ctx)
	svc := n.Network
	query := "cli network " + strings.Join(append([]string{sub}, args...), " ")
	allow, err := n.Policy.LinkFilter(ctx, query, n.Index.Listing)
	if err != nil {
		return err
	}
	snapshot := func() (*network.Snapshot, error) { return svc.Snapshot(ctx, "cli", allow) }
	var res any
	switch sub {
	case "neighbourhood", "export":
		sg, err := svc.Neighbourhood(ctx, ents[0], orDefault(*k, 2), orDefault(*limit, 1000), allow)
		if err != nil {
			return err
		}
		if sub == "neighbourhood" {
			res = sg
			break
		}
		return writeExport(env, *sg, *format, *out)
	case "path":
		links, err := svc.Path(ctx, ents[0], ents[1], orDefault(*k, 6), allow)
		if err != nil {
			return err
		}
		from := svc.Canon(ents[0])
		res = httpapi.NetworkPath{From: from.String(), To: svc.Canon(ents[1]).String(), Hops: len(links), Links: links,
			Explain: network.ExplainPath(from, links)}
	case "components":
		sn, err := snapshot()
		if err != nil {
			return err
		}
		res = sn.Components(*limit)
	case "facilitators":
		sn, err := snapshot()
		if err != nil {
			return err
		}
		var ks []network.EntityKind
		for _, x := range strings.Split(*kinds, ",") {
			if x = strings.TrimSpace(x); x != "" {
				if !network.EntityKind(x).Valid() {
					return usagef("--kinds: unknown entity kind %q", x)
				}
				ks = append(ks, network.EntityKind(x))
			}
		}
		ranked, err := sn.Facilitators(*by, ks, *limit)
		if err != nil {
			return err
		}
		res = httpapi.Facilitators{By: *by, Facilitators: ranked, Snapshot: sn.Built.UTC().Format(time.RFC3339)}
	case "communities":
		sn, err := snapshot()
		if err != nil {
			return err
		}
		res = sn.Communities(*limit)
	case "cotravel":
		sn, err := snapshot()
		if err != nil {
			return err
		}
		res = httpapi.CoTravel{Min: max(*minFlights, 2), Pairs: sn.CoTravel(*minFlights, *limit), Snapshot: sn.Built.UTC().Format(time.RFC3339)}
	case "import-links":
		return importLinks(ctx, env, n, allow, *source, fs.Args())
	case "import-pnr":
		return importPNRs(ctx, env, n, fs.Args())
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// writeExport writes a subgraph as JSON or GraphML to path (stdout if "");
// a file is written durably: temp, fsync, rename.
func writeExport(env *Env, sg network.Subgraph, format, path string) error {
	write := func(w io.Writer) error {
		switch format {
		case "json":
			enc := json.NewEncoder(w)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			return enc.Encode(sg)
		case "graphml":
			return network.WriteGraphML(w, sg)
		}
		return usagef("--format: %q is not json or graphml", format)
	}
	if path == "" {
		return write(env.Stdout)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".export-*")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("export: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return os.Rename(f.Name(), path)
}

// importLinks reads link CSV files (network.ReadLinksCSV); a file with an
// error imports nothing, and the error names file, line and column. A link
// naming or joining a listing the node's supervisor may not see in detail
// is refused like in the API.
func importLinks(ctx context.Context, env *Env, n *Node, allow network.Allow, source string, files []string) error {
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("open links: %w", err)
		}
		links, err := network.ReadLinksCSV(f)
		f.Close()
		if err != nil {
			return tripline.Errorf(tripline.ErrorCode(err), "%s: %s", path, tripline.ErrorMessage(err))
		}
		for i := range links {
			if links[i].Source == "" {
				links[i].Source = source
			}
			if !allow(links[i]) {
				return tripline.Errorf(tripline.ENOTFOUND, "%s: link %d: a listing it names or joins is not found", path, i+1)
			}
		}
		added, err := n.Network.AddLinks(ctx, links)
		if err != nil {
			return tripline.Errorf(tripline.ErrorCode(err), "%s: %s", path, tripline.ErrorMessage(err))
		}
		n.Policy.Record(ctx, "network.links.add", path, fmt.Sprintf("%d links, %d new", len(links), added))
		if err := json.NewEncoder(env.Stdout).Encode(map[string]any{"file": path, "links": len(links), "added": added}); err != nil {
			return err
		}
	}
	return nil
}

// importPNRs imports PNRGOV files, one JSON summary line each; parser
// warnings go to stderr.
func importPNRs(ctx context.Context, env *Env, n *Node, files []string) error {
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("open PNR: %w", err)
		}
		imp, err := n.Network.ImportPNR(ctx, f)
		f.Close()
		if err != nil {
			return tripline.Errorf(tripline.ErrorCode(err), "%s: %s", path, tripline.ErrorMessage(err))
		}
		for _, w := range imp.Warnings {
			fmt.Fprintf(env.Stderr, "%s: warning: %s\n", path, w)
		}
		n.Policy.Record(ctx, "network.pnr.import", imp.Source, fmt.Sprintf("%s: %d bookings, %d links", path, imp.Bookings, imp.Links))
		imp.Warnings = nil
		if err := enc.Encode(struct {
			File string `json:"file"`
			*network.Import
		}{path, imp}); err != nil {
			return err
		}
	}
	return nil
}
