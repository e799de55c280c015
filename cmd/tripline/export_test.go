package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportUNRoundTrip: the whole UN list exported as FtM imports back
// into another node as the same 682 people, and its STIX bundle and the
// (empty) encounters CSV come out; a bad --format is a usage error.
func TestExportUNRoundTrip(t *testing.T) {
	dir := t.TempDir()
	importJSON(t, dir, "--format", "un-xml", unFile2024)
	code, out, errs := run(t, dir, "", "listings", "export", "--format", "ftm")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	file := filepath.Join(t.TempDir(), "un.ftm.json")
	os.WriteFile(file, []byte(out), 0o600)
	if got := importJSON(t, t.TempDir(), "--format", "ftm", "--source", "back", file); got.Added != 682 {
		t.Fatalf("round trip: %+v", got)
	}
	if code, out, errs = run(t, dir, "", "listings", "export", "--format", "stix", "--source", "un-sc"); code != 0 || strings.Count(out, `"type":"indicator"`) != 682 {
		t.Fatalf("stix: exit %d, %d indicators: %s", code, strings.Count(out, `"type":"indicator"`), errs)
	}
	if code, out, _ = run(t, dir, "", "encounters", "export"); code != 0 || !strings.HasPrefix(out, "id,at,listing,") {
		t.Fatalf("encounters: exit %d %q", code, out)
	}
	if code, _, errs = run(t, dir, "", "listings", "export", "--format", "xml"); code != 2 || !strings.Contains(errs, "want ftm or stix") {
		t.Fatalf("bad format: exit %d %s", code, errs)
	}
}
