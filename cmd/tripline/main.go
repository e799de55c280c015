// Command tripline is the one binary of Tripline: the server, the importer,
// the screening CLI and the demo (design.md §5 lists the contracts).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"tripline"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	os.Exit(Run(ctx, env, os.Args[1:]))
}

// Env is what a command sees of the outside world; tests supply their own.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Ready, if set, is called by serve and demo with the bound address once
	// the node is serving (tests use it instead of parsing output).
	Ready func(addr string)
}

// Exit statuses (design.md §5).
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// usageError marks an error as a usage mistake: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

const usage = `tripline — shared watchlists and border screening

Usage:
  tripline serve    [--addr 127.0.0.1:8080] [--data DIR]   API and console
  tripline demo     [--addr 127.0.0.1:8080] [--data DIR]   import the bundled UN list and serve
  tripline import   --format un-xml|ofac-sdn|ftm|csv|doc-alerts [--source NAME] [--json] FILE...
  tripline listings list [--json] [--source S] [--status S] | show ID | withdraw ID [--reason R]
  tripline screen   [--data DIR] [--paxlst FILE [--partial]]   JSON Lines travellers on stdin → results on stdout
  tripline mrz parse [--tolerant]                  one MRZ on stdin → JSON
  tripline users add ID --role R [--agency A] [--superuser] | token ID | disable ID | enable ID | list
  tripline agencies add ID --country CC [--name N] | group NAME AGENCY... | list
  tripline audit verify [--checkpoint FILE] [--key K] | checkpoint | query [--subject X] [--agency Y] [--from T] [--to T]
  tripline network neighbourhood|path|components|facilitators|communities|cotravel|export ...
  tripline network import-links [--source S] FILE... | import-pnr FILE...   link analysis
  tripline node info                               this node's id, agency and public key
  tripline partners add ID --agency A --key K [--url U] [--follows X,Y] | list
  tripline federation export --to PARTNER [--origin O] [--after N] FILE | import FILE
  tripline blind volume PARTNER TRAVELLERS_A_DAY   a partner's declared traffic: its blind-screening quota
  tripline events follow [--nats URL] [--origin O] [--after N]   the event log as JSON Lines (NATS optional)
  tripline version

--data defaults to $TRIPLINE_DATA, else ./tripline-data.
`

// Run runs one command line and returns the exit status.
func Run(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return exitUsage
	}
	cmds := map[string]func(context.Context, *Env, []string) error{
		"serve":      runServe,
		"demo":       runDemo,
		"import":     runImport,
		"listings":   runListings,
		"screen":     runScreen,
		"mrz":        runMRZ,
		"users":      runUsers,
		"agencies":   runAgencies,
		"audit":      runAudit,
		"network":    runNetwork,
		"node":       runNode,
		"partners":   runPartners,
		"federation": runFederationCmd,
		"events":     runEvents,
		"blind":      runBlind,
		"version": func(_ context.Context, env *Env, _ []string) error {
			_, err := fmt.Fprintf(env.Stdout, "tripline %s\n", Version)
			return err
		},
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(env.Stdout, usage)
		return exitOK
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "tripline: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	err := cmd(ctx, env, args[1:])
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitUsage
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "tripline %s: %s\n", args[0], ue.msg)
		return exitUsage
	case errors.Is(err, errSilent):
		return exitFail
	}
	fmt.Fprintf(env.Stderr, "tripline %s: %s\n", args[0], errorText(err))
	return exitFail
}

// errSilent reports failure whose explanation was already written.
var errSilent = errors.New("failed")

// errorText shows a coded error's message, and an internal error's full
// chain: on the command line the operator is the one who needs the detail.
func errorText(err error) string {
	if tripline.ErrorCode(err) != tripline.EINTERNAL {
		return tripline.ErrorMessage(err)
	}
	return err.Error()
}

// newFlags returns a FlagSet that reports errors instead of exiting.
func newFlags(env *Env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("tripline "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
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

// dataDirDefault is $TRIPLINE_DATA, else ./tripline-data.
func dataDirDefault(env *Env) string {
	if d := env.Getenv("TRIPLINE_DATA"); d != "" {
		return d
	}
	return "tripline-data"
}

func envOr(env *Env, key, def string) string {
	if v := env.Getenv(key); v != "" {
		return v
	}
	return def
}

// actionFlags starts the flags of "tripline NAME ACTION ...": ACTION is
// args[0] (want says which there are), and every action takes --data.
func actionFlags(env *Env, name string, args []string, want string) (*flag.FlagSet, *string, error) {
	if len(args) == 0 {
		return nil, nil, usagef("%s", want)
	}
	fs := newFlags(env, name+" "+args[0])
	return fs, fs.String("data", dataDirDefault(env), "data directory ($TRIPLINE_DATA)"), nil
}

// openAction parses an action's flags (args[1:]) and opens the node of the
// data directory, without its indexes. data is the --data flag's value,
// read only once the flags are parsed.
func openAction(ctx context.Context, env *Env, fs *flag.FlagSet, args []string, data *string) (*Node, error) {
	if err := parseFlags(fs, args[1:]); err != nil {
		return nil, err
	}
	return openNode(ctx, env, *data, false, newLogger(env))
}
