package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"text/tabwriter"

	"tripline"
)

var tipCommands = []*command{{
	name: "tips list", usage: "[--status STATUS] [--json]",
	summary: "List the node agency's tips, newest first.\n" +
		"The supervisor queue with --status provisional. Each with its subject, channel, status and expiry; --json prints each whole tip, the\n" +
		"source-protected reporter included, as the node's supervisor may see it. Audited.",
	examples: []string{"tripline tips list --status provisional", "tripline tips list --json"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		status := fs.String("status", "", "only tips of this status: provisional, confirmed, rejected or expired")
		asJSON := fs.Bool("json", false, "print one JSON tip per line")
		run := onNode(fs, env, func(ctx context.Context, n *Node, _ []string) error {
			ctx = n.cliContext(ctx)
			want := tripline.TipStatus(*status)
			stored := want
			if want == tripline.TipExpired {
				stored = tripline.TipProvisional // expiry is a matter of time, not of a write
			}
			ts, err := n.Tips.Tips(ctx, tripline.TipFilter{Agency: n.Agency, Status: stored})
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			if !*asJSON {
				fmt.Fprintln(tw, "ID\tSTATUS\tRECEIVED\tEXPIRES\tCHANNEL\tSUBJECT")
			}
			for _, t := range ts {
				shown, err := n.Policy.Tip(ctx, t)
				if err != nil || (want != "" && shown.Status != want) {
					continue
				}
				if *asJSON {
					b, _ := json.Marshal(shown)
					fmt.Fprintln(env.Stdout, string(b))
					continue
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", shown.ID, shown.Status, shown.Received.Format("2006-01-02 15:04"),
					shown.Expires.Format("2006-01-02"), shown.Channel, shown.Subject.Name)
			}
			return tw.Flush()
		})
		return func(ctx context.Context, args []string) error {
			switch tripline.TipStatus(*status) {
			case "", tripline.TipProvisional, tripline.TipConfirmed, tripline.TipRejected, tripline.TipExpired:
			default:
				return usagef("--status: want provisional, confirmed, rejected or expired, not %q", *status)
			}
			return run(ctx, args)
		}
	},
}}
