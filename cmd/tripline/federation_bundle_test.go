package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// outboxHas reports whether n's report outbox holds an entry whose id
// starts with prefix, with status ("" any).
func outboxHas(n *fedNode, prefix, status string) bool {
	_, out := n.call("analyst", "GET", "/v1/reports", "")
	rs, _ := out["reports"].([]any)
	for _, x := range rs {
		m := x.(map[string]any)
		if id, _ := m["id"].(string); strings.HasPrefix(id, prefix) && (status == "" || m["status"] == status) {
			return true
		}
	}
	return false
}

// TestFederationBundleBothWays is issue 15 item 8 on real processes: B is
// air-gapped (A and B know each other by key only). A's listing reaches B
// by bundle; B's officer hits it, and the report comes back by bundle; A's
// acknowledgement goes to B by bundle, B's outcome back to A. A replayed,
// tampered or misaddressed bundle is refused with an error naming it.
func TestFederationBundleBothWays(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two tripline processes")
	}
	t.Parallel() // processes of its own, no PostgreSQL: runs beside the other such tests
	mk := fedNodes(t)
	a, b := mk("A"), mk("B")
	a.cli("partners", "add", "B", "--agency", b.agency, "--key", b.key)
	b.cli("partners", "add", "A", "--agency", a.agency, "--key", a.key)
	startNodes(t, a, b)

	tmp := t.TempDir()
	bundle := func(n int) string { return filepath.Join(tmp, fmt.Sprintf("bundle-%d.tlb", n)) }

	// A → B: the listing.
	a.must("analyst", "POST", "/v1/listings", listingBody("agency-a", "1", "Wilhelmina Throckmorton", "1971-03-04", "allowed"))
	a.cli("federation", "export", "--to", "B", bundle(1))
	if out := b.cli("federation", "import", bundle(1)); !strings.Contains(out, "bundle 1 from A: 1 new events") {
		t.Fatalf("import at B: %s", out)
	}
	within(t, 20*time.Second, "A's listing screenable at B", func() bool {
		return decisionOf(b, "Wilhelmina Throckmorton", "1971-03-04") == "hit"
	})

	// B → A: the encounter report, waiting in B's outbox for a bundle.
	st, r := b.call("officer", "POST", "/v1/screen", `{"ref":"gap-1","name":"Wilhelmina Throckmorton","dob":"1971-03-04"}`)
	if st != 200 || r["decision"] != "hit" {
		t.Fatalf("B screening = %d %v", st, r)
	}
	enc := r["encounters"].([]any)[0].(string)
	within(t, 20*time.Second, "B's report queued for A", func() bool { return outboxHas(b, enc, "") })
	b.cli("federation", "export", "--to", "A", bundle(2))
	if !outboxHas(b, enc, "sent") {
		t.Fatal("B's report is not marked sent once bundled")
	}
	a.cli("federation", "import", bundle(2))
	within(t, 20*time.Second, "B's report in A's queue", func() bool {
		st, e := a.call("analyst", "GET", "/v1/encounters/"+enc, "")
		return st == 200 && e["agency"] == "agency-b"
	})

	// A acknowledges; the acknowledgement and A's receipt go to B.
	a.must("analyst", "POST", "/v1/encounters/"+enc+"/ack", "")
	within(t, 20*time.Second, "A's acknowledgement queued for B", func() bool { return outboxHas(a, enc+"#ack", "") })
	a.cli("federation", "export", "--to", "B", bundle(3))
	b.cli("federation", "import", bundle(3))
	within(t, 20*time.Second, "A's acknowledgement visible at B", func() bool {
		st, e := b.call("analyst", "GET", "/v1/encounters/"+enc, "")
		return st == 200 && e["acknowledged"] != nil
	})
	if !outboxHas(b, enc, "acknowledged") {
		t.Fatal("B's report is not acknowledged after A's receipt")
	}

	// B records the outcome; it reaches A.
	b.must("officer", "POST", "/v1/encounters/"+enc+"/resolve", `{"outcome":"refused","note":"turned back at the gate"}`)
	within(t, 20*time.Second, "B's outcome queued for A", func() bool { return outboxHas(b, enc+"#outcome", "") })
	b.cli("federation", "export", "--to", "A", bundle(4))
	a.cli("federation", "import", bundle(4))
	within(t, 20*time.Second, "B's outcome visible at A", func() bool {
		st, e := a.call("analyst", "GET", "/v1/encounters/"+enc, "")
		return st == 200 && e["outcome"] == "refused" && e["note"] == "turned back at the gate"
	})

	// Hostile bundles: each refused (exit 1), naming the file and why.
	raw, _ := os.ReadFile(bundle(4))
	tampered := filepath.Join(tmp, "tampered.tlb")
	os.WriteFile(tampered, []byte(strings.Replace(string(raw), "turned back", "waved through", 1)), 0o600)
	for _, tc := range []struct {
		on         *fedNode
		file, want string
	}{
		{a, bundle(2), "already imported"},
		{a, tampered, "does not verify"},
		{b, bundle(4), `addressed to "A", this node is "B"`},
	} {
		cmd := exec.Command(tc.on.bin, "federation", "import", tc.file)
		cmd.Env = tc.on.env()
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), tc.want) || !strings.Contains(string(out), filepath.Base(tc.file)) {
			t.Errorf("%s: import %s = %v\n%s\nwant refused: %q", tc.on.id, filepath.Base(tc.file), err, out, tc.want)
		}
	}
	if st, e := a.call("analyst", "GET", "/v1/encounters/"+enc, ""); st != 200 || e["outcome"] != "refused" {
		t.Fatalf("A's encounter after the refused bundles: %d %v", st, e)
	}

	// A hit made by a command that exits at once (B not serving) is still
	// owed to A, and goes in B's next bundle.
	b.stop(syscall.SIGTERM)
	screen := exec.Command(b.bin, "screen")
	screen.Env, screen.Stdin = b.env(), strings.NewReader(`{"ref":"gap-2","name":"Wilhelmina Throckmorton","dob":"1971-03-04"}`+"\n")
	line, err := screen.Output()
	var res struct {
		Decision   string   `json:"decision"`
		Encounters []string `json:"encounters"`
	}
	if err != nil || json.Unmarshal(line, &res) != nil || res.Decision != "hit" || len(res.Encounters) != 1 {
		t.Fatalf("B's command-line screening: %v %s", err, line)
	}
	b.cli("federation", "export", "--to", "A", bundle(5))
	a.cli("federation", "import", bundle(5))
	within(t, 20*time.Second, "the command line's report in A's queue", func() bool {
		st, _ := a.call("analyst", "GET", "/v1/encounters/"+res.Encounters[0], "")
		return st == 200
	})
}
