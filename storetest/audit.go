package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
)

func auditWith(t *testing.T, e Engine, n int) (*sqlstore.DB, *sqlstore.AuditLog) {
	t.Helper()
	db := e.Open(t)
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { now = now.Add(time.Second); return now }
	log, err := sqlstore.NewAuditLog(db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	for i := 1; i <= n; i++ {
		log.Record(context.Background(), tripline.AuditEntry{User: fmt.Sprint("user-", i%3), Agency: "tr-police",
			Role: tripline.RoleOfficer, Action: "listing.read", Subject: fmt.Sprint("un-sc:QDi.", i%4)})
	}
	if err := log.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, log
}

// TestAuditTampering changes, deletes or swaps one row of the database and
// checks that verification fails naming the first bad entry, while an
// untouched log verifies.
func testAuditTampering(t *testing.T, e Engine) {
	for _, tc := range []struct {
		name   string
		tamper []string
		seq    int64
		reason string
	}{
		{"untouched", nil, 0, ""},
		{"altered detail", []string{`UPDATE audit SET detail = 'nothing to see' WHERE seq = 7`}, 7, "altered"},
		{"altered user", []string{`UPDATE audit SET user_id = 'someone-else' WHERE seq = 3`}, 3, "altered"},
		{"altered with rehash", []string{`UPDATE audit SET subject = 'x', hash = prev WHERE seq = 12`}, 12, "altered"},
		{"deleted", []string{`DELETE FROM audit WHERE seq = 9`}, 9, "missing"},
		{"swapped", []string{
			`UPDATE audit SET seq = -5 WHERE seq = 5`, `UPDATE audit SET seq = 5 WHERE seq = 6`, `UPDATE audit SET seq = 6 WHERE seq = -5`,
		}, 5, ""},
		{"swapped contents", []string{
			`CREATE TEMP TABLE a5 AS SELECT * FROM audit WHERE seq = 5`,
			`UPDATE audit SET at = (SELECT at FROM audit WHERE seq = 6), user_id = (SELECT user_id FROM audit WHERE seq = 6),
				subject = (SELECT subject FROM audit WHERE seq = 6), prev = (SELECT prev FROM audit WHERE seq = 6), hash = (SELECT hash FROM audit WHERE seq = 6) WHERE seq = 5`,
			`UPDATE audit SET at = (SELECT at FROM a5), user_id = (SELECT user_id FROM a5), subject = (SELECT subject FROM a5),
				prev = (SELECT prev FROM a5), hash = (SELECT hash FROM a5) WHERE seq = 6`,
		}, 5, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, log := auditWith(t, e, 20)
			for _, q := range tc.tamper {
				if _, err := log.SQL().Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			n, cerr, err := log.Verify(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if tc.seq == 0 {
				if cerr != nil || n != 20 {
					t.Fatalf("untouched log: %v after %d entries", cerr, n)
				}
				return
			}
			if cerr == nil || cerr.Seq != tc.seq || !strings.Contains(cerr.Reason, tc.reason) {
				t.Fatalf("verify = %v, want entry %d %s", cerr, tc.seq, tc.reason)
			}
		})
	}
}

func testAuditChainContinuesAcrossRestart(t *testing.T, e Engine) {
	db, log := auditWith(t, e, 5)
	log.Close()
	log2, err := sqlstore.NewAuditLog(db)
	if err != nil {
		t.Fatal(err)
	}
	defer log2.Close()
	log2.Record(context.Background(), tripline.AuditEntry{User: "u", Action: "login"})
	n, cerr, err := log2.Verify(context.Background())
	if err != nil || cerr != nil || n != 6 {
		t.Fatalf("after restart: %d entries, %v, %v", n, cerr, err)
	}
	got, err := log2.Entries(context.Background(), tripline.AuditFilter{Subject: "un-sc:QDi.1"})
	if err != nil || len(got) != 2 {
		t.Fatalf("who saw un-sc:QDi.1: %d entries, %v", len(got), err)
	}
	got, _ = log2.Entries(context.Background(), tripline.AuditFilter{Agency: "tr-police", From: time.Date(2026, 11, 25, 8, 0, 3, 0, time.UTC)})
	if len(got) != 3 {
		t.Fatalf("what tr-police saw from 08:00:03: %d entries", len(got))
	}
}

func testIdentityTokens(t *testing.T, e Engine) {
	db := e.Open(t)
	ids := sqlstore.NewIdentityService(db)
	ctx := context.Background()
	if err := ids.CreateUser(ctx, &tripline.User{ID: "ofc", Agency: "tr-police", Role: tripline.RoleOfficer}); err != nil {
		t.Fatal(err)
	}
	if err := ids.CreateUser(ctx, &tripline.User{ID: "ofc", Agency: "x", Role: tripline.RoleOfficer}); tripline.ErrorCode(err) != tripline.ECONFLICT {
		t.Fatalf("duplicate user: %v", err)
	}
	if err := ids.CreateUser(ctx, &tripline.User{ID: "x", Agency: "x", Role: "god"}); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Fatalf("bad role: %v", err)
	}
	tok, err := ids.IssueToken(ctx, "ofc", "api", "", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var stored int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM tokens WHERE hash = ?`, tok).Scan(&stored)
	if stored != 0 {
		t.Fatal("the token itself is stored")
	}
	id, err := ids.Authenticate(ctx, tok)
	if err != nil || id.User != "ofc" || id.Agency != "tr-police" || id.Role != tripline.RoleOfficer {
		t.Fatalf("authenticate = %+v, %v", id, err)
	}
	for _, bad := range []string{"", "tl_nope", "Bearer " + tok, tok + "x"} {
		if _, err := ids.Authenticate(ctx, bad); tripline.ErrorCode(err) != tripline.EUNAUTHORIZED {
			t.Fatalf("token %q: %v", bad, err)
		}
	}
	ids.SetUserDisabled(ctx, "ofc", true)
	if _, err := ids.Authenticate(ctx, tok); tripline.ErrorCode(err) != tripline.EUNAUTHORIZED {
		t.Fatal("disabled user still authenticates")
	}
	ids.SetUserDisabled(ctx, "ofc", false)
	ids.DisableToken(ctx, tok)
	if _, err := ids.Authenticate(ctx, tok); tripline.ErrorCode(err) != tripline.EUNAUTHORIZED {
		t.Fatal("disabled token still authenticates")
	}
	exp, _ := ids.IssueToken(ctx, "ofc", "session", "", db.Now().Add(-time.Minute))
	if _, err := ids.Authenticate(ctx, exp); tripline.ErrorCode(err) != tripline.EUNAUTHORIZED {
		t.Fatal("expired session still authenticates")
	}
}

func testConsents(t *testing.T, e Engine) {
	db := e.Open(t)
	cs := sqlstore.NewConsentService(db)
	ctx := context.Background()
	c, err := cs.RequestConsent(ctx, &tripline.Consent{Listing: "a:1", Originator: "a", Requester: "b", Recipient: "c"})
	if err != nil || c.Status != tripline.ConsentPending {
		t.Fatalf("request = %+v, %v", c, err)
	}
	d, err := cs.DecideConsent(ctx, c.ID, true, "a-analyst")
	if err != nil || d.Status != tripline.ConsentGranted || d.DecidedAt == nil {
		t.Fatalf("decide = %+v, %v", d, err)
	}
	if _, err := cs.DecideConsent(ctx, c.ID, false, "a-analyst"); tripline.ErrorCode(err) != tripline.ECONFLICT {
		t.Fatalf("second decision: %v", err)
	}
	if got, err := cs.Consent(ctx, c.ID); err != nil || got.Status != tripline.ConsentGranted || got.Requester != "b" {
		t.Fatalf("consent %s = %+v, %v", c.ID, got, err)
	}
	if _, err := cs.Consent(ctx, "no-such"); tripline.ErrorCode(err) != tripline.ENOTFOUND {
		t.Fatalf("a missing consent: %v, want not found", err)
	}
	evs, _ := sqlstore.NewEventService(db).Events(ctx, db.Origin, 0, 0)
	if len(evs) != 2 || evs[0].Type != tripline.EventConsentRequested || evs[1].Type != tripline.EventConsent {
		t.Fatalf("events = %v", evs)
	}
	// Pages: by id, after an id, at most a limit, on one listing or all.
	for i := range 4 {
		if _, err := cs.RequestConsent(ctx, &tripline.Consent{Listing: fmt.Sprintf("a:%d", 1+i%2), Originator: "a", Requester: "b", Recipient: "c"}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := cs.Consents(ctx, tripline.ConsentFilter{})
	if err != nil || len(all) != 5 || !slices.IsSortedFunc(all, func(x, y *tripline.Consent) int { return strings.Compare(x.ID, y.ID) }) {
		t.Fatalf("all consents: %d, %v; want 5 by id", len(all), err)
	}
	page, err := cs.Consents(ctx, tripline.ConsentFilter{After: all[1].ID, Limit: 2})
	if err != nil || len(page) != 2 || page[0].ID != all[2].ID || page[1].ID != all[3].ID {
		t.Fatalf("a page of 2 after the second: %v, %v", page, err)
	}
	on, err := cs.Consents(ctx, tripline.ConsentFilter{Listing: "a:2", After: all[0].ID})
	for _, c := range on {
		if c.Listing != "a:2" || c.ID <= all[0].ID {
			t.Fatalf("consents on a:2 after %s: %+v", all[0].ID, c)
		}
	}
	if err != nil || len(on) == 0 {
		t.Fatalf("consents on a:2: %v, %v", on, err)
	}
	if granted, err := cs.Consents(ctx, tripline.ConsentFilter{Status: tripline.ConsentGranted}); err != nil || len(granted) != 1 || granted[0].ID != c.ID {
		t.Fatalf("granted consents: %v, %v; want %s alone", granted, err, c.ID)
	}
	// At most MaxPending requests of one agency wait on a listing; an
	// answer makes room, and another agency is not held back by it.
	bounded := sqlstore.NewConsentService(db)
	bounded.MaxPending = 2
	ask := func(requester string) (*tripline.Consent, error) {
		return bounded.RequestConsent(ctx, &tripline.Consent{Listing: "a:9", Originator: "a", Requester: requester, Recipient: "c"})
	}
	first, err := ask("b")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ask("b"); err != nil {
		t.Fatal(err)
	}
	if _, err := ask("b"); tripline.ErrorCode(err) != tripline.EFORBIDDEN {
		t.Fatalf("b's third pending request on a:9: %v, want forbidden", err)
	}
	if _, err := ask("x"); err != nil {
		t.Fatalf("x's request while b is at its bound: %v", err)
	}
	if _, err := bounded.DecideConsent(ctx, first.ID, false, "a-analyst"); err != nil {
		t.Fatal(err)
	}
	if _, err := ask("b"); err != nil {
		t.Fatalf("a request after an answer: %v", err)
	}
}

// An audit batch that could not be written (here a trigger refuses it; in
// life, a long import holding the write lock) is written once the store
// takes it, without waiting for more accesses to wake the writer.
func testAuditRetriedAfterFailedWrite(t *testing.T, e Engine) {
	db := e.Open(t)
	audit, err := sqlstore.NewAuditLog(db)
	if err != nil {
		t.Fatal(err)
	}
	defer audit.Close()
	allow := RefuseInserts(t, db, audit.SQL(), "audit")
	audit.Record(t.Context(), tripline.AuditEntry{User: "u", Agency: "a", Role: tripline.RoleOfficer, Action: "screen", Subject: "t1"})
	time.Sleep(300 * time.Millisecond) // the first write fails
	allow()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var n int
		if err := audit.SQL().QueryRow(`SELECT COUNT(*) FROM audit`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the audit entry was never written once the store took it")
		}
	}
}

// Two processes on one data directory (a serving node and a command-line
// action) append to one chain: interleaved batches neither collide nor
// fork it, and it verifies.
func testAuditTwoWriters(t *testing.T, e Engine) {
	first := e.Open(t)
	open := func() *sqlstore.AuditLog {
		db := Reopen(t, first)
		a, err := sqlstore.NewAuditLog(db)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		return a
	}
	serve, cli := open(), open()
	for i := 0; i < 30; i++ {
		w := []*sqlstore.AuditLog{serve, cli}[i%2]
		w.Record(t.Context(), tripline.AuditEntry{User: fmt.Sprint("u", i), Agency: "a", Role: tripline.RoleAnalyst, Action: "listing.read", Subject: fmt.Sprint("s:", i)})
		if i%5 == 4 {
			if err := w.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, w := range []*sqlstore.AuditLog{serve, cli} {
		if err := w.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	n, broken, err := serve.Verify(t.Context())
	if err != nil || broken != nil || n != 30 {
		t.Fatalf("verify = %d entries, broken %v, err %v; want 30 intact", n, broken, err)
	}
}
