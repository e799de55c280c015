package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	neturl "net/url"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"tripline/postgres"
	"tripline/sqlite"
	"tripline/sqlstore"
)

// command is one subcommand ("import") or action ("users add") of the
// command line, with its own flags, usage text and examples.
type command struct {
	name string // the words after "tripline": "users add"
	// args names its positional arguments, which Run counts: "ID", "FROM TO",
	// "FILE..." (one or more), "NAME [AGENCY...]" (one, then any number).
	args     string
	usage    string   // its main flags and input: "--role ROLE [--agency AGENCY]", "< MRZ"
	summary  string   // what it does: the first line shows in the command list
	examples []string // whole command lines, each running "tripline NAME"
	// flags defines the command's flags on fs and returns what runs it on
	// the positional arguments, once the flags are parsed.
	flags func(fs *flag.FlagSet, env *Env) runFunc
}

// runFunc runs a command on its positional arguments.
type runFunc func(ctx context.Context, args []string) error

// commands is the command line, in the order help lists it. Each file of
// this package defines the commands of its subcommand.
func commands() []*command {
	return slices.Concat(serveCommands, demoCommands, importCommands, listingCommands, exportCommands, tipCommands, diffusionCommands, screenCommands, mrzCommands,
		userCommands, agencyCommands, auditCommands, networkCommands, nodeCommands, partnerCommands, fedCommands,
		federationCommands, blindCommands, tlsCommands, eventCommands, versionCommands)
}

// findCommand resolves a command line to its command and the arguments
// after its name. An incomplete or unknown action returns the command's
// group (its first word) and its actions instead.
func findCommand(args []string) (c *command, rest []string, group string, actions []*command) {
	for _, c := range commands() {
		words := strings.Fields(c.name)
		if len(args) >= len(words) && slices.Equal(args[:len(words)], words) {
			return c, args[len(words):], "", nil
		}
		if len(args) > 0 && len(words) > 1 && words[0] == args[0] {
			actions = append(actions, c)
		}
	}
	if len(actions) > 0 {
		group = args[0]
	}
	return nil, nil, group, actions
}

// newFlags returns the empty flag set of command name. It prints nothing:
// Run reports flag errors, and help goes to stdout.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("tripline "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// dataFlag defines --data, the data directory, and --store, the database
// when it is not the directory's SQLite file.
func dataFlag(fs *flag.FlagSet, env *Env) *string {
	fs.Func("store", "the node's database: a PostgreSQL `URL` (postgres://...); the data directory keeps the node's key, identity and journal ($TRIPLINE_STORE; default: the directory's SQLite file)",
		func(s string) error { env.store = &s; return nil })
	return fs.String("data", dataDirDefault(env), "the data directory `DIR` ($TRIPLINE_DATA)")
}

// openStore returns the node's store, not yet open: the PostgreSQL
// database --store or $TRIPLINE_STORE names, else dir's SQLite file.
func openStore(env *Env, dir string) (*sqlstore.DB, error) {
	url := storeURL(env)
	switch {
	case url == "":
		return sqlite.NewDB(filepath.Join(dir, "tripline.db")), nil
	case postgres.IsURL(url):
		return postgres.NewDB(url), nil
	}
	return nil, usagef("--store: want a postgres:// or postgresql:// URL, not %q (without --store the node uses %s)", redactURL(url), filepath.Join(dir, "tripline.db"))
}

// storeURL is --store, else $TRIPLINE_STORE ("": the data directory's
// SQLite file).
func storeURL(env *Env) string {
	if env.store != nil {
		return *env.store
	}
	return env.Getenv("TRIPLINE_STORE")
}

// redactURL hides a password in a URL shown in a message.
func redactURL(s string) string {
	if u, err := neturl.Parse(s); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = neturl.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return s
}

// onNode defines --data and returns a runFunc that opens that data
// directory's node without its indexes, runs fn and closes the node.
func onNode(fs *flag.FlagSet, env *Env, fn func(ctx context.Context, n *Node, args []string) error) runFunc {
	return nodeRun(fs, env, false, fn)
}

// onIndexedNode is onNode with the node's indexes loaded (screening,
// link analysis).
func onIndexedNode(fs *flag.FlagSet, env *Env, fn func(ctx context.Context, n *Node, args []string) error) runFunc {
	return nodeRun(fs, env, true, fn)
}

func nodeRun(fs *flag.FlagSet, env *Env, index bool, fn func(ctx context.Context, n *Node, args []string) error) runFunc {
	data := dataFlag(fs, env)
	return func(ctx context.Context, args []string) error {
		n, err := openNode(ctx, env, *data, index, newLogger(env))
		if err != nil {
			return err
		}
		defer n.Close()
		return fn(ctx, n, args)
	}
}

// parseFlags parses args, turning flag errors into usage errors. Flags may
// follow positional arguments (`listings withdraw ID --reason R`); the
// positionals are re-parsed into fs so fs.Args() returns them all.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			pos = append(pos, args[1:]...)
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	// Parse the positionals alone, after "--", so none is read as a flag.
	return fs.Parse(append([]string{"--"}, pos...))
}

// prepare defines a command's flags and parses its arguments: it returns
// the run function and the parsed flag set (fs.Args() are the positional
// arguments), or flag.ErrHelp, or a usage error.
func (c *command) prepare(env *Env, args []string) (runFunc, *flag.FlagSet, error) {
	fs := newFlags(c.name)
	run := c.flags(fs, env)
	if err := parseFlags(fs, args); err != nil {
		return nil, fs, err
	}
	least, most := c.nargs()
	switch n := fs.NArg(); {
	case n == 0 && least > 0:
		return nil, fs, usagef("no %s given", c.args)
	case n > most && most == 0:
		return nil, fs, usagef("unexpected argument %q", fs.Arg(0))
	case n == 1 && least > 1:
		return nil, fs, usagef("want %s, got 1 argument", c.args)
	case n < least || n > most:
		return nil, fs, usagef("want %s, got %d arguments", c.args, n)
	}
	return run, fs, nil
}

// nargs returns how many positional arguments c takes, from its args.
func (c *command) nargs() (least, most int) {
	for _, w := range strings.Fields(c.args) {
		if !strings.HasPrefix(w, "[") {
			least++
		}
		most++
		if strings.Contains(w, "...") {
			most = math.MaxInt
		}
	}
	return least, most
}

// writeHelp writes a command's usage, summary, flags and examples.
func (c *command) writeHelp(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "%s\n\n%s\n", c.usageLine(), c.summary)
	if hasFlags(fs) {
		fmt.Fprintf(w, "\nFlags:\n")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fs.VisitAll(func(f *flag.Flag) {
			fmt.Fprintf(tw, "  --%s%s\t%s\n", f.Name, flagValue(f), flagUsage(f))
		})
		tw.Flush()
	}
	fmt.Fprintf(w, "\nExamples:\n")
	for _, e := range c.examples {
		fmt.Fprintf(w, "  %s\n", e)
	}
}

// usageLine is "Usage: tripline NAME ARGS USAGE".
func (c *command) usageLine() string {
	return strings.Join(strings.Fields("Usage: tripline "+c.name+" "+c.args+" "+c.usage), " ")
}

// flagValue is how help shows a flag's value: " FILE" for a name in
// backquotes in its usage, else the flag's name in capitals; "" for a
// boolean flag.
func flagValue(f *flag.Flag) string {
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return ""
	}
	if name, _ := flag.UnquoteUsage(f); strings.Contains(f.Usage, "`") {
		return " " + name
	}
	return " " + strings.ToUpper(f.Name)
}

// flagUsage is a flag's usage text and its default, if it has one.
func flagUsage(f *flag.Flag) string {
	_, usage := flag.UnquoteUsage(f)
	if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" {
		usage += " (default " + f.DefValue + ")"
	}
	return usage
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// firstLine is the first line of s.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// writeList writes one line per command: its name and what it does.
func writeList(w io.Writer, cs []*command) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range cs {
		fmt.Fprintf(tw, "  tripline %s\t%s\n", c.name, firstLine(c.summary))
	}
	tw.Flush()
}

// writeUsage writes the usage of the whole command line.
func writeUsage(w io.Writer) {
	fmt.Fprintf(w, "tripline — shared watchlists and border screening\n\nCommands:\n")
	writeList(w, commands())
	fmt.Fprintf(w, "\n'tripline COMMAND --help' shows a command's flags and examples.\n"+
		"--data defaults to $TRIPLINE_DATA, else ./tripline-data.\n")
}

// writeGroup writes the actions of a command such as "users".
func writeGroup(w io.Writer, group string, actions []*command) {
	fmt.Fprintf(w, "Usage: tripline %s ACTION ...\n\nActions:\n", group)
	writeList(w, actions)
	fmt.Fprintf(w, "\n'tripline %s ACTION --help' shows an action's flags and examples.\n", group)
}

// actionNames lists the last words of actions' names: "add, token or list".
func actionNames(actions []*command) string {
	var names []string
	for _, c := range actions {
		names = append(names, c.name[strings.LastIndex(c.name, " ")+1:])
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
