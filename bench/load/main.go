// Command load measures a real node end to end: it builds the tripline
// binary, imports the UN list (and, with -listings N, N generated
// listings) into a fresh data directory, starts `tripline serve` and
// drives POST /v1/screen over loopback with 2 and 8 concurrent clients,
// audit, policy and retention on as in production. It prints, per client
// count, throughput, latency p50/p99/max, the server's CPU per screening
// (from /proc/PID/stat), the load client's own CPU per screening (getrusage:
// the two share the processors) and the node's memory and disk growth per
// screening; and the in-process matcher's rate on the same queries, for
// the ratio. -client std drives the node with net/http's client instead of
// the lean one (lean.go), as before.
//
//	go run ./bench/load                          # UN list
//	go run ./bench/load -listings 1000000        # UN list + 1,000,000 generated listings
//	go run ./bench/load -data DIR -keep          # reuse (or keep) an imported data directory
//
// It only talks to 127.0.0.1, and every run is bounded by -duration.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tripline"
	"tripline/importer"
	"tripline/match"
)

func main() {
	un := flag.String("un", "../shared/data/names/un_sc_consolidated_2024-09-26.xml", "UN SC consolidated list XML")
	listings := flag.Int("listings", 0, "generated listings to import besides the UN list (importer.GenerateCSV, seed 7)")
	clients := flag.String("clients", "2,8", "concurrent clients, one run per value")
	duration := flag.Duration("duration", 15*time.Second, "length of each run")
	warmup := flag.Duration("warmup", 3*time.Second, "load before the first run, not measured")
	listed := flag.Float64("listed", 0.1, "share of queries that are perturbed listed people (the rest innocent)")
	queries := flag.Int("queries", 5410, "distinct queries, cycled")
	dataDir := flag.String("data", "", "data directory: reused when it holds a store, else created (default: a temporary one)")
	keep := flag.Bool("keep", false, "keep the data directory")
	bin := flag.String("bin", "", "tripline binary (default: built from ./cmd/tripline)")
	inproc := flag.Bool("inproc", true, "also measure the in-process matcher on the same queries (UN list only unless -listings is 0)")
	soak := flag.Duration("soak", 0, "instead of the runs: one run of this length at the largest -clients, printing memory and disk every -every")
	every := flag.Duration("every", 30*time.Second, "progress interval of -soak")
	cpuProfile := flag.String("cpuprofile", "", "write the serving node's CPU profile (warm-up and runs) to this file (`tripline serve --cpu-profile`; not with an older -bin)")
	serverEnv := flag.String("server-env", "", "extra environment of the node, comma-separated NAME=VALUE (GOGC=400): the load client keeps its own")
	allocProfile := flag.String("allocprofile", "", "write the serving node's heap allocation profile to this file (`tripline serve --alloc-profile`)")
	client := flag.String("client", "lean", "load client: lean (one kept connection per client, requests prepared in full, answers scanned) or std (net/http's client, answers decoded by encoding/json)")
	flag.Parse()
	if *client != "lean" && *client != "std" {
		log.Fatalf("-client: %q is neither lean nor std", *client)
	}

	tmp, err := os.MkdirTemp("", "tripline-load-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	if *bin == "" {
		*bin = filepath.Join(tmp, "tripline")
		run("go", "build", "-o", *bin, "./cmd/tripline")
	}
	data := *dataDir
	if data == "" {
		data = filepath.Join(tmp, "data")
	} else if !*keep {
		defer os.RemoveAll(data)
	}
	ls := readUN(*un)
	if _, err := os.Stat(filepath.Join(data, "tripline.db")); err != nil {
		prepare(*bin, data, *un, *listings, tmp)
	} else {
		fmt.Printf("reusing %s\n", data)
	}
	token := strings.TrimSpace(run(*bin, "users", "add", fmt.Sprintf("load-%d", time.Now().UnixNano()), "--role", "officer", "--data", data))
	// /metrics is for the node's operators: the GC figures are read as an
	// auditor, as Prometheus would scrape them.
	scrapeToken := strings.TrimSpace(run(*bin, "users", "add", fmt.Sprintf("load-scrape-%d", time.Now().UnixNano()), "--role", "auditor", "--data", data))
	qs := makeQueries(ls, *queries, *listed)

	if *inproc {
		inProcess(ls, qs, *listings)
	}

	var env []string
	if *serverEnv != "" {
		env = strings.Split(*serverEnv, ",")
	}
	srv := start(*bin, data, env, map[string]string{"--cpu-profile": *cpuProfile, "--alloc-profile": *allocProfile})
	defer srv.stop()
	srv.scrapeToken = scrapeToken
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
	ld := &loader{std: *client == "std", c: c, base: srv.base, token: token, qs: qs}
	if !ld.std {
		addr := strings.TrimPrefix(srv.base, "http://")
		ld.addr, ld.reqs = addr, leanRequests(addr, token, qs)
	}
	fmt.Printf("load client: %s\n", *client)
	if *warmup > 0 {
		ld.drive(8, *warmup, new(atomic.Int64))
	}
	if *soak > 0 {
		n := 0
		for _, f := range strings.Split(*clients, ",") {
			k, _ := strconv.Atoi(strings.TrimSpace(f))
			n = max(n, k)
		}
		soakRun(ld, srv, n, *soak, *every, data)
		return
	}
	fmt.Printf("\n%-8s %12s %9s %9s %9s %8s %14s %14s %12s %12s  %s\n", "clients", "screenings/s", "p50", "p99", "max", "non-200", "CPU/screening", "client CPU", "RSS", "disk/screen", "load average")
	for _, f := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			log.Fatalf("-clients: %q is not a positive number", f)
		}
		cpu0, disk0, m0 := srv.cpu(), dirSize(data), srv.metrics(c)
		minor0, major0 := srv.faults()
		rd0, wr0 := srv.syscalls()
		self0 := selfCPU()
		r := ld.drive(n, *duration, new(atomic.Int64))
		self1 := selfCPU()
		cpu1, disk1, m1 := srv.cpu(), dirSize(data), srv.metrics(c)
		minor1, major1 := srv.faults()
		rd1, wr1 := srv.syscalls()
		ok := max(1, r.ok)
		fmt.Printf("%-8d %12.0f %9s %9s %9s %8d %11.3f ms %11.3f ms %9d MB %9.0f B  %s\n", n, float64(r.ok)/r.elapsed.Seconds(),
			r.pct(0.50), r.pct(0.99), r.pct(1), r.bad, float64((cpu1-cpu0).Microseconds())/1000/float64(ok),
			float64((self1-self0).Microseconds())/1000/float64(ok), srv.rss()>>20, float64(disk1-disk0)/float64(ok), loadAvg())
		fmt.Printf("         hits: p50 %s, p99 %s; heap allocated %.1f KB per screening, %.0f GC cycles, pauses %.2f ms in all\n",
			pct(r.hitLat, 0.5), pct(r.hitLat, 0.99), (m1.alloc-m0.alloc)/1024/float64(ok), m1.gcs-m0.gcs, 1000*(m1.pause-m0.pause))
		fmt.Printf("         reviews (%d): p50 %s, p99 %s; clears (%d): p50 %s, p99 %s\n",
			len(r.reviewLat), pct(r.reviewLat, 0.5), pct(r.reviewLat, 0.99), len(r.clearLat), pct(r.clearLat, 0.5), pct(r.clearLat, 0.99))
		fmt.Printf("         encounters %.2f per screening (each hit or review match is one); page faults per screening: %.2f minor, %.3f major\n",
			float64(r.encounters)/float64(ok), float64(minor1-minor0)/float64(ok), float64(major1-major0)/float64(ok))
		fmt.Printf("         journal writes (each one fsync) per screening: audit %.3f, screening %.3f; node's read and write system calls per screening: %.2f, %.2f\n",
			(m1.auditWrites-m0.auditWrites)/float64(ok), (m1.screeningWrites-m0.screeningWrites)/float64(ok),
			float64(rd1-rd0)/float64(ok), float64(wr1-wr0)/float64(ok))
		for code, n := range r.codes {
			fmt.Printf("         status %d: %d\n", code, n)
		}
	}
	fmt.Printf("\nhits %d, reviews %d, clear %d over all runs; server RSS %d MB (anonymous %d MB, mapped files %d MB); data directory %d MB\n",
		decisions[tripline.DecisionHit].Load(), decisions[tripline.DecisionReview].Load(), decisions[tripline.DecisionClear].Load(),
		srv.rss()>>20, srv.status("RssAnon:")>>20, srv.status("RssFile:")>>20, dirSize(data)>>20)
}

// run runs a command and returns its standard output; it exits on failure.
func run(name string, args ...string) string {
	cmd := exec.Command(name, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		log.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return string(out)
}

func readUN(path string) []*tripline.Listing {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	ls, err := importer.ReadUN(f, path)
	if err != nil {
		log.Fatal(err)
	}
	return ls
}

// prepare imports the lists into a new data directory.
func prepare(bin, data, un string, n int, tmp string) {
	t0 := time.Now()
	run(bin, "import", "--format", "un-xml", "--data", data, un)
	if n > 0 {
		csv := filepath.Join(tmp, "gen.csv")
		f, err := os.Create(csv)
		if err != nil {
			log.Fatal(err)
		}
		if err := importer.GenerateCSV(f, n, 7); err != nil {
			log.Fatal(err)
		}
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
		run(bin, "import", "--format", "csv", "--source", "gen", "--data", data, csv)
		os.Remove(csv)
	}
	fmt.Printf("imported UN list + %d generated listings in %s\n", n, time.Since(t0).Round(time.Millisecond))
}

// makeQueries mixes innocent travellers with listed people presenting
// with one perturbation each (spelling variant, typo, MRZ form, ...).
func makeQueries(ls []*tripline.Listing, n int, listed float64) [][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	innocent := match.GenerateTravellers(n, 1)
	out := make([][]byte, 0, n)
	for i, t := range innocent {
		if rng.Float64() < listed {
			l := ls[rng.IntN(len(ls))]
			if p, ok := match.PerturbListing(l, match.Perturbations[i%len(match.Perturbations)], int64(i)); ok && p.Validate() == nil {
				t = p
			}
		}
		t.Ref = fmt.Sprintf("load-%d", i)
		b, err := json.Marshal(t)
		if err != nil {
			log.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// inProcess screens the queries against an in-process index of the UN
// list, on every processor: the matcher's own rate, for the ratio.
func inProcess(ls []*tripline.Listing, qs [][]byte, generated int) {
	if generated > 0 {
		fmt.Println("in-process matcher: see `go test ./match -run '^$' -bench Screen1M` for 1,000,000 listings")
		return
	}
	ix := match.NewIndex(match.Options{})
	for _, l := range ls {
		ix.Upsert(l)
	}
	ts := make([]*tripline.Traveller, len(qs))
	for i, q := range qs {
		ts[i] = new(tripline.Traveller)
		if err := json.Unmarshal(q, ts[i]); err != nil {
			log.Fatal(err)
		}
	}
	now := time.Now()
	var next atomic.Int64
	total := int64(3 * len(ts))
	t0 := time.Now()
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := next.Add(1); i <= total; i = next.Add(1) {
				ix.Screen(ts[i%int64(len(ts))], now, nil)
			}
		})
	}
	wg.Wait()
	fmt.Printf("in-process matcher, UN list, %d processors: %.0f screenings/s\n", runtime.GOMAXPROCS(0), float64(total)/time.Since(t0).Seconds())
}

type server struct {
	cmd         *exec.Cmd
	base        string
	scrapeToken string // an auditor's, for /metrics
}

// start runs `tripline serve` on a free loopback port (with env added to
// its environment, and profiles: flag to file, empty for none) and waits until
// /readyz answers 200, printing how long that took and the RSS then.
func start(bin, data string, env []string, profiles map[string]string) *server {
	args := []string{"serve", "--addr", "127.0.0.1:0", "--data", data}
	for flag, path := range profiles {
		if path == "" {
			continue
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			log.Fatal(err)
		}
		args = append(args, flag, abs)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(os.Environ(), "TRIPLINE_LOG_LEVEL=info"), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		log.Fatal(err)
	}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	s := &server{cmd: cmd}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var line struct{ Msg, Addr, Level string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "serving" {
				addrc <- line.Addr
			} else if line.Level == "ERROR" || line.Level == "WARN" || strings.Contains(line.Msg, "snapshot") {
				fmt.Fprintf(os.Stderr, "server: %s\n", sc.Bytes())
			}
		}
	}()
	select {
	case a := <-addrc:
		s.base = "http://" + a
	case <-time.After(10 * time.Minute):
		s.stop()
		log.Fatal("serve did not start within 10 minutes")
	}
	for deadline := time.Now().Add(10 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			s.stop()
			log.Fatal("not ready within 10 minutes")
		}
	}
	fmt.Printf("node start to /readyz: %s, RSS %d MB (anonymous %d MB, mapped files %d MB)\n", time.Since(t0).Round(time.Millisecond),
		s.rss()>>20, s.status("RssAnon:")>>20, s.status("RssFile:")>>20)
	return s
}

func (s *server) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// cpu returns the server's user+system CPU time so far (/proc/PID/stat).
func (s *server) cpu() time.Duration {
	f := s.stat()
	if f == nil {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ is 100 on Linux
}

// faults returns the server's minor and major page faults so far: a
// mapped index snapshot's pages are faulted in as screenings touch them.
func (s *server) faults() (minor, major int64) {
	f := s.stat()
	if f == nil {
		return 0, 0
	}
	minor, _ = strconv.ParseInt(f[7], 10, 64)
	major, _ = strconv.ParseInt(f[9], 10, 64)
	return minor, major
}

// syscalls returns the server's read and write system calls so far
// (/proc/PID/io syscr, syscw: read, pread, write, pwrite and the like):
// counts that other jobs on the machine do not change, unlike times.
func (s *server) syscalls() (reads, writes int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	for line := range strings.Lines(string(b)) {
		k, v, _ := strings.Cut(strings.TrimSpace(line), ": ")
		n, _ := strconv.ParseInt(v, 10, 64)
		switch k {
		case "syscr":
			reads = n
		case "syscw":
			writes = n
		}
	}
	return reads, writes
}

// stat returns the fields of /proc/PID/stat after the command name (which
// may hold spaces, in parentheses): f[0] is the state; nil if unreadable.
func (s *server) stat() []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return nil
	}
	return strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
}

// goMetrics are the Go runtime's counters the node exports on /metrics.
type goMetrics struct{ alloc, gcs, pause, auditWrites, screeningWrites float64 }

// metrics reads the node's allocation and GC counters from /metrics
// (zeros when it cannot).
func (s *server) metrics(c *http.Client) goMetrics {
	var m goMetrics
	req, _ := http.NewRequest("GET", s.base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+s.scrapeToken)
	resp, err := c.Do(req)
	if err != nil {
		return m
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, v, ok := strings.Cut(sc.Text(), " ")
		f, err := strconv.ParseFloat(v, 64)
		if !ok || err != nil {
			continue
		}
		switch name {
		case "go_memstats_alloc_bytes_total":
			m.alloc = f
		case "go_gc_duration_seconds_count":
			m.gcs = f
		case "go_gc_duration_seconds_sum":
			m.pause = f
		case `tripline_journal_writes_total{journal="audit"}`:
			m.auditWrites = f
		case `tripline_journal_writes_total{journal="screening"}`:
			m.screeningWrites = f
		}
	}
	return m
}

// rss returns the server's resident set size in bytes.
func (s *server) rss() int64 { return s.status("VmRSS:") }

// status returns a size in bytes from the server's /proc/PID/status:
// VmRSS (all it has in memory), RssAnon (its heap and stacks) or RssFile
// (pages of mapped files it touched: the index snapshot).
func (s *server) status(field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
			return kb << 10
		}
	}
	return 0
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

var decisions = map[tripline.Decision]*atomic.Int64{tripline.DecisionHit: {}, tripline.DecisionReview: {}, tripline.DecisionClear: {}}

type result struct {
	ok, bad    int
	encounters int // the answers' encounters: one per hit or review match
	codes      map[int]int
	lat        []time.Duration
	hitLat     []time.Duration // the answers that said hit: they wait for two journals
	reviewLat  []time.Duration // the answers that said review: they wait for the screening journal's fsync
	clearLat   []time.Duration // the answers that said clear: they wait for no fsync
	elapsed    time.Duration
}

func (r *result) pct(p float64) time.Duration { return pct(r.lat, p) }

// pct returns the p-quantile of sorted latencies.
func pct(lat []time.Duration, p float64) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	i := min(len(lat)-1, int(p*float64(len(lat))))
	return lat[i].Round(10 * time.Microsecond)
}

// loader is the load client: the lean one (lean.go) or net/http's (std).
type loader struct {
	std   bool
	c     *http.Client
	base  string
	token string
	qs    [][]byte
	addr  string   // lean: host:port
	reqs  [][]byte // lean: each query's whole request
}

// screener is one client's connection: screen posts the next query and
// returns the answer's status, decision and encounters; err is a failure
// to get an answer at all.
type screener interface {
	screen(q int64) (status int, d tripline.Decision, encounters int, err error)
	close()
}

// drive runs n clients, each posting queries back to back, for d,
// counting answered screenings in done as they come.
func (l *loader) drive(n int, d time.Duration, done *atomic.Int64) *result {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	r := &result{codes: map[int]int{}}
	var next atomic.Int64
	t0 := time.Now()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			var c screener = &stdClient{l: l}
			if !l.std {
				c = &leanClient{addr: l.addr, reqs: l.reqs}
			}
			defer c.close()
			t := &result{codes: map[int]int{}}
			for ctx.Err() == nil {
				start := time.Now()
				status, dec, encs, err := c.screen(next.Add(1))
				if err != nil {
					if ctx.Err() == nil {
						log.Printf("screen: %v", err)
						t.bad++
					}
					continue
				}
				el := time.Since(start)
				t.lat = append(t.lat, el)
				if status != 200 || dec == "" {
					t.bad++
					t.codes[status]++
					continue
				}
				t.ok++
				t.encounters += encs
				done.Add(1)
				if c := decisions[dec]; c != nil {
					c.Add(1)
				}
				switch dec {
				case tripline.DecisionHit:
					t.hitLat = append(t.hitLat, el)
				case tripline.DecisionReview:
					t.reviewLat = append(t.reviewLat, el)
				case tripline.DecisionClear:
					t.clearLat = append(t.clearLat, el)
				}
			}
			mu.Lock()
			r.ok, r.bad, r.encounters = r.ok+t.ok, r.bad+t.bad, r.encounters+t.encounters
			r.lat = append(r.lat, t.lat...)
			r.hitLat = append(r.hitLat, t.hitLat...)
			r.reviewLat = append(r.reviewLat, t.reviewLat...)
			r.clearLat = append(r.clearLat, t.clearLat...)
			for k, v := range t.codes {
				r.codes[k] += v
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	r.elapsed = time.Since(t0)
	slices.Sort(r.lat)
	slices.Sort(r.hitLat)
	slices.Sort(r.reviewLat)
	slices.Sort(r.clearLat)
	return r
}

// stdClient posts through net/http's client and decodes each answer with
// encoding/json (-client std).
type stdClient struct{ l *loader }

func (c *stdClient) screen(i int64) (int, tripline.Decision, int, error) {
	q := c.l.qs[i%int64(len(c.l.qs))]
	req, _ := http.NewRequest("POST", c.l.base+"/v1/screen", bytes.NewReader(q))
	req.Header.Set("Authorization", "Bearer "+c.l.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.l.c.Do(req)
	if err != nil {
		return 0, "", 0, err
	}
	var res struct {
		Decision   tripline.Decision
		Encounters []string
	}
	err = json.NewDecoder(resp.Body).Decode(&res)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return resp.StatusCode, "", 0, nil
	}
	return resp.StatusCode, res.Decision, len(res.Encounters), nil
}

func (c *stdClient) close() {}

// soakRun drives n clients for d, printing every interval the server's
// RSS and the data directory's size, and what each grew per screening
// since the first interval (the warm-up's allocations left out).
func soakRun(ld *loader, srv *server, n int, d, every time.Duration, data string) {
	fmt.Printf("\nsoak: %d clients for %s\n%-9s %11s %12s %9s %9s %14s %14s\n", n, d, "elapsed", "screenings", "screenings/s", "RSS", "disk", "RSS/screening", "disk/screening")
	var done atomic.Int64
	stop := make(chan struct{})
	go func() {
		t0 := time.Now()
		tick := time.NewTicker(every)
		defer tick.Stop()
		var base, baseRSS, baseDisk int64
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			k, rss, disk := done.Load(), srv.rss(), dirSize(data)
			perRSS, perDisk := "", ""
			if base == 0 {
				base, baseRSS, baseDisk = k, rss, disk
			} else if k > base {
				perRSS = fmt.Sprintf("%.0f B", float64(rss-baseRSS)/float64(k-base))
				perDisk = fmt.Sprintf("%.0f B", float64(disk-baseDisk)/float64(k-base))
			}
			el := time.Since(t0)
			fmt.Printf("%-9s %11d %12.0f %6d MB %6d MB %14s %14s\n", el.Round(time.Second), k, float64(k)/el.Seconds(), rss>>20, disk>>20, perRSS, perDisk)
		}
	}()
	r := ld.drive(n, d, &done)
	close(stop)
	fmt.Printf("soak: %d screenings, %d refused or failed, p50 %s, p99 %s, max %s\n", r.ok, r.bad, r.pct(0.5), r.pct(0.99), r.pct(1))
}

// loadAvg returns the machine's 1, 5 and 15 minute load averages: the
// figures mean little without them on a shared machine.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
