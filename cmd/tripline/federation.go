package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"tripline"
	"tripline/federation"
)

// startFederation loads the node key (creating it on first use), signs
// every event this node makes, and builds the partner protocol. Serving
// starts the pullers and the report sender (runFederation).
func (n *Node) startFederation(ctx context.Context, dir string) error {
	priv, err := federation.LoadOrCreateKey(filepath.Join(dir, "node.key"))
	if err != nil {
		return err
	}
	sign := func(msg []byte) []byte { return ed25519.Sign(priv, msg) }
	n.DB.Sign = sign
	n.Peer = federation.NewPeer(n.DB.Origin, priv, n.Fed, n.Logger)
	n.Peer.Now = func() time.Time { return n.Now() }
	n.Peer.Audit = n.Audit
	if _, err := n.Peer.Reload(ctx); err != nil {
		return err
	}
	n.Notifier = federation.NewNotifier()
	n.Peer.Notifier = n.Notifier
	n.FedService = &federation.Service{Peer: n.Peer, Notifier: n.Notifier, Agency: n.Agency,
		Feed: &federation.Feed{Events: n.Events, Self: n.DB.Origin, Sign: sign, Groups: n.groups, Audit: n.Audit, Consented: n.consented,
			Logger: n.Logger},
		Create: func(ctx context.Context, e *tripline.Encounter) error {
			if _, err := n.Encounters.Encounter(ctx, e.ID); err == nil {
				return nil // the same report twice
			}
			_, err := n.Encounters.CreateEncounter(ctx, e)
			return err
		}}
	return nil
}

// consented returns the agencies the originator of listing consented to.
func (n *Node) consented(ctx context.Context, listing string) []string {
	cs, err := n.Consents.Consents(ctx, listing)
	if err != nil {
		return nil
	}
	var out []string
	for _, c := range cs {
		if c.Status == tripline.ConsentGranted {
			out = append(out, c.Recipient)
		}
	}
	return out
}

// runFederation follows every partner with an address (its own events and
// those it relays) and delivers encounter reports, until ctx ends.
func (n *Node) runFederation(ctx context.Context) {
	ps, err := n.Peer.Reload(ctx)
	if err != nil {
		n.Logger.Error("load partners", "err", err)
		return
	}
	for _, p := range ps {
		if p.URL == "" {
			continue
		}
		for _, origin := range append([]string{p.ID}, p.Follows...) {
			n.bg.Add(1)
			go func(p *tripline.Partner, origin string) {
				defer n.bg.Done()
				n.Peer.Follow(ctx, p, origin)
			}(p, origin)
		}
	}
	n.every(ctx, 500*time.Millisecond, n.Peer.Deliver)
}

// originNode returns the node a listing came from and the next hop
// towards it, or "" for this node's own and public lists.
func (n *Node) originNode(l *tripline.Listing) (origin, hop string) {
	if n.Peer == nil || len(l.Provenance.Chain) == 0 {
		return "", ""
	}
	hop = l.Provenance.Chain[len(l.Provenance.Chain)-1]
	ps, _ := n.Fed.Partners(context.Background())
	for _, p := range ps {
		if p.Agency == l.Provenance.Originator {
			return p.ID, hop
		}
	}
	return "", ""
}

// reportEncounter queues the report of an encounter on a partner's
// listing to its originator.
func (n *Node) reportEncounter(ctx context.Context, e *tripline.Encounter) {
	l := n.Index.Listing(e.Listing)
	if l == nil {
		return
	}
	origin, hop := n.originNode(l)
	if origin == "" {
		return
	}
	if err := n.Peer.QueueEncounter(ctx, e, origin, hop); err != nil {
		n.Logger.Error("queue encounter report", "encounter", e.ID, "err", err)
	}
}

// runNode serves `tripline node info`: this node's id, agency and key.
func runNode(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "info" {
		return usagef("want: node info")
	}
	fs := newFlags(env, "node info")
	data := fs.String("data", dataDirDefault(env), "data directory ($TRIPLINE_DATA)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	n, err := openNode(ctx, env, *data, false, newLogger(env))
	if err != nil {
		return err
	}
	defer n.Close()
	info := n.FedService.Info()
	fmt.Fprintf(env.Stdout, "id: %s\nagency: %s\npublic_key: %s\n", info.ID, info.Agency, info.PublicKey)
	return nil
}

// runPartners manages partner nodes:
//
//	tripline partners add ID --agency A --key KEY [--url URL] [--follows X,Y]
//	tripline partners list
func runPartners(ctx context.Context, env *Env, args []string) error {
	fs, data, err := actionFlags(env, "partners", args, "want add or list")
	if err != nil {
		return err
	}
	agency := fs.String("agency", "", "add: the partner's agency")
	key := fs.String("key", "", "add: the partner node's public key (tripline node info)")
	url := fs.String("url", "", "add: where to pull its feed (empty: known only by key, reached through a relay)")
	follows := fs.String("follows", "", "add: other origins to pull through this partner, comma-separated")
	n, err := openAction(ctx, env, fs, args, data)
	if err != nil {
		return err
	}
	defer n.Close()
	switch args[0] {
	case "add":
		if fs.NArg() != 1 {
			return usagef("add: want one partner node ID")
		}
		if _, err := federation.ParsePublicKey(*key); err != nil {
			return err
		}
		p := &tripline.Partner{ID: fs.Arg(0), Agency: *agency, PublicKey: *key, URL: strings.TrimRight(*url, "/")}
		if *follows != "" {
			p.Follows = strings.Split(*follows, ",")
		}
		if err := n.Fed.PutPartner(ctx, p); err != nil {
			return err
		}
		n.Policy.Record(n.cliContext(ctx), "partner.add", p.ID, p.Agency)
		return nil
	case "list":
		ps, err := n.Fed.Partners(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tAGENCY\tURL\tFOLLOWS")
		for _, p := range ps {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.ID, p.Agency, p.URL, strings.Join(p.Follows, ","))
		}
		return tw.Flush()
	}
	return usagef("unknown partners command %q", args[0])
}

// runFederationCmd moves events to and from an air-gapped partner:
//
//	tripline federation export --to PARTNER [--origin O] [--after N] FILE
//	tripline federation import FILE
func runFederationCmd(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return usagef("want export or import")
	}
	fs := newFlags(env, "federation "+args[0])
	data := fs.String("data", dataDirDefault(env), "data directory ($TRIPLINE_DATA)")
	to := fs.String("to", "", "export: the partner node the bundle is for")
	origin := fs.String("origin", "", "export: whose events (default: this node's)")
	after := fs.Int64("after", 0, "export: events after this sequence number")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("%s: want one FILE", args[0])
	}
	n, err := openNode(ctx, env, *data, false, newLogger(env))
	if err != nil {
		return err
	}
	defer n.Close()
	switch args[0] {
	case "export":
		p, ok := n.Peer.Partner(*to)
		if !ok {
			return usagef("export: --to must name a partner (tripline partners list)")
		}
		if *origin == "" {
			*origin = n.DB.Origin
		}
		var evs []*tripline.Event
		for cur := *after; ; {
			page, err := n.FedService.Feed.Page(ctx, p.Agency, *origin, cur, 5000)
			if err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			evs = append(evs, page...)
			cur = page[len(page)-1].Seq
		}
		f, err := os.Create(fs.Arg(0))
		if err != nil {
			return fmt.Errorf("create bundle: %w", err)
		}
		if err := n.Peer.WriteBundle(f, p.ID, evs); err != nil {
			f.Close()
			return err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		fmt.Fprintf(env.Stdout, "%s: %d events of %s for %s\n", fs.Arg(0), len(evs), *origin, p.ID)
		return f.Close()
	case "import":
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return fmt.Errorf("open bundle: %w", err)
		}
		defer f.Close()
		applied, err := n.Peer.ReadBundle(ctx, f, fs.Arg(0))
		if err != nil {
			return err
		}
		if err := n.audited(ctx, "federation.import", fs.Arg(0), fmt.Sprintf("%d new events applied", applied)); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s: %d new events applied\n", fs.Arg(0), applied)
		return nil
	}
	return usagef("unknown federation command %q", args[0])
}
