package main

import (
	"context"
	"encoding/json"
	"flag"
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
	"tripline/sqlstore"
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
	svc.Agency = n.Agency
	if err := svc.Open(ctx, sqlstore.NewLinkStore(n.DB)); err != nil {
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
	if n.Context() != nil {
		n.Go(func(ctx context.Context) {
			n.Network.Follow(n.Context(), followEvery, func(err error) { n.Logger.Error("network: follow link imports", "err", err) })
		})
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
// adjacent seats, co-travel) before its travellers are screened, as the
// screening agency's (the node's on the command line). A failure is
// logged: screening goes on without them.
func (n *Node) onManifest(ctx context.Context, m *screening.Manifest) {
	agency := n.Agency
	if id := tripline.IdentityFrom(ctx); id != nil {
		agency = id.Agency
	}
	imps, err := n.Network.ImportManifest(ctx, agency, m.Travellers)
	if err != nil {
		n.Logger.Error("network: manifest links", "err", err)
		return
	}
	for _, imp := range imps {
		n.Policy.Record(ctx, "network.manifest.import", imp.Source, fmt.Sprintf("%d trips, %d links", imp.Trips, imp.Links))
	}
}

// netQuery is one `tripline network` action on the opened node: the
// link filter of the node's supervisor, and the arguments (entities, when
// the action takes entities).
type netQuery struct {
	n     *Node
	allow network.Allow
	args  []string
	ents  []network.Entity
}

// onSnapshot answers from the analytics snapshot the caller may see.
func onSnapshot(fn func(sn *network.Snapshot) (any, error)) func(context.Context, *netQuery) (any, error) {
	return func(ctx context.Context, q *netQuery) (any, error) {
		sn, err := q.n.Network.Snapshot(ctx, "cli", q.allow)
		if err != nil {
			return nil, err
		}
		return fn(sn)
	}
}

// networkAction makes a `tripline network` action. Its run answers with a
// value printed as indented JSON, or nil when it printed its own output.
// With entities, the arguments are entities (kind:key), checked before the
// node is opened. Every action goes through the policy layer as the node's
// supervisor, like the API, and is recorded as a network query.
func networkAction(c command, entities bool, setup func(fs *flag.FlagSet, env *Env) func(ctx context.Context, q *netQuery) (any, error)) *command {
	c.name = "network " + c.name
	c.flags = func(fs *flag.FlagSet, env *Env) runFunc {
		run := setup(fs, env)
		data := dataFlag(fs, env)
		return func(ctx context.Context, args []string) error {
			q := &netQuery{args: args}
			for _, a := range args {
				if !entities {
					break
				}
				e, err := network.ParseEntity(a)
				if err != nil {
					return usagef("%s", tripline.ErrorMessage(err))
				}
				q.ents = append(q.ents, e)
			}
			n, err := openNode(ctx, env, *data, true, newLogger(env))
			if err != nil {
				return err
			}
			defer n.Close()
			ctx = n.cliContext(ctx)
			query := []string{c.name}
			fs.Visit(func(f *flag.Flag) { query = append(query, "--"+f.Name+"="+f.Value.String()) })
			q.n = n
			if q.allow, err = n.Policy.LinkFilter(ctx, "cli "+strings.Join(append(query, args...), " "), n.Index.Listing); err != nil {
				return err
			}
			res, err := run(ctx, q)
			if err != nil || res == nil {
				return err
			}
			enc := json.NewEncoder(env.Stdout)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			return enc.Encode(res)
		}
	}
	return &c
}

// limitFlag defines --limit.
func limitFlag(fs *flag.FlagSet, def int) *int {
	return fs.Int("limit", def, "at most `N` results (0: all)")
}

const entityHelp = "Entities are kind:key, e.g. listing:un-sc:QDi.1, phone:+442079460958, document:GBR:123456789."

var networkCommands = []*command{
	networkAction(command{name: "neighbourhood", args: "ENTITY", usage: "[--k HOPS] [--limit N]",
		summary:  "Print the entities within k hops of ENTITY, as JSON.\n" + entityHelp,
		examples: []string{"tripline network neighbourhood phone:+441753637285 --k 2"},
	}, true, func(fs *flag.FlagSet, _ *Env) func(context.Context, *netQuery) (any, error) {
		k := fs.Int("k", 2, "how many `HOPS`")
		limit := limitFlag(fs, 1000)
		return func(ctx context.Context, q *netQuery) (any, error) {
			return q.n.Network.Neighbourhood(ctx, q.ents[0], orDefault(*k, 2), orDefault(*limit, 1000), q.allow)
		}
	}),
	networkAction(command{name: "path", args: "FROM TO", usage: "[--k HOPS]",
		summary:  "Print a shortest path between two entities, as JSON.\n" + entityHelp,
		examples: []string{"tripline network path person:P-17 document:GBR:123456789"},
	}, true, func(fs *flag.FlagSet, _ *Env) func(context.Context, *netQuery) (any, error) {
		k := fs.Int("k", 6, "at most this many `HOPS`")
		return func(ctx context.Context, q *netQuery) (any, error) {
			svc := q.n.Network
			links, err := svc.Path(ctx, q.ents[0], q.ents[1], orDefault(*k, 6), q.allow)
			if err != nil {
				return nil, err
			}
			from := svc.Canon(q.ents[0])
			return httpapi.NetworkPath{From: from.String(), To: svc.Canon(q.ents[1]).String(), Hops: len(links), Links: links,
				Explain: network.ExplainPath(from, links)}, nil
		}
	}),
	networkAction(command{name: "components", usage: "[--limit N]",
		summary: "Print the link graph's connected components, as JSON.", examples: []string{"tripline network components --limit 10"},
	}, false, func(fs *flag.FlagSet, _ *Env) func(context.Context, *netQuery) (any, error) {
		limit := limitFlag(fs, 0)
		return onSnapshot(func(sn *network.Snapshot) (any, error) { return sn.Components(*limit), nil })
	}),
	networkAction(command{name: "facilitators", usage: "[--by betweenness|pagerank] [--kinds KIND,...] [--limit N]",
		summary:  "Rank the entities that tie the network together, as JSON.",
		examples: []string{"tripline network facilitators --by pagerank --kinds phone,address --limit 20"},
	}, false, func(fs *flag.FlagSet, _ *Env) func(context.Context, *netQuery) (any, error) {
		by := fs.String("by", "betweenness", "rank by betweenness or pagerank")
		kinds := fs.String("kinds", "", "only entities of these kinds, comma-separated")
		limit := limitFlag(fs, 0)
		return onSnapshot(func(sn *network.Snapshot) (any, error) {
			var ks []network.EntityKind
			for _, x := range strings.Split(*kinds, ",") {
				if x = strings.TrimSpace(x); x != "" {
					if !network.EntityKind(x).Valid() {
						return nil, usagef("--kinds: unknown entity kind %q", x)
					}
					ks = append(ks, network.EntityKind(x))
				}
			}
			ranked, err := sn.Facilitators(*by, ks, *limit)
			if err != nil {
				return nil, err
			}
			return httpapi.Facilitators{By: *by, Facilitators: ranked, Snapshot: sn.Built.UTC().Format(time.RFC3339)}, nil
		})
	}),
	networkAction(command{name: "communities", usage: "[--limit N]",
		summary: "Print the link graph's communities (Louvain), as JSON.", examples: []string{"tripline network communities --limit 20"},
	}, false, func(fs *flag.FlagSet, _ *Env) func(context.Context, *netQuery) (any, error) {
		limit := limitFlag(fs, 0)
		return onSnapshot(func(sn *network.Snapshot) (any, error) { return sn.Communities(*limit), nil })
	}),
	networkAction(command{name: "cotravel", usage: "[--min FLIGHTS] [--limit N]",
		summary: "Print the people who flew together repeatedly, as JSON.", examples: []string{"tripline network cotravel --min 3"},
	}, false, func(fs *flag.FlagSet, _ *Env) func(context.Context, *netQuery) (any, error) {
		minFlights := fs.Int("min", 2, "at least this many shared flights")
		limit := limitFlag(fs, 0)
		return onSnapshot(func(sn *network.Snapshot) (any, error) {
			return httpapi.CoTravel{Min: max(*minFlights, 2), Pairs: sn.CoTravel(*minFlights, *limit), Snapshot: sn.Built.UTC().Format(time.RFC3339)}, nil
		})
	}),
	networkAction(command{name: "export", args: "ENTITY", usage: "[--k HOPS] [--format json|graphml] [--out FILE]",
		summary:  "Write the neighbourhood of ENTITY as JSON or GraphML.\n" + entityHelp,
		examples: []string{"tripline network export person:P-17 --k 3 --format graphml --out p17.graphml"},
	}, true, func(fs *flag.FlagSet, env *Env) func(context.Context, *netQuery) (any, error) {
		k := fs.Int("k", 2, "how many `HOPS`")
		limit := limitFlag(fs, 1000)
		format := fs.String("format", "json", "json or graphml")
		out := fs.String("out", "", "write to `FILE` instead of stdout")
		return func(ctx context.Context, q *netQuery) (any, error) {
			sg, err := q.n.Network.Neighbourhood(ctx, q.ents[0], orDefault(*k, 2), orDefault(*limit, 1000), q.allow)
			if err != nil {
				return nil, err
			}
			return nil, writeExport(env, *sg, *format, *out)
		}
	}),
	networkAction(command{name: "import-links", args: "FILE...", usage: "[--source NAME]",
		summary: "Import links from CSV files.\n" +
			"The columns are those of network.CSVColumns. A file with an error imports nothing, and the\n" +
			"error names file, line and column. A server on the same data directory picks\n" +
			"imported links up within seconds.",
		examples: []string{"tripline network import-links --source analyst-notes links.csv"},
	}, false, func(fs *flag.FlagSet, env *Env) func(context.Context, *netQuery) (any, error) {
		source := fs.String("source", "", "the source of links whose row names none")
		return func(ctx context.Context, q *netQuery) (any, error) {
			return nil, importLinks(ctx, env, q.n, q.allow, *source, q.args)
		}
	}),
	networkAction(command{name: "import-pnr", args: "FILE...",
		summary:  "Import PNRGOV messages: bookings and co-travel become links.",
		examples: []string{"tripline network import-pnr pnr-push.txt"},
	}, false, func(_ *flag.FlagSet, env *Env) func(context.Context, *netQuery) (any, error) {
		return func(ctx context.Context, q *netQuery) (any, error) {
			return nil, importPNRs(ctx, env, q.n, q.args)
		}
	}),
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
		imp, err := n.Network.ImportPNR(ctx, n.Agency, f)
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
