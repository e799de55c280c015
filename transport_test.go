package tripline_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"tripline"
)

// testCA returns a self-signed CA certificate, parsed and as PEM.
func testCA(t *testing.T) (*x509.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true,
		BasicConstraintsValid: true, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// A pin is the SHA-256 of the key's DER SubjectPublicKeyInfo, as curl's
// --pinnedpubkey and `openssl x509 -pubkey | openssl pkey -pubin -outform
// der | openssl dgst -sha256 -binary | base64` compute it.
func TestTLSPin(t *testing.T) {
	cert, _ := testCA(t)
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	want := "sha256/" + base64.StdEncoding.EncodeToString(sum[:])
	if got := tripline.TLSPin(cert); got != want {
		t.Fatalf("TLSPin = %s, want %s", got, want)
	}
	for _, pin := range []string{want, "sha256//" + want[len("sha256/"):]} { // ours and curl's
		back, err := tripline.ParseTLSPin(pin)
		if err != nil || back != sum {
			t.Fatalf("ParseTLSPin(%s) = %x, %v", pin, back, err)
		}
	}
}

func TestParseTLSPinRefuses(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "want sha256/BASE64"},
		{"sha1/AAAA", "want sha256/BASE64"},
		{"sha256/not base64!", "not the base64"},
		{"sha256/" + base64.StdEncoding.EncodeToString([]byte("short")), "not the base64 of a 32-byte"},
		{strings.Repeat("x", 5000), "want sha256"},
	} {
		_, err := tripline.ParseTLSPin(tc.in)
		if tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(tripline.ErrorMessage(err), tc.want) {
			t.Errorf("ParseTLSPin(%.20q) = %v, want invalid with %q", tc.in, err, tc.want)
		}
		if len(tripline.ErrorMessage(err)) > 200 {
			t.Errorf("ParseTLSPin(%.20q): message of %d bytes echoes the input", tc.in, len(tripline.ErrorMessage(err)))
		}
	}
}

// Plain HTTP is for this machine only unless asked for; pins and a CA need
// https; every field is checked and named.
func TestPartnerCheckTransport(t *testing.T) {
	cert, caPEM := testCA(t)
	pin := tripline.TLSPin(cert)
	for _, tc := range []struct {
		name string
		p    tripline.Partner
		want string // "" ok, else part of the EINVALID message
	}{
		{"relayed, no url", tripline.Partner{}, ""},
		{"https", tripline.Partner{URL: "https://b.example:8443"}, ""},
		{"https pinned", tripline.Partner{URL: "https://b.example", TLSPins: []string{pin}}, ""},
		{"https own CA", tripline.Partner{URL: "https://b.example", TLSCA: caPEM}, ""},
		{"https pinned and CA", tripline.Partner{URL: "https://b.example", TLSPins: []string{pin}, TLSCA: caPEM}, ""},
		{"http loopback", tripline.Partner{URL: "http://127.0.0.1:8080"}, ""},
		{"http loopback v6", tripline.Partner{URL: "http://[::1]:8080"}, ""},
		{"http localhost", tripline.Partner{URL: "http://localhost:8080"}, ""},
		{"http elsewhere", tripline.Partner{URL: "http://b.example:8080"}, "plain http:// to another machine"},
		{"http 127 lookalike", tripline.Partner{URL: "http://127.0.0.1.evil.example"}, "plain http://"},
		{"http elsewhere allowed", tripline.Partner{URL: "http://10.1.2.3:8080", InsecureHTTP: true}, ""},
		{"http pinned", tripline.Partner{URL: "http://127.0.0.1:8080", TLSPins: []string{pin}}, "needs an https:// url"},
		{"http CA", tripline.Partner{URL: "http://127.0.0.1:8080", TLSCA: caPEM}, "needs an https:// url"},
		{"pin without url", tripline.Partner{TLSPins: []string{pin}}, "needs a url"},
		{"bad pin", tripline.Partner{URL: "https://b.example", TLSPins: []string{"sha256/xyz"}}, "tls pin"},
		{"CA not PEM", tripline.Partner{URL: "https://b.example", TLSCA: "hello"}, "tls ca: want PEM certificates"},
		{"CA with a key", tripline.Partner{URL: "https://b.example", TLSCA: caPEM + "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"},
			"PRIVATE KEY block"},
		{"CA broken cert", tripline.Partner{URL: "https://b.example", TLSCA: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"},
			"certificate 1 does not parse"},
		{"ftp", tripline.Partner{URL: "ftp://b.example"}, "scheme must be https or http"},
		{"no host", tripline.Partner{URL: "https:///v1"}, "want http(s)://host"},
		{"user info", tripline.Partner{URL: "https://u:p@b.example"}, "want http(s)://host"},
		{"query", tripline.Partner{URL: "https://b.example?x=1"}, "want http(s)://host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.p.ID = "B"
			err := tc.p.CheckTransport()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("CheckTransport = %v, want ok", err)
				}
				return
			}
			msg := tripline.ErrorMessage(err)
			if tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(msg, tc.want) || !strings.Contains(msg, "partner B") {
				t.Fatalf("CheckTransport = %v, want invalid naming partner B with %q", err, tc.want)
			}
		})
	}
}
