package main

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"tripline"
	"tripline/federation"
	"tripline/httpapi"
	"tripline/tlsconf"
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
	n.FedService = &federation.Service{Peer: n.Peer, Notifier: n.Notifier, Agency: n.Agency, PartnerStore: n.Fed,
		Feed: &federation.Feed{Events: n.Events, Self: n.DB.Origin, Sign: sign, Groups: n.groups, Audit: n.Audit, Consented: n.consented,
			Logger: n.Logger},
		Update: func(ctx context.Context, u *tripline.EncounterUpdate, sender string) error {
			_, err := n.Encounters.MergeEncounterUpdate(ctx, u, sender)
			return err
		},
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

// serveFederation gives the API server the partner protocol, partner
// management and the partners' metrics, and starts following partners.
func (n *Node) serveFederation(srv *httpapi.Server) {
	srv.Federation, srv.Partners = n.FedService, n.FedService
	srv.Registry().MustRegister(n.Peer.Collector(), encounterMetrics{n})
	n.runFederation(n.bgCtx)
}

// runFederation follows every active partner with an address (its own
// events and every origin it relays to us: one pull per partner), keeping
// in step with partners added, suspended or removed while serving, and
// delivers encounter reports, until ctx ends.
func (n *Node) runFederation(ctx context.Context) {
	n.bg.Add(1)
	go func() {
		defer n.bg.Done()
		n.Peer.Run(ctx, time.Second)
	}()
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

// sendUpdate sends the other end of encounter e what this end owes it:
// the originator's acknowledgement to the reporting node, the officer's
// outcome to the originator's node; each once.
func (n *Node) sendUpdate(ctx context.Context, e *tripline.Encounter) {
	u, key := tripline.UpdateFor(e, n.Agency)
	if u == nil {
		return
	}
	to := e.Node
	if u.Kind == tripline.UpdateOutcome {
		to = n.nodeOfAgency(ctx, e.Originator)
	}
	if to == "" || to == n.DB.Origin {
		return
	}
	if err := n.Peer.QueueUpdate(ctx, key, u, to); err != nil {
		n.Logger.Error("queue encounter update", "encounter", e.ID, "kind", u.Kind, "to", to, "err", err)
	}
}

// nodeOfAgency returns the partner node run by agency, "" for none.
func (n *Node) nodeOfAgency(ctx context.Context, agency string) string {
	ps, _ := n.Fed.Partners(ctx)
	for _, p := range ps {
		if p.Agency == agency {
			return p.ID
		}
	}
	return ""
}

// runNode serves `tripline node info`: what a partner needs to add this
// node: its id, agency, key, URL and, with a certificate, its TLS pin.
func runNode(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 && args[0] == "init" {
		return runNodeInit(ctx, env, args[1:])
	}
	if len(args) == 0 || args[0] != "info" {
		return usagef("want: node info | node init [--node ID] [--agency A]")
	}
	fs := newFlags(env, "node info")
	data := fs.String("data", dataDirDefault(env), "data directory ($TRIPLINE_DATA)")
	addr := fs.String("addr", envOr(env, "TRIPLINE_ADDR", "127.0.0.1:8080"), "the address serve listens on ($TRIPLINE_ADDR), for the URL")
	public := fs.String("url", envOr(env, "TRIPLINE_URL", ""), "the URL partners reach this node at ($TRIPLINE_URL; default from --addr and the certificate)")
	cert, _ := tlsFlags(env, fs, "the certificate serve uses, for its pin")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	var leaf *x509.Certificate
	if *cert != "" {
		var err error
		if leaf, err = tlsconf.ReadCertificate(*cert); err != nil {
			return err
		}
	}
	n, err := openNode(ctx, env, *data, false, newLogger(env))
	if err != nil {
		return err
	}
	defer n.Close()
	info := n.FedService.Info()
	u := *public
	if u == "" {
		u = nodeURL(*addr, leaf)
	}
	fmt.Fprintf(env.Stdout, "id: %s\nagency: %s\npublic_key: %s\nurl: %s\n", info.ID, info.Agency, info.PublicKey, u)
	add := fmt.Sprintf("tripline partners add %s --agency %s --key %s --url %s", info.ID, info.Agency, info.PublicKey, u)
	if leaf != nil {
		fmt.Fprintf(env.Stdout, "tls_pin: %s\n", tripline.TLSPin(leaf))
		add += " --tls-pin " + tripline.TLSPin(leaf)
	}
	fmt.Fprintf(env.Stdout, "add_with: %s\n", add)
	return nil
}

// nodeURL is the URL serve answers at on addr: https with a certificate,
// under the certificate's first name when addr names no host.
func nodeURL(addr string, leaf *x509.Certificate) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, ""
	}
	if ip := net.ParseIP(host); (host == "" || ip != nil && ip.IsUnspecified()) && leaf != nil {
		switch {
		case len(leaf.DNSNames) > 0:
			host = leaf.DNSNames[0]
		case len(leaf.IPAddresses) > 0:
			host = leaf.IPAddresses[0].String()
		}
	}
	u := url.URL{Scheme: "http", Host: host}
	if leaf != nil {
		u.Scheme = "https"
	}
	if port != "" {
		u.Host = net.JoinHostPort(host, port)
	}
	return u.String()
}

// runPartners manages partner nodes; a serving node takes each change up
// within a second, without a restart:
//
//	tripline partners add ID --agency A --key KEY [--url URL] [--follows X,Y] [--tls-pin P] [--tls-ca FILE] [--insecure-http]
//	tripline partners suspend ID | resume ID | remove ID | rotate ID --key KEY
//	tripline partners list
func runPartners(ctx context.Context, env *Env, args []string) error {
	fs, data, err := actionFlags(env, "partners", args, "want add, suspend, resume, remove, rotate or list")
	if err != nil {
		return err
	}
	agency := fs.String("agency", "", "add: the partner's agency")
	key := fs.String("key", "", "add, rotate: the partner node's public key (tripline node info)")
	url := fs.String("url", "", "add: where to pull its feed, https://HOST[:PORT] (empty: known only by key, reached through a relay)")
	follows := fs.String("follows", "", "add: other origins to pull through this partner, comma-separated (those its feed announces are followed anyway)")
	pins := fs.String("tls-pin", "", "add: the pin of its TLS key, sha256/BASE64 (its tripline node info); comma-separated during a rotation")
	caFile := fs.String("tls-ca", "", "add: a PEM file of the CA that signs its certificate, if not a public CA")
	insecure := fs.Bool("insecure-http", false, "add: allow a plain http:// URL to another machine (everything sent to it travels in clear)")
	n, err := openAction(ctx, env, fs, args, data)
	if err != nil {
		return err
	}
	defer n.Close()
	if args[0] == "list" {
		return n.listPartners(ctx, env)
	}
	if fs.NArg() != 1 {
		return usagef("%s: want one partner node ID", args[0])
	}
	id := fs.Arg(0)
	// The command line is the node's operator: a superuser of its agency,
	// through the same policy check and audit as the API.
	cli := tripline.WithIdentity(ctx, &tripline.Identity{User: "cli", Agency: n.Agency, Role: tripline.RoleAdmin, Superuser: true})
	fed := n.FedService
	var change func() error
	switch args[0] {
	case "add":
		p := &tripline.Partner{ID: id, Agency: *agency, PublicKey: *key, URL: strings.TrimRight(*url, "/"), InsecureHTTP: *insecure}
		if *follows != "" {
			p.Follows = strings.Split(*follows, ",")
		}
		if *pins != "" {
			p.TLSPins = strings.Split(*pins, ",")
		}
		if *caFile != "" {
			b, err := os.ReadFile(*caFile)
			if err != nil {
				return fmt.Errorf("--tls-ca: %w", err)
			}
			p.TLSCA = string(b)
		}
		if old, ok := n.Peer.Partner(id); ok {
			p.Status = old.Status // re-adding keeps a suspension
		}
		change = func() error { return fed.PutPartner(cli, p) }
	case "suspend", "resume":
		status := map[string]string{"suspend": tripline.PartnerSuspended, "resume": tripline.PartnerActive}[args[0]]
		change = func() error { return fed.SetPartnerStatus(cli, id, status) }
	case "remove":
		change = func() error { return fed.RemovePartner(cli, id) }
	case "rotate":
		change = func() error { return fed.RotatePartnerKey(cli, id, *key) }
	default:
		return usagef("unknown partners command %q", args[0])
	}
	if err := n.Policy.ManagePartners(cli, n.Agency, "partner."+args[0], id, *agency+" "+*url); err != nil {
		return err
	}
	if err := change(); err != nil {
		return err
	}
	return n.Audit.Flush(ctx)
}

// listPartners prints the partners, their status and how each is reached.
func (n *Node) listPartners(ctx context.Context, env *Env) error {
	ps, err := n.Fed.Partners(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAGENCY\tSTATUS\tURL\tFOLLOWS\tTLS")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Agency, p.Status, p.URL, strings.Join(p.Follows, ","), transportOf(p))
	}
	return tw.Flush()
}

// transportOf says how a partner is reached, for partners list.
func transportOf(p *tripline.Partner) string {
	var parts []string
	switch {
	case p.URL == "":
		return "-"
	case strings.HasPrefix(p.URL, "http:"):
		return "plain http"
	case len(p.TLSPins) > 0:
		parts = append(parts, fmt.Sprintf("key pinned (%d)", len(p.TLSPins)))
	}
	if p.TLSCA != "" {
		parts = append(parts, "own CA")
	} else if len(p.TLSPins) == 0 {
		parts = append(parts, "system CAs")
	}
	return strings.Join(parts, ", ")
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
