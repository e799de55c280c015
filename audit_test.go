package tripline_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"tripline"
)

// chain returns n chained entries.
func chain(n int) []*tripline.AuditEntry {
	var out []*tripline.AuditEntry
	prev := ""
	for i := 1; i <= n; i++ {
		e := &tripline.AuditEntry{Seq: int64(i), At: time.Date(2026, 11, 25, 8, 0, i, 0, time.UTC), User: "u",
			Action: "listing.read", Subject: fmt.Sprint("s:", i), Prev: prev}
		e.Hash = e.ComputeHash()
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

// TestChainVerifierCheckpoints: a checkpoint matches the entry it signed;
// one past the end shows a truncation, one with another hash a rewrite,
// one signed with another key a forgery.
func TestChainVerifierCheckpoints(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, ed25519.SeedSize))
	es := chain(5)
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	sign := func(seq int64, hash string, k ed25519.PrivateKey) *tripline.AuditCheckpoint {
		return tripline.SignAuditCheckpoint("n1", seq, hash, at, k)
	}
	for _, tc := range []struct {
		name string
		cps  []*tripline.AuditCheckpoint
		seq  int64
		want string
	}{
		{"none", nil, 0, ""},
		{"matching", []*tripline.AuditCheckpoint{sign(2, es[1].Hash, key), sign(5, es[4].Hash, key)}, 0, ""},
		{"past the end", []*tripline.AuditCheckpoint{sign(3, es[2].Hash, key), sign(7, "x", key), sign(9, "y", key)}, 9, "truncated: the log ends at entry 5, but the checkpoint of entry 9"},
		{"another hash", []*tripline.AuditCheckpoint{sign(2, es[1].Hash, key), sign(4, es[2].Hash, key)}, 4, "rewritten"},
		{"another key", []*tripline.AuditCheckpoint{sign(4, es[3].Hash, other)}, 4, "signature does not verify"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := tripline.ChainVerifier{Key: key.Public().(ed25519.PublicKey)}
			cps := tc.cps
			var broken *tripline.ChainError
			for _, e := range es {
				if broken = v.Next(e); broken != nil {
					t.Fatal(broken)
				}
				for len(cps) > 0 && cps[0].Seq <= e.Seq && broken == nil {
					broken, cps = v.Checkpoint(cps[0]), cps[1:]
				}
				if broken != nil {
					break
				}
			}
			for ; len(cps) > 0 && broken == nil; cps = cps[1:] {
				broken = v.Checkpoint(cps[0])
			}
			if broken == nil {
				broken = v.End()
			}
			if tc.seq == 0 {
				if broken != nil {
					t.Fatalf("verify = %v, want intact", broken)
				}
				return
			}
			if broken == nil || broken.Seq != tc.seq || !strings.Contains(broken.Reason, tc.want) {
				t.Fatalf("verify = %v, want entry %d: %s", broken, tc.seq, tc.want)
			}
		})
	}
}

// TestAuditCheckpointJSON: a checkpoint survives its JSON form (what a
// witness keeps) with its signature valid, and any changed field breaks it.
func TestAuditCheckpointJSON(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	pub := key.Public().(ed25519.PublicKey)
	c := tripline.SignAuditCheckpoint("n1", 42, "abc", time.Date(2026, 11, 25, 9, 0, 0, 123456789, time.FixedZone("x", 3600)), key)
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back tripline.AuditCheckpoint
	if err := json.Unmarshal(b, &back); err != nil || !back.Verify(pub) {
		t.Fatalf("checkpoint from %s: verify false (%v)", b, err)
	}
	for _, change := range []func(c *tripline.AuditCheckpoint){
		func(c *tripline.AuditCheckpoint) { c.Seq++ },
		func(c *tripline.AuditCheckpoint) { c.Hash = "abd" },
		func(c *tripline.AuditCheckpoint) { c.Node = "n2" },
		func(c *tripline.AuditCheckpoint) { c.At = c.At.Add(time.Nanosecond) },
	} {
		d := back
		change(&d)
		if d.Verify(pub) {
			t.Errorf("changed checkpoint %+v still verifies", d)
		}
	}
}

// The chain hash is the one every stored entry was chained with: written
// without fmt for speed (issue 17), it must not move.
func TestComputeHashUnchanged(t *testing.T) {
	old := func(e *tripline.AuditEntry) string {
		h := sha256.New()
		for _, f := range []string{strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano), e.User, e.Agency,
			string(e.Role), e.Action, e.Subject, e.Detail, e.Prev} {
			fmt.Fprintf(h, "%d:%s|", len(f), f)
		}
		return hex.EncodeToString(h.Sum(nil))
	}
	at := time.Date(2026, 12, 3, 7, 1, 2, 345678900, time.FixedZone("x", 3600))
	for _, e := range []tripline.AuditEntry{
		{},
		{Seq: 1, At: at, User: "ofc", Agency: "s", Role: tripline.RoleOfficer, Action: "screen", Subject: "load-1", Prev: ""},
		{Seq: -7, At: at.Add(time.Hour), User: "ü|:", Agency: "åäö", Role: tripline.RoleAdmin, Action: "user.disable", Subject: "محمد", Detail: strings.Repeat("d", 300), Prev: "ab12"},
		{Seq: 1 << 62, At: time.Unix(0, 0), Detail: "1:2|"},
	} {
		if got, want := e.ComputeHash(), old(&e); got != want {
			t.Errorf("hash of %+v = %s, want %s", e, got, want)
		}
	}
}

func TestAuditEntryBound(t *testing.T) {
	long := strings.Repeat("é", tripline.MaxAuditField) // two bytes each: the cut falls inside one
	e := tripline.AuditEntry{User: "u1", Action: "audit.witnessed", Subject: long, Detail: "short"}
	e.Bound()
	if len(e.Subject) > tripline.MaxAuditField+40 || !utf8.ValidString(e.Subject) || !strings.HasSuffix(e.Subject, fmt.Sprintf("… (%d bytes)", len(long))) {
		t.Fatalf("bounded subject: %d bytes, valid %v, ends %q", len(e.Subject), utf8.ValidString(e.Subject), e.Subject[len(e.Subject)-20:])
	}
	if e.Detail != "short" || e.User != "u1" {
		t.Fatalf("short fields changed: %+v", e)
	}
}
