package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"tripline"
)

// runAudit serves oversight:
//
//	tripline audit verify                       exit 1 naming the first bad entry
//	tripline audit query [--subject X] [--agency Y] [--from T] [--to T]
func runAudit(ctx context.Context, env *Env, args []string) error {
	fs, data, err := actionFlags(env, "audit", args, "want verify or query")
	if err != nil {
		return err
	}
	subject := fs.String("subject", "", "query: who touched this listing (or other subject)")
	agency := fs.String("agency", "", "query: what this agency saw")
	user := fs.String("user", "", "query: what this user did")
	from := fs.String("from", "", "query: from this RFC 3339 time")
	to := fs.String("to", "", "query: until this RFC 3339 time")
	n, err := openAction(ctx, env, fs, args, data)
	if err != nil {
		return err
	}
	defer n.Close()
	switch args[0] {
	case "verify":
		count, broken, err := n.Audit.Verify(ctx)
		if err != nil {
			return err
		}
		if broken != nil {
			fmt.Fprintf(env.Stdout, "audit log BROKEN after %d good entries: %s\n", count-1, broken)
			return tripline.Errorf(tripline.EINVALID, "%s", broken)
		}
		fmt.Fprintf(env.Stdout, "audit log intact: %d entries, head %s\n", count, n.auditHead(ctx))
		return nil
	case "query":
		f := tripline.AuditFilter{Subject: *subject, Agency: *agency, User: *user}
		for _, p := range []struct {
			s string
			t *time.Time
		}{{*from, &f.From}, {*to, &f.To}} {
			if p.s == "" {
				continue
			}
			if *p.t, err = time.Parse(time.RFC3339, p.s); err != nil {
				return usagef("%q is not an RFC 3339 time", p.s)
			}
		}
		for {
			es, err := n.Audit.Entries(ctx, f)
			if err != nil {
				return err
			}
			for _, e := range es {
				b, _ := json.Marshal(e)
				fmt.Fprintln(env.Stdout, string(b))
			}
			if len(es) < 10000 {
				return nil
			}
			f.After = es[len(es)-1].Seq
		}
	}
	return usagef("unknown audit command %q", args[0])
}
