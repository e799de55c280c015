package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"tripline"
)

func runListings(ctx context.Context, env *Env, args []string) error {
	fs, data, err := actionFlags(env, "listings", args, "want list, show ID or withdraw ID")
	if err != nil {
		return err
	}
	asJSON := fs.Bool("json", false, "print JSON (one listing per line for list)")
	source := fs.String("source", "", "list: only this source")
	status := fs.String("status", "", "list: only this status (active, withdrawn, expired)")
	reason := fs.String("reason", "", "withdraw: why")
	n, err := openAction(ctx, env, fs, args, data)
	if err != nil {
		return err
	}
	defer n.Close()
	ctx = n.cliContext(ctx)
	switch args[0] {
	case "list":
		return listListings(ctx, env, n, tripline.ListingFilter{Source: *source, Status: tripline.Status(*status)}, *asJSON)
	case "show":
		if fs.NArg() != 1 {
			return usagef("show: want one listing ID")
		}
		l, err := n.Listings.Listing(ctx, fs.Arg(0))
		if err == nil {
			l, err = n.Policy.Listing(ctx, l)
		}
		if err != nil {
			return err
		}
		b, _ := json.MarshalIndent(l, "", "  ")
		_, err = fmt.Fprintln(env.Stdout, string(b))
		return err
	case "withdraw":
		if fs.NArg() != 1 {
			return usagef("withdraw: want one listing ID")
		}
		l, err := n.Listings.WithdrawListing(ctx, fs.Arg(0), *reason)
		if err != nil {
			return err
		}
		n.Policy.Record(ctx, "listing.withdraw", l.ID, *reason)
		fmt.Fprintf(env.Stdout, "%s withdrawn (version %d)\n", l.ID, l.Version)
		return nil
	}
	return usagef("unknown listings command %q: want list, show or withdraw", args[0])
}

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
