package httpapi_test

import (
	"context"
	"crypto/ed25519"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/federation"
	"tripline/sqlite"
	"tripline/sqlstore"
)

// TestReportAckOnlyFromNextHop: a report this node handed to partner B is
// acknowledged by B alone. Partner D, a signed node too, trying to
// acknowledge it is refused with 403 "forbidden", audited, and the report
// stays unacknowledged (so it is still retried and falls overdue); B's
// acknowledgement is taken, and audited.
func TestReportAckOnlyFromNextHop(t *testing.T) {
	ts := newServer(t)
	w := serverOf(ts.URL + "/")
	ctx := context.Background()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "fed.db"))
	db.Origin = "A"
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := sqlstore.NewFederationStore(db)
	keys := map[string]ed25519.PublicKey{}
	privs := map[string]ed25519.PrivateKey{}
	for _, node := range []string{"B", "D"} {
		pub, priv, _ := ed25519.GenerateKey(nil)
		keys[node], privs[node] = pub, priv
		// An address nobody answers at: the acknowledgement is not passed
		// on (the report was this node's own).
		if err := store.PutPartner(ctx, &tripline.Partner{ID: node, Agency: "agency-" + strings.ToLower(node),
			PublicKey: federation.PublicKeyString(pub), URL: "http://127.0.0.1:1"}); err != nil {
			t.Fatal(err)
		}
	}
	_, aPriv, _ := ed25519.GenerateKey(nil)
	peer := federation.NewPeer("A", aPriv, store, discardLogger())
	if _, err := peer.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	e := &tripline.Encounter{ID: "A-e1", Listing: "agency-b:1", Originator: "agency-b", Decision: tripline.DecisionHit}
	if err := peer.QueueEncounter(ctx, e, "B", "B"); err != nil {
		t.Fatal(err)
	}
	w.srv.Federation = signedNodes{Federation: &federation.Service{Peer: peer}, keys: keys}
	ack := func(node string) (int, string) {
		t.Helper()
		body := `{"id":"A-e1"}`
		req, _ := http.NewRequest("POST", ts.URL+"/v1/reports/ack", strings.NewReader(body))
		federation.SignRequest(req, node, privs[node], []byte(body), time.Now())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status := func() string {
		t.Helper()
		rs, err := store.Reports(ctx, tripline.ReportFilter{})
		if err != nil || len(rs) != 1 {
			t.Fatalf("reports: %v %v", rs, err)
		}
		return rs[0].Status
	}
	if st, text := ack("D"); st != http.StatusForbidden || !strings.Contains(text, `"code":"forbidden"`) || !strings.Contains(text, `handed to \"B\"`) {
		t.Errorf("D acknowledging B's report: %d %s; want 403 forbidden naming B", st, text)
	}
	if got := status(); got == tripline.ReportAcknowledged {
		t.Fatalf("after D's acknowledgement the report is %s", got)
	}
	if st, text := ack("B"); st != http.StatusOK {
		t.Fatalf("B acknowledging its report: %d %s", st, text)
	}
	if got := status(); got != tripline.ReportAcknowledged {
		t.Errorf("after B's acknowledgement the report is %s", got)
	}
	for node, action := range map[string]string{"D": "report.ack.refused", "B": "report.ack"} {
		if !w.audited(t, "node:"+node, action) {
			t.Errorf("no %s entry by node %s", action, node)
		}
	}
}

// audited reports whether user has an audit entry of action, polling: the
// audit log's writer may still be committing its newest batch.
func (s *testServer) audited(t *testing.T, user, action string) bool {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		es, err := s.srv.Audit.Entries(context.Background(), tripline.AuditFilter{User: user, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.Action == action {
				return true
			}
		}
	}
	return false
}

// TestForgedReportRefused: partner B, signing as itself, reports an
// encounter as if partner D's agency had recorded it: refused with 403
// "forbidden" naming D, audited as report.refused by node B, and nothing
// reaches the queue; B's honest report is taken.
func TestForgedReportRefused(t *testing.T) {
	ts := newServer(t)
	w := serverOf(ts.URL + "/")
	ctx := context.Background()
	open := func(origin string) *sqlstore.FederationStore {
		db := sqlite.NewDB(filepath.Join(t.TempDir(), "fed.db"))
		db.Origin = origin
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return sqlstore.NewFederationStore(db)
	}
	aStore, bStore := open("A"), open("B")
	keys := map[string]ed25519.PublicKey{}
	privs := map[string]ed25519.PrivateKey{}
	for _, node := range []string{"A", "B", "D"} {
		keys[node], privs[node], _ = ed25519.GenerateKey(nil)
	}
	for _, node := range []string{"B", "D"} {
		if err := aStore.PutPartner(ctx, &tripline.Partner{ID: node, Agency: "agency-" + strings.ToLower(node), PublicKey: federation.PublicKeyString(keys[node])}); err != nil {
			t.Fatal(err)
		}
	}
	if err := bStore.PutPartner(ctx, &tripline.Partner{ID: "A", Agency: "agency-a", PublicKey: federation.PublicKeyString(keys["A"])}); err != nil {
		t.Fatal(err)
	}
	a, b := federation.NewPeer("A", privs["A"], aStore, discardLogger()), federation.NewPeer("B", privs["B"], bStore, discardLogger())
	for _, p := range []*federation.Peer{a, b} {
		if _, err := p.Reload(ctx); err != nil {
			t.Fatal(err)
		}
	}
	queued := map[string]bool{}
	w.srv.Federation = signedNodes{Federation: &federation.Service{Peer: a, Agency: "agency-a",
		Held: func(_ context.Context, id string) (*tripline.Listing, error) {
			return &tripline.Listing{ID: id, Provenance: tripline.Provenance{Originator: "agency-a"}}, nil
		},
		Create: func(_ context.Context, e *tripline.Encounter) error { queued[e.ID] = true; return nil }}, keys: keys}
	post := func(e *tripline.Encounter) (int, string) {
		t.Helper()
		if err := b.QueueEncounter(ctx, e, "A", "A"); err != nil {
			t.Fatal(err)
		}
		rs, err := bStore.Reports(ctx, tripline.ReportFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var body []byte
		for _, r := range rs {
			if r.ID == e.ID {
				body = r.Body
			}
		}
		req, _ := http.NewRequest("POST", ts.URL+"/v1/reports", strings.NewReader(string(body)))
		federation.SignRequest(req, "B", privs["B"], body, time.Now())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		text, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(text)
	}
	forged := &tripline.Encounter{ID: "B-e1", Listing: "agency-a:1", Originator: "agency-a", Agency: "agency-d", Decision: tripline.DecisionHit}
	if st, text := post(forged); st != http.StatusForbidden || !strings.Contains(text, `which node \"D\" runs`) {
		t.Fatalf("B reporting as agency-d: %d %s; want 403 naming D", st, text)
	}
	if queued["B-e1"] || !w.audited(t, "node:B", "report.refused") {
		t.Fatalf("forged report: queued %v, or no report.refused entry by node B", queued["B-e1"])
	}
	honest := &tripline.Encounter{ID: "B-e2", Listing: "agency-a:1", Originator: "agency-a", Agency: "agency-b", Decision: tripline.DecisionHit}
	if st, text := post(honest); st != http.StatusOK || !queued["B-e2"] {
		t.Fatalf("B's honest report: %d %s, queued %v", st, text, queued["B-e2"])
	}
}
