package tlsconf_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/tlsconf"
)

// pair is a CA and a server certificate it signed for 127.0.0.1.
type pair struct {
	caCert, caKey, cert, key []byte
	pin                      string
}

func newPair(t *testing.T) pair {
	t.Helper()
	now := time.Now()
	caCert, caKey, err := tlsconf.NewCA("test CA", now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cert, key, err := tlsconf.Issue(caCert, caKey, nil, []string{"127.0.0.1", "localhost"}, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c, err := tls.X509KeyPair(cert, key)
	if err != nil {
		t.Fatal(err)
	}
	return pair{caCert, caKey, cert, key, tripline.TLSPin(c.Leaf)}
}

// write puts the pair's certificate and key in dir, with a modification
// time of its own (a reload must see the change whatever the file system's
// clock resolution).
func (p pair) write(t *testing.T, dir string, mod time.Time) (certFile, keyFile string) {
	t.Helper()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for name, b := range map[string][]byte{certFile: p.cert, keyFile: p.key} {
		if err := os.WriteFile(name, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(name, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	return certFile, keyFile
}

// A pair that does not load is refused at start with the file named and
// what is wrong with it.
func TestLoadKeypairErrors(t *testing.T) {
	dir := t.TempDir()
	good, other := newPair(t), newPair(t)
	certFile, keyFile := good.write(t, dir, time.Now())
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	notPEM := write("notpem.txt", []byte("hello"))
	otherKey := write("other-key.pem", other.key)
	brokenCert := write("broken.pem", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	for _, tc := range []struct {
		name, cert, key string
		want            []string
	}{
		{"missing cert", filepath.Join(dir, "nope.pem"), keyFile, []string{"TLS certificate", "nope.pem", "no such file"}},
		{"missing key", certFile, filepath.Join(dir, "nokey.pem"), []string{"TLS key", "nokey.pem", "no such file"}},
		{"cert not PEM", notPEM, keyFile, []string{"TLS certificate", "notpem.txt", "no PEM certificate"}},
		{"cert broken", brokenCert, keyFile, []string{"TLS certificate", "broken.pem"}},
		{"key not PEM", certFile, notPEM, []string{"TLS key", "notpem.txt", "no PEM private key"}},
		{"key of another cert", certFile, otherKey, []string{"TLS key", "other-key.pem", "cert.pem", "does not match"}},
		{"key given as cert", keyFile, certFile, []string{"TLS certificate", "key.pem", "no PEM certificate"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tlsconf.LoadKeypair(tc.cert, tc.key, nil)
			if err == nil {
				t.Fatal("loaded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	k, err := tlsconf.LoadKeypair(certFile, keyFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	if k.Pin() != good.pin {
		t.Errorf("Pin = %s, want %s", k.Pin(), good.pin)
	}
	if cfg := k.Config(); cfg.MinVersion != tls.VersionTLS12 || cfg.CipherSuites != nil {
		t.Errorf("server config: min version %x, suites %v; want TLS 1.2 and crypto/tls's defaults", cfg.MinVersion, cfg.CipherSuites)
	}
}

// A renewed certificate is served at the next handshake; a renewal half
// written (the certificate before its key) keeps the last good pair in
// service and is logged.
func TestKeypairReloads(t *testing.T) {
	dir := t.TempDir()
	first, second := newPair(t), newPair(t)
	t0 := time.Now().Add(-time.Hour)
	certFile, keyFile := first.write(t, dir, t0)
	var logs bytes.Buffer
	k, err := tlsconf.LoadKeypair(certFile, keyFile, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	get := k.Config().GetCertificate
	served := func() string {
		t.Helper()
		c, err := get(&tls.ClientHelloInfo{})
		if err != nil {
			t.Fatal(err)
		}
		return tripline.TLSPin(c.Leaf)
	}
	if got := served(); got != first.pin {
		t.Fatalf("served %s, want the first pair %s", got, first.pin)
	}
	if err := os.WriteFile(certFile, second.cert, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(certFile, t0.Add(time.Minute), t0.Add(time.Minute))
	if got := served(); got != first.pin {
		t.Fatalf("half-written renewal: served %s, want the first pair still", got)
	}
	if !strings.Contains(logs.String(), "does not load") {
		t.Errorf("half-written renewal not logged: %s", logs.String())
	}
	second.write(t, dir, t0.Add(2*time.Minute))
	if got := served(); got != second.pin {
		t.Fatalf("after renewal: served %s, want the second pair %s", got, second.pin)
	}
	if k.Pin() != second.pin || !strings.Contains(logs.String(), "reloaded") {
		t.Errorf("Pin %s after reload; log %s", k.Pin(), logs.String())
	}
}

// server serves 200 over TLS with the pair.
func server(t *testing.T, p pair) *httptest.Server {
	t.Helper()
	c, err := tls.X509KeyPair(p.cert, p.key)
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	s.TLS = &tls.Config{Certificates: []tls.Certificate{c}}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// A pinned partner is reached only when its key is the pinned one, even
// when its certificate chains to a trusted CA; its own CA is trusted when
// given, and no other.
func TestClientPins(t *testing.T) {
	p, other := newPair(t), newPair(t)
	s := server(t, p)
	for _, tc := range []struct {
		name    string
		pins    []string
		ca      []byte
		wantErr string // "" ok
	}{
		{"right pin, self-signed", []string{p.pin}, nil, ""},
		{"one of two pins", []string{other.pin, p.pin}, nil, ""},
		{"wrong pin", []string{other.pin}, nil, "is not the pinned " + other.pin},
		{"wrong pin, trusted CA", []string{other.pin}, p.caCert, "is not the pinned"},
		{"right pin and CA", []string{p.pin}, p.caCert, ""},
		{"right pin, another CA", []string{p.pin}, other.caCert, "unknown authority"},
		{"own CA", nil, p.caCert, ""},
		{"another CA", nil, other.caCert, "unknown authority"},
		{"system CAs", nil, nil, "unknown authority"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := tlsconf.Client(tc.pins, string(tc.ca))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.MinVersion != tls.VersionTLS12 {
				t.Errorf("min version %x", cfg.MinVersion)
			}
			c := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
			defer c.CloseIdleConnections()
			resp, err := c.Get(s.URL)
			if err == nil {
				resp.Body.Close()
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("GET = %v, want ok", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("GET = %v, want an error with %q", err, tc.wantErr)
			}
			var pe *tlsconf.PinError
			if strings.Contains(tc.wantErr, "pinned") && (!errors.As(err, &pe) || pe.Got != p.pin) {
				t.Errorf("error %v: want a PinError naming the key shown, %s", err, p.pin)
			}
		})
	}
	if _, err := tlsconf.Client([]string{"sha256/nope"}, ""); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Errorf("bad pin: %v, want invalid", err)
	}
	if _, err := tlsconf.Client(nil, "not pem"); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Errorf("bad CA: %v, want invalid", err)
	}
}

// Issue certifies the hosts given, under the CA; with the key given it
// keeps the key, and so the pin.
func TestIssue(t *testing.T) {
	p := newPair(t)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(p.caCert)
	c, _ := tls.X509KeyPair(p.cert, p.key)
	for _, host := range []string{"127.0.0.1", "localhost"} {
		if _, err := c.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: host}); err != nil {
			t.Errorf("verify for %s: %v", host, err)
		}
	}
	renewed, key, err := tlsconf.Issue(p.caCert, p.caKey, p.key, []string{"node-a.example.org"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	r, err := tls.X509KeyPair(renewed, key)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(key, p.key) || tripline.TLSPin(r.Leaf) != p.pin {
		t.Errorf("renewal with the same key: pin %s, want %s", tripline.TLSPin(r.Leaf), p.pin)
	}
	for _, tc := range []struct {
		name   string
		caCert []byte
		hosts  []string
		want   string
	}{
		{"no host", p.caCert, nil, "at least one host"},
		{"bad host", p.caCert, []string{"node a"}, "neither a DNS name"},
		{"leaf as CA", p.cert, []string{"x.example"}, "CA certificate"},
	} {
		caKey := p.caKey
		if tc.name == "leaf as CA" {
			caKey = p.key
		}
		_, _, err := tlsconf.Issue(tc.caCert, caKey, nil, tc.hosts, time.Now(), time.Hour)
		if tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(tripline.ErrorMessage(err), tc.want) {
			t.Errorf("%s: %v, want invalid with %q", tc.name, err, tc.want)
		}
	}
}
