package storetest

import (
	"crypto/ed25519"
	"slices"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
)

// testAuditWitness: a partner's checkpoints are kept once each, read back
// still signed, oldest entry first; one that contradicts a kept one (the
// same entry with another hash, or an entry before the newest) is kept as
// evidence and reported as a conflict; each partner's are its own.
func testAuditWitness(t *testing.T, e Engine) {
	ctx := t.Context()
	db := e.Open(t)
	fed := sqlstore.NewFederationStore(db)
	pub, priv, _ := ed25519.GenerateKey(nil)
	at := time.Date(2026, 12, 3, 9, 0, 0, 123456789, time.UTC)
	sign := func(node string, seq int64, hash string) *tripline.AuditCheckpoint {
		return tripline.SignAuditCheckpoint(node, seq, hash, at.Add(time.Duration(seq)*time.Minute), priv)
	}
	for _, tc := range []struct {
		c        *tripline.AuditCheckpoint
		new      bool
		conflict bool
	}{
		{sign("A", 5, "h5"), true, false},
		{sign("A", 5, "h5"), false, false}, // fetched again: kept once
		{sign("A", 9, "h9"), true, false},
		{sign("B", 2, "b2"), true, false}, // another partner's
		{sign("A", 9, "x9"), true, true},  // entry 9 rewritten
		{sign("A", 7, "h7"), true, true},  // cut back below 9
		{sign("A", 12, "h12"), true, false},
	} {
		kept, err := fed.Witness(ctx, tc.c)
		if kept != tc.new || (tripline.ErrorCode(err) == tripline.ECONFLICT) != tc.conflict || (err != nil && !tc.conflict) {
			t.Fatalf("witness %s of %s = %v, %v; want new %v, conflict %v", tc.c, tc.c.Node, kept, err, tc.new, tc.conflict)
		}
	}
	cs, err := fed.Witnessed(ctx, "A", 0, 0)
	if err != nil || len(cs) != 5 {
		t.Fatalf("witnessed A = %d, %v; want 5", len(cs), err)
	}
	var seqs []int64
	for _, c := range cs {
		seqs = append(seqs, c.Seq)
		if !c.Verify(pub) || c.Node != "A" {
			t.Fatalf("checkpoint %s read back no longer verifies", c)
		}
	}
	if want := []int64{5, 7, 9, 9, 12}; !slices.Equal(seqs, want) {
		t.Fatalf("witnessed A entries %v, want %v", seqs, want)
	}
	// Paged between entries: a page of 3 that would end inside entry 9
	// takes both of its checkpoints.
	var paged []int64
	for after := int64(0); ; {
		page, err := fed.Witnessed(ctx, "A", after, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			paged = append(paged, c.Seq)
		}
		if len(page) < 3 {
			break
		}
		after = page[len(page)-1].Seq
	}
	if want := []int64{5, 7, 9, 9, 12}; !slices.Equal(paged, want) {
		t.Fatalf("witnessed A by pages of 3: %v, want %v", paged, want)
	}
	if cs, err := fed.Witnessed(ctx, "C", 0, 0); err != nil || len(cs) != 0 {
		t.Fatalf("witnessed C = %v, %v; want none", cs, err)
	}
}
