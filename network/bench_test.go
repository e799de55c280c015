package network_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"syscall"
	"testing"
	"time"

	"gonum.org/v1/gonum/graph/simple"

	gnetwork "gonum.org/v1/gonum/graph/network"

	"tripline/network"
)

// Benchmarks on generated graphs. The figures come from
//
//	go test ./network -run x -bench 1M -benchtime 1x      (1,000,000 entities, 5,000,000 links)
//	go test ./network -run x -bench 100k -benchtime 1x    (100,000 / 1,000,000, with gonum's PageRank)
//
// -bench 1M runs BenchmarkNetwork1M (the CSR core) then BenchmarkStore1M
// (the MemStore query path); -bench Network1M or -bench Store1M runs one,
// and then peak-MB is that one's alone. Each sub-benchmark reports its
// own time in seconds (or ms per query) and peak-MB, the process's
// maximum resident set so far, generator included.

// synthLinks generates m links among n entities with the shape of a link
// graph: nodes sit in communities whose sizes follow a power law (20 to
// 5,000), each node has a Pareto fitness (tail exponent 2.5, capped so
// the biggest hub has a few thousand links, like a call-centre phone),
// and each link picks one end by fitness across the graph and the other,
// with probability 0.8, by fitness inside the first end's community.
// Repeated pairs are drawn again, so the m links join m distinct pairs.
// Ends are shuffled so that ids carry no locality a real graph would not
// have.
func synthLinks(n, m int, seed uint64) (src, dst []int32) {
	rng := rand.New(rand.NewPCG(seed, 0xda7a))
	var start []int32 // community c holds positions start[c]..start[c+1]-1
	for pos := 0; pos < n; {
		size := int(20 * math.Pow(1-rng.Float64(), -1/1.2))
		size = min(size, 5000, n-pos)
		start = append(start, int32(pos))
		pos += size
	}
	start = append(start, int32(n))
	commOf := make([]int32, n)
	for c := 0; c+1 < len(start); c++ {
		for p := start[c]; p < start[c+1]; p++ {
			commOf[p] = int32(c)
		}
	}
	cum := make([]float64, n+1)
	for p := 0; p < n; p++ {
		f := math.Min(math.Pow(1-rng.Float64(), -1/1.5), 1000)
		cum[p+1] = cum[p] + f
	}
	pick := func(lo, hi int32) int32 { // by fitness within positions [lo,hi)
		x := cum[lo] + rng.Float64()*(cum[hi]-cum[lo])
		i := sort.SearchFloat64s(cum[lo+1:hi+1], x)
		return lo + int32(min(i, int(hi-lo-1)))
	}
	perm := make([]int32, n)
	for i, p := range rng.Perm(n) {
		perm[i] = int32(p)
	}
	// Draw pairs until m distinct ones exist: sort and compact packed
	// pairs rather than hash them, to keep the generator's own memory
	// small next to the graph's.
	var pairs []uint64
	drawn := 0
	for len(pairs) < m {
		for want := len(pairs) + (m-len(pairs))*11/10 + 16; len(pairs) < want; drawn++ {
			// Every entity exists because of some link: the first n
			// draws give each node one.
			u := int32(drawn)
			if drawn >= n {
				u = pick(0, int32(n))
			}
			var v int32
			if c := commOf[u]; rng.Float64() < 0.8 && start[c+1]-start[c] > 1 {
				v = pick(start[c], start[c+1])
			} else {
				v = pick(0, int32(n))
			}
			a, b := perm[u], perm[v]
			if a == b {
				continue
			}
			if a > b {
				a, b = b, a
			}
			pairs = append(pairs, uint64(a)<<32|uint64(b))
		}
		slices.Sort(pairs)
		pairs = slices.Compact(pairs)
	}
	rng.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
	pairs = pairs[:m]
	src, dst = make([]int32, m), make([]int32, m)
	for i, p := range pairs {
		src[i], dst[i] = int32(p>>32), int32(uint32(p))
	}
	return src, dst
}

// synthEntity names node i as an entity of a plausible kind.
func synthEntity(i int32) network.Entity {
	switch i % 10 {
	case 0, 1, 2, 3:
		return network.Entity{Kind: network.KindPerson, Key: fmt.Sprintf("P%08d", i)}
	case 4, 5:
		return network.Entity{Kind: network.KindPhone, Key: fmt.Sprintf("+4420%08d", i)}
	case 6:
		return network.Entity{Kind: network.KindAddress, Key: fmt.Sprintf("%d main street london", i)}
	case 7:
		return network.Entity{Kind: network.KindEmail, Key: fmt.Sprintf("u%d@example.org", i)}
	case 8:
		return network.Entity{Kind: network.KindBooking, Key: fmt.Sprintf("B%07X", i)}
	}
	return network.Entity{Kind: network.KindDocument, Key: fmt.Sprintf("GBR:%09d", i)}
}

func peakMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // KiB on Linux
}

func seconds(b *testing.B, start time.Time) {
	b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "s/op")
	b.ReportMetric(peakMB(), "peak-MB")
}

func BenchmarkNetwork1M(b *testing.B)   { benchNetwork(b, 1_000_000, 5_000_000, false) }
func BenchmarkNetwork100k(b *testing.B) { benchNetwork(b, 100_000, 1_000_000, true) }

func benchNetwork(b *testing.B, n, m int, withGonum bool) {
	src, dst := synthLinks(n, m, 1)
	// The graph is built once, here, so that any sub-benchmark can run
	// alone (-bench 1M/Louvain); Build reports this one measured build.
	t0 := time.Now()
	bl := network.NewBuilder()
	bl.Grow(n, m)
	ids := make([]int32, n) // generator node → builder id
	for v := range ids {
		ids[v] = bl.Intern(synthEntity(int32(v)))
	}
	for i := range src {
		bl.AddEdge(ids[src[i]], ids[dst[i]], 1)
	}
	g := bl.Build()
	buildTime := time.Since(t0)
	src, dst, ids = nil, nil, nil
	runtime.GC()

	b.Run("Build", func(b *testing.B) {
		b.ReportMetric(buildTime.Seconds(), "s/op")
		b.ReportMetric(peakMB(), "peak-MB")
		b.ReportMetric(float64(g.N()), "nodes")
		b.ReportMetric(float64(g.Edges()), "edges")
		b.ReportMetric(float64(g.Bytes())/(1<<20), "csr-MB")
	})

	b.Run("Neighbourhood2Hop", func(b *testing.B) {
		for _, limit := range []int{0, 10_000} {
			rng := rand.New(rand.NewPCG(2, 2))
			var lat []time.Duration
			var sizes int
			for range b.N {
				lat = lat[:0]
				for range 1000 {
					v := int32(rng.IntN(g.N()))
					t0 := time.Now()
					nodes, _, _ := g.Neighbourhood(v, 2, limit)
					lat = append(lat, time.Since(t0))
					sizes += len(nodes)
				}
			}
			slices.Sort(lat)
			sfx := "-all"
			if limit > 0 {
				sfx = "-cap10k"
			}
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms"+sfx)
			b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms"+sfx)
			b.ReportMetric(ms(lat[len(lat)-1]), "max-ms"+sfx)
			b.ReportMetric(float64(sizes)/float64(1000*b.N), "nodes/query"+sfx)
		}
		b.ReportMetric(peakMB(), "peak-MB")
	})

	b.Run("ShortestPath", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(3, 3))
		var lat []time.Duration
		for range b.N {
			lat = lat[:0]
			for range 200 {
				x, y := int32(rng.IntN(g.N())), int32(rng.IntN(g.N()))
				t0 := time.Now()
				g.ShortestPath(x, y)
				lat = append(lat, time.Since(t0))
			}
		}
		slices.Sort(lat)
		b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
		b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
	})

	b.Run("Components", func(b *testing.B) {
		t0 := time.Now()
		var count int
		for range b.N {
			_, count = g.Components()
		}
		seconds(b, t0)
		b.ReportMetric(float64(count), "components")
	})

	b.Run("KCore", func(b *testing.B) {
		t0 := time.Now()
		var core []int32
		for range b.N {
			core = g.KCore()
		}
		seconds(b, t0)
		b.ReportMetric(float64(slices.Max(core)), "max-core")
	})

	b.Run("PageRank", func(b *testing.B) {
		t0 := time.Now()
		for range b.N {
			g.PageRank(0.85, 100, 1e-6)
		}
		seconds(b, t0)
	})

	b.Run("Louvain", func(b *testing.B) {
		t0 := time.Now()
		var comm []int32
		var q float64
		for range b.N {
			comm, q = g.Louvain(1)
		}
		seconds(b, t0)
		b.ReportMetric(q, "modularity")
		b.ReportMetric(float64(slices.Max(comm)+1), "communities")
	})

	b.Run("Betweenness128", func(b *testing.B) {
		t0 := time.Now()
		for range b.N {
			g.Betweenness(128, 1)
		}
		seconds(b, t0)
	})

	if !withGonum {
		return
	}
	b.Run("GonumPageRank", func(b *testing.B) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		t0 := time.Now()
		gg := simple.NewDirectedGraph()
		for v := range g.N() {
			gg.AddNode(simple.Node(v))
		}
		for v := range int32(g.N()) {
			for _, u := range g.Neighbours(v) {
				gg.SetEdge(simple.Edge{F: simple.Node(v), T: simple.Node(u)})
			}
		}
		buildS := time.Since(t0).Seconds()
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ResetTimer() // deletes reported metrics: report after the run
		t0 = time.Now()
		for range b.N {
			gnetwork.PageRankSparse(gg, 0.85, 1e-6)
		}
		seconds(b, t0)
		b.ReportMetric(buildS, "build-s")
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "graph-MB")
		runtime.KeepAlive(gg)
	})
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkStore1M measures the query path analysts and screening use: a
// MemStore holding 5,000,000 links with provenance among 1,000,000
// entities, queried by Entity with an allow filter.
func BenchmarkStore1M(b *testing.B) { benchStore(b, 1_000_000, 5_000_000) }

// BenchmarkStore100k is the same on 100,000 entities and 1,000,000 links.
func BenchmarkStore100k(b *testing.B) { benchStore(b, 100_000, 1_000_000) }

func benchStore(b *testing.B, n, m int) {
	src, dst := synthLinks(n, m, 1)
	ents := make([]network.Entity, n)
	for v := range ents {
		ents[v] = synthEntity(int32(v))
	}
	types := []string{network.LinkHasPhone, network.LinkSameBooking, network.LinkAssociate, network.LinkCoTravel}
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	s := network.NewMemStore()
	t0 := time.Now()
	const batch = 100_000
	links := make([]network.Link, 0, batch)
	for i := range src {
		source := network.SourcePNRGOV
		if i%10 == 0 {
			source = "case-import" // a tenth from one analyst import, removed below
		}
		links = append(links, network.Link{From: ents[src[i]], To: ents[dst[i]], Type: types[i%len(types)],
			Source: source, At: at})
		if len(links) == batch || i == len(src)-1 {
			if _, err := s.AddLinks(ctx, links); err != nil {
				b.Fatal(err)
			}
			links = links[:0]
		}
	}
	load := time.Since(t0)
	src, dst, links = nil, nil, nil
	runtime.GC()
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	b.Run("Load", func(b *testing.B) {
		b.ReportMetric(load.Seconds(), "s/op")
		// Live heap after GC: the store plus the benchmark's entity list.
		b.ReportMetric(float64(mem.HeapAlloc)/(1<<20), "heap-MB")
		b.ReportMetric(float64(s.Len()), "links")
		b.ReportMetric(peakMB(), "peak-MB")
	})
	allow := func(l network.Link) bool { return l.Listing == "" || l.Listing[0] != 'x' }
	b.Run("Neighbourhood2Hop", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(2, 2))
		var lat []time.Duration
		var sizes int
		for range b.N {
			lat = lat[:0]
			for range 1000 {
				e := ents[rng.IntN(n)]
				t0 := time.Now()
				sg, err := s.Neighbourhood(ctx, e, 2, 10_000, allow)
				lat = append(lat, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				sizes += len(sg.Nodes)
			}
		}
		slices.Sort(lat)
		b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
		b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
		b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
		b.ReportMetric(float64(sizes)/float64(1000*b.N), "nodes/query")
		b.ReportMetric(peakMB(), "peak-MB")
	})
	b.Run("Flag", func(b *testing.B) {
		// Every 100th entity is "listed"; flag random entities at 2 hops.
		listed := func(e network.Entity) (string, bool) {
			return e.Key, len(e.Key) > 2 && e.Key[len(e.Key)-2:] == "00"
		}
		rng := rand.New(rand.NewPCG(4, 4))
		var lat []time.Duration
		hits := 0
		for range b.N {
			lat = lat[:0]
			for range 1000 {
				e := ents[rng.IntN(n)]
				t0 := time.Now()
				_, ok, err := s.Flag(ctx, []network.Entity{e}, 2, listed, allow)
				lat = append(lat, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				if ok {
					hits++
				}
			}
		}
		slices.Sort(lat)
		b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
		b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
		b.ReportMetric(float64(hits)/float64(10*b.N), "flagged-%")
	})
	b.Run("Snapshot", func(b *testing.B) {
		t0 := time.Now()
		var g *network.Graph
		for range b.N {
			s.AddLinks(ctx, []network.Link{{From: ents[0], To: ents[1], Type: "analyst", Source: "bench"}}) // invalidate
			g, _ = s.Graph(ctx, nil)
		}
		seconds(b, t0)
		b.ReportMetric(float64(g.Edges()), "edges")
	})
	b.Run("RemoveSource", func(b *testing.B) {
		t0 := time.Now()
		var removed int
		for range b.N {
			removed, _ = s.RemoveSource(ctx, "case-import")
		}
		b.ReportMetric(time.Since(t0).Seconds(), "s/op") // the first call does the work
		b.ReportMetric(float64(removed), "removed")
	})
}
