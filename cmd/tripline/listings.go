package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"tripline"
)

var listingCommands = []*command{{
	name: "listings list", usage: "[--source NAME] [--status STATUS] [--json]",
	summary: "List the listings, one line each.\n" +
		"The columns: id, status, version, action, name, birth date, nationality. --json prints each whole listing as one JSON line, as the policy layer shows it to the node's supervisor.",
	examples: []string{"tripline listings list --source un-sc", "tripline listings list --json --status withdrawn"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		asJSON := fs.Bool("json", false, "print one JSON listing per line")
		source := fs.String("source", "", "only the listings of this source")
		status := fs.String("status", "", "only the listings of this status: active, withdrawn or expired")
		return onNode(fs, env, func(ctx context.Context, n *Node, _ []string) error {
			f := tripline.ListingFilter{Source: *source, Status: tripline.Status(*status)}
			return listListings(n.cliContext(ctx), env, n, f, *asJSON)
		})
	},
}, {
	name: "listings show", args: "ID",
	summary:  "Print one listing as indented JSON.",
	examples: []string{"tripline listings show un-sc:TAi.005"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		return onNode(fs, env, func(ctx context.Context, n *Node, args []string) error {
			ctx = n.cliContext(ctx)
			l, err := n.Listings.Listing(ctx, args[0])
			if err == nil {
				l, err = n.Policy.Listing(ctx, l)
			}
			if err != nil {
				return err
			}
			b, _ := json.MarshalIndent(l, "", "  ")
			_, err = fmt.Fprintln(env.Stdout, string(b))
			return err
		})
	},
}, {
	name: "listings withdraw", args: "ID", usage: "[--reason TEXT]",
	summary: "Withdraw a listing.\n" +
		"It stops matching here and at partners: the withdrawal is an event like any change.",
	examples: []string{`tripline listings withdraw un-sc:TAi.005 --reason "delisted"`},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		reason := fs.String("reason", "", "why, for the event and the audit log")
		return onNode(fs, env, func(ctx context.Context, n *Node, args []string) error {
			ctx = n.cliContext(ctx)
			l, err := n.Listings.WithdrawListing(ctx, args[0], *reason)
			if err != nil {
				return err
			}
			if err := n.audited(ctx, "listing.withdraw", l.ID, *reason); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s withdrawn (version %d)\n", l.ID, l.Version)
			return nil
		})
	},
}}

func listListings(ctx context.Context, env *Env, n *Node, f tripline.ListingFilter, asJSON bool) error {
	var tw *tabwriter.Writer
	if !asJSON {
		tw = tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATUS\tV\tACTION\tNAME\tBORN\tNAT")
		defer tw.Flush()
	}
	f.Limit = 1000
	for {
		page, err := n.Listings.Listings(ctx, f)
		if err != nil {
			return err
		}
		shown, err := n.Policy.Listings(ctx, page)
		if err != nil {
			return err
		}
		for _, l := range shown {
			if asJSON {
				b, _ := json.Marshal(l)
				fmt.Fprintln(env.Stdout, string(b))
				continue
			}
			fmt.Fprintln(tw, listingRow(l))
		}
		if len(page) < f.Limit {
			return nil
		}
		f.After = page[len(page)-1].ID
	}
}

// Column widths of `listings list`: the row fits 100 columns; the whole
// listing is in `show` and `--json`.
const (
	listIDWidth   = 20
	listNameWidth = 20
)

// listingRow is one tab-separated line of `listings list`, each long field
// cut with "…" and a list shown as its first item and how many more.
func listingRow(l *tripline.Listing) string {
	var born []string
	for _, d := range l.BirthDates {
		born = append(born, d.String())
	}
	return strings.Join([]string{clip(l.ID, listIDWidth), string(l.Status), fmt.Sprint(l.Version), string(l.Action),
		clip(l.PrimaryName(), listNameWidth), firstOf(born, 10), firstOf(l.Nationalities, 4)}, "\t")
}

// clip cuts s to at most n runes, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// firstOf shows a list as its first item, with "+N" for the rest.
func firstOf(xs []string, width int) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return clip(xs[0], width)
	}
	return fmt.Sprintf("%s+%d", clip(xs[0], width), len(xs)-1)
}
