package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"tripline"
)

// runUsers manages users and their tokens:
//
//	tripline users add ID --agency A --role R [--superuser]   (prints the user's first token, once)
//	tripline users token ID                     (another token)
//	tripline users disable ID | enable ID
//	tripline users list
//
// --superuser makes a node-wide admin, who manages the users of every
// agency on the node over the API; every other admin manages only its own
// agency's. It exists only by this explicit action. No user has role node:
// a partner node signs its requests with its node key.
func runUsers(ctx context.Context, env *Env, args []string) error {
	fs, data, err := actionFlags(env, "users", args, "want add, token, disable, enable or list")
	if err != nil {
		return err
	}
	agency := fs.String("agency", "", "add: the user's agency (default: this node's agency)")
	role := fs.String("role", "", "add: officer, analyst, supervisor, admin or auditor")
	superuser := fs.Bool("superuser", false, "add: a node-wide admin, who manages the users of every agency (role admin only)")
	asJSON := fs.Bool("json", false, "print JSON")
	n, err := openAction(ctx, env, fs, args, data)
	if err != nil {
		return err
	}
	defer n.Close()
	one := func() (string, error) {
		if fs.NArg() != 1 {
			return "", usagef("%s: want one user ID", args[0])
		}
		return fs.Arg(0), nil
	}
	switch args[0] {
	case "add":
		id, err := one()
		if err != nil {
			return err
		}
		if *role == "" {
			return usagef("add: --role is required (officer, analyst, supervisor, admin, auditor)")
		}
		if *agency == "" {
			*agency = n.Agency
		}
		u := &tripline.User{ID: id, Agency: *agency, Role: tripline.Role(*role), Superuser: *superuser}
		if err := n.Identity.CreateUser(ctx, u); err != nil {
			return err
		}
		detail := string(u.Role) + " of " + u.Agency
		if u.Superuser {
			detail += ", superuser"
		}
		if err := n.audited(ctx, "user.create", id, detail); err != nil {
			return err
		}
		return printToken(ctx, env, n, id, *asJSON)
	case "token":
		id, err := one()
		if err != nil {
			return err
		}
		return printToken(ctx, env, n, id, *asJSON)
	case "disable", "enable":
		id, err := one()
		if err != nil {
			return err
		}
		if err := n.Identity.SetUserDisabled(ctx, id, args[0] == "disable"); err != nil {
			return err
		}
		if err := n.audited(ctx, "user."+args[0], id, ""); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s %sd\n", id, args[0])
		return nil
	case "list":
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
	}
	return usagef("unknown users command %q", args[0])
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

// runAgencies manages agencies and sharing groups:
//
//	tripline agencies add ID --country CC [--name N] [--contact C]
//	tripline agencies group NAME AGENCY...
//	tripline agencies list
func runAgencies(ctx context.Context, env *Env, args []string) error {
	fs, data, err := actionFlags(env, "agencies", args, "want add, group or list")
	if err != nil {
		return err
	}
	country := fs.String("country", "", "add: ISO 3166 country code")
	name := fs.String("name", "", "add: the agency's name")
	contact := fs.String("contact", "", "add: contact point for hits on its listings")
	n, err := openAction(ctx, env, fs, args, data)
	if err != nil {
		return err
	}
	defer n.Close()
	switch args[0] {
	case "add":
		if fs.NArg() != 1 {
			return usagef("add: want one agency ID")
		}
		a := &tripline.Agency{ID: fs.Arg(0), Name: *name, Country: strings.ToUpper(*country), Contact: *contact}
		if a.Name == "" {
			a.Name = a.ID
		}
		if err := n.Identity.PutAgency(ctx, a); err != nil {
			return err
		}
		return n.audited(ctx, "agency.put", a.ID, a.Country)
	case "group":
		if fs.NArg() < 1 {
			return usagef("group: want NAME AGENCY...")
		}
		if err := n.Identity.SetGroup(ctx, fs.Arg(0), fs.Args()[1:]); err != nil {
			return err
		}
		return n.audited(ctx, "agency.group", fs.Arg(0), strings.Join(fs.Args()[1:], ","))
	case "list":
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
	}
	return usagef("unknown agencies command %q", args[0])
}
