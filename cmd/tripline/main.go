// Command tripline is the one binary of Tripline: the server, the importer,
// the screening CLI and the demo (design.md §5 lists the contracts).
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"tripline"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Build: sync.OnceValue(executableHash)}
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
	// Build, if set, identifies the program (a hash of its executable): a
	// node keeps an index snapshot of this build in its data directory.
	// Without it the index is loaded from the store at every start.
	Build func() string

	store   *string // --store, when given: overrides $TRIPLINE_STORE
	replica bool    // serve --replica
	// auditFsync is serve --audit-fsync-within; nil: the default.
	auditFsync *time.Duration
	// partnerMaxListings and partnerMaxAlerts are serve
	// --partner-max-listings and --partner-max-alerts; 0: the default.
	partnerMaxListings, partnerMaxAlerts int
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

// Run runs one command line and returns the exit status.
func Run(ctx context.Context, env *Env, args []string) int {
	e := *env // flags set fields of this command's own copy
	env = &e
	if len(args) == 0 {
		writeUsage(env.Stderr)
		return exitUsage
	}
	help := isHelp(args[0])
	if help {
		// "tripline help users add" is "tripline users add --help".
		if args = args[1:]; len(args) == 0 {
			writeUsage(env.Stdout)
			return exitOK
		}
	}
	c, rest, group, actions := findCommand(args)
	switch {
	case c == nil && group == "":
		fmt.Fprintf(env.Stderr, "tripline: unknown command %q\n\n", args[0])
		writeUsage(env.Stderr)
		return exitUsage
	case c == nil && (help || len(args) > 1 && isHelp(args[1])):
		writeGroup(env.Stdout, group, actions)
		return exitOK
	case c == nil && len(args) == 1:
		fmt.Fprintf(env.Stderr, "tripline %s: missing action: want %s\n\n", group, actionNames(actions))
		writeGroup(env.Stderr, group, actions)
		return exitUsage
	case c == nil:
		fmt.Fprintf(env.Stderr, "tripline %s: unknown action %q: want %s\n\n", group, args[1], actionNames(actions))
		writeGroup(env.Stderr, group, actions)
		return exitUsage
	}
	if help {
		rest = append(rest, "--help")
	}
	run, fs, err := c.prepare(env, rest)
	if err == nil {
		err = run(ctx, fs.Args())
	}
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		c.writeHelp(env.Stdout, fs)
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "tripline %s: %s\n%s\n'tripline %s --help' shows its flags and examples.\n", c.name, ue.msg, c.usageLine(), c.name)
		return exitUsage
	case errors.Is(err, errSilent):
		return exitFail
	}
	fmt.Fprintf(env.Stderr, "tripline %s: %s\n", c.name, errorText(err))
	return exitFail
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool { return arg == "help" || arg == "-h" || arg == "--help" }

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

var versionCommands = []*command{{
	name: "version", summary: "Print the version of this binary.",
	examples: []string{"tripline version"},
	flags: func(_ *flag.FlagSet, env *Env) runFunc {
		return func(context.Context, []string) error {
			_, err := fmt.Fprintf(env.Stdout, "tripline %s\n", Version)
			return err
		}
	},
}}

// executableHash identifies the running program: a snapshot holds what
// this build's matcher prepared, and another build rebuilds it.
func executableHash() string {
	path, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}
