package tripline

import (
	"strings"
	"testing"
	"time"
)

func TestWitnessConflict(t *testing.T) {
	kept := &AuditCheckpoint{Node: "A", Seq: 9, Hash: "h9"}
	for _, tc := range []struct {
		name string
		kept *AuditCheckpoint
		c    *AuditCheckpoint
		want string // "" for no conflict
	}{
		{"first", nil, &AuditCheckpoint{Node: "A", Seq: 3, Hash: "h3"}, ""},
		{"later entry", kept, &AuditCheckpoint{Node: "A", Seq: 12, Hash: "h12"}, ""},
		{"same entry, same hash", kept, &AuditCheckpoint{Node: "A", Seq: 9, Hash: "h9"}, ""},
		{"same entry, other hash", kept, &AuditCheckpoint{Node: "A", Seq: 9, Hash: "x9"}, "rewritten"},
		{"earlier entry", kept, &AuditCheckpoint{Node: "A", Seq: 4, Hash: "h4"}, "cut back"},
	} {
		err := WitnessConflict(tc.kept, tc.c)
		if tc.want == "" && err != nil || tc.want != "" && (ErrorCode(err) != ECONFLICT || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestValidateWitnessed(t *testing.T) {
	good := func() *AuditCheckpoint {
		return &AuditCheckpoint{Node: "A", Seq: 3, Hash: strings.Repeat("ab", 32), At: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), Sig: make([]byte, 64)}
	}
	if err := ValidateWitnessed("A", good()); err != nil {
		t.Fatalf("a well-formed checkpoint: %v", err)
	}
	for _, tc := range []struct {
		name string
		bad  func(*AuditCheckpoint)
		want string
	}{
		{"another node", func(c *AuditCheckpoint) { c.Node = "B" }, "names node"},
		{"no entry", func(c *AuditCheckpoint) { c.Seq = 0 }, "entry 0"},
		{"a huge hash", func(c *AuditCheckpoint) { c.Hash = strings.Repeat("ab", 1<<20) }, "SHA-256"},
		{"not hex", func(c *AuditCheckpoint) { c.Hash = strings.Repeat("zz", 32) }, "SHA-256"},
		{"no time", func(c *AuditCheckpoint) { c.At = time.Time{} }, "no time"},
		{"a huge signature", func(c *AuditCheckpoint) { c.Sig = make([]byte, 1<<20) }, "signature"},
	} {
		c := good()
		tc.bad(c)
		if err := ValidateWitnessed("A", c); ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want invalid naming %q", tc.name, err, tc.want)
		}
	}
}
