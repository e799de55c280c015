package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"tripline"
)

// userCommands manage the users of the node and their tokens. --superuser
// makes a node-wide admin, who manages the users of every agency on the
// node over the API; every other admin manages only its own agency's. It
// exists only by this explicit action. No user has role node: a partner
// node signs its requests with its node key.
var userCommands = []*command{{
	name: "users add", args: "ID", usage: "--role ROLE [--agency AGENCY] [--superuser] [--json]",
	summary: "Create a user and print its first API token.\n" +
		"The token is shown once; only its hash is stored.\n" +
		"The agency must be this node's own, one added with 'tripline agencies add', or a partner's.\n" +
		"--superuser makes a node-wide admin, who manages the users of every agency on the node.",
	examples: []string{
		"tripline users add ana-1 --role analyst --agency tr-border",
		"tripline users add root --role admin --superuser",
	},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		agency := fs.String("agency", "", "the user's agency (default: this node's)")
		role := fs.String("role", "", "officer, analyst, supervisor, admin or auditor (required)")
		superuser := fs.Bool("superuser", false, "a node-wide admin, who manages the users of every agency (role admin only)")
		asJSON := fs.Bool("json", false, "print the user and token as JSON")
		return onNode(fs, env, func(ctx context.Context, n *Node, args []string) error {
			if *role == "" {
				return usagef("--role is required: officer, analyst, supervisor, admin or auditor")
			}
			if *agency == "" {
				*agency = n.Agency
			}
			if err := n.knownAgencies(ctx, *agency); err != nil {
				return err
			}
			u := &tripline.User{ID: args[0], Agency: *agency, Role: tripline.Role(*role), Superuser: *superuser}
			if err := n.Identity.CreateUser(ctx, u); err != nil {
				return err
			}
			detail := string(u.Role) + " of " + u.Agency
			if u.Superuser {
				detail += ", superuser"
			}
			if err := n.audited(ctx, "user.create", u.ID, detail); err != nil {
				return err
			}
			return printToken(ctx, env, n, u.ID, *asJSON)
		})
	},
}, {
	name: "users token", args: "ID", usage: "[--json]",
	summary:  "Issue another API token for a user and print it (shown once).",
	examples: []string{"tripline users token ana-1"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		asJSON := fs.Bool("json", false, "print the user and token as JSON")
		return onNode(fs, env, func(ctx context.Context, n *Node, args []string) error {
			return printToken(ctx, env, n, args[0], *asJSON)
		})
	},
}, userSwitch("disable", "Disable a user.\nIts tokens and console sessions stop working at their next request."),
	userSwitch("enable", "Enable a disabled user again."), {
		name: "users list", summary: "List the users: id, agency, role, superuser, disabled.",
		examples: []string{"tripline users list"},
		flags: func(fs *flag.FlagSet, env *Env) runFunc {
			return onNode(fs, env, func(ctx context.Context, n *Node, _ []string) error {
				us, err := n.Identity.Users(ctx)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tAGENCY\tROLE\tSUPERUSER\tDISABLED")
				for _, u := range us {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%v\n", u.ID, u.Agency, u.Role, u.Superuser, u.Disabled)
				}
				return tw.Flush()
			})
		},
	}}

// userSwitch is `users disable` or `users enable`.
func userSwitch(action, summary string) *command {
	return &command{
		name: "users " + action, args: "ID", summary: summary,
		examples: []string{"tripline users " + action + " ana-1"},
		flags: func(fs *flag.FlagSet, env *Env) runFunc {
			return onNode(fs, env, func(ctx context.Context, n *Node, args []string) error {
				if err := n.Identity.SetUserDisabled(ctx, args[0], action == "disable"); err != nil {
					return err
				}
				if err := n.audited(ctx, "user."+action, args[0], ""); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "%s %sd\n", args[0], action)
				return nil
			})
		},
	}
}

func printToken(ctx context.Context, env *Env, n *Node, user string, asJSON bool) error {
	u, err := n.Identity.User(ctx, user)
	if err != nil {
		return err
	}
	if !tripline.BearerRole(u.Role) {
		return tripline.Errorf(tripline.EINVALID, "user %q has role %s, which never holds a token: a partner node signs its requests", u.ID, u.Role)
	}
	tok, err := n.Identity.IssueToken(ctx, user, "api", "cli", time.Time{})
	if err != nil {
		return err
	}
	if err := n.audited(ctx, "token.issue", user, ""); err != nil {
		return err
	}
	if asJSON {
		b, _ := json.Marshal(map[string]string{"user": user, "token": tok})
		fmt.Fprintln(env.Stdout, string(b))
		return nil
	}
	fmt.Fprintln(env.Stdout, tok)
	return nil
}

// agencyCommands manage the agencies a node knows and their sharing groups.
var agencyCommands = []*command{{
	name: "agencies add", args: "ID", usage: "--country CC [--name NAME] [--contact TEXT]",
	summary:  "Add an agency, or change one.\nUsers and sharing groups may then name it.",
	examples: []string{`tripline agencies add de-bka --country DE --name "Bundeskriminalamt"`},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		country := fs.String("country", "", "its ISO 3166 country code `CC` (required)")
		name := fs.String("name", "", "its full name (default: its id)")
		contact := fs.String("contact", "", "the contact point for hits on its listings")
		return onNode(fs, env, func(ctx context.Context, n *Node, args []string) error {
			a := &tripline.Agency{ID: args[0], Name: *name, Country: strings.ToUpper(*country), Contact: *contact}
			if a.Name == "" {
				a.Name = a.ID
			}
			if err := n.Identity.PutAgency(ctx, a); err != nil {
				return err
			}
			if err := n.audited(ctx, "agency.put", a.ID, a.Country); err != nil {
				return err
			}
			_, err := fmt.Fprintf(env.Stdout, "agency %s (%s, %s) saved\n", a.ID, a.Name, a.Country)
			return err
		})
	},
}, {
	name: "agencies group", args: "NAME [AGENCY...]",
	summary: "Make sharing group NAME hold exactly these agencies.\n" +
		"With none, the group is emptied. " +
		"Handling rules may then name the group instead of each agency. Each agency must be known:\n" +
		"this node's own, one added with 'tripline agencies add', or a partner's.",
	examples: []string{"tripline agencies group eu de-bka fr-dgsi"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		return onNode(fs, env, func(ctx context.Context, n *Node, args []string) error {
			group, members := args[0], args[1:]
			if err := n.knownAgencies(ctx, members...); err != nil {
				return err
			}
			if err := n.Identity.SetGroup(ctx, group, members); err != nil {
				return err
			}
			if err := n.audited(ctx, "agency.group", group, strings.Join(members, ",")); err != nil {
				return err
			}
			if len(members) == 0 {
				_, err := fmt.Fprintf(env.Stdout, "group %s emptied\n", group)
				return err
			}
			_, err := fmt.Fprintf(env.Stdout, "group %s: %s\n", group, strings.Join(members, ", "))
			return err
		})
	},
}, {
	name: "agencies list", summary: "List the agencies: id, country, name and sharing groups.",
	examples: []string{"tripline agencies list"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		return onNode(fs, env, func(ctx context.Context, n *Node, _ []string) error {
			as, err := n.Identity.Agencies(ctx)
			if err != nil {
				return err
			}
			groups, err := n.Identity.Groups(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tCOUNTRY\tNAME\tGROUPS")
			for _, a := range as {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.ID, a.Country, a.Name, strings.Join(groups[a.ID], ","))
			}
			return tw.Flush()
		})
	},
}}

// knownAgencies refuses an agency the node does not know: neither its own,
// nor one added with `agencies add`, nor a partner's. A typo would
// otherwise make a user or a sharing group nobody's listings ever name.
func (n *Node) knownAgencies(ctx context.Context, ids ...string) error {
	known := map[string]bool{n.Agency: true}
	as, err := n.Identity.Agencies(ctx)
	if err != nil {
		return err
	}
	for _, a := range as {
		known[a.ID] = true
	}
	ps, err := n.Fed.Partners(ctx)
	if err != nil {
		return err
	}
	for _, p := range ps {
		known[p.Agency] = true
	}
	for _, id := range ids {
		if !known[id] {
			return tripline.Errorf(tripline.EINVALID, "unknown agency %q: add it first (tripline agencies add %s --country CC), or name one of: %s",
				id, id, strings.Join(slices.Sorted(maps.Keys(known)), ", "))
		}
	}
	return nil
}
