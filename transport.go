package tripline

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net"
	"net/url"
	"strings"
)

// TLSPinPrefix starts every TLS pin: the hash of the pinned key, as in
// curl's --pinnedpubkey and HPKP.
const TLSPinPrefix = "sha256/"

// TLSPin returns the pin of a certificate's public key: "sha256/" and the
// standard base64 of the SHA-256 of its DER SubjectPublicKeyInfo.
func TLSPin(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return TLSPinPrefix + base64.StdEncoding.EncodeToString(sum[:])
}

// ParseTLSPin returns the SHA-256 a pin names. It returns EINVALID, saying
// what is wrong, for anything but "sha256/" (or curl's "sha256//") and 44
// characters of base64.
func ParseTLSPin(s string) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	b64, ok := strings.CutPrefix(strings.TrimSpace(s), TLSPinPrefix)
	if len(b64) == 45 && b64[0] == '/' {
		b64 = b64[1:] // curl's --pinnedpubkey form, sha256//BASE64
	}
	if !ok {
		return sum, Errorf(EINVALID, "tls pin %.80q: want %sBASE64 (tripline node info prints it)", s, TLSPinPrefix)
	}
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(b) != sha256.Size {
		return sum, Errorf(EINVALID, "tls pin %.80q: not the base64 of a 32-byte SHA-256", s)
	}
	copy(sum[:], b)
	return sum, nil
}

// CheckTransport reports whether the partner may be reached as configured.
// Its URL is empty (a node reached through a relay) or http(s)://host[:port]
// with at most a path. Plain http:// carries watchlists in clear, so it is
// allowed to this machine (loopback) only, unless InsecureHTTP says so;
// TLS pins and a CA need https://. Pins must parse and TLSCA must hold PEM
// certificates. Errors are EINVALID and name the field.
func (p *Partner) CheckTransport() error {
	if p.URL == "" {
		if len(p.TLSPins) > 0 || p.TLSCA != "" {
			return Errorf(EINVALID, "partner %s: a TLS pin or CA needs a url", p.ID)
		}
		return nil
	}
	u, err := url.Parse(p.URL)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return Errorf(EINVALID, "partner %s: url %.80q: want http(s)://host[:port]", p.ID, p.URL)
	}
	for _, pin := range p.TLSPins {
		if _, err := ParseTLSPin(pin); err != nil {
			return Errorf(EINVALID, "partner %s: %s", p.ID, ErrorMessage(err))
		}
	}
	if p.TLSCA != "" {
		if err := checkCAPEM(p.TLSCA); err != nil {
			return Errorf(EINVALID, "partner %s: tls ca: %s", p.ID, ErrorMessage(err))
		}
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if len(p.TLSPins) > 0 || p.TLSCA != "" {
			return Errorf(EINVALID, "partner %s: a TLS pin or CA needs an https:// url, not %.80s", p.ID, p.URL)
		}
		if !p.InsecureHTTP && !loopback(u.Hostname()) {
			return Errorf(EINVALID, "partner %s: url %.80s: plain http:// to another machine carries watchlists in clear; use https:// (with a TLS pin), or allow it explicitly (insecure_http: tripline partners add --insecure-http)", p.ID, p.URL)
		}
		return nil
	}
	return Errorf(EINVALID, "partner %s: url %.80q: scheme must be https or http", p.ID, p.URL)
}

// loopback reports whether host is this machine: traffic to it never
// leaves it.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkCAPEM reports whether s holds PEM certificates and nothing else.
func checkCAPEM(s string) error {
	rest, n := []byte(s), 0
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			return Errorf(EINVALID, "a %.40s block: want only CERTIFICATE blocks", b.Type)
		}
		if _, err := x509.ParseCertificate(b.Bytes); err != nil {
			return Errorf(EINVALID, "certificate %d does not parse: %v", n+1, err)
		}
		n++
	}
	if n == 0 || strings.TrimSpace(string(rest)) != "" {
		return Errorf(EINVALID, "want PEM certificates (-----BEGIN CERTIFICATE-----)")
	}
	return nil
}
