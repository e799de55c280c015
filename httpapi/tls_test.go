package httpapi_test

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"strings"
	"testing"
	"time"

	"tripline/httpapi"
	"tripline/tlsconf"
)

// serveTLS serves the test server s over TLS on a free port with a
// certificate for 127.0.0.1, and returns its base URL and a client that
// trusts the certificate.
func serveTLS(t *testing.T, s *httpapi.Server) (string, *http.Client) {
	t.Helper()
	caCert, pair, err := tlsconf.SelfSigned([]string{"127.0.0.1"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s.TLS = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{pair}}
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve() }()
	t.Cleanup(func() {
		s.Shutdown(t.Context())
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caCert)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	t.Cleanup(c.CloseIdleConnections)
	return "https://" + s.Addr(), c
}

// Over TLS every answer carries HSTS and the session cookie is Secure,
// when set and when removed; over plain HTTP (loopback, development)
// neither, since a Secure cookie would never come back.
func TestTLSAnswersHSTSAndSecureCookie(t *testing.T) {
	plain := newServer(t)
	ts := serverOf(plain.URL + "/")
	base, client := serveTLS(t, ts.srv)
	token := ts.tokens["officer"]
	for _, tc := range []struct {
		name   string
		base   string
		client *http.Client
		tls    bool
	}{{"TLS", base, client, true}, {"plain", plain.URL, http.DefaultClient, false}} {
		t.Run(tc.name, func(t *testing.T) {
			send := func(method, path, body string) *http.Response {
				t.Helper()
				req, _ := http.NewRequest(method, tc.base+path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				resp, err := tc.client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp
			}
			for _, path := range []string{"/healthz", "/v1/nowhere", "/v1/me"} {
				resp := send("GET", path, "")
				if got := resp.Header.Get("Strict-Transport-Security"); (got == httpapi.HSTS) != tc.tls || tc.tls && got == "" {
					t.Errorf("GET %s: Strict-Transport-Security %q", path, got)
				}
			}
			for _, step := range []struct{ method, body string }{{"POST", `{"token":"` + token + `"}`}, {"DELETE", ""}} {
				resp := send(step.method, "/v1/session", step.body)
				if resp.StatusCode != 200 {
					t.Fatalf("%s /v1/session = %d", step.method, resp.StatusCode)
				}
				var c *http.Cookie
				for _, x := range resp.Cookies() {
					if x.Name == httpapi.SessionCookie {
						c = x
					}
				}
				if c == nil || c.Secure != tc.tls || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
					t.Errorf("%s /v1/session: cookie %+v, want Secure %v, HttpOnly, SameSite=Strict", step.method, c, tc.tls)
				}
			}
		})
	}
}

// A node stopped while it starts (Shutdown before Serve runs) does not go
// on serving: Serve returns at once, and the port answers nothing.
func TestShutdownBeforeServe(t *testing.T) {
	s := httpapi.NewServer()
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	if err := s.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve after Shutdown = %v, want nil", err)
		}
	case <-time.After(30 * time.Second): // a guard against a hang, not a timing
		t.Fatal("Serve after Shutdown still serving")
	}
}
