package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"tripline"
	"tripline/federation"
)

// runAudit serves oversight:
//
//	tripline audit verify [--checkpoint FILE] [--key KEY]   exit 1 naming the first bad entry or checkpoint
//	tripline audit checkpoint                               the signed head, as JSON, for a witness to keep
//	tripline audit query [--subject X] [--agency Y] [--from T] [--to T]
func runAudit(ctx context.Context, env *Env, args []string) error {
	fs, data, err := actionFlags(env, "audit", args, "want verify, checkpoint or query")
	if err != nil {
		return err
	}
	subject := fs.String("subject", "", "query: who touched this listing (or other subject)")
	agency := fs.String("agency", "", "query: what this agency saw")
	user := fs.String("user", "", "query: what this user did")
	from := fs.String("from", "", "query: from this RFC 3339 time")
	to := fs.String("to", "", "query: until this RFC 3339 time")
	witness := fs.String("checkpoint", "", "verify: also against the checkpoints in this file (JSON, one or more, as `audit checkpoint` printed them), kept outside the node")
	keyText := fs.String("key", "", "verify: the node's public key the checkpoints must be signed with (default: this node's key file)")
	n, err := openAction(ctx, env, fs, args, data)
	if err != nil {
		return err
	}
	defer n.Close()
	switch args[0] {
	case "verify":
		return auditVerify(ctx, env, n, *witness, *keyText)
	case "checkpoint":
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
	return usagef("unknown audit command %q: want verify, checkpoint or query", args[0])
}

// auditVerify checks the chain and every checkpoint, stored and witnessed,
// and says how far the log is anchored.
func auditVerify(ctx context.Context, env *Env, n *Node, witnessFile, keyText string) error {
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
		from = fmt.Sprintf(", %d of them from %s", len(witness), witnessFile)
	}
	fmt.Fprintf(env.Stdout, "audit log intact: %d entries, head %s; checkpoints checked: %d%s; %s\n",
		v.Entries, v.Head, v.Checkpoints, from, anchor)
	return nil
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
