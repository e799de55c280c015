package main

import (
	"context"
	"fmt"

	"tripline"
	"tripline/federation"
	"tripline/sqlite"
)

// nodeIdentity returns the identity of the data directory dir, whose store
// db is open, fixing it at first use (federation.ResolveIdentity): every
// event of the directory then carries one origin, whoever runs the
// command. An id or agency other than the fixed one ($TRIPLINE_NODE,
// $TRIPLINE_AGENCY, `node init --node`) is a usage error: exit 2.
func nodeIdentity(ctx context.Context, env *Env, dir string, db *sqlite.DB) (federation.NodeIdentity, error) {
	fixed, ok, err := federation.ReadIdentity(dir)
	if err != nil {
		return fixed, err
	}
	wantID, wantAgency := env.Getenv("TRIPLINE_NODE"), env.Getenv("TRIPLINE_AGENCY")
	if ok {
		id, err := federation.ResolveIdentity(&fixed, wantID, wantAgency, nil)
		return id, identityError(dir, err)
	}
	own, err := sqlite.NewFederationStore(db).OwnOrigins(ctx)
	if err != nil {
		return fixed, err
	}
	id, err := federation.ResolveIdentity(nil, wantID, wantAgency, own)
	if err != nil {
		return id, identityError(dir, err)
	}
	return id, federation.WriteIdentity(dir, id)
}

// identityError makes a refused identity a usage error naming the
// directory.
func identityError(dir string, err error) error {
	if err == nil {
		return nil
	}
	if code := tripline.ErrorCode(err); code == tripline.ECONFLICT || code == tripline.EINVALID {
		return usagef("data directory %s: %s", dir, tripline.ErrorMessage(err))
	}
	return err
}

// runNodeInit serves `tripline node init [--node ID] [--agency A]`: it
// fixes the data directory's identity before anything else uses it, and
// prints it.
func runNodeInit(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "node init")
	data := fs.String("data", dataDirDefault(env), "data directory ($TRIPLINE_DATA)")
	id := fs.String("node", "", "this node's id, the origin of its events ($TRIPLINE_NODE; default local)")
	agency := fs.String("agency", "", "the agency running the node ($TRIPLINE_AGENCY; default the node id)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("node init: no arguments, only flags")
	}
	sub := *env
	sub.Getenv = func(k string) string {
		switch {
		case k == "TRIPLINE_NODE" && *id != "":
			return *id
		case k == "TRIPLINE_AGENCY" && *agency != "":
			return *agency
		}
		return env.Getenv(k)
	}
	n, err := openNode(ctx, &sub, *data, false, newLogger(env))
	if err != nil {
		return err
	}
	defer n.Close()
	info := n.FedService.Info()
	_, err = fmt.Fprintf(env.Stdout, "id: %s\nagency: %s\npublic_key: %s\n", info.ID, info.Agency, info.PublicKey)
	return err
}

// screeningAgency is the agency whose border post screened t (kept with
// it for retro-screening): a retro-encounter is that agency's too.
func screeningAgency(t *tripline.Traveller) string {
	if t.Travel == nil {
		return ""
	}
	return t.Travel.Agency
}
