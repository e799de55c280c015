package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/httpapi"
	"tripline/storetest"
)

// POST /v1/listings holds a listing to the CSV template's rules (issue 13):
// each of these was accepted before.
func TestListingWriteHygiene(t *testing.T) {
	ts := newServer(t)
	for _, tc := range []struct {
		name   string
		mutate func(l *tripline.Listing)
		want   string // in the 400's message
	}{
		{"NUL in id", func(l *tripline.Listing) { l.ID = "s:a\x00b" }, `id: '\x00'`},
		{"RLO in id", func(l *tripline.Listing) { l.ID = "s:abc\u202edef" }, `id: '\u202e'`},
		{"path in id", func(l *tripline.Listing) { l.ID = "s:../../x" }, `id: '/'`},
		{"space in id", func(l *tripline.Listing) { l.ID = "s:a b" }, `id: ' '`},
		{"100k id", func(l *tripline.Listing) { l.ID = "s:" + strings.Repeat("x", 100000) }, "id: 100002 bytes, at most 200"},
		{"nationality ZZZ", func(l *tripline.Listing) { l.Nationalities = []string{"ZZZ"} }, `nationalities[0]: "ZZZ" is not a country`},
		{"document country ZZZ", func(l *tripline.Listing) { l.Documents[0].Country = "ZZZ" }, `documents[0].country: "ZZZ"`},
		{"document expiry", func(l *tripline.Listing) { l.Documents[0].Expiry = "1e400" }, `documents[0].expiry: "1e400" is not a date`},
		{"negative version", func(l *tripline.Listing) { l.Version = -3 }, "version: -3 is negative"},
		{"caller's provenance chain", func(l *tripline.Listing) { l.Provenance.Chain = []string{"node-un", "node-x"} }, "provenance.chain: set by the nodes"},
		{"e-mail without @", func(l *tripline.Listing) { l.Emails = []string{"nobody"} }, `emails[0]: "nobody"`},
	} {
		l := storetest.Listing("s", "1", "Ali Hassan")
		tc.mutate(l)
		b, _ := json.Marshal(l)
		code, body := do(t, "POST", ts.URL+"/v1/listings", string(b))
		if ec, msg := errMsg(body); code != http.StatusBadRequest || ec != "invalid" || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %d %q, want 400 saying %q", tc.name, code, msg, tc.want)
		}
	}
	// Countries are read as the CSV template reads them: names and alpha-2
	// codes are stored as alpha-3.
	l := storetest.Listing("s", "2", "Omar Khan")
	l.Nationalities, l.Documents[0].Country = []string{"af", "Iraq"}, "IQ"
	b, _ := json.Marshal(l)
	code, body := do(t, "POST", ts.URL+"/v1/listings", string(b))
	if code != http.StatusOK || fmt.Sprint(body["nationalities"]) != "[AFG IRQ]" || !strings.Contains(fmt.Sprint(body["documents"]), "country:IRQ") {
		t.Fatalf("normalised listing = %d %v", code, body)
	}
}

// A travel date is YYYY-MM-DD: "1e400" was accepted (issue 13).
func TestScreenTravelDate(t *testing.T) {
	ts := newServer(t)
	for _, body := range []string{
		`{"ref":"a","name":"Jane Doe","travel":{"date":"1e400"}}`,
		`{"travellers":[{"ref":"a","name":"Jane Doe","travel":{"date":"1e400"}}]}`,
	} {
		code, res := do(t, "POST", ts.URL+"/v1/screen", body)
		if _, msg := errMsg(res); code != http.StatusBadRequest || !strings.Contains(msg, `travel.date: "1e400" is not a date`) {
			t.Errorf("%s: %d %v", body, code, res)
		}
	}
	code, res := do(t, "POST", ts.URL+"/v1/manifests", `{"date":"1e400","travellers":[{"ref":"a","name":"Jane Doe"}]}`)
	if _, msg := errMsg(res); code != http.StatusBadRequest || !strings.HasPrefix(msg, "date: ") {
		t.Errorf("manifest date: %d %v", code, res)
	}
}

// A PAXLST cut before its trailer is refused with 400 naming what is
// missing; with ?partial=true it is screened and every traveller of the cut
// message is review, never clear (issue 13, item 11).
func TestManifestCutShort(t *testing.T) {
	ts := newServer(t)
	data, err := os.ReadFile("../paxlst/testdata/gtas_apisMessage.txt")
	if err != nil {
		t.Fatal(err)
	}
	cut := string(data[:bytes.Index(data, []byte("CNT+42"))])
	code, res := do(t, "POST", ts.URL+"/v1/manifests", cut)
	if ec, msg := errMsg(res); code != http.StatusBadRequest || ec != "invalid" || !strings.Contains(msg, "not closed by UNT") || !strings.Contains(msg, "no UNZ trailer") {
		t.Fatalf("cut manifest = %d %v", code, res)
	}
	code, res = do(t, "POST", ts.URL+"/v1/manifests?partial=true", cut)
	if code != http.StatusOK || res["incomplete"] == nil {
		t.Fatalf("partial = %d %v", code, res)
	}
	results := res["results"].([]any)
	if len(results) != 2 || res["summary"].(map[string]any)["clear"] != 0.0 {
		t.Fatalf("partial: %d results, summary %v", len(results), res["summary"])
	}
	for _, r := range results {
		r := r.(map[string]any)
		if r["decision"] != "review" || !strings.Contains(fmt.Sprint(r["notes"]), "manifest cut short") {
			t.Errorf("cut traveller %v: %v %v", r["ref"], r["decision"], r["notes"])
		}
	}
	code, res = do(t, "POST", ts.URL+"/v1/manifests?partial=true", string(data))
	if code != http.StatusOK || res["incomplete"] != nil || res["summary"].(map[string]any)["clear"] != 2.0 {
		t.Fatalf("whole manifest with partial=true = %d %v", code, res)
	}
	if code, res = do(t, "POST", ts.URL+"/v1/manifests?partial=maybe", cut); code != http.StatusBadRequest {
		t.Fatalf("partial=maybe = %d %v", code, res)
	}
}

// A client that goes away is logged at info as a client disconnect and
// counted as 499, never as a 500 internal error (issue 13).
func TestClientDisconnectIsNotAnError(t *testing.T) {
	ts := newServer(t)
	srv := serverOf(ts.URL + "/").srv
	var logs bytes.Buffer
	srv.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the client is gone before the answer
	req := httptest.NewRequest("POST", "/v1/screen", strings.NewReader(`{"travellers":[{"ref":"a","name":"Jane Doe"}]}`)).WithContext(ctx)
	req.Header.Set("Authorization", "Bearer "+serverOf(ts.URL + "/").tokens[tripline.RoleOfficer])
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if strings.Contains(logs.String(), `"level":"ERROR"`) || !strings.Contains(logs.String(), "client disconnected") {
		t.Errorf("logs: %s", logs.String())
	}
	if rec.Code == http.StatusInternalServerError {
		t.Errorf("status %d", rec.Code)
	}
	metrics := scrape(t, ts.URL)
	if !strings.Contains(metrics, `tripline_http_requests_total{code="499",route="POST /v1/screen"} 1`) ||
		strings.Contains(metrics, `code="500",route="POST /v1/screen"`) {
		t.Errorf("metrics do not count a 499:\n%s", grepLines(metrics, "POST /v1/screen"))
	}
}

// Uploads spool inside the configured directory, unlinked at once, so a
// crash leaves no copy of the list; they are bounded (256 MiB by default);
// and stale spool files are removed at start (issue 13).
func TestImportSpoolAndLimit(t *testing.T) {
	ts := newServer(t)
	srv := serverOf(ts.URL + "/").srv
	dir := t.TempDir()
	srv.SpoolDir = dir
	const list = "id,primary_name,action,screen_agencies\n1,Ali Hassan,report,*\n"

	// The default bound, checked on the declared length before any byte is read.
	req := httptest.NewRequest("POST", "/v1/imports", strings.NewReader(list))
	req.ContentLength = 300 << 20
	req.Header.Set("Authorization", "Bearer "+serverOf(ts.URL + "/").tokens[tripline.RoleAnalyst])
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "import limit of 268435456") {
		t.Fatalf("300 MiB upload = %d %s", rec.Code, rec.Body.String())
	}
	// A configured bound, on a body that does not declare its length.
	srv.MaxImportBytes = 64
	code, body := do(t, "POST", ts.URL+"/v1/imports", list+"2,Omar Khan,report,*\n")
	if _, msg := errMsg(body); code != http.StatusBadRequest || !strings.Contains(msg, "import limit of 64") {
		t.Fatalf("over the limit = %d %v", code, body)
	}
	srv.MaxImportBytes = 0

	// While an upload is being received, its spool file is open in dir but
	// already unlinked: nothing a crash could leave behind.
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.CloseWithError(io.ErrUnexpectedEOF) })
	up, _ := http.NewRequest("POST", ts.URL+"/v1/imports", pr)
	up.Header.Set("Authorization", "Bearer "+serverOf(ts.URL + "/").tokens[tripline.RoleAnalyst])
	done := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(up)
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	pw.Write([]byte(list))
	if _, err := os.Stat("/proc/self/fd"); err == nil {
		deadline := time.Now().Add(30 * time.Second)
		// Wait for the spool file open and unlinked: between its creation
		// and its unlinking (microseconds) it is in dir, as it must be.
		for !openSpool(dir, " (deleted)") {
			if time.Now().After(deadline) {
				t.Fatal("no unlinked spool file open in the spool directory during the upload")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if left := dirEntries(t, dir); len(left) != 0 {
		t.Errorf("spool file visible during the upload: %v", left)
	}
	pw.Close()
	if code := <-done; code != http.StatusOK {
		t.Fatalf("upload = %d", code)
	}
	if openSpool(dir, "") {
		t.Error("spool file still open after the upload")
	}

	// A client that goes away mid-upload leaves nothing either.
	ctx, cancel := context.WithCancel(context.Background())
	pr2, pw2 := io.Pipe()
	t.Cleanup(func() { pw2.CloseWithError(io.ErrUnexpectedEOF) })
	up2, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+"/v1/imports", pr2)
	up2.Header.Set("Authorization", "Bearer "+serverOf(ts.URL + "/").tokens[tripline.RoleAnalyst])
	go func() {
		if resp, err := http.DefaultClient.Do(up2); err == nil {
			resp.Body.Close()
		}
	}()
	pw2.Write([]byte(list))
	if _, err := os.Stat("/proc/self/fd"); err == nil {
		deadline := time.Now().Add(30 * time.Second)
		for !openSpool(dir, " (deleted)") {
			if time.Now().After(deadline) {
				t.Fatal("no spool file open during the second upload")
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		for openSpool(dir, "") {
			if time.Now().After(deadline) {
				t.Fatal("spool file still open after the client went away")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	cancel()
	if left := dirEntries(t, dir); len(left) != 0 {
		t.Errorf("files left after a cancelled upload: %v", left)
	}

	// A panic in the import leaves nothing either.
	real := srv.Listings
	srv.Listings = panicImport{real}
	code, _ = do(t, "POST", ts.URL+"/v1/imports", list)
	srv.Listings = real
	if code != http.StatusInternalServerError || openSpool(dir, "") || len(dirEntries(t, dir)) != 0 {
		t.Errorf("after a panic: status %d, open %v, files %v", code, openSpool(dir, ""), dirEntries(t, dir))
	}

	// What a process killed before the unlink left is removed at start.
	for _, name := range []string{"tripline-import-123.csv", "tripline-import-456.csv", "keep.db"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("id,narrative\n1,secret\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	n, err := httpapi.RemoveStaleSpool(dir)
	if err != nil || n != 2 || fmt.Sprint(dirEntries(t, dir)) != "[keep.db]" {
		t.Errorf("RemoveStaleSpool = %d, %v; left %v", n, err, dirEntries(t, dir))
	}
}

type panicImport struct{ tripline.ListingService }

func (panicImport) ImportListings(context.Context, string, iter.Seq2[*tripline.Listing, error]) (*tripline.ImportSummary, error) {
	panic("import blew up")
}

// openSpool reports whether this process holds a spool file of dir open
// (Linux) whose /proc link ends in suffix (" (deleted)" once unlinked).
func openSpool(dir, suffix string) bool {
	fds, _ := filepath.Glob("/proc/self/fd/*")
	for _, fd := range fds {
		if target, err := os.Readlink(fd); err == nil && strings.HasPrefix(target, dir+"/tripline-import-") && strings.HasSuffix(target, suffix) {
			return true
		}
	}
	return false
}

func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestQueryIDsChecked: the ids a list or export takes in its query string
// (a source, an originator, a listing) went as sent into the subject of
// its audit entry, kept for good: an analyst wrote a bidi override and a
// newline there, which the console's audit view showed as another
// subject. They are checked as ids now, as the audit log's rule says.
func TestQueryIDsChecked(t *testing.T) {
	w := newSecWorld(t)
	bad := url.QueryEscape("\u202eabc\nfake")
	for _, path := range []string{"/v1/listings?source=", "/v1/document-alerts?source=", "/v1/consents?listing=",
		"/v1/encounters?originator=", "/v1/encounters?listing=", "/v1/exports/listings?format=stix&source=",
		"/v1/exports/encounters?originator=", "/v1/exports/encounters?listing=", "/v1/events?origin="} {
		tok := w.test.tokens[tripline.RoleAnalyst]
		if strings.HasPrefix(path, "/v1/events") {
			tok = w.test.tokens[tripline.RoleAdmin]
		}
		st, text := rawAs(t, tok, "GET", w.ts.URL+path+bad, "")
		if st != 400 || !strings.Contains(text, "query ") {
			t.Errorf("%s…: %d %.200s, want 400 naming the query parameter", path, st, text)
		}
		if st, text := rawAs(t, tok, "GET", w.ts.URL+path+"s", ""); st != 200 {
			t.Errorf("%ss: %d %.200s", path, st, text)
		}
	}
	// An import naming another agency's source is refused and audited.
	if st, text := rawAs(t, w.test.tokens[tripline.RoleAnalyst], "POST", w.ts.URL+"/v1/imports?source="+bad, "id,name\n"); st != 400 {
		t.Errorf("import with source %q: %d %.200s, want 400", bad, st, text)
	}
	es, err := w.srv.Audit.Entries(context.Background(), tripline.AuditFilter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if strings.ContainsAny(e.Subject, "\u202e\n") {
			t.Errorf("audit entry %s has subject %q", e.Action, e.Subject)
		}
	}
}

// TestListingFitsAnEvent: each version of a listing travels to partners as
// one event, and a partner's feed serves an event over 1 MiB as a
// placeholder. A listing written with a 2 MiB narrative, or 200,000 phone
// numbers, was stored, indexed and linked here and never reached a
// partner, without a word to the analyst. It is refused now.
func TestListingFitsAnEvent(t *testing.T) {
	w := newSecWorld(t)
	base := listingJSON(t, "big", "Big Person")
	base = base[:len(base)-1]
	phones := make([]string, 200000)
	for i := range phones {
		phones[i] = fmt.Sprintf("+44 20 7946 %04d", i%10000)
	}
	pj, _ := json.Marshal(phones)
	for name, body := range map[string]string{
		"2 MiB narrative": base + `,"narrative":"` + strings.Repeat("n", 2<<20) + `"}`,
		"200,000 phones":  base + `,"phones":` + string(pj) + `}`,
	} {
		st, text := rawAs(t, w.test.tokens[tripline.RoleAnalyst], "POST", w.ts.URL+"/v1/listings", body)
		if st != 400 || !strings.Contains(text, "bytes as JSON") {
			t.Errorf("%s: %d %.200s, want 400", name, st, text)
		}
	}
	if _, err := w.srv.Listings.Listing(context.Background(), "s:big"); tripline.ErrorCode(err) != tripline.ENOTFOUND {
		t.Errorf("s:big stored: %v", err)
	}
	// A long narrative that fits is taken.
	if st, text := rawAs(t, w.test.tokens[tripline.RoleAnalyst], "POST", w.ts.URL+"/v1/listings", base+`,"narrative":"`+strings.Repeat("n", 100<<10)+`"}`); st != 200 {
		t.Errorf("100 KiB narrative: %d %.200s", st, text)
	}
}
