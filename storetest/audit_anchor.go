package storetest

import (
	"bytes"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
)

// testKey is a fixed node key: checkpoints are signed with it.
var testKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))

// signedAudit opens a signed audit log on a fresh store, with a clock
// that ticks a second per reading.
func signedAudit(t *testing.T, e Engine) (*sqlstore.DB, *sqlstore.AuditLog) {
	t.Helper()
	db := e.Open(t)
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { now = now.Add(time.Second); return now }
	log, err := sqlstore.NewAuditLogWith(db, sqlstore.AuditOptions{Node: db.Origin, Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	return db, log
}

// record appends n entries numbered from first and commits them.
func record(t *testing.T, log *sqlstore.AuditLog, first, n int) {
	t.Helper()
	for i := first; i < first+n; i++ {
		log.Record(t.Context(), tripline.AuditEntry{User: fmt.Sprint("user-", i%3), Agency: "tr-police",
			Role: tripline.RoleOfficer, Action: "listing.read", Subject: fmt.Sprint("un-sc:QDi.", i)})
	}
	if err := log.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func checkpoint(t *testing.T, log *sqlstore.AuditLog) *tripline.AuditCheckpoint {
	t.Helper()
	c, err := log.Checkpoint(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// rechain is the careful attacker: it edits entry seq and recomputes the
// hash of every entry from there on, so that the chain alone verifies.
func rechain(t *testing.T, log *sqlstore.AuditLog, seq int64, detail string) {
	t.Helper()
	es, err := log.Entries(t.Context(), tripline.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	prev := ""
	for _, e := range es {
		if e.Seq == seq {
			e.Detail = detail
		}
		if e.Seq >= seq {
			e.Prev = prev
			e.Hash = e.ComputeHash()
			if _, err := log.SQL().Exec(`UPDATE audit SET detail = ?, prev = ?, hash = ? WHERE seq = ?`, e.Detail, e.Prev, e.Hash, e.Seq); err != nil {
				t.Fatal(err)
			}
		}
		prev = e.Hash
	}
}

func exec(t *testing.T, db *sql.DB, qs ...string) {
	t.Helper()
	for _, q := range qs {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestAuditCheckpointsShowTruncationAndRewrite: what the hash chain alone
// cannot show (its newest entries deleted; an entry edited and every hash
// after it recomputed) fails verification against the signed checkpoints,
// naming the checkpoint that no longer matches.
func testAuditCheckpointsShowTruncationAndRewrite(t *testing.T, e Engine) {
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, log *sqlstore.AuditLog)
		seq    int64    // the entry named, 0 for intact
		want   []string // in the reason
	}{
		{"untouched", func(*testing.T, *sqlstore.AuditLog) {}, 0, nil},
		{"newest 5 deleted", func(t *testing.T, log *sqlstore.AuditLog) {
			exec(t, log.SQL(), `DELETE FROM audit WHERE seq > 15`)
		}, 20, []string{"truncated", "ends at entry 15", "checkpoint of entry 20", "5 newest entries deleted", "still matches is that of entry 10"}},
		{"newest 12 deleted", func(t *testing.T, log *sqlstore.AuditLog) {
			exec(t, log.SQL(), `DELETE FROM audit WHERE seq > 8`)
		}, 20, []string{"truncated", "ends at entry 8", "checkpoint of entry 20", "no checkpoint before it still matches"}},
		{"all deleted", func(t *testing.T, log *sqlstore.AuditLog) {
			exec(t, log.SQL(), `DELETE FROM audit`)
		}, 20, []string{"truncated", "ends at entry 0"}},
		{"edited after the last checkpoint and re-chained", func(t *testing.T, log *sqlstore.AuditLog) {
			rechain(t, log, 14, "nothing to see")
		}, 20, []string{"rewritten", "checkpoint of entry 20", "still matches is that of entry 10"}},
		{"edited before both checkpoints and re-chained", func(t *testing.T, log *sqlstore.AuditLog) {
			rechain(t, log, 3, "nothing to see")
		}, 10, []string{"rewritten", "checkpoint of entry 10", "no checkpoint before it"}},
		{"truncated, then as many new entries appended", func(t *testing.T, log *sqlstore.AuditLog) {
			exec(t, log.SQL(), `DELETE FROM audit WHERE seq > 15`)
			record(t, log, 100, 5)
		}, 20, []string{"rewritten", "of entry 20"}},
		{"checkpoints re-signed with another key", func(t *testing.T, log *sqlstore.AuditLog) {
			rechain(t, log, 3, "nothing to see")
			es, _ := log.Entries(t.Context(), tripline.AuditFilter{})
			for _, seq := range []int64{10, 20} {
				c := tripline.SignAuditCheckpoint("node-test", seq, es[seq-1].Hash, time.Now(), other)
				if _, err := log.SQL().Exec(`UPDATE audit_checkpoints SET hash = ?, sig = ? WHERE seq = ?`, c.Hash, c.Sig, seq); err != nil {
					t.Fatal(err)
				}
			}
		}, 10, []string{"signature does not verify"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, log := signedAudit(t, e)
			record(t, log, 1, 10)
			if c := checkpoint(t, log); c.Seq != 10 {
				t.Fatalf("first checkpoint names entry %d, want 10", c.Seq)
			}
			record(t, log, 11, 10)
			if c := checkpoint(t, log); c.Seq != 20 || !c.Verify(testKey.Public().(ed25519.PublicKey)) {
				t.Fatalf("second checkpoint = %+v, want entry 20 signed by the node key", c)
			}
			tc.tamper(t, log)
			n, broken, err := log.Verify(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if tc.seq == 0 {
				if broken != nil || n != 20 {
					t.Fatalf("untouched log: %v after %d entries", broken, n)
				}
				return
			}
			t.Logf("verify: %v", broken)
			if broken == nil || broken.Seq != tc.seq {
				t.Fatalf("verify = %v, want entry %d named", broken, tc.seq)
			}
			for _, w := range tc.want {
				if !strings.Contains(broken.Reason, w) {
					t.Errorf("verify = %q, want it to say %q", broken.Reason, w)
				}
			}
		})
	}
}

// TestAuditWitnessCheckpoint: an attacker who deletes the newest entries
// and the local checkpoints with them leaves a log that verifies on its
// own; a checkpoint a witness kept still shows the truncation, and one
// forged with another key is refused.
func testAuditWitnessCheckpoint(t *testing.T, e Engine) {
	_, log := signedAudit(t, e)
	pub := testKey.Public().(ed25519.PublicKey)
	record(t, log, 1, 10)
	checkpoint(t, log)
	record(t, log, 11, 10)
	witnessed := checkpoint(t, log)
	exec(t, log.SQL(), `DELETE FROM audit WHERE seq > 12`, `DELETE FROM audit_checkpoints WHERE seq > 12`)

	if _, broken, err := log.Verify(t.Context()); err != nil || broken != nil {
		t.Fatalf("local verify = %v, %v: the test needs the local checkpoints gone too", broken, err)
	}
	v, err := log.VerifyAgainst(t.Context(), pub, []*tripline.AuditCheckpoint{witnessed})
	if err != nil {
		t.Fatal(err)
	}
	if v.Broken == nil || v.Broken.Seq != 20 || !strings.Contains(v.Broken.Reason, "truncated") || !strings.Contains(v.Broken.Reason, "ends at entry 12") {
		t.Fatalf("verify against the witness = %+v, want truncation at 20", v.Broken)
	}
	if v.Anchor == nil || v.Anchor.Seq != 10 || v.Entries != 12 {
		t.Fatalf("verify against the witness: anchor %+v after %d entries, want entry 10 after 12", v.Anchor, v.Entries)
	}
	forged := *witnessed
	forged.Seq, forged.Hash = 12, v.Head
	v, err = log.VerifyAgainst(t.Context(), pub, []*tripline.AuditCheckpoint{&forged})
	if err != nil || v.Broken == nil || !strings.Contains(v.Broken.Reason, "signature does not verify") {
		t.Fatalf("verify against an altered witness copy = %+v, %v", v, err)
	}
}

// TestAuditCheckpointSignedPeriodically: a node signs its head on its own,
// every CheckpointEvery, while the head moves.
func testAuditCheckpointSignedPeriodically(t *testing.T, e Engine) {
	db := e.Open(t)
	log, err := sqlstore.NewAuditLogWith(db, sqlstore.AuditOptions{Node: db.Origin, Key: testKey, CheckpointEvery: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	for _, n := range []int{3, 7} {
		record(t, log, n, n)
		want := int64(3)
		if n == 7 {
			want = 10
		}
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			var got int64
			if err := log.SQL().QueryRow(`SELECT COALESCE(MAX(seq), 0) FROM audit_checkpoints`).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got == want {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("newest checkpoint names entry %d, want %d", got, want)
			}
		}
	}
}

// TestAuditNoCheckpointOverABrokenChain: the node never signs a head that
// does not extend its last checkpoint.
func testAuditNoCheckpointOverABrokenChain(t *testing.T, e Engine) {
	_, log := signedAudit(t, e)
	record(t, log, 1, 5)
	checkpoint(t, log)
	record(t, log, 6, 3)
	exec(t, log.SQL(), `UPDATE audit SET detail = 'x' WHERE seq = 7`)
	if c, err := log.Checkpoint(t.Context()); err == nil || !strings.Contains(err.Error(), "entry 7") {
		t.Fatalf("checkpoint over an altered entry = %+v, %v", c, err)
	}
	exec(t, log.SQL(), `UPDATE audit SET detail = '' WHERE seq = 7`)
	rechain(t, log, 4, "edited")
	if c, err := log.Checkpoint(t.Context()); err == nil || !strings.Contains(err.Error(), "rewritten") {
		t.Fatalf("checkpoint over a re-chained log = %+v, %v", c, err)
	}
}

// TestAuditCloseSignsTheHead: a command-line action's entries are anchored
// when it ends.
func testAuditCloseSignsTheHead(t *testing.T, e Engine) {
	db, log := signedAudit(t, e)
	record(t, log, 1, 4)
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := sqlstore.NewAuditLogWith(db, sqlstore.AuditOptions{Node: db.Origin, Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	var seq int64
	if err := again.SQL().QueryRow(`SELECT MAX(seq) FROM audit_checkpoints`).Scan(&seq); err != nil || seq != 4 {
		t.Fatalf("checkpoint after close = %d, %v; want entry 4", seq, err)
	}
}
