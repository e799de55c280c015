package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"tripline"
)

const (
	unFile2024 = "sample/un_sc_consolidated_2024-09-26.xml"
	unFile2026 = "../../../shared/data/watchman/test/testdata/UN_consolidated.xml"
)

// run runs one command line in-process with data in dir.
func run(t testing.TB, dir, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb syncBuffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string {
			if k == "TRIPLINE_DATA" {
				return dir
			}
			return ""
		}}
	code = Run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

func needShared(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("shared data not available: %v", err)
	}
}

type summary struct {
	Source                                                 string
	Listings, Added, Updated, Withdrawn, Unchanged, Events int
}

func importJSON(t *testing.T, dir string, args ...string) summary {
	t.Helper()
	code, out, errs := run(t, dir, "", append([]string{"import", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("import %v: exit %d: %s", args, code, errs)
	}
	var s summary
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &s); err != nil {
		t.Fatalf("import summary %q: %v", out, err)
	}
	return s
}

func TestImportUNIdempotent(t *testing.T) {
	dir := t.TempDir()
	got := importJSON(t, dir, "--format", "un-xml", unFile2024)
	want := summary{Source: "un-sc", Listings: 682, Added: 682, Events: 682}
	if got != want {
		t.Fatalf("first import = %+v, want %+v", got, want)
	}
	got = importJSON(t, dir, "--format", "un-xml", unFile2024)
	want = summary{Source: "un-sc", Listings: 682, Unchanged: 682}
	if got != want {
		t.Fatalf("second import = %+v, want %+v", got, want)
	}
	// The listings keep their aliases and original-script names.
	code, out, _ := run(t, dir, "", "listings", "show", "un-sc:TAi.005")
	if code != 0 || !strings.Contains(out, "محمد طاهر أنوري") || !strings.Contains(out, `"original_script"`) {
		t.Fatalf("show TAi.005 = %d\n%s", code, out)
	}
}

// TestListingsListFits100Columns: the table fits a terminal; the rest is
// in show and --json.
func TestListingsListFits100Columns(t *testing.T) {
	dir := t.TempDir()
	importJSON(t, dir, "--format", "un-xml", unFile2024)
	code, out, errs := run(t, dir, "", "listings", "list")
	if code != 0 {
		t.Fatalf("listings list = %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 683 {
		t.Fatalf("%d lines, want a header and 682 listings", len(lines))
	}
	for _, line := range lines {
		if n := utf8.RuneCountInString(line); n > 100 {
			t.Errorf("%d columns: %q", n, line)
		}
	}
}

func TestImportUNDelta(t *testing.T) {
	needShared(t, unFile2026)
	dir := t.TempDir()
	importJSON(t, dir, "--format", "un-xml", unFile2024)
	got := importJSON(t, dir, "--format", "un-xml", unFile2026)
	if got.Listings != 730 || got.Added == 0 || got.Updated == 0 || got.Withdrawn == 0 {
		t.Fatalf("delta = %+v: want additions, updates and withdrawals", got)
	}
	if got.Events != got.Added+got.Updated+got.Withdrawn {
		t.Fatalf("delta = %+v: one event per change", got)
	}
	if got.Added+got.Updated+got.Unchanged != 730 {
		t.Fatalf("delta = %+v does not account for every listing", got)
	}
	again := importJSON(t, dir, "--format", "un-xml", unFile2026)
	if again.Events != 0 || again.Unchanged != 730 {
		t.Fatalf("re-import = %+v, want no events", again)
	}
	// Withdrawn listings are listed as such.
	code, out, _ := run(t, dir, "", "listings", "list", "--json", "--status", "withdrawn")
	if code != 0 || strings.Count(out, "\n") != got.Withdrawn {
		t.Fatalf("withdrawn list has %d lines, want %d", strings.Count(out, "\n"), got.Withdrawn)
	}
}

// TestImportOFACDelta: the OFAC SDN export of January 2019, then July 2021:
// new designations added, changed ones updated, delisted ones withdrawn,
// each with its event; the same file again changes nothing.
func TestImportOFACDelta(t *testing.T) {
	const (
		sdn2019 = "../../../shared/data/watchman/test/testdata/sdn.csv"
		sdn2021 = "../../../shared/data/watchman/test/testdata/bench/sdn.csv"
	)
	needShared(t, sdn2019)
	dir := t.TempDir()
	first := importJSON(t, dir, "--format", "ofac-sdn", sdn2019)
	if first.Listings != 3845 || first.Added != 3845 || first.Events != 3845 {
		t.Fatalf("2019 = %+v", first)
	}
	got := importJSON(t, dir, "--format", "ofac-sdn", sdn2021)
	if got.Listings != 4620 || got.Added == 0 || got.Updated == 0 || got.Withdrawn == 0 {
		t.Fatalf("2021 = %+v: want additions, updates and withdrawals", got)
	}
	if got.Events != got.Added+got.Updated+got.Withdrawn || got.Added+got.Updated+got.Unchanged != got.Listings {
		t.Fatalf("2021 = %+v: one event per change, every listing accounted for", got)
	}
	again := importJSON(t, dir, "--format", "ofac-sdn", sdn2021)
	if again.Events != 0 || again.Unchanged != 4620 {
		t.Fatalf("re-import = %+v, want no events", again)
	}
	t.Logf("OFAC 2019 → 2021: %d added, %d updated, %d withdrawn, %d unchanged", got.Added, got.Updated, got.Withdrawn, got.Unchanged)
}

func TestImportMalformedLeavesStore(t *testing.T) {
	dir := t.TempDir()
	importJSON(t, dir, "--format", "un-xml", unFile2024)
	src, _ := os.ReadFile(unFile2024)
	broken := filepath.Join(t.TempDir(), "broken.xml")
	// Cut the file in the middle of an individual.
	os.WriteFile(broken, src[:len(src)/2], 0o600)
	code, _, errs := run(t, dir, "", "import", "--format", "un-xml", broken)
	if code != 1 || !strings.Contains(errs, "broken.xml") || !strings.Contains(errs, "line") {
		t.Fatalf("broken import: exit %d, stderr %q; want 1 naming file and line", code, errs)
	}
	code, out, _ := run(t, dir, "", "listings", "list", "--json", "--status", "active")
	if code != 0 || strings.Count(out, "\n") != 682 {
		t.Fatalf("after a broken import %d active listings, want 682", strings.Count(out, "\n"))
	}
}

func TestListingsListJSONAndWithdraw(t *testing.T) {
	dir := t.TempDir()
	importJSON(t, dir, "--format", "un-xml", unFile2024)
	code, out, _ := run(t, dir, "", "listings", "list", "--json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 682 {
		t.Fatalf("list: exit %d, %d lines", code, len(lines))
	}
	var first struct {
		ID    string `json:"id"`
		Names []any  `json:"names"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || !strings.HasPrefix(first.ID, "un-sc:") || len(first.Names) == 0 {
		t.Fatalf("first line %q: %v", lines[0], err)
	}
	if code, _, errs := run(t, dir, "", "listings", "withdraw", first.ID, "--reason", "test"); code != 0 {
		t.Fatalf("withdraw: %d %s", code, errs)
	}
	if code, _, errs := run(t, dir, "", "listings", "withdraw", first.ID); code != 1 || !strings.Contains(errs, "not active") {
		t.Fatalf("second withdraw: %d %s", code, errs)
	}
	if code, _, errs := run(t, dir, "", "listings", "show", "un-sc:nope"); code != 1 || !strings.Contains(errs, "not found") {
		t.Fatalf("show missing: %d %s", code, errs)
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"import", "x.xml"}, "--format is required"},
		{[]string{"import", "--format", "un-xml"}, "no FILE"},
		{[]string{"import", "--bogus"}, "flag provided but not defined"},
		{[]string{"listings"}, "want list"},
		{[]string{"listings", "show"}, "no ID given"},
		{[]string{"mrz"}, "mrz parse"},
	} {
		code, _, errs := run(t, dir, "", tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 containing %q", tc.args, code, errs, tc.want)
		}
	}
	if code, _, errs := run(t, dir, "", "import", "--format", "xls", "f"); code != 2 || !strings.Contains(errs, "un-xml") {
		t.Errorf("unknown format: exit %d, %q", code, errs)
	}
	if code, out, _ := run(t, dir, "", "version"); code != 0 || !strings.HasPrefix(out, "tripline ") {
		t.Errorf("version: %d %q", code, out)
	}
}

// --data anywhere on an action's command line names the data directory:
// it was read before the flags were parsed, so actions silently used
// $TRIPLINE_DATA or ./tripline-data instead.
func TestActionDataFlag(t *testing.T) {
	envDir, flagDir := t.TempDir(), t.TempDir()
	for _, args := range [][]string{
		{"users", "add", "u-1", "--role", "analyst", "--data", flagDir},
		{"users", "add", "--data", flagDir, "u-2", "--role", "officer"},
	} {
		if code, _, errs := run(t, envDir, "", args...); code != 0 {
			t.Fatalf("%v: %s", args, errs)
		}
	}
	_, inFlag, _ := run(t, envDir, "", "users", "list", "--data", flagDir)
	_, inEnv, _ := run(t, envDir, "", "users", "list")
	if !strings.Contains(inFlag, "u-1") || !strings.Contains(inFlag, "u-2") || strings.Contains(inEnv, "u-1") {
		t.Fatalf("users in --data dir:\n%s\nin $TRIPLINE_DATA dir:\n%s", inFlag, inEnv)
	}
}

// TestEventsFollowFromLog: without NATS, events follow reads the data
// directory's log: what it holds, then what another process writes.
func TestEventsFollowFromLog(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(t.TempDir(), "list.csv")
	write := func(rows string) {
		t.Helper()
		os.WriteFile(csv, []byte("id,primary_name,action\n"+rows), 0o600)
		if code, _, errs := run(t, dir, "", "import", "--format", "csv", "--source", "cli", csv); code != 0 {
			t.Fatal(errs)
		}
	}
	write("7,Omar Khan,report\n")
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var out syncBuffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: io.Discard,
		Getenv: func(k string) string { return map[string]string{"TRIPLINE_DATA": dir}[k] }}
	done := make(chan int, 1)
	go func() { done <- Run(ctx, env, []string{"events", "follow", "--poll", "20ms"}) }()
	waitFor(t, func() bool { return strings.Contains(out.String(), `"subject":"cli:7"`) })
	write("7,Omar Khan,report\n8,Ali Hassan,report\n")
	waitFor(t, func() bool { return strings.Contains(out.String(), `"subject":"cli:8"`) })
	stop()
	if code := <-done; code != 0 {
		t.Fatalf("events follow exit %d", code)
	}
	if n := strings.Count(out.String(), "\n"); n != 2 {
		t.Fatalf("%d events printed, want 2:\n%s", n, out.String())
	}
	// Each event printed carries its fields' salts, so a reader recomputes
	// its digest and the chain from one event to the next.
	prev := ""
	for i, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var ev tripline.Event
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if len(ev.Salts) == 0 {
			t.Errorf("event %d printed without its salts: %s", i, line)
		}
		if chain, err := ev.ChainNext(prev); err != nil || chain != ev.Chain {
			t.Errorf("event %d: chain recomputed %q (%v), printed %q", i, chain, err, ev.Chain)
		}
		prev = ev.Chain
	}
}
