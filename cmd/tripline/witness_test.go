package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"tripline"
)

// TestPartnersWitnessAuditLogs: B keeps A's audit checkpoints as its
// witness. An attacker holding A's data directory deletes A's newest audit
// entries and A's own checkpoints, so that A's log verifies on its own;
// it fails against the copy B kept (`tripline audit witnessed A` at B,
// `audit verify --checkpoint` at A), and once A serves again B notices the
// cut itself and raises it in its audit log.
func TestPartnersWitnessAuditLogs(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two tripline processes")
	}
	t.Parallel() // processes of its own, no PostgreSQL: runs beside the other such tests
	tmp := t.TempDir()
	bin := tripBinary(t)
	a := newFedNode(t, bin, tmp, "A", "analyst", "auditor")
	b := newFedNode(t, bin, tmp, "B", "auditor")
	b.extra = []string{"TRIPLINE_AUDIT_WITNESS_EVERY=100ms"}
	a.cli("partners", "add", "B", "--agency", b.agency, "--key", b.key, "--url", "http://"+b.addr)
	b.cli("partners", "add", "A", "--agency", a.agency, "--key", a.key, "--url", "http://"+a.addr)
	for _, n := range []*fedNode{a, b} {
		n.start()
		t.Cleanup(func() { n.stop(syscall.SIGTERM) })
	}
	defer func() {
		if t.Failed() {
			t.Logf("---- B log (tail) ----\n%s", tail(b.log(), 4000))
		}
	}()
	for i := range 4 {
		a.must("analyst", "POST", "/v1/listings", listingBody("agency-a", fmt.Sprint(i), fmt.Sprintf("Person Number%d Witness", i), "1970", "allowed"))
	}
	head := int64(a.must("auditor", "GET", "/v1/audit/checkpoint", "")["seq"].(float64))
	witnessed := func() []*tripline.AuditCheckpoint {
		st, page := b.call("auditor", "GET", "/v1/audit/witnessed?node=A", "")
		raw, _ := json.Marshal(page["checkpoints"])
		var cs []*tripline.AuditCheckpoint
		if st != 200 || json.Unmarshal(raw, &cs) != nil {
			return nil
		}
		return cs
	}
	within(t, 30*time.Second, "B keeps A's audit head", func() bool {
		cs := witnessed()
		return len(cs) > 0 && cs[len(cs)-1].Seq >= head
	})
	// B's other agencies, and A for another node's copy, may not read it.
	if st, _ := a.call("analyst", "GET", "/v1/audit/witnessed?node=A", ""); st != 403 && st != 401 {
		t.Fatalf("an analyst reading the witnessed checkpoints: %d", st)
	}
	a.stop(syscall.SIGTERM)
	b.stop(syscall.SIGTERM)
	file := filepath.Join(tmp, "A.witness.json")
	if err := os.WriteFile(file, []byte(b.cli("audit", "witnessed", "A")), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := run(t, a.dir, "", "audit", "verify", "--checkpoint", file); code != 0 {
		t.Fatalf("A's intact log against B's copy: exit %d: %s", code, out)
	}
	if code, out, errs := run(t, a.dir, "", "audit", "verify", "--witnesses"); code != 1 || !strings.Contains(errs, "no partner with an address answered") {
		t.Fatalf("--witnesses with B down = %d %s %s; want it to say nobody answered", code, out, errs)
	}

	// The attacker cuts A's log back, its own checkpoints with it.
	cut := head / 2
	db, err := sql.Open("sqlite", "file:"+filepath.Join(a.dir, "tripline-audit.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DELETE FROM audit WHERE seq > ?`, `DELETE FROM audit_checkpoints WHERE seq > ?`} {
		if _, err := db.Exec(q, cut); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if code, out, _ := run(t, a.dir, "", "audit", "verify"); code != 0 {
		t.Fatalf("A's cut log on its own = %d %s: the attacker's cut should pass there", code, out)
	}
	code, out, _ := run(t, a.dir, "", "audit", "verify", "--checkpoint", file)
	if code != 1 || !strings.Contains(out, "checkpoint of entry") {
		t.Fatalf("A's cut log against B's copy = %d %s; want it broken", code, out)
	}

	// A's oversight need not ask B's auditors: A fetches B's copy itself.
	b.start()
	code, out, _ = run(t, a.dir, "", "audit", "verify", "--witnesses")
	if code != 1 || !strings.Contains(out, "checkpoint of entry") {
		t.Fatalf("A's cut log against its partners' copies = %d %s; want it broken", code, out)
	}

	// A serves again, its newest checkpoint now before the one B kept:
	// B says so.
	a.start()
	within(t, 30*time.Second, "B raises the cut in its audit log", func() bool {
		_, page := b.call("auditor", "GET", "/v1/audit?subject=A", "")
		return strings.Contains(fmt.Sprint(page), "audit.witness.conflict")
	})
	if !strings.Contains(b.log(), "ALERT: a partner's audit log contradicts the checkpoint kept of it") {
		t.Fatal("B's log has no alert of the cut")
	}
	metrics := b.scrape()
	if !strings.Contains(metrics, `tripline_partner_audit_witness_conflicts_total{partner="A"}`) ||
		strings.Contains(metrics, `tripline_partner_audit_witness_conflicts_total{partner="A"} 0`) {
		t.Fatalf("B's metrics do not count the conflict:\n%s", grepLines(metrics, "witness"))
	}
}
