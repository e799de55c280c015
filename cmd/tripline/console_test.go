package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
)

// TestServeConsole: `tripline serve` serves the console page and its
// assets beside the API, and the page's sign-in (token for a session
// cookie) works against the same server. The browser tests in e2e/ drive
// the page itself.
func TestServeConsole(t *testing.T) {
	n := startNode(t, t.TempDir())
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	get := func(path string) (int, string, string) {
		t.Helper()
		res, err := c.Get(n.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Content-Type"), string(b)
	}
	if st, ct, body := get("/"); st != 200 || !strings.HasPrefix(ct, "text/html") || !strings.Contains(body, "Tripline console") {
		t.Fatalf("GET / = %d %s", st, ct)
	}
	if st, ct, _ := get("/static/app.js"); st != 200 || !strings.HasPrefix(ct, "text/javascript") {
		t.Fatalf("GET /static/app.js = %d %s", st, ct)
	}
	if st, _, _ := get("/v1/me"); st != 401 {
		t.Fatalf("GET /v1/me before sign-in = %d, want 401", st)
	}
	if st, _, body := get("/nowhere"); st != 404 || !strings.Contains(body, `"not_found"`) {
		t.Fatalf("GET /nowhere = %d %s: the API's 404 must stay", st, body)
	}
	res, err := c.Post(n.base+"/v1/session", "application/json", strings.NewReader(`{"token":"`+n.tokens["officer"]+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("sign-in = %d", res.StatusCode)
	}
	if st, _, body := get("/v1/me"); st != 200 || !strings.Contains(body, `"role":"officer"`) {
		t.Fatalf("GET /v1/me with the session cookie = %d %s", st, body)
	}
}
