package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/schollz/progressbar/v3"

	"tripline"
	"tripline/federation"
)

// nodeCommands show the node itself.
var nodeCommands = []*command{{
	name:     "node info",
	summary:  "Print this node's id, agency and public key, for partners.",
	examples: []string{"tripline node info"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		return onNode(fs, env, func(_ context.Context, n *Node, _ []string) error {
			info := n.FedService.Info()
			_, err := fmt.Fprintf(env.Stdout, "id: %s\nagency: %s\npublic_key: %s\n", info.ID, info.Agency, info.PublicKey)
			return err
		})
	},
}}

// partnerCommands manage the partner nodes this node federates with.
var partnerCommands = []*command{{
	name: "partners add", args: "ID", usage: "--agency AGENCY --key KEY [--url URL] [--follows ORIGIN,...]",
	summary: "Add a partner node, or change one.\n" +
		"With --url this node pulls the partner's feed, and through it the\n" +
		"feeds of the --follows origins; without, the partner is known by its key only (its events and\n" +
		"reports reach this node through a relay). A serving node reads its partners when it starts.",
	examples: []string{
		"tripline partners add B --agency de-bka --key ed25519:... --url http://b.example:8080 --follows A",
		"tripline partners add A --agency tr-border --key ed25519:...",
	},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		agency := fs.String("agency", "", "the partner's agency")
		key := fs.String("key", "", "the partner node's public key ('tripline node info' there)")
		url := fs.String("url", "", "where to pull its feed (none: known by key only, reached through a relay)")
		follows := fs.String("follows", "", "other origins to pull through this partner, `ORIGIN,...`")
		return onNode(fs, env, func(ctx context.Context, n *Node, args []string) error {
			if _, err := federation.ParsePublicKey(*key); err != nil {
				return err
			}
			p := &tripline.Partner{ID: args[0], Agency: *agency, PublicKey: *key, URL: strings.TrimRight(*url, "/")}
			if *follows != "" {
				p.Follows = strings.Split(*follows, ",")
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
	name: "partners list", summary: "List the partner nodes: id, agency, URL, origins followed.",
	examples: []string{"tripline partners list"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		return onNode(fs, env, func(ctx context.Context, n *Node, _ []string) error {
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
		})
	},
}}

// federationCommands move signed events to and from an air-gapped partner.
var federationCommands = []*command{{
	name: "federation export", args: "FILE", usage: "--to PARTNER [--origin ORIGIN] [--after SEQ]",
	summary: "Write a bundle of signed events for an air-gapped partner.\n" +
		"It holds what the handling rules grant the partner, as its feed would serve them.",
	examples: []string{"tripline federation export --to C --origin A bundle.tlb"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		to := fs.String("to", "", "the `PARTNER` node the bundle is for (required)")
		origin := fs.String("origin", "", "whose events: a node id (default: this node's)")
		after := fs.Int64("after", 0, "only the events after sequence number `SEQ`")
		return onNode(fs, env, func(ctx context.Context, n *Node, args []string) error {
			p, ok := n.Peer.Partner(*to)
			if !ok {
				return usagef("--to must name a partner (tripline partners list)")
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
			applied, err := n.Peer.ReadBundle(ctx, progressReader(env, f, "reading "+args[0]), args[0])
			if err != nil {
				return err
			}
			if err := n.audited(ctx, "federation.import", args[0], fmt.Sprintf("%d new events applied", applied)); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s: %d new events applied\n", args[0], applied)
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
	f, err := os.Create(path)
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
	fmt.Fprintf(env.Stdout, "%s: %d events of %s for %s\n", path, len(evs), origin, p.ID)
	return f.Close()
}
