package main

import (
	"flag"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// helpFlags returns the flag names listed in the "Flags:" section of a help
// text, in order.
func helpFlags(help string) []string {
	_, flags, _ := strings.Cut(help, "\nFlags:\n")
	flags, _, _ = strings.Cut(flags, "\n\n")
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^  --([a-z0-9-]+)`).FindAllStringSubmatch(flags, -1) {
		names = append(names, m[1])
	}
	return names
}

// TestHelpOfActions (issue 14, item 5): `--help` after a subcommand or an
// action exits 0 and prints, on stdout, that action's own usage: its flags
// only and an example. All actions of a command shared one flag set, and
// --help exited 2 ("unknown command --help" for users, audit, ...).
func TestHelpOfActions(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args  []string
		flags []string
	}{
		{[]string{"audit", "verify", "--help"}, []string{"checkpoint", "data", "key", "store", "witnesses"}},
		{[]string{"audit", "query", "-h"}, []string{"agency", "data", "from", "store", "subject", "to", "user"}},
		{[]string{"users", "add", "--help"}, []string{"agency", "data", "json", "role", "store", "superuser"}},
		{[]string{"users", "list", "--help"}, []string{"data", "store"}},
		{[]string{"partners", "add", "--help"}, []string{"agency", "data", "follows", "insecure-http", "key", "store", "tls-ca", "tls-pin", "url"}},
		{[]string{"federation", "import", "--help"}, []string{"data", "store"}},
		{[]string{"listings", "withdraw", "ID", "--help"}, []string{"data", "reason", "store"}},
		{[]string{"mrz", "parse", "--help"}, []string{"tolerant"}},
		{[]string{"help", "import"}, []string{"data", "force", "format", "json", "list-version", "source", "store"}},
	} {
		code, out, errs := run(t, dir, "", tc.args...)
		if code != 0 || errs != "" {
			t.Errorf("%v: exit %d, stderr %q; want 0 and nothing on stderr", tc.args, code, errs)
			continue
		}
		if got := helpFlags(out); !slices.Equal(got, tc.flags) {
			t.Errorf("%v lists flags %v, want %v:\n%s", tc.args, got, tc.flags, out)
		}
		if !strings.Contains(out, "Usage: tripline ") || !strings.Contains(out, "Example") {
			t.Errorf("%v: no usage line or example:\n%s", tc.args, out)
		}
	}
	// A command with actions lists them on --help, and exits 0.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"users", "--help"}, "tripline users token"},
		{[]string{"audit", "-h"}, "tripline audit checkpoint"},
		{[]string{"federation", "--help"}, "tripline federation import"},
		{[]string{"help", "partners"}, "tripline partners list"},
		{[]string{"--help"}, "tripline network import-pnr"},
	} {
		if code, out, _ := run(t, dir, "", tc.args...); code != 0 || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d, want 0 listing %q:\n%s", tc.args, code, tc.want, out)
		}
	}
}

// TestEveryCommandHelp runs `--help` of every command of the table: it
// exits 0 and lists exactly the command's own flags, every flag of another
// command is refused (exit 2), every flag the usage, summary and examples
// name exists, and every example parses. A new command cannot skip it.
func TestEveryCommandHelp(t *testing.T) {
	dir := t.TempDir()
	env := &Env{Getenv: func(string) string { return "" }}
	own := map[string][]string{}
	all := map[string]bool{}
	for _, c := range commands() {
		fs := newFlags(c.name)
		c.flags(fs, env)
		fs.VisitAll(func(f *flag.Flag) { own[c.name] = append(own[c.name], f.Name); all[f.Name] = true })
	}
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			words := strings.Fields(c.name)
			for _, h := range []string{"--help", "-h"} {
				code, out, errs := run(t, dir, "", append(slices.Clone(words), h)...)
				if code != 0 || errs != "" || !strings.HasPrefix(out, "Usage: tripline "+c.name) {
					t.Fatalf("%s: exit %d, stderr %q, stdout:\n%s", h, code, errs, out)
				}
				if got := helpFlags(out); !slices.Equal(got, own[c.name]) {
					t.Errorf("%s lists flags %v, want its own %v", h, got, own[c.name])
				}
				if len(c.examples) == 0 || !strings.Contains(out, "\nExamples:\n  "+c.examples[0]) {
					t.Errorf("%s: no example:\n%s", h, out)
				}
			}
			for name := range all {
				if slices.Contains(own[c.name], name) {
					continue
				}
				if code, _, errs := run(t, dir, "", append(slices.Clone(words), "--"+name, "x")...); code != 2 || !strings.Contains(errs, name) {
					t.Errorf("--%s, another command's flag: exit %d, %q; want 2", name, code, errs)
				}
			}
			text := c.usage + " " + c.summary + " " + strings.Join(c.examples, " ")
			for _, m := range regexp.MustCompile(`--([a-z][a-z0-9-]*)`).FindAllStringSubmatch(text, -1) {
				if !slices.Contains(own[c.name], m[1]) {
					t.Errorf("usage, summary or examples name --%s, which %s does not take", m[1], c.name)
				}
			}
			for _, e := range c.examples {
				args := exampleArgs(t, e, c.name)
				if _, _, err := c.prepare(env, args); err != nil {
					t.Errorf("example %q: %v", e, err)
				}
			}
		})
	}
	// The command list fits 100 columns.
	_, out, _ := run(t, dir, "", "help")
	for _, line := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(line); n > 100 {
			t.Errorf("%d columns: %q", n, line)
		}
	}
}

// exampleArgs returns the arguments after "tripline NAME" in a shell line,
// up to a pipe or redirection, with quotes removed.
func exampleArgs(t *testing.T, line, name string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	quote, inWord := rune(0), false
	for _, r := range line + " " {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ':
			if inWord {
				words = append(words, cur.String())
			}
			cur.Reset()
			inWord = false
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	i := slices.Index(words, "tripline")
	if i < 0 || !slices.Equal(words[i+1:min(len(words), i+1+len(strings.Fields(name)))], strings.Fields(name)) {
		t.Fatalf("example %q does not run tripline %s", line, name)
	}
	args := words[i+1+len(strings.Fields(name)):]
	if j := slices.IndexFunc(args, func(w string) bool { return strings.ContainsAny(w[:1], "|<>;&") }); j >= 0 {
		args = args[:j]
	}
	return args
}

// TestUsageMistakesExit2 (issue 14, item 6): a usage mistake exits 2 with
// a message on stderr; a bad format names every format, doc-alerts too.
func TestUsageMistakesExit2(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"import", "--format", "xls", "f.xls"}, []string{"xls", "un-xml", "ofac-sdn", "ftm", "csv", "doc-alerts"}},
		{[]string{"import", "--format", "csv", "f.csv"}, []string{"--source"}},
		{[]string{"import", "--format", "doc-alerts", "f.csv"}, []string{"--source"}},
		{[]string{"users", "frobnicate"}, []string{"unknown", "frobnicate", "add"}},
		{[]string{"audit", "verify", "--subject", "x"}, []string{"subject"}},
		{[]string{"users"}, []string{"add", "list"}},
		{[]string{"users", "add"}, []string{"ID"}},
	} {
		code, out, errs := run(t, dir, "", tc.args...)
		if code != 2 || out != "" {
			t.Errorf("%v: exit %d, stdout %q; want 2 and nothing on stdout", tc.args, code, out)
		}
		for _, w := range tc.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%v: stderr %q does not name %q", tc.args, errs, w)
			}
		}
	}
}

// TestUnknownAgencyRefused (issue 14, item 7): a user of an agency the
// node does not know, or a sharing group with an unknown member, was
// stored silently; both are refused naming the agency, and what is made is
// said.
func TestUnknownAgencyRefused(t *testing.T) {
	dir := t.TempDir()
	if code, out, errs := run(t, dir, "", "users", "add", "u-1", "--role", "analyst", "--agency", "nope"); code == 0 || out != "" || !strings.Contains(errs, `"nope"`) || !strings.Contains(errs, "agencies add") {
		t.Errorf("users add --agency nope = %d %q %q, want a refusal naming the agency and how to add it", code, out, errs)
	}
	if code, out, errs := run(t, dir, "", "agencies", "group", "eu", "local", "ghost"); code == 0 || !strings.Contains(errs, `"ghost"`) {
		t.Errorf("agencies group with an unknown member = %d %q %q, want a refusal naming it", code, out, errs)
	}
	if code, out, errs := run(t, dir, "", "agencies", "add", "de-bka", "--country", "DE"); code != 0 || !strings.Contains(out, "de-bka") {
		t.Errorf("agencies add = %d %q %q, want it to say what it saved", code, out, errs)
	}
	if code, out, errs := run(t, dir, "", "agencies", "group", "eu", "de-bka", "local"); code != 0 || !strings.Contains(out, "eu") || !strings.Contains(out, "de-bka") {
		t.Errorf("agencies group = %d %q %q, want it to say what it made", code, out, errs)
	}
	// Known agencies: this node's own, those added, and partners' (below).
	if code, out, errs := run(t, dir, "", "users", "add", "u-2", "--role", "analyst", "--agency", "de-bka"); code != 0 || !strings.HasPrefix(out, "tl_") {
		t.Errorf("users add --agency de-bka = %d %q %q", code, out, errs)
	}
	_, list, _ := run(t, dir, "", "users", "list")
	if strings.Contains(list, "u-1") {
		t.Errorf("the refused user was stored:\n%s", list)
	}
	_, agencies, _ := run(t, dir, "", "agencies", "list")
	if strings.Contains(agencies, "ghost") || !strings.Contains(agencies, "eu") {
		t.Errorf("agencies list:\n%s", agencies)
	}
}
