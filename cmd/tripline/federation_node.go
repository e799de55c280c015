package main

import (
	"context"
	"flag"
	"fmt"

	"tripline"
	"tripline/federation"
	"tripline/sqlstore"
)

// nodeIdentity returns the identity of the data directory dir, whose store
// db is open, fixing it at first use (federation.ResolveIdentity): every
// event of the directory then carries one origin, whoever runs the
// command. An id or agency other than the fixed one ($TRIPLINE_NODE,
// $TRIPLINE_AGENCY, `node init --node`) is a usage error: exit 2.
func nodeIdentity(ctx context.Context, env *Env, dir string, db *sqlstore.DB) (federation.NodeIdentity, error) {
	fixed, ok, err := federation.ReadIdentity(dir)
	if err != nil {
		return fixed, err
	}
	wantID, wantAgency := env.Getenv("TRIPLINE_NODE"), env.Getenv("TRIPLINE_AGENCY")
	if ok {
		id, err := federation.ResolveIdentity(&fixed, wantID, wantAgency, nil)
		return id, identityError(dir, err)
	}
	own, err := sqlstore.NewFederationStore(db).OwnOrigins(ctx)
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

// fedCommands fix a data directory's identity and change partners while
// a node serves (issue 15).
var fedCommands = []*command{{
	name: "node init", usage: "[--node ID] [--agency AGENCY]",
	summary: "Fix this data directory's node id and agency, once.\n" +
		"Every event of the directory carries that id, whoever runs a command; another id or agency\n" +
		"for the directory later ($TRIPLINE_NODE, $TRIPLINE_AGENCY, --node) is refused with exit status 2.",
	examples: []string{"tripline node init --node B --agency de-bka"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		id := fs.String("node", "", "this node's `ID`, the origin of its events ($TRIPLINE_NODE; default local)")
		agency := fs.String("agency", "", "the `AGENCY` running the node ($TRIPLINE_AGENCY; default the node id)")
		data := dataFlag(fs, env)
		return func(ctx context.Context, _ []string) error {
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
	},
}, {
	name: "partners suspend", args: "ID",
	summary:  "Suspend a partner: not pulled or served, its events refused.\nUntil resumed; a serving node takes it up within a second.",
	examples: []string{"tripline partners suspend B"},
	flags: partnerChange("suspend", func(ctx context.Context, fed *federation.Service, id, _ string) error {
		return fed.SetPartnerStatus(ctx, id, tripline.PartnerSuspended)
	}),
}, {
	name: "partners resume", args: "ID",
	summary:  "Resume a suspended partner: pulled again from where it stopped.",
	examples: []string{"tripline partners resume B"},
	flags: partnerChange("resume", func(ctx context.Context, fed *federation.Service, id, _ string) error {
		return fed.SetPartnerStatus(ctx, id, tripline.PartnerActive)
	}),
}, {
	name: "partners remove", args: "ID",
	summary:  "Remove a partner: no longer pulled, served or trusted.\nThe events of it already held stay.",
	examples: []string{"tripline partners remove B"},
	flags: partnerChange("remove", func(ctx context.Context, fed *federation.Service, id, _ string) error {
		return fed.RemovePartner(ctx, id)
	}),
}, {
	name: "partners rotate", args: "ID", usage: "--key KEY",
	summary:  "Give a partner its new public key.\nIts requests and events verify with it at once.",
	examples: []string{"tripline partners rotate B --key ed25519:..."},
	flags: partnerChange("rotate", func(ctx context.Context, fed *federation.Service, id, key string) error {
		return fed.RotatePartnerKey(ctx, id, key)
	}),
}}

// partnerChange is a command changing partner ID: as the node's operator
// (a superuser of its agency), through the policy layer and the audit
// log like the API, the entry committed before it reports success.
func partnerChange(action string, change func(ctx context.Context, fed *federation.Service, id, key string) error) func(*flag.FlagSet, *Env) runFunc {
	return func(fs *flag.FlagSet, env *Env) runFunc {
		var key *string
		if action == "rotate" {
			key = fs.String("key", "", "the partner node's new public `KEY` ('tripline node info' there)")
		}
		return onNode(fs, env, func(ctx context.Context, n *Node, args []string) error {
			k := ""
			if key != nil {
				k = *key
			}
			cli := tripline.WithIdentity(ctx, &tripline.Identity{User: "cli", Agency: n.Agency, Role: tripline.RoleAdmin, Superuser: true})
			if err := n.Policy.ManagePartners(cli, n.Agency, "partner."+action, args[0], k); err != nil {
				return err
			}
			if err := change(cli, n.FedService, args[0], k); err != nil {
				return err
			}
			if err := n.Audit.Flush(ctx); err != nil {
				return err
			}
			_, err := fmt.Fprintf(env.Stdout, "partner %s: %s\n", args[0], action)
			return err
		})
	}
}
