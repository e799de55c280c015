package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tripline/storetest"
)

// runStdin runs one command line in-process with the environment vars.
func runStdin(t testing.TB, vars map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb syncBuffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }}
	code = Run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

// pgSchemaURL returns $TRIPLINE_TEST_POSTGRES on a fresh schema of its
// own, dropped when t ends; it skips t when the variable is unset.
func pgSchemaURL(t testing.TB) string {
	return storetest.PostgresDSN(t, os.Getenv("TRIPLINE_TEST_POSTGRES"))
}

// A --store that is not a PostgreSQL URL is a usage error naming it, with
// any password hidden; nothing is created.
func TestStoreFlagRefusesOtherURLs(t *testing.T) {
	dir := t.TempDir()
	for _, store := range []string{"mysql://root:hunter2@db/x", "tripline.db", "postgres"} {
		code, _, errs := runStdin(t, map[string]string{"TRIPLINE_DATA": dir}, "", "listings", "list", "--store", store)
		if code != exitUsage || !strings.Contains(errs, "postgres://") || strings.Contains(errs, "hunter2") {
			t.Errorf("--store %s: exit %d, %q; want 2 naming postgres:// without the password", store, code, errs)
		}
		code, _, errs = runStdin(t, map[string]string{"TRIPLINE_DATA": dir, "TRIPLINE_STORE": store}, "", "listings", "list")
		if code != exitUsage {
			t.Errorf("TRIPLINE_STORE=%s: exit %d, %q; want 2", store, code, errs)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "tripline.db")); err == nil {
		t.Error("a refused --store still created the SQLite file")
	}
}

// A node on PostgreSQL: the CLI actions and serve work against the same
// URL ($TRIPLINE_STORE or --store), the data directory keeps only the
// node's key, identity and journal, and the audit chain verifies.
func TestStorePostgres(t *testing.T) {
	store := pgSchemaURL(t)
	dir := t.TempDir()
	vars := map[string]string{"TRIPLINE_DATA": dir, "TRIPLINE_STORE": store, "TRIPLINE_NODE": "pg-node"}
	mustRun := func(stdin string, args ...string) string {
		t.Helper()
		code, out, errs := runStdin(t, vars, stdin, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		return out
	}
	mustRun("", "import", "--format", "un-xml", unFile2024)
	if out := mustRun("", "listings", "show", "un-sc:TAi.005"); !strings.Contains(out, "active") {
		t.Fatalf("listings show: %s", out)
	}
	token := strings.TrimSpace(mustRun("", "users", "add", "officer-1", "--role", "officer"))
	if out := mustRun(`{"ref":"t-17","name":"Muhammad Taher Anwari","dob":"1961"}`, "screen"); !strings.Contains(out, `"hit"`) {
		t.Fatalf("screen: %s", out)
	}
	mustRun("", "listings", "withdraw", "un-sc:TAi.005", "--reason", "delisted")
	if _, err := os.Stat(filepath.Join(dir, "tripline.db")); err == nil {
		t.Fatal("the node wrote a SQLite file beside its PostgreSQL store")
	}
	// Without TRIPLINE_STORE the flag names the same database.
	delete(vars, "TRIPLINE_STORE")
	if out := mustRun("", "listings", "show", "un-sc:TAi.005", "--store", store); !strings.Contains(out, "withdrawn") {
		t.Fatalf("listings show --store: %s", out)
	}
	vars["TRIPLINE_STORE"] = store

	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	var errb syncBuffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &errb,
		Getenv: func(k string) string { return vars[k] }, Ready: func(a string) { addrc <- a }}
	done := make(chan int, 1)
	go func() { done <- Run(ctx, env, []string{"serve", "--addr", "127.0.0.1:0"}) }()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exit %d: %s", code, errb.String())
		}
	}()
	var addr string
	select {
	case addr = <-addrc:
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, errb.String())
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start")
	}
	req, _ := http.NewRequest("POST", "http://"+addr+"/v1/screen", strings.NewReader(`{"ref":"t-19","name":"Abdul Ghani Baradar"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"hit"`) {
		t.Fatalf("POST /v1/screen: %d %s", resp.StatusCode, body)
	}
	if out := mustRun("", "audit", "verify"); !strings.Contains(out, "intact") {
		t.Fatalf("audit verify: %s", out)
	}
}

// A serving node keeps its index in memory: its store connections do with
// a small page cache (a large one cost a gigabyte on a million listings).
func TestServingNodeSmallPageCache(t *testing.T) {
	n := openTestNode(t, t.TempDir())
	defer n.Close()
	var pages int64
	if err := n.DB.SQL().QueryRow(`PRAGMA cache_size`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if pages != -(64 << 10) {
		t.Fatalf("cache_size = %d, want %d (64 MiB)", pages, -(64 << 10))
	}
}

// openTestNode opens a node with its index on dir, as serve does.
func openTestNode(t *testing.T, dir string) *Node {
	t.Helper()
	env := &Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	n, err := openNode(context.Background(), env, dir, true, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// serve --replica refuses, before touching anything, a store that is not
// PostgreSQL and a data directory without the writer's key and id (it
// would sign its encounters with a key of its own).
func TestReplicaRefusals(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{"TRIPLINE_DATA": dir}, "needs --store postgres://"},
		{map[string]string{"TRIPLINE_DATA": dir, "TRIPLINE_STORE": "postgres://127.0.0.1:1/none"}, "has no node.key"},
	} {
		code, _, errs := runStdin(t, tc.vars, "", "serve", "--replica", "--addr", "127.0.0.1:0")
		if code != exitUsage || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, %q; want 2 saying %q", tc.vars, code, errs, tc.want)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("a refused replica wrote %d files in its data directory", len(ents))
	}
}
