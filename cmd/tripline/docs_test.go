package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binDir holds the binary the tests that run tripline as a process share:
// built once, on first use (tripBinary), and removed when the tests end.
var (
	binDir    string
	buildOnce sync.Once
	buildErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tripline-test-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// tripBinary returns the path of the tripline binary, built once.
func tripBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(binDir, "tripline")
	buildOnce.Do(func() {
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return bin
}

// docScripts are the scripts under docs/ the README's command blocks come
// from, each with what its output must show.
var docScripts = []struct {
	name string
	want []string
	// needs names the variables that must name servers (the script is
	// skipped without them).
	needs []string
}{
	{"quickstart.sh", []string{
		"un-sc: 682 listings: 682 added",
		`"source":"ofac-sdn"`,
		`{"ref":"t-17","decision":"hit"`,
		"un-sc:TAi.005 withdrawn",
		`{"ref":"t-17","decision":"clear"`,
		`"valid": true`,
		`{"ref":"RLS1-3","decision":"clear"`,
		"exit status 1",
		`{"ref":"RLS1-1","decision":"review"`,
		`"document_alert"`,
		"group eu: de-bka, fr-dgsi",
		"audit log intact",
		"1 of them from witness.json",
		`{"ref":"t-19","decision":"hit"`,
	}, nil},
	{"federation.sh", []string{
		"partner B (agency de-bka) saved: pulled from http://127.0.0.1:",
		`{"ref":"c-1","decision":"hit"`,
		"tr-border:2026-0107 withdrawn",
		`{"ref":"c-1","decision":"clear"`,
		`"chain": [`,
		"encounter reports, updates and receipts for C",
		"new events applied",
	}, nil},
	{"postgres.sh", []string{
		"un-sc: 682 listings: 682 added",
		`{"ref":"t-20","decision":"hit"`,
		"un-sc:TAi.024 withdrawn",
		"audit log intact",
		`{"ref":"t-21","decision":"hit"`,
	}, []string{"TRIPLINE_TEST_POSTGRES", "TRIPLINE_TEST_NATS"}},
}

// TestDocScripts (issue 14, item 3) runs the scripts the README pastes, as
// a newcomer would, with the built binary on fresh data directories and
// free ports; the scripts wait for readiness by polling /readyz.
func TestDocScripts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs tripline nodes")
	}
	for _, tool := range []string{"bash", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: %v", tool, err)
		}
	}
	bin := tripBinary(t)
	for _, s := range docScripts {
		t.Run(s.name, func(t *testing.T) {
			for _, v := range s.needs {
				if os.Getenv(v) == "" {
					t.Skipf("%s not set", v)
				}
			}
			work := t.TempDir()
			vars := map[string]string{"TRIPLINE_BIN": bin, "WORK": work, "ADDR": freeAddr(t)}
			if s.needs != nil {
				// A schema of its own, and a stream: tests run in parallel.
				vars["TRIPLINE_STORE"] = pgSchemaURL(t)
				vars["TRIPLINE_NATS_STREAM"] = "TRIPLINE_DOCS_" + strings.ToUpper(filepath.Base(work))
				if url := os.Getenv("TRIPLINE_TEST_NATS"); url != "" {
					dropStreamAtEnd(t, url, vars["TRIPLINE_NATS_STREAM"])
				}
				vars["REPLICA"] = freeAddr(t)
			}
			for _, p := range []string{"PORT_A", "PORT_B", "PORT_C"} {
				_, vars[p], _ = net.SplitHostPort(freeAddr(t))
			}
			out := runScript(t, filepath.Join("..", "..", "docs", s.name), work, vars)
			for _, w := range s.want {
				if !strings.Contains(out, w) {
					t.Errorf("%s printed no %q", s.name, w)
				}
			}
			if t.Failed() {
				t.Logf("output:\n%s", out)
				for _, log := range []string{"serve.log", "node-a.log", "node-b.log", "node-c.log"} {
					if b, err := os.ReadFile(filepath.Join(work, log)); err == nil {
						t.Logf("---- %s (tail) ----\n%s", log, tail(string(b), 3000))
					}
				}
			}
		})
	}
}

// runScript runs a bash script in a clean environment plus vars, within a
// generous deadline, and returns its output. Whatever the script leaves
// running in work (its nodes) is stopped before work is removed.
func runScript(t *testing.T, script, work string, vars map[string]string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	outFile := filepath.Join(t.TempDir(), "out")
	f, err := os.Create(outFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.CommandContext(ctx, "bash", script)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TRIPLINE_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	// A file, not a pipe: nodes left running cannot hold Wait up.
	cmd.Stdout, cmd.Stderr = f, f
	// On timeout the script stops its nodes (its TERM and EXIT traps).
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	runErr := cmd.Run()
	stopProcessesIn(t, work)
	out, _ := os.ReadFile(outFile)
	if runErr != nil {
		t.Errorf("%s: %v (deadline: %v)\n%s", script, runErr, ctx.Err(), out)
	}
	return string(out)
}

// stopProcessesIn waits for the processes whose working directory is dir
// (nodes a script stopped are still shutting down) and kills those still
// there after a generous deadline.
func stopProcessesIn(t *testing.T, dir string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		pids := processesIn(dir)
		if len(pids) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("processes %v still running in %s: killed", pids, dir)
			for _, pid := range pids {
				syscall.Kill(pid, syscall.SIGKILL)
			}
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// processesIn lists the processes whose working directory is dir (Linux;
// none elsewhere).
func processesIn(dir string) []int {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil
	}
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
			continue
		}
		if cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd")); err == nil && cwd == real {
			pids = append(pids, pid)
		}
	}
	return pids
}

// TestREADMEPastesDocScripts: every block of a docs/ script between
// "# README begin" and "# README end" is in README.md word for word, so the
// README and the tested scripts cannot drift apart.
func TestREADMEPastesDocScripts(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range docScripts {
		src, err := os.ReadFile(filepath.Join("..", "..", "docs", s.name))
		if err != nil {
			t.Fatal(err)
		}
		blocks := 0
		for _, part := range strings.Split(string(src), "# README begin\n")[1:] {
			block, _, ok := strings.Cut(part, "# README end\n")
			if !ok {
				t.Fatalf("%s: a README block has no end", s.name)
			}
			blocks++
			if !strings.Contains(string(readme), "```sh\n"+block+"```\n") {
				t.Errorf("README.md does not paste this block of docs/%s as it is:\n%s", s.name, block)
			}
		}
		if blocks == 0 {
			t.Errorf("docs/%s has no README block", s.name)
		}
	}
}
