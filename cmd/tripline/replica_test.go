package main

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"tripline/federation"
)

// replicaProc is one tripline serve process of the replica test.
type replicaProc struct {
	t    testing.TB
	bin  string
	name string
	dir  string
	addr string
	env  []string
	args []string
	cmd  *exec.Cmd
	log  string
	// store is the database's URL, for the test's own queries.
	store string
}

func (p *replicaProc) cli(args ...string) string {
	p.t.Helper()
	cmd := exec.Command(p.bin, args...)
	cmd.Env = p.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		p.t.Fatalf("%s %v: %v\n%s", p.name, args, err, out)
	}
	return string(out)
}

// start starts the process and waits until it is ready.
func (p *replicaProc) start() {
	p.t.Helper()
	log, _ := os.OpenFile(p.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	p.cmd = exec.Command(p.bin, append([]string{"serve", "--addr", p.addr}, p.args...)...)
	p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = p.env, log, log
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get("http://" + p.addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
	}
	b, _ := os.ReadFile(p.log)
	p.t.Fatalf("%s did not start; log:\n%s", p.name, b)
}

func (p *replicaProc) stop(sig syscall.Signal) {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	p.cmd.Process.Signal(sig)
	p.cmd.Wait()
	p.cmd = nil
}

// screenResult is what the test reads of a screening's answer.
type screenResult struct {
	Decision   string   `json:"decision"`
	Encounters []string `json:"encounters"`
}

func screenOn(addr, token, body string) (*screenResult, error) {
	req, _ := http.NewRequest("POST", "http://"+addr+"/v1/screen", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	var r screenResult
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// TestReplicasFailover (issue 18 item 4): a writer and two screening
// replicas, real processes on one PostgreSQL database and one NATS
// stream, under screening load. One replica is SIGKILLed and restarted: a
// client that retries on the other replica sees no error, every hit it was
// answered has its encounter in the database (none acknowledged is lost),
// and the restarted replica follows what the writer changed meanwhile.
func TestReplicasFailover(t *testing.T) {
	natsURL := os.Getenv("TRIPLINE_TEST_NATS")
	if natsURL == "" {
		t.Skip("TRIPLINE_TEST_NATS not set")
	}
	if testing.Short() {
		t.Skip("runs three tripline processes")
	}
	w, reps, token := replicaSet(t, natsURL, 2)

	// The load: clients screening hits on the replicas, each retrying a
	// failed request once on the other replica.
	var mu sync.Mutex
	var hits []string
	var failures []string
	var maxFailover time.Duration
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf(`{"ref":"load-%d-%d","name":"Abdul Ghani Baradar"}`, c, i)
				first := reps[(c+i)%2]
				t0 := time.Now()
				r, err := screenOn(first.addr, token, body)
				if err != nil {
					r, err = screenOn(reps[(c+i+1)%2].addr, token, body)
					if d := time.Since(t0); err == nil {
						mu.Lock()
						maxFailover = max(maxFailover, d)
						mu.Unlock()
					}
				}
				mu.Lock()
				if err != nil {
					failures = append(failures, err.Error())
				} else if r.Decision == "hit" {
					hits = append(hits, r.Encounters...)
				}
				mu.Unlock()
			}
		}()
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(hits) }
	within(t, 60*time.Second, "load before the kill", func() bool { return count() >= 50 })
	logHas := func(p *replicaProc, what string) bool {
		b, _ := os.ReadFile(p.log)
		return strings.Contains(string(b), what)
	}
	// The replica's index snapshot, written behind its first (full) load,
	// is what its restart maps, then catches up from the change log.
	within(t, 60*time.Second, "replica 1's index snapshot", func() bool { return logHas(reps[0], "index snapshot written") })
	reps[0].stop(syscall.SIGKILL)
	before := count()
	within(t, 60*time.Second, "load on the other replica", func() bool { return count() >= before+50 })
	// Meanwhile the writer changes a listing; the restarted replica must
	// follow it.
	w.cli("listings", "withdraw", "un-sc:TAi.024", "--reason", "delisted")
	reps[0].start()
	within(t, 60*time.Second, "the restarted replica catches up", func() bool {
		r, err := screenOn(reps[0].addr, token, `{"ref":"after","name":"Abdul Ghani Baradar"}`)
		return err == nil && r.Decision != "hit"
	})
	if !logHas(reps[0], "index loaded from its snapshot") {
		t.Error("the restarted replica did not load its index from its snapshot")
	}
	close(stop)
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d requests failed on both replicas, first: %s", len(failures), failures[0])
	}
	t.Logf("screenings answered hit: %d; longest request that failed over: %s", len(hits), maxFailover)

	// Every acknowledged hit has its encounter in the database (a killed
	// replica's journal is applied when it restarts).
	db, err := sql.Open("pgx", w.store)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	within(t, 60*time.Second, "every answered hit's encounter stored", func() bool {
		missing := 0
		for _, id := range hits {
			var n int
			if err := db.QueryRow(`SELECT COUNT(*) FROM encounters WHERE id = $1`, id).Scan(&n); err != nil || n == 0 {
				missing++
			}
		}
		return missing == 0
	})
	if out := w.cli("audit", "verify"); !strings.Contains(out, "intact") {
		t.Fatalf("audit verify after the kill: %s", out)
	}
}

// replicaSet starts a writer with the UN list and n replicas on a fresh
// schema and stream; it returns the replicas and an officer's token.
func replicaSet(t testing.TB, natsURL string, n int) (w *replicaProc, reps []*replicaProc, token string) {
	t.Helper()
	store := pgSchemaURL(t)
	bin := tripBinary(t)
	tmp := t.TempDir()
	b := make([]byte, 4)
	rand.Read(b)
	stream := "TRIPLINE_REPLICA_" + strings.ToUpper(hex.EncodeToString(b))
	dropStreamAtEnd(t, natsURL, stream)
	mk := func(name string, args ...string) *replicaProc {
		dir := filepath.Join(tmp, name)
		return &replicaProc{t: t, bin: bin, name: name, dir: dir, addr: freeAddr(t), args: args, log: filepath.Join(tmp, name+".log"), store: store,
			env: append(os.Environ(), "TRIPLINE_DATA="+dir, "TRIPLINE_STORE="+store, "TRIPLINE_NODE=W", "TRIPLINE_AGENCY=agency-w",
				"TRIPLINE_NATS_STREAM="+stream)}
	}
	w = mk("writer", "--nats", natsURL)
	w.cli("import", "--format", "un-xml", unFile2024)
	token = strings.TrimSpace(w.cli("users", "add", "officer-1", "--role", "officer"))
	w.start()
	t.Cleanup(func() { w.stop(syscall.SIGTERM) })
	for i := range n {
		r := mk(fmt.Sprint("r", i+1), "--replica", "--nats", natsURL)
		// A replica is the writer's node: its id, agency and key.
		if err := os.MkdirAll(r.dir, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"node.key", federation.IdentityFile} {
			b, err := os.ReadFile(filepath.Join(w.dir, f))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(r.dir, f), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		r.start()
		t.Cleanup(func() { r.stop(syscall.SIGTERM) })
		reps = append(reps, r)
	}
	return w, reps, token
}

// BenchmarkReplicas (issue 18) measures a writer's screening replicas as
// real processes on one PostgreSQL database and one NATS stream:
// throughput on one replica and on two (8 clients, hits and clears mixed,
// screenings/s), and failover: 4 clients on replica 1 when it is
// SIGKILLed, each retrying a failed request on replica 2 (failover-ms: the
// longest such request, from its first try to the other replica's
// answer), then the killed replica restarted (restart-ms: until ready,
// its index loaded and its journal applied).
func BenchmarkReplicas(b *testing.B) {
	natsURL := os.Getenv("TRIPLINE_TEST_NATS")
	if natsURL == "" || os.Getenv("TRIPLINE_TEST_POSTGRES") == "" {
		b.Skip("needs PostgreSQL and NATS: set TRIPLINE_TEST_POSTGRES (a database URL) and TRIPLINE_TEST_NATS (nats://...)")
	}
	_, reps, token := replicaSet(b, natsURL, 2)
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) { benchScreen(b, reps[:n], token) })
	}
	b.Run("failover", func(b *testing.B) {
		var worst, restart time.Duration
		for round := range b.N {
			worst = max(worst, killReplica(b, reps, token, round))
			t0 := time.Now()
			reps[0].start()
			restart += time.Since(t0)
		}
		b.ReportMetric(float64(worst.Microseconds())/1000, "failover-ms")
		b.ReportMetric(float64(restart.Microseconds())/1000/float64(b.N), "restart-ms")
	})
}

// benchScreen runs b.N screenings from 8 clients spread over targets.
func benchScreen(b *testing.B, targets []*replicaProc, token string) {
	names := []string{"Abdul Ghani Baradar", "Maria Gonzalez Lopez", "Mohammad Tahir Anwari", "Jean Dupont"}
	var next, failed atomic.Int64
	var firstErr atomic.Value
	b.ResetTimer()
	var wg sync.WaitGroup
	for c := range 8 {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				body := fmt.Sprintf(`{"ref":"b-%d-%d","name":%q}`, c, i, names[i%int64(len(names))])
				if _, err := screenOn(targets[i%int64(len(targets))].addr, token, body); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d screenings failed, first: %v", n, b.N, firstErr.Load())
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "screenings/s")
}

// killReplica SIGKILLs reps[0] under 4 clients' load and returns the
// longest request that failed over to reps[1]; every request must be
// answered by one or the other.
func killReplica(b *testing.B, reps []*replicaProc, token string, round int) time.Duration {
	var answered atomic.Int64
	var mu sync.Mutex
	var worst time.Duration
	var failures []string
	killed := make(chan struct{})
	var wg sync.WaitGroup
	for c := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				body := fmt.Sprintf(`{"ref":"f-%d-%d-%d","name":"Jean Dupont"}`, round, c, i)
				t0 := time.Now()
				if _, err := screenOn(reps[0].addr, token, body); err == nil {
					answered.Add(1)
					continue
				}
				_, err := screenOn(reps[1].addr, token, body)
				mu.Lock()
				if err != nil {
					failures = append(failures, err.Error())
				}
				worst = max(worst, time.Since(t0))
				mu.Unlock()
				select {
				case <-killed:
					return // failed over after the kill: this client is done
				default:
				}
			}
		})
	}
	for answered.Load() < 20 {
		time.Sleep(5 * time.Millisecond) // under load before the kill
	}
	reps[0].stop(syscall.SIGKILL)
	close(killed)
	wg.Wait()
	if len(failures) > 0 {
		b.Fatalf("%d requests failed on both replicas, first: %s", len(failures), failures[0])
	}
	return worst
}
