package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"tripline"
	"tripline/importer"
	"tripline/sqlite"
	"tripline/sqlstore"
)

// TestImportKilledMidway kills an import process with SIGKILL while it is
// writing and checks the store is at the previous consistent state, then
// that the next import completes.
func TestImportKilledMidway(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and imports 400,000 listings")
	}
	t.Parallel() // processes of its own, no PostgreSQL: runs beside the other such tests
	tmp := t.TempDir()
	bin := tripBinary(t)
	small, big := filepath.Join(tmp, "small.csv"), filepath.Join(tmp, "big.csv")
	writeGenerated(t, small, 100)
	writeGenerated(t, big, 400_000)
	data := filepath.Join(tmp, "data")
	if out, err := exec.Command(bin, "import", "--data", data, "--format", "csv", "--source", "gen", small).CombinedOutput(); err != nil {
		t.Fatalf("small import: %v\n%s", err, out)
	}

	cmd := exec.Command(bin, "import", "--data", data, "--format", "csv", "--source", "gen", big)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the import is writing: the WAL grows past the size of the
	// small import's pages. It grows once the transaction outgrows the page
	// cache (256 MiB, about 200,000 listings), so the file is twice that:
	// the kill lands mid-import, seconds before the commit.
	wal := filepath.Join(data, "tripline.db-wal")
	// A cap, not a timing: a busy machine (or a -race build) takes
	// minutes to get there.
	deadline := time.Now().Add(4 * time.Minute)
	for {
		if fi, err := os.Stat(wal); err == nil && fi.Size() > 8<<20 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("import never started writing")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	cmd.Wait()

	count := func() (listings int, last int64) {
		db := sqlite.NewDB(filepath.Join(data, "tripline.db"))
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ls, err := sqlstore.NewListingService(db).Listings(context.Background(), tripline.ListingFilter{})
		if err != nil {
			t.Fatal(err)
		}
		last, err = sqlstore.NewEventService(db).LastSeq(context.Background(), "local")
		if err != nil {
			t.Fatal(err)
		}
		return len(ls), last
	}
	if n, last := count(); n != 100 || last != 100 {
		t.Fatalf("after the kill: %d listings, last event %d; want the previous 100 and 100", n, last)
	}
	// The next import opens the store over the killed one's WAL and
	// writes: 20,000 listings show that as well as the 400,000 did, in a
	// fraction of the time (this test was the package's longest).
	next := filepath.Join(tmp, "next.csv")
	writeGenerated(t, next, 20_000)
	if out, err := exec.Command(bin, "import", "--data", data, "--format", "csv", "--source", "gen", next).CombinedOutput(); err != nil {
		t.Fatalf("import after kill: %v\n%s", err, out)
	}
	if n, last := count(); n != 20_000 || last <= 100 {
		t.Fatalf("after the next import: %d listings, last event %d; want 20000 and more events", n, last)
	}
}

func writeGenerated(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := importer.GenerateCSV(f, n, 1); err != nil {
		t.Fatal(err)
	}
}
