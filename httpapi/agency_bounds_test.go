package httpapi_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tripline"
	"tripline/federation"
	"tripline/httpapi"
)

// TestOutcomeIsTheReportersOnly: the listing's originator sees an encounter
// another agency reported on its listing, and records nothing of it, as
// over federation (Encounter.MergeUpdate): the border post's decision and
// officer stand.
func TestOutcomeIsTheReportersOnly(t *testing.T) {
	w := newSecWorld(t)
	for _, tc := range []struct {
		name   string
		agency string
		role   tripline.Role
		want   int
	}{
		{"the originator's officer", "x", tripline.RoleOfficer, 403},
		{"the originator's supervisor", "x", tripline.RoleSupervisor, 403},
		{"a third agency's supervisor", "y", tripline.RoleSupervisor, 404},
		{"the reporting agency's officer", "s", tripline.RoleOfficer, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := w.user(t, "u-"+tc.agency+"-"+string(tc.role), tc.agency, tc.role)
			st, body := rawAs(t, tok, "POST", w.ts.URL+"/v1/encounters/"+w.enc+"/resolve", `{"outcome":"refused"}`)
			if st != tc.want {
				t.Fatalf("resolve: %d %s; want %d", st, body, tc.want)
			}
			e, err := w.srv.Encounters.Encounter(context.Background(), w.enc)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want != 200 && (e.Outcome != tripline.OutcomePending || e.Officer != "u-officer") {
				t.Fatalf("refused, yet the encounter says %s by %s", e.Outcome, e.Officer)
			}
		})
	}
}

// TestAuditorReadsItsOwnAgency: an auditor of another agency than the one
// running the node reads what its own users did and who touched a listing
// it originated; asking for another agency's entries is refused, and
// asking for none gets its own only.
func TestAuditorReadsItsOwnAgency(t *testing.T) {
	w := newSecWorld(t)
	ctx := context.Background()
	for _, e := range []*tripline.AuditEntry{
		{User: "u-s", Agency: "s", Action: "tip.create", Subject: "tip-secret", Detail: "channel family"},
		{User: "u-s", Agency: "s", Action: "listing.read", Subject: "x:1"},
		{User: "u-y", Agency: "y", Action: "screen", Subject: "ref-y"},
	} {
		w.srv.Policy.Audit.Record(ctx, *e)
	}
	if err := w.srv.Audit.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	yTok, xTok := w.user(t, "aud-y", "y", tripline.RoleAuditor), w.user(t, "aud-x", "x", tripline.RoleAuditor)
	w.srv.Policy.Agency = "s" // the node's oversight reads it all
	sTok := w.user(t, "aud-s", "s", tripline.RoleAuditor)
	read := func(tok, query string) (int, []*tripline.AuditEntry) {
		t.Helper()
		st, body := rawAs(t, tok, "GET", w.ts.URL+"/v1/audit?"+query, "")
		var page struct{ Entries []*tripline.AuditEntry }
		if st == 200 {
			if err := json.Unmarshal([]byte(body), &page); err != nil {
				t.Fatal(err)
			}
		}
		return st, page.Entries
	}
	// The agencies whose entries a read returned, its auditors' own reads
	// (recorded too) aside.
	agencies := func(es []*tripline.AuditEntry) string {
		seen := map[string]bool{}
		for _, e := range es {
			if !strings.HasPrefix(e.Action, "audit.") {
				seen[e.Agency] = true
			}
		}
		var out []string
		for _, a := range []string{"s", "x", "y"} {
			if seen[a] {
				out = append(out, a)
			}
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		name, tok, query string
		want             int
		agencies         string
	}{
		{"y asks for s's entries", yTok, "agency=s", 403, ""},
		{"y asks for everything", yTok, "", 200, "y"},
		{"y asks for a tip of s", yTok, "subject=tip-secret", 200, ""},
		{"y asks who touched x's listing", yTok, "subject=" + url.QueryEscape("x:1"), 200, ""},
		{"x asks who touched its listing", xTok, "subject=" + url.QueryEscape("x:1"), 200, "s"},
		{"x asks for s's entries", xTok, "agency=s&action=tip.create", 403, ""},
		{"s, running the node, asks for everything", sTok, "", 200, "s,y"},
		{"s asks for y's entries", sTok, "agency=y", 200, "y"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, es := read(tc.tok, tc.query)
			if st != tc.want || agencies(es) != tc.agencies {
				t.Fatalf("GET /v1/audit?%s = %d, entries of %q; want %d, %q", tc.query, st, agencies(es), tc.want, tc.agencies)
			}
			for _, e := range es {
				if tc.tok != sTok && e.Subject == "tip-secret" && e.Agency != "y" {
					t.Fatalf("another agency's auditor read s's tip entry: %+v", e)
				}
			}
		})
	}
}

// countingBody is a request body of n bytes that counts what was taken.
// The count is atomic: the transport's write loop may still be reading
// the body when the answer came and the test reads the count.
type countingBody struct {
	n    int64
	read atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	read := b.read.Load()
	if read >= b.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), b.n-read)
	clear(p[:k])
	b.read.Add(k)
	return int(k), nil
}

// countedBody counts what is read of a request's body into n.
type countedBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b countedBody) Read(p []byte) (int, error) {
	k, err := b.ReadCloser.Read(p)
	b.n.Add(int64(k))
	return k, err
}

// TestNodeRequestBodyBounded: a request claiming to come from a partner
// node has its body read whole to check the signature, so who it claims
// to be is checked first and what is read is bounded, whatever the route
// takes (an import takes gigabytes). A stranger, unsigned, is refused
// before the node reads its body; a known partner's oversized body is
// refused at the bound.
func TestNodeRequestBodyBounded(t *testing.T) {
	w := newSecWorld(t)
	bPub, _, _ := ed25519.GenerateKey(nil)
	w.srv.Federation = signedNodes{keys: map[string]ed25519.PublicKey{"B": bPub}}
	// What the node reads of a body is counted at the node: what the
	// client sent also fills the kernel's socket buffers, which this
	// kernel grows to 32 MiB on loopback.
	var taken atomic.Int64
	front := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		r.Body = countedBody{r.Body, &taken}
		w.srv.ServeHTTP(rw, r)
	}))
	defer front.Close()
	for _, tc := range []struct {
		name    string
		headers map[string]string
		want    int
		msg     string
	}{
		{"a stranger, unsigned", map[string]string{federation.HeaderNode: "nobody"}, 401, "required"},
		{"a stranger, signed", map[string]string{federation.HeaderNode: "nobody", federation.HeaderDate: time.Now().UTC().Format(time.RFC3339),
			federation.HeaderSignature: "AAAA"}, 401, "unknown node"},
		{"a partner, a huge body", map[string]string{federation.HeaderNode: "B", federation.HeaderDate: time.Now().UTC().Format(time.RFC3339),
			federation.HeaderSignature: "AAAA"}, 400, "at most"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			taken.Store(0)
			body := &countingBody{n: 64 << 20}
			req, _ := http.NewRequest("POST", front.URL+"/v1/imports", body)
			req.ContentLength = body.n
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tc.want || !strings.Contains(string(b), tc.msg) {
					t.Errorf("answer %d %s; want %d naming %q", resp.StatusCode, b, tc.want, tc.msg)
				}
			}
			// The whole body would have had the node hold 64 MiB.
			if read := taken.Load(); read > httpapi.MaxNodeBodyBytes+1<<20 {
				t.Errorf("the node took %d bytes of the body (%v)", read, err)
			}
		})
	}
}

// TestRefusalsBoundTheAuditLog: every refused request was an audit entry,
// and the log is kept for good, so anyone reaching the port could grow it
// at will. Each client now gets RefusalBurst audited refusals (then
// RefusalRate a second); the rest are answered the same, counted, and
// the client's next audited refusal says how many were not recorded.
func TestRefusalsBoundTheAuditLog(t *testing.T) {
	w := newSecWorld(t)
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	w.srv.Now = func() time.Time { return now }
	refusals := func() []*tripline.AuditEntry {
		t.Helper()
		if err := w.srv.Audit.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		es, err := w.srv.Audit.Entries(context.Background(), tripline.AuditFilter{Action: "auth.refused", Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		return es
	}
	before := len(refusals())
	const tries = 300
	path := w.ts.URL + "/v1/listings/" + strings.Repeat("A", 2000)
	for i := range tries {
		if st, _ := rawAs(t, "not-a-token", "GET", path, ""); st != 401 {
			t.Fatalf("refusal %d answered %d", i, st)
		}
	}
	if got := len(refusals()) - before; got != httpapi.RefusalBurst {
		t.Fatalf("%d refused requests left %d audit entries; want %d", tries, got, httpapi.RefusalBurst)
	}
	now = now.Add(time.Second)
	rawAs(t, "", "GET", path, "")
	es := refusals()
	last := es[len(es)-1]
	want := strconv.Itoa(tries-httpapi.RefusalBurst) + " refused requests from 127.0.0.1"
	if len(es)-before != httpapi.RefusalBurst+1 || !strings.Contains(last.Detail, want) {
		t.Fatalf("after a second: %d entries, the last saying %q; want it to name %q", len(es)-before, last.Detail, want)
	}
}

// TestCrossSiteRefused: a page of another site cannot log an officer's
// browser in as someone else (a text/plain form shaped like JSON, or a
// JSON post it sends anyway), nor make a logged-in console change
// anything; the console itself, same-origin, logs in.
func TestCrossSiteRefused(t *testing.T) {
	w := newSecWorld(t)
	tok := w.test.tokens[tripline.RoleOfficer]
	send := func(method, path, ctype, body string, headers map[string]string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, w.ts.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	crossSite := map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
	for _, tc := range []struct {
		name, ctype, body string
		headers           map[string]string
		want              int
	}{
		{"a text/plain form shaped like JSON", "text/plain", `{"token":"x=","token":"` + tok + `"}`, nil, 400},
		{"a JSON post from another site", "application/json", `{"token":"` + tok + `"}`, crossSite, 403},
		{"the console, same-origin", "application/json", `{"token":"` + tok + `"}`, map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": w.ts.URL}, 200},
	} {
		resp, body := send("POST", "/v1/session", tc.ctype, tc.body, tc.headers)
		if resp.StatusCode != tc.want || (len(resp.Cookies()) > 0) != (tc.want == 200) {
			t.Errorf("%s: %d %s, cookies %v; want %d", tc.name, resp.StatusCode, body, resp.Cookies(), tc.want)
		}
	}
	// A logged-in console's cookie, sent along by a page of another site.
	resp, _ := send("POST", "/v1/session", "application/json", `{"token":"`+tok+`"}`, nil)
	cookie := resp.Cookies()[0]
	h := map[string]string{"Cookie": cookie.Name + "=" + cookie.Value}
	for k, v := range crossSite {
		h[k] = v
	}
	if resp, body := send("POST", "/v1/encounters/"+w.own+"/resolve", "application/json", `{"outcome":"admitted"}`, h); resp.StatusCode != 403 {
		t.Errorf("a cross-site resolve with the session cookie: %d %s", resp.StatusCode, body)
	}
	if e, _ := w.srv.Encounters.Encounter(context.Background(), w.own); e.Outcome != tripline.OutcomePending {
		t.Errorf("the cross-site request changed the encounter: %s", e.Outcome)
	}
}
