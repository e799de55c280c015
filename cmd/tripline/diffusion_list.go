package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"tripline"
	"tripline/sqlstore"
)

var diffusionCommands = []*command{{
	name: "diffusions list", usage: "[--overdue] [--json]",
	summary: "List the agency's diffusions, sent and received, newest first.\n" +
		"Each with its kind, status, sender, subject and acknowledgements: for one sent, how many recipients acknowledged and\n" +
		"which are overdue; for one received, whether this agency acknowledged. --overdue shows only the active ones with an\n" +
		"acknowledgement past its deadline (the escalation an operations room acts on). Read through the policy layer; audited.",
	examples: []string{"tripline diffusions list --overdue", "tripline diffusions list --json"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		overdue := fs.Bool("overdue", false, "only active diffusions with an overdue acknowledgement")
		asJSON := fs.Bool("json", false, "print one JSON diffusion per line, as the node's supervisor may see it")
		return onNode(fs, env, func(ctx context.Context, n *Node, _ []string) error {
			ctx = n.cliContext(ctx)
			ds, err := sqlstore.NewDiffusionService(n.DB).Diffusions(ctx, n.Agency)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			if !*asJSON {
				fmt.Fprintln(tw, "ID\tSTATUS\tSENT\tKIND\tFROM\tACKNOWLEDGED\tSUBJECT")
			}
			if ds, err = n.Policy.Diffusions(ctx, ds); err != nil {
				return err
			}
			for _, shown := range ds {
				late := shown.MarkOverdue(n.Now())
				if *overdue && late == 0 {
					continue
				}
				if *asJSON {
					b, _ := json.Marshal(shown)
					fmt.Fprintln(env.Stdout, string(b))
					continue
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", shown.ID, shown.Status, shown.Sent.Format("2006-01-02 15:04"),
					shown.Kind, shown.Sender, acknowledged(shown), shown.Subject.Name)
			}
			return tw.Flush()
		})
	},
}}

// acknowledged says who acknowledged d: a count of its recipients, the
// overdue ones named.
func acknowledged(d *tripline.Diffusion) string {
	acked := 0
	var late []string
	for _, r := range d.Recipients {
		if r.AckedAt != nil {
			acked++
		}
		if r.Overdue {
			late = append(late, r.Agency)
		}
	}
	s := fmt.Sprintf("%d/%d", acked, len(d.Recipients))
	if len(late) > 0 {
		s += " (overdue: " + strings.Join(late, ", ") + ")"
	}
	return s
}
