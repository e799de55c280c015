package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"tripline"
	"tripline/importer"
	"tripline/sqlite"
	"tripline/sqlstore"
)

// BenchmarkImport1M reads a generated 1,000,000-listing CSV file and imports
// it into a fresh SQLite store, the whole of `tripline import`. Run with
//
//	go test ./cmd/tripline -run x -bench Import1M -benchtime 1x
func BenchmarkImport1M(b *testing.B) { benchImport(b, 1_000_000, false) }

// BenchmarkImport100k is the same at a tenth of the size.
func BenchmarkImport100k(b *testing.B) { benchImport(b, 100_000, false) }

// BenchmarkReimport1M imports the same file again into the store holding
// it: the daily refresh of a large list, where nothing or little changed.
func BenchmarkReimport1M(b *testing.B) { benchImport(b, 1_000_000, true) }

func benchImport(b *testing.B, n int, again bool) {
	dir := b.TempDir()
	path := filepath.Join(dir, "gen.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := importer.GenerateCSV(f, n, 42); err != nil {
		b.Fatal(err)
	}
	f.Close()
	ctx := context.Background()
	importFile := func(dbPath string) *tripline.ImportSummary {
		src, ls, err := importer.Stream(ctx, "csv", path, "gen", nil)
		if err != nil {
			b.Fatal(err)
		}
		db := sqlite.NewDB(dbPath)
		if err := db.Open(); err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		sum, err := sqlstore.NewListingService(db).ImportListings(ctx, src, ls)
		if err != nil {
			b.Fatal(err)
		}
		return sum
	}
	dbPath := func() string { return filepath.Join(dir, "data", time.Now().Format("150405.000000"), "tripline.db") }
	var held string
	if again {
		held = dbPath()
		importFile(held)
	}
	runtime.GC()
	b.ResetTimer()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		target := held
		if !again {
			target = dbPath()
		}
		sum := importFile(target)
		if again && sum.Unchanged != n || !again && sum.Added != n {
			b.Fatalf("import: %+v", sum)
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(n)*float64(b.N)/total.Seconds(), "listings/s")
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-MB")
	}
}
