package main

import (
	"context"
	"crypto/x509"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/schollz/progressbar/v3"

	"tripline"
	"tripline/federation"
	"tripline/tlsconf"
)

// nodeCommands show the node itself.
var nodeCommands = []*command{{
	name:  "node info",
	usage: "[--url URL] [--tls-cert FILE]",
	summary: "Print what a partner needs: id, agency, public key, URL, TLS pin.\n" +
		"The pin is read from the certificate serve uses; the last line is the partners add\n" +
		"command to paste at the partner.",
	examples: []string{"tripline node info", "tripline node info --url https://a.example:8443 --tls-cert tripline-tls/cert.pem"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		addr := fs.String("addr", envOr(env, "TRIPLINE_ADDR", "127.0.0.1:8080"), "the address serve listens on, `HOST:PORT`, for the URL ($TRIPLINE_ADDR)")
		public := fs.String("url", envOr(env, "TRIPLINE_URL", ""), "the `URL` partners reach this node at ($TRIPLINE_URL; default from --addr and the certificate)")
		cert, _ := tlsFlags(env, fs, "the certificate `FILE` serve uses, for its pin")
		fs.Lookup("tls-key").Usage = "unused here (serve's key; accepted so that the same environment works)"
		return onNode(fs, env, func(_ context.Context, n *Node, _ []string) error {
			var leaf *x509.Certificate
			if *cert != "" {
				var err error
				if leaf, err = tlsconf.ReadCertificate(*cert); err != nil {
					return err
				}
			}
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
			_, err := fmt.Fprintf(env.Stdout, "add_with: %s\n", add)
			return err
		})
	},
}}

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

// partnerCommands manage the partner nodes this node federates with.
var partnerCommands = []*command{{
	name: "partners add", args: "ID", usage: "--agency AGENCY --key KEY [--url URL [--tls-pin PIN] [--tls-ca FILE]] [--follows ORIGIN,...]",
	summary: "Add a partner node, or change one.\n" +
		"With --url this node pulls the partner's feed, and through it the\n" +
		"feeds of the --follows origins; without, the partner is known by its key only (its events and\n" +
		"reports reach this node through a relay). A serving node takes the change up within a second;\n" +
		"the origins a partner relays are announced in its feed and followed without --follows.\n" +
		"A partner on another machine is reached over HTTPS, its key pinned with --tls-pin (its node info\n" +
		"prints the pin) and/or its CA given with --tls-ca; plain http:// only to loopback, or with\n" +
		"--insecure-http (everything sent to it then travels in clear).",
	examples: []string{
		"tripline partners add B --agency de-bka --key ed25519:... --url https://b.example:8443 --tls-pin sha256/... --follows A",
		"tripline partners add A --agency tr-border --key ed25519:...",
	},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		agency := fs.String("agency", "", "the partner's agency")
		key := fs.String("key", "", "the partner node's public key ('tripline node info' there)")
		url := fs.String("url", "", "where to pull its feed (none: known by key only, reached through a relay)")
		follows := fs.String("follows", "", "other origins to pull through this partner, `ORIGIN,...`")
		pins := fs.String("tls-pin", "", "the pin of its TLS key, `sha256/BASE64` (its node info); comma-separated during a rotation")
		caFile := fs.String("tls-ca", "", "a PEM `FILE` of the CA that signs its certificate, if not a public CA")
		insecure := fs.Bool("insecure-http", false, "allow a plain http:// URL to another machine (everything sent to it travels in clear)")
		return onNode(fs, env, func(ctx context.Context, n *Node, args []string) error {
			if _, err := federation.ParsePublicKey(*key); err != nil {
				return err
			}
			p := &tripline.Partner{ID: args[0], Agency: *agency, PublicKey: *key, URL: strings.TrimRight(*url, "/"), InsecureHTTP: *insecure}
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
			if err := p.CheckTransport(); err != nil {
				return err
			}
			if old, ok := n.Peer.Partner(p.ID); ok {
				p.Status = old.Status // changing a partner keeps its suspension
			}
			if err := n.Fed.PutPartner(ctx, p); err != nil {
				return err
			}
			if err := n.audited(ctx, "partner.add", p.ID, p.Agency); err != nil {
				return err
			}
			how := "known by its key"
			if p.URL != "" {
				how = "pulled from " + p.URL
				if len(p.Follows) > 0 {
					how += ", with " + strings.Join(p.Follows, ", ") + " through it"
				}
			}
			_, err := fmt.Fprintf(env.Stdout, "partner %s (agency %s) saved: %s\n", p.ID, p.Agency, how)
			return err
		})
	},
}, {
	name: "partners list", summary: "List the partner nodes: id, agency, URL, origins followed, TLS.",
	examples: []string{"tripline partners list"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		return onNode(fs, env, func(ctx context.Context, n *Node, _ []string) error {
			ps, err := n.Fed.Partners(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tAGENCY\tURL\tFOLLOWS\tTLS")
			for _, p := range ps {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.ID, p.Agency, p.URL, strings.Join(p.Follows, ","), transportOf(p))
			}
			return tw.Flush()
		})
	},
}}

// federationCommands move signed events to and from an air-gapped partner.
var federationCommands = []*command{{
	name: "federation export", args: "FILE", usage: "--to PARTNER [--origin ORIGIN] [--after SEQ]",
	summary: "Write a bundle of signed events for an air-gapped partner.\n" +
		"It holds what the handling rules grant the partner, as its feed would serve them, and the\n" +
		"encounter reports, acknowledgements, outcomes and receipts this node owes it: an air-gapped\n" +
		"node exports a bundle back the same way. Each bundle is numbered; a partner refuses a\n" +
		"replayed or older one.",
	examples: []string{"tripline federation export --to C --origin A bundle.tlb", "tripline federation export --to A back.tlb"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		to := fs.String("to", "", "the `PARTNER` node the bundle is for (required)")
		origin := fs.String("origin", "", "whose events: a node id (default: this node's)")
		after := fs.Int64("after", 0, "only the events after sequence number `SEQ`")
		// With the index: the reports owed are found from the listings'
		// provenance (queueOwed).
		return onIndexedNode(fs, env, func(ctx context.Context, n *Node, args []string) error {
			p, ok := n.Peer.Partner(*to)
			if !ok {
				return usagef("--to must name a partner (tripline partners list)")
			}
			if err := n.queueOwed(ctx); err != nil {
				return err
			}
			if *origin == "" {
				*origin = n.DB.Origin
			}
			return exportBundle(ctx, env, n, p, *origin, *after, args[0])
		})
	},
}, {
	name: "federation import", args: "FILE",
	summary:  "Apply a bundle from an air-gapped partner.\nIt is verified and applied like the partner's feed, idempotently.",
	examples: []string{"tripline federation import bundle.tlb"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		return onNode(fs, env, func(ctx context.Context, n *Node, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return fmt.Errorf("open bundle: %w", err)
			}
			defer f.Close()
			res, err := n.Peer.ReadBundle(ctx, progressSeeker(env, f, 2, "reading "+args[0]), args[0], n.FedService.ReceiveReport)
			if err != nil {
				return err
			}
			what := fmt.Sprintf("bundle %d from %s: %d new events applied, %d encounter reports and updates taken, %d receipts",
				res.Seq, res.From, res.Events, res.Reports, res.Receipt)
			if err := n.audited(ctx, "federation.import", args[0], what); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s: %s\n", args[0], what)
			return nil
		})
	},
}}

// exportBundle writes origin's events after seq, as partner p may see
// them, into a bundle file at path.
func exportBundle(ctx context.Context, env *Env, n *Node, p *tripline.Partner, origin string, after int64, path string) error {
	var bar *progressbar.ProgressBar
	if last, err := n.Events.LastSeq(ctx, origin); err == nil && last > after {
		bar = progressBar(env, last-after, "exporting events of "+origin, false)
	}
	var evs []*tripline.Event
	for cur := after; ; {
		page, err := n.FedService.Feed.Page(ctx, p.Agency, origin, cur, 5000)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		evs = append(evs, page...)
		cur = page[len(page)-1].Seq
		if bar != nil {
			_ = bar.Add(len(page))
		}
	}
	if bar != nil {
		_ = bar.Finish()
	}
	b, err := n.Peer.PrepareBundle(ctx, p.ID, evs)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create bundle: %w", err)
	}
	if err := n.Peer.WriteBundle(f, b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	// Only a bundle safely written marks what it carries as sent.
	if err := n.Peer.BundleWritten(ctx, b); err != nil {
		return err
	}
	what := fmt.Sprintf("bundle %d: %d events of %s, %d encounter reports, updates and receipts for %s", b.Seq, len(evs), origin, len(b.Reports), p.ID)
	if err := n.audited(ctx, "federation.export", path, what); err != nil {
		return err
	}
	_, err = fmt.Fprintf(env.Stdout, "%s: %s\n", path, what)
	return err
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
