package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"tripline"
	"tripline/federation"
)

// auditCommands serve oversight of the audit log.
var auditCommands = []*command{{
	name: "audit verify", usage: "[--checkpoint FILE [--key KEY]] [--witnesses]",
	summary: "Verify the audit log's hash chain and signed checkpoints.\n" +
		"Exits 1 naming the first bad entry or checkpoint (newest entries deleted: \"truncated\";\n" +
		"edited and re-chained: \"rewritten\").",
	examples: []string{"tripline audit verify", "tripline audit verify --checkpoint witness.json", "tripline audit verify --witnesses"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		witness := fs.String("checkpoint", "", "also verify against the checkpoints a witness kept in `FILE` (JSON, as 'audit checkpoint' printed them)")
		keyText := fs.String("key", "", "the node's public key the checkpoints must be signed with (default: this node's key file)")
		partners := fs.Bool("witnesses", false, "also verify against the checkpoints every partner kept of this node (fetched from them now)")
		return onNode(fs, env, func(ctx context.Context, n *Node, _ []string) error {
			return auditVerify(ctx, env, n, *witness, *keyText, *partners)
		})
	},
}, {
	name:     "audit checkpoint",
	summary:  "Print the signed head of the audit log, as JSON.\nA witness outside the node keeps it, and 'tripline audit verify' checks the log against it.",
	examples: []string{"tripline audit checkpoint > witness.json"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		return onNode(fs, env, func(ctx context.Context, n *Node, _ []string) error {
			c, err := n.Audit.Checkpoint(ctx)
			if err != nil {
				return err
			}
			if c == nil {
				return tripline.Errorf(tripline.EINVALID, "the audit log is empty: nothing to sign")
			}
			if err := n.audited(ctx, "audit.checkpoint", fmt.Sprint(c.Seq), c.Hash); err != nil {
				return err
			}
			b, _ := json.Marshal(c)
			_, err = fmt.Fprintln(env.Stdout, string(b))
			return err
		})
	},
}, {
	name: "audit witnessed", args: "NODE",
	summary: "Print the audit checkpoints kept of a partner NODE, as JSON Lines.\n" +
		"NODE's oversight verifies NODE's log against them with 'tripline audit verify' and this file.",
	examples: []string{"tripline audit witnessed node-b > node-b.witness.json"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		return onNode(fs, env, func(ctx context.Context, n *Node, args []string) error {
			cs, err := n.Fed.Witnessed(ctx, args[0], 0, 0)
			if err != nil {
				return err
			}
			if err := n.audited(ctx, "audit.witnessed", args[0], fmt.Sprint(len(cs))); err != nil {
				return err
			}
			if len(cs) == 0 {
				return tripline.Errorf(tripline.ENOTFOUND, "no audit checkpoint of node %q kept here", args[0])
			}
			for _, c := range cs {
				b, _ := json.Marshal(c)
				fmt.Fprintln(env.Stdout, string(b))
			}
			return nil
		})
	},
}, {
	name: "audit query", usage: "[--subject ID] [--agency AGENCY] [--user USER] [--from TIME] [--to TIME]",
	summary:  "Print the audit log's entries as JSON Lines, oldest first.\nReading them is itself recorded.",
	examples: []string{"tripline audit query --subject un-sc:TAi.005", "tripline audit query --agency de-bka --from 2026-11-01T00:00:00Z"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		subject := fs.String("subject", "", "what was done to this listing or other subject")
		agency := fs.String("agency", "", "what this agency saw")
		user := fs.String("user", "", "what this user did")
		from := fs.String("from", "", "entries from this RFC 3339 `TIME`")
		to := fs.String("to", "", "entries until this RFC 3339 `TIME`")
		return onNode(fs, env, func(ctx context.Context, n *Node, _ []string) error {
			f := tripline.AuditFilter{Subject: *subject, Agency: *agency, User: *user}
			for _, p := range []struct {
				flag, s string
				t       *time.Time
			}{{"from", *from, &f.From}, {"to", *to, &f.To}} {
				if p.s == "" {
					continue
				}
				var err error
				if *p.t, err = time.Parse(time.RFC3339, p.s); err != nil {
					return usagef("--%s: %q is not an RFC 3339 time", p.flag, p.s)
				}
			}
			return auditQuery(ctx, env, n, f)
		})
	},
}}

// auditQuery prints the entries f selects, page by page.
func auditQuery(ctx context.Context, env *Env, n *Node, f tripline.AuditFilter) error {
	// Reading the audit log is itself an access to record.
	if err := n.audited(ctx, "audit.read", f.Subject, f.Agency); err != nil {
		return err
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

// auditVerify checks the chain and every checkpoint, stored and witnessed,
// and says how far the log is anchored.
func auditVerify(ctx context.Context, env *Env, n *Node, witnessFile, keyText string, partners bool) error {
	key := n.Audit.PublicKey()
	if keyText != "" {
		k, err := federation.ParsePublicKey(keyText)
		if err != nil {
			return usagef("--key: %s", tripline.ErrorMessage(err))
		}
		key = k
	}
	var witness []*tripline.AuditCheckpoint
	if witnessFile != "" {
		var err error
		if witness, err = readCheckpoints(witnessFile); err != nil {
			return err
		}
	}
	fromFile := len(witness)
	var asked []string
	if partners {
		got, names, err := n.partnersWitnessed(ctx)
		if err != nil {
			return err
		}
		witness, asked = append(witness, got...), names
	}
	v, err := n.Audit.VerifyAgainst(ctx, key, witness)
	if err != nil {
		return err
	}
	result := "intact"
	if v.Broken != nil {
		result = "broken at entry " + fmt.Sprint(v.Broken.Seq)
	}
	if err := n.audited(ctx, "audit.verify", witnessFile, result); err != nil {
		return err
	}
	if v.Broken != nil {
		fmt.Fprintf(env.Stdout, "audit log BROKEN (entries read: %d, checkpoints checked: %d): %s\n", v.Entries, v.Checkpoints, v.Broken)
		return tripline.Errorf(tripline.EINVALID, "%s", v.Broken)
	}
	anchor := "no checkpoint yet"
	if v.Anchor != nil {
		anchor = fmt.Sprintf("anchored by the %s", v.Anchor)
	}
	from := ""
	if witnessFile != "" {
		from = fmt.Sprintf(", %d of them from %s", fromFile, witnessFile)
	}
	if partners {
		from += fmt.Sprintf(", %d kept by partners (%s)", len(witness)-fromFile, strings.Join(asked, ", "))
	}
	fmt.Fprintf(env.Stdout, "audit log intact: %d entries, head %s; checkpoints checked: %d%s; %s\n",
		v.Entries, v.Head, v.Checkpoints, from, anchor)
	return nil
}

// partnersWitnessed fetches from every active partner with an address
// the checkpoints it kept of this node's audit log, and names the partners
// that answered. A partner that cannot be reached is said on stderr and
// skipped: the others still show a rewrite.
func (n *Node) partnersWitnessed(ctx context.Context) ([]*tripline.AuditCheckpoint, []string, error) {
	ps, err := n.Peer.Reload(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out []*tripline.AuditCheckpoint
	var names []string
	for _, x := range ps {
		if x.URL == "" || x.Suspended() {
			continue
		}
		cs, err := n.Peer.Witnessed(ctx, x)
		if err != nil {
			n.Logger.Warn("audit verify: a partner's copy of this node's checkpoints", "partner", x.ID, "err", err)
			continue
		}
		out, names = append(out, cs...), append(names, fmt.Sprintf("%s: %d", x.ID, len(cs)))
	}
	if len(names) == 0 {
		return nil, nil, tripline.Errorf(tripline.EUNAVAILABLE, "--witnesses: no partner with an address answered")
	}
	return out, names, nil
}

// readCheckpoints reads the JSON checkpoints a witness kept: one object,
// a sequence of them (JSON Lines), or an array.
func readCheckpoints(path string) ([]*tripline.AuditCheckpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint file: %w", err)
	}
	defer f.Close()
	dec := json.NewDecoder(io.LimitReader(f, 64<<20))
	var out []*tripline.AuditCheckpoint
	for i := 1; ; i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, tripline.Errorf(tripline.EINVALID, "%s: value %d: %v", path, i, err)
		}
		var one []*tripline.AuditCheckpoint
		if len(raw) > 0 && raw[0] != '[' {
			raw = append(append([]byte{'['}, raw...), ']')
		}
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, tripline.Errorf(tripline.EINVALID, "%s: value %d: not an audit checkpoint: %v", path, i, err)
		}
		for _, c := range one {
			if c == nil || c.Seq <= 0 || c.Hash == "" || len(c.Sig) != ed25519.SignatureSize {
				return nil, tripline.Errorf(tripline.EINVALID, "%s: value %d: an audit checkpoint needs seq, hash and sig", path, i)
			}
		}
		out = append(out, one...)
	}
	if len(out) == 0 {
		return nil, tripline.Errorf(tripline.EINVALID, "%s: no audit checkpoint in it", path)
	}
	return out, nil
}
