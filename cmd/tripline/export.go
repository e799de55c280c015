package main

import (
	"context"
	"flag"

	"tripline"
	"tripline/export"
)

var exportCommands = []*command{{
	name: "listings export", usage: "--format ftm|stix [--source NAME] [--status STATUS]",
	summary: "Export the listings as FtM JSON lines or a STIX 2.1 bundle.\n" +
		"Each listing as the policy layer shows it to the node's supervisor (its own agency's in full,\n" +
		"a partner's as far as the partner's handling rules allow); the export is audited. STIX: per\n" +
		"listing an identity and an indicator, marked with the TLP colour of its handling code (H0\n" +
		"white, H1 green, H2 or none amber, H3 red) and a statement of its handling rules.",
	examples: []string{"tripline listings export --format ftm --source tr-border > tr-border.ftm.json",
		"tripline listings export --format stix > listings.stix.json"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		format := fs.String("format", "", "ftm (FollowTheMoney JSON lines) or stix (a STIX 2.1 bundle)")
		source := fs.String("source", "", "only the listings of this source")
		status := fs.String("status", "active", "only the listings of this status: active, withdrawn or expired")
		run := onNode(fs, env, func(ctx context.Context, n *Node, _ []string) error {
			ctx = n.cliContext(ctx)
			f := tripline.ListingFilter{Source: *source, Status: tripline.Status(*status), Limit: 1000}
			var out []*tripline.Listing
			for {
				page, err := n.Listings.Listings(ctx, f)
				if err != nil {
					return err
				}
				shown, err := n.Policy.Listings(ctx, page)
				if err != nil {
					return err
				}
				out = append(out, shown...)
				if len(page) < f.Limit {
					break
				}
				f.After = page[len(page)-1].ID
			}
			if err := n.audited(ctx, "export.listings", *source, *format); err != nil {
				return err
			}
			if *format == "ftm" {
				return export.WriteFTM(env.Stdout, out)
			}
			return export.WriteSTIX(env.Stdout, out, n.Now())
		})
		return func(ctx context.Context, args []string) error {
			if *format != "ftm" && *format != "stix" {
				return usagef("--format: want ftm or stix, not %q", *format)
			}
			return run(ctx, args)
		}
	},
}, {
	name: "encounters export", usage: "[--originator AGENCY] [--outcome OUTCOME]",
	summary: "Export the encounters as CSV, for reporting.\n" +
		"The encounters the node's agency is a party to, on stdout.\n" +
		"One row per encounter (the columns of export.EncounterColumns), newest first, each as the\n" +
		"policy layer shows it; a cell a spreadsheet would run as a formula starts with an apostrophe.",
	examples: []string{"tripline encounters export --outcome pending > open.csv"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		originator := fs.String("originator", "", "only this originator's queue")
		outcome := fs.String("outcome", "", "only this outcome (pending for the open queue)")
		return onNode(fs, env, func(ctx context.Context, n *Node, _ []string) error {
			ctx = n.cliContext(ctx)
			f := tripline.EncounterFilter{Originator: *originator, Outcome: tripline.Outcome(*outcome), Limit: 1000}
			var out []*tripline.Encounter
			for {
				es, err := n.Encounters.Encounters(ctx, f)
				if err != nil {
					return err
				}
				for _, e := range es {
					if !e.SeenBy(n.Agency) {
						continue
					}
					if shown, err := n.Policy.Encounter(ctx, e, n.Index.Listing); err == nil {
						out = append(out, shown)
					}
				}
				if len(es) < f.Limit {
					break
				}
				f.Before = es[len(es)-1].ID
			}
			if err := n.audited(ctx, "export.encounters", *originator, *outcome); err != nil {
				return err
			}
			return export.WriteEncountersCSV(env.Stdout, out)
		})
	},
}}
