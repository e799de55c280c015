package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/httpapi"
)

// tlsNode is a `tripline serve` run in-process with an environment of its
// own (its node id, agency, data directory and, for HTTPS, certificate).
type tlsNode struct {
	t      *testing.T
	vars   map[string]string
	addr   string
	logs   *syncBuffer
	tokens map[string]string
	client *http.Client // trusts the node's CA
	scheme string
}

func newTLSNode(t *testing.T, id string, vars map[string]string) *tlsNode {
	n := &tlsNode{t: t, vars: map[string]string{"TRIPLINE_NODE": id, "TRIPLINE_AGENCY": "agency-" + strings.ToLower(id),
		"TRIPLINE_DATA": filepath.Join(t.TempDir(), id), "TRIPLINE_LOG_LEVEL": "debug"},
		addr: freeAddr(t), logs: &syncBuffer{}, tokens: map[string]string{}, client: http.DefaultClient, scheme: "http"}
	for k, v := range vars {
		n.vars[k] = v
	}
	if ca := vars["TRIPLINE_TLS_CERT"]; ca != "" {
		pool := x509.NewCertPool()
		b, err := os.ReadFile(filepath.Join(filepath.Dir(ca), tlsCAFile))
		if err != nil || !pool.AppendCertsFromPEM(b) {
			t.Fatalf("read the CA beside %s: %v", ca, err)
		}
		n.client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		t.Cleanup(n.client.CloseIdleConnections)
		n.scheme = "https"
	}
	for _, role := range []string{"officer", "analyst"} {
		n.tokens[role] = strings.TrimSpace(n.cli("users", "add", id+"-"+role, "--role", role))
	}
	return n
}

// run runs a command line with the node's environment.
func (n *tlsNode) run(args ...string) (code int, stdout, stderr string) {
	var out, errb syncBuffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return n.vars[k] }}
	code = Run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

func (n *tlsNode) cli(args ...string) string {
	n.t.Helper()
	code, out, errs := n.run(args...)
	if code != 0 {
		n.t.Fatalf("%v: exit %d: %s", args, code, errs)
	}
	return out
}

// field returns the value of "name: value" in command output.
func field(out, name string) string {
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, name+": "); ok {
			return v
		}
	}
	return ""
}

func (n *tlsNode) base() string { return n.scheme + "://" + n.addr }

// start serves until the test ends.
func (n *tlsNode) start() {
	n.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	env := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: n.logs, Getenv: func(k string) string { return n.vars[k] },
		Ready: func(a string) { ready <- a }}
	done := make(chan int, 1)
	go func() { done <- Run(ctx, env, []string{"serve", "--addr", n.addr}) }()
	n.t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			n.t.Error("serve did not stop")
		}
		if n.t.Failed() {
			n.t.Logf("---- %s log (tail) ----\n%s", n.vars["TRIPLINE_NODE"], tail(n.logs.String(), 3000))
		}
	})
	select {
	case <-ready:
	case code := <-done:
		n.t.Fatalf("serve exited %d: %s", code, n.logs.String())
	case <-time.After(60 * time.Second):
		n.t.Fatal("serve did not start")
	}
}

// call sends a request as role and returns the answer.
func (n *tlsNode) call(role, method, path, body string) (*http.Response, map[string]any) {
	n.t.Helper()
	req, _ := http.NewRequest(method, n.base()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+n.tokens[role])
	resp, err := n.client.Do(req)
	if err != nil {
		n.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp, out
}

// selfSigned runs `tripline tls selfsigned` for 127.0.0.1 and returns its
// directory and the pin it printed.
func selfSigned(t *testing.T) (dir, pin string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "tls")
	code, out, errs := run(t, t.TempDir(), "", "tls", "selfsigned", "--host", "127.0.0.1,localhost", "--dir", dir)
	if code != 0 {
		t.Fatalf("tls selfsigned: exit %d: %s", code, errs)
	}
	return dir, field(out, "tls_pin")
}

func tlsVars(dir string) map[string]string {
	return map[string]string{"TRIPLINE_TLS_CERT": filepath.Join(dir, tlsCertFile), "TRIPLINE_TLS_KEY": filepath.Join(dir, tlsKeyFile)}
}

// TestServeTLS: `tripline serve` with a certificate from `tripline tls
// selfsigned` answers the API and the console over TLS 1.2 or later only,
// with HSTS and a Secure session cookie; `tripline node info` prints the
// pin of the key it serves.
func TestServeTLS(t *testing.T) {
	dir, pin := selfSigned(t)
	if !strings.HasPrefix(pin, tripline.TLSPinPrefix) {
		t.Fatalf("tls selfsigned printed pin %q", pin)
	}
	n := newTLSNode(t, "A", tlsVars(dir))
	n.start()

	resp, _ := n.call("officer", "GET", "/healthz", "")
	if resp.StatusCode != 200 || resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
		t.Fatalf("GET /healthz over TLS: %d, %+v", resp.StatusCode, resp.TLS)
	}
	if got := tripline.TLSPin(resp.TLS.PeerCertificates[0]); got != pin {
		t.Errorf("served key %s, selfsigned printed %s", got, pin)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Transport: n.client.Transport, Jar: jar}
	for _, path := range []string{"/", "/static/app.js", "/v1/me"} {
		resp, err := browser.Get(n.base() + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("Strict-Transport-Security") != httpapi.HSTS {
			t.Errorf("GET %s: Strict-Transport-Security %q, want %q", path, resp.Header.Get("Strict-Transport-Security"), httpapi.HSTS)
		}
	}
	resp, err := browser.Post(n.base()+"/v1/session", "application/json", strings.NewReader(`{"token":"`+n.tokens["officer"]+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == httpapi.SessionCookie {
			session = c
		}
	}
	if session == nil || !session.Secure || !session.HttpOnly {
		t.Fatalf("console sign-in over TLS: cookie %+v, want Secure and HttpOnly", session)
	}
	if resp, err := browser.Get(n.base() + "/v1/me"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /v1/me with the session: %v %v", resp, err)
	}

	// Nothing is answered in clear on the TLS port, and old TLS is refused.
	if resp, err := http.Get("http://" + n.addr + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("plain HTTP to the TLS port = %d, want 400", resp.StatusCode)
		}
	}
	old := n.client.Transport.(*http.Transport).Clone()
	old.TLSClientConfig.MinVersion, old.TLSClientConfig.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
	if resp, err := (&http.Client{Transport: old}).Get(n.base() + "/healthz"); err == nil {
		resp.Body.Close()
		t.Error("a TLS 1.1 client was answered")
	}

	// What a partner needs, from the same certificate.
	out := n.cli("node", "info", "--addr", n.addr)
	if field(out, "tls_pin") != pin || field(out, "url") != "https://"+n.addr || field(out, "id") != "A" || field(out, "public_key") == "" {
		t.Errorf("node info:\n%s\nwant tls_pin %s and url https://%s", out, pin, n.addr)
	}
	if add := field(out, "add_with"); !strings.Contains(add, "--tls-pin "+pin) || !strings.Contains(add, "--url https://"+n.addr) {
		t.Errorf("node info add_with: %q", add)
	}
	// Renewing in the same directory keeps the CA and the key: the pin.
	code, again, errs := run(t, t.TempDir(), "", "tls", "selfsigned", "--host", "127.0.0.1", "--dir", dir)
	if code != 0 || field(again, "tls_pin") != pin || !strings.Contains(again, "CA kept") {
		t.Errorf("renewal: exit %d, pin %s (want %s)\n%s%s", code, field(again, "tls_pin"), pin, again, errs)
	}
}

// A certificate or key that does not load stops serve at start with exit
// status 1 and the file named; one without the other is a usage error.
func TestServeTLSBadPair(t *testing.T) {
	dir, _ := selfSigned(t)
	other, _ := selfSigned(t)
	notPEM := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o600)
	cert, key := filepath.Join(dir, tlsCertFile), filepath.Join(dir, tlsKeyFile)
	for _, tc := range []struct {
		name      string
		args      []string
		vars      map[string]string
		code      int
		wantInErr []string
	}{
		{"missing key", []string{"--tls-cert", cert, "--tls-key", filepath.Join(dir, "nope.pem")}, nil, 1, []string{"nope.pem", "no such file"}},
		{"cert not PEM", []string{"--tls-cert", notPEM, "--tls-key", key}, nil, 1, []string{"notes.txt", "no PEM certificate"}},
		{"key of another cert", []string{"--tls-cert", cert, "--tls-key", filepath.Join(other, tlsKeyFile)}, nil, 1, []string{"TLS key", "does not match"}},
		{"from the environment", nil, map[string]string{"TRIPLINE_TLS_CERT": notPEM, "TRIPLINE_TLS_KEY": key}, 1, []string{"notes.txt"}},
		{"cert alone", []string{"--tls-cert", cert}, nil, 2, []string{"--tls-cert and --tls-key go together"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := t.TempDir()
			var errb syncBuffer
			env := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &errb, Getenv: func(k string) string {
				if k == "TRIPLINE_DATA" {
					return data
				}
				return tc.vars[k]
			}}
			code := Run(context.Background(), env, append([]string{"serve", "--addr", "127.0.0.1:0"}, tc.args...))
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, errb.String())
			}
			for _, w := range tc.wantInErr {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr %q does not say %q", errb.String(), w)
				}
			}
		})
	}
}

// TestFederationPinnedTLS: B pulls A over TLS with A's key pinned, and its
// encounter report reaches A the same way; C, which pinned another key,
// gets nothing and logs why. A partner address in clear to another machine
// is refused unless --insecure-http.
func TestFederationPinnedTLS(t *testing.T) {
	dir, pin := selfSigned(t)
	_, otherPin := selfSigned(t)
	a := newTLSNode(t, "A", tlsVars(dir))
	b, c := newTLSNode(t, "B", nil), newTLSNode(t, "C", nil)
	key := func(n *tlsNode) string { return field(n.cli("node", "info"), "public_key") }
	for _, x := range []*tlsNode{b, c} {
		a.cli("partners", "add", x.vars["TRIPLINE_NODE"], "--agency", x.vars["TRIPLINE_AGENCY"], "--key", key(x))
	}
	b.cli("partners", "add", "A", "--agency", "agency-a", "--key", key(a), "--url", "https://"+a.addr, "--tls-pin", pin)
	c.cli("partners", "add", "A", "--agency", "agency-a", "--key", key(a), "--url", "https://"+a.addr, "--tls-pin", otherPin)
	if list := b.cli("partners", "list"); !strings.Contains(list, "key pinned (1)") {
		t.Errorf("partners list:\n%s", list)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--url", "http://192.0.2.1:8080"}, "plain http:// to another machine"},
		{[]string{"--url", "http://" + a.addr, "--tls-pin", pin}, "needs an https:// url"},
		{[]string{"--url", "https://" + a.addr, "--tls-pin", "sha256/short"}, "tls pin"},
		{[]string{"--url", "https://" + a.addr, "--tls-ca", filepath.Join(dir, "none.pem")}, "--tls-ca"},
		{[]string{"--url", "https://" + a.addr, "--tls-ca", filepath.Join(dir, tlsKeyFile)}, "tls ca"},
	} {
		if code, _, errs := c.run(append([]string{"partners", "add", "X", "--agency", "x", "--key", key(a)}, tc.args...)...); code != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("partners add %v: exit %d, %q; want 1 and %q", tc.args, code, errs, tc.want)
		}
	}
	c.cli("partners", "add", "X", "--agency", "x", "--key", key(a), "--url", "http://192.0.2.1:8080", "--insecure-http")
	for _, n := range []*tlsNode{a, b, c} {
		n.start()
	}

	if resp, _ := a.call("analyst", "POST", "/v1/listings", listingBody("agency-a", "1", "Zebulon Quartermaine", "1980-02-03", "never")); resp.StatusCode != 200 {
		t.Fatalf("listing at A: %d", resp.StatusCode)
	}
	screen := func(n *tlsNode, ref string) map[string]any {
		_, r := n.call("officer", "POST", "/v1/screen", `{"ref":"`+ref+`","name":"Zebulon Quartermaine","dob":"1980-02-03"}`)
		return r
	}
	within(t, 20*time.Second, "A's listing screenable at B", func() bool { return screen(b, "probe")["decision"] == "hit" })
	r := screen(b, "enc-1")
	encs, _ := r["encounters"].([]any)
	if len(encs) != 1 {
		t.Fatalf("hit at B: %v, want one encounter", r)
	}
	within(t, 20*time.Second, "B's encounter report at A", func() bool {
		resp, e := a.call("analyst", "GET", "/v1/encounters/"+encs[0].(string), "")
		return resp.StatusCode == 200 && e["agency"] == "agency-b"
	})
	within(t, 20*time.Second, "C refuses A's key", func() bool { return strings.Contains(c.logs.String(), "is not the pinned "+otherPin) })
	if d := screen(c, "c-1")["decision"]; d != "clear" {
		t.Errorf("C, which pinned another key, screens %v", d)
	}
	if !strings.Contains(c.logs.String(), "partner reached over plain HTTP") {
		t.Error("no warning for the partner allowed in clear")
	}
}
