package federation_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tripline"
	"tripline/federation"
	"tripline/sqlstore"
)

// TestWitnessRefusesWhatAPartnerForges: a partner serving audit heads
// that are not its own (another key's signature, another node's name) or
// that it signed ill-formed (a huge hash, to fill the witness's disk) has
// none kept; a good head is kept, and a later head before it (the
// partner's log cut back) is kept as evidence, audited and counted.
func TestWitnessRefusesWhatAPartnerForges(t *testing.T) {
	pubA, privA, _ := ed25519.GenerateKey(nil)
	_, privX, _ := ed25519.GenerateKey(nil)
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	hash := strings.Repeat("ab", 32)
	var serve atomic.Pointer[tripline.AuditCheckpoint]
	var served atomic.Int64 // each case's head was fetched: no refusal below is vacuous
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/audit/checkpoint" || r.Header.Get(federation.HeaderNode) != "B" {
			http.Error(w, "unexpected "+r.URL.String(), http.StatusBadRequest)
			return
		}
		served.Add(1)
		json.NewEncoder(w).Encode(serve.Load())
	}))
	defer srv.Close()
	db := mustDB(t, "B")
	p := peerFor(t, db, "A", pubA, srv.URL)
	spy := &auditSpy{}
	p.Audit = spy
	store := sqlstore.NewFederationStore(db)
	for i, tc := range []struct {
		name string
		c    *tripline.AuditCheckpoint
		kept []int64 // the entries kept of A after the fetch
	}{
		{"another key's signature", tripline.SignAuditCheckpoint("A", 5, hash, at, privX), nil},
		{"another node's name", tripline.SignAuditCheckpoint("X", 5, hash, at, privA), nil},
		{"a huge hash", tripline.SignAuditCheckpoint("A", 5, strings.Repeat("ab", 1<<20), at, privA), nil},
		{"no entry", tripline.SignAuditCheckpoint("A", 0, hash, at, privA), nil},
		{"a good head", tripline.SignAuditCheckpoint("A", 5, hash, at, privA), []int64{5}},
		{"the same again", tripline.SignAuditCheckpoint("A", 5, hash, at, privA), []int64{5}},
		{"cut back", tripline.SignAuditCheckpoint("A", 3, strings.Repeat("cd", 32), at.Add(time.Hour), privA), []int64{3, 5}},
	} {
		serve.Store(tc.c)
		p.WitnessAudits(context.Background())
		if served.Load() != int64(i+1) {
			t.Fatalf("%s: the witness fetched %d heads, want %d", tc.name, served.Load(), i+1)
		}
		cs, err := store.Witnessed(context.Background(), "A", 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, c := range cs {
			got = append(got, c.Seq)
		}
		if len(got) != len(tc.kept) || len(got) > 0 && got[len(got)-1] != tc.kept[len(tc.kept)-1] || len(got) > 0 && got[0] != tc.kept[0] {
			t.Fatalf("%s: kept %v, want %v", tc.name, got, tc.kept)
		}
	}
	// A partner cannot plant a copy of another node's log here either.
	if cs, err := store.Witnessed(context.Background(), "X", 0, 0); err != nil || len(cs) != 0 {
		t.Fatalf("kept of X, from A: %v, %v", cs, err)
	}
	var conflicts int
	for _, e := range spy.entries {
		if e.Action == "audit.witness.conflict" && e.Subject == "A" && strings.Contains(e.Detail, "cut back") {
			conflicts++
		}
	}
	if conflicts != 1 {
		t.Fatalf("audit entries of the cut: %d, want 1 (%+v)", conflicts, spy.entries)
	}
	if h := p.Health(); len(h) != 1 || h[0].Health == nil || h[0].Health.WitnessConflicts != 1 || h[0].Health.Witnessed != 5 {
		t.Fatalf("A's health = %+v, want 1 conflict, entry 5 witnessed", h[0].Health)
	}
}

// TestWitnessedPagesBounded: fetching what a partner kept of this node's
// checkpoints ends at a short page, and a partner paging on for ever with
// full pages is refused past MaxWitnessed checkpoints. Before, such a
// partner held `tripline audit verify --witnesses`, and its memory, for
// ever.
func TestWitnessedPagesBounded(t *testing.T) {
	pubA, _, _ := ed25519.GenerateKey(nil)
	var full atomic.Bool
	var pages atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
		n := 1 // a short page: always naming a next one
		if full.Load() {
			n = tripline.WitnessedPageSize
		}
		cs := make([]*tripline.AuditCheckpoint, n)
		for i := range cs {
			cs[i] = &tripline.AuditCheckpoint{Node: "B", Seq: after + int64(i) + 1}
		}
		pages.Add(1)
		json.NewEncoder(w).Encode(map[string]any{"checkpoints": cs, "next": after + int64(n)})
	}))
	defer srv.Close()
	p := peerFor(t, mustDB(t, "B"), "A", pubA, srv.URL)
	p.MaxWitnessed = 3 * tripline.WitnessedPageSize
	x, _ := p.Partner("A")
	cs, err := p.Witnessed(context.Background(), x)
	if err != nil || len(cs) != 1 || pages.Load() != 1 {
		t.Fatalf("short page naming a next one: %d checkpoints in %d pages, %v; want the one page", len(cs), pages.Load(), err)
	}
	full.Store(true)
	pages.Store(0)
	_, err = p.Witnessed(context.Background(), x)
	if tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(tripline.ErrorMessage(err), "more than 15000 checkpoints") || pages.Load() != 4 {
		t.Fatalf("full pages for ever: %d pages, %v; want EINVALID after 4", pages.Load(), err)
	}
}
