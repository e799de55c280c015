package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeEndToEnd runs `tripline serve` in-process on a free port and
// screens through the API; a listing written through the API is screenable
// at once (the index follows the event log).
func TestServeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	importJSON(t, dir, "--format", "un-xml", unFile2024)
	n := startNode(t, dir)
	if r := n.call("POST", "/v1/screen", `{"ref":"a","name":"Mohammad Tahir Anwari","dob":"1961"}`); r["decision"] != "hit" {
		t.Fatalf("listed person = %v", r)
	}
	if r := n.call("POST", "/v1/screen", `{"ref":"b","name":"Zebulon Quartermaine","dob":"1980"}`); r["decision"] != "clear" {
		t.Fatalf("new name before listing = %v", r)
	}
	n.call("POST", "/v1/listings", `{"id":"local:1","source":"local","names":[{"full":"Zebulon Quartermaine","kind":"primary"}],
		"birth_dates":["1980"],"action":"detain","provenance":{"originator":"local"}}`)
	if r := n.call("POST", "/v1/screen", `{"ref":"c","name":"Zebulon Quartermaine","dob":"1980"}`); r["decision"] != "hit" || r["action"] != "detain" {
		t.Fatalf("new name after listing = %v", r)
	}
	n.call("POST", "/v1/listings/local:1/withdraw", `{"reason":"test"}`)
	if r := n.call("POST", "/v1/screen", `{"ref":"d","name":"Zebulon Quartermaine","dob":"1980"}`); r["decision"] != "clear" {
		t.Fatalf("withdrawn listing still matches: %v", r)
	}
}

// A node removes at start the uploads a killed import left in its spool
// directory (they hold whole lists, narratives included), and refuses an
// import limit out of range (issue 13).
func TestServeRemovesStaleUploads(t *testing.T) {
	dir := t.TempDir()
	spool := filepath.Join(dir, "spool")
	if err := os.MkdirAll(spool, 0o700); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(spool, "tripline-import-42.csv")
	if err := os.WriteFile(stale, []byte("id,narrative\n1,secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	startNode(t, dir)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale upload still there: %v", err)
	}
	if code, _, errs := run(t, dir, "", "serve", "--max-import-bytes", "0"); code != 2 || !strings.Contains(errs, "--max-import-bytes") {
		t.Errorf("--max-import-bytes 0: exit %d, %q", code, errs)
	}
	if code, _, errs := run(t, dir, "", "serve", "--audit-fsync-within", "-1s"); code != 2 || !strings.Contains(errs, "--audit-fsync-within") {
		t.Errorf("--audit-fsync-within -1s: exit %d, %q", code, errs)
	}
}
