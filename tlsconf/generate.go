package tlsconf

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"

	"tripline"
)

// NewCA returns a new self-signed CA certificate and its private key, as
// PEM, valid from now for validity. Keys are ECDSA P-256: every browser
// and TLS stack accepts them.
func NewCA(name string, now time.Time, validity time.Duration) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl, err := template(name, now, validity)
	if err != nil {
		return nil, nil, err
	}
	tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.MaxPathLenZero = true, true, true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("create CA certificate: %w", err)
	}
	keyPEM, err = encodeKey(key)
	return encodeCert(der), keyPEM, err
}

// Issue returns a server certificate for hosts (DNS names or IP
// addresses; the first is its common name), signed by the CA, valid from
// now for validity. keyPEM is the server's key to certify; nil makes a new
// one. Keeping the key across renewals keeps the node's pin. Errors are
// EINVALID for a bad host or a CA pair that does not load.
func Issue(caCertPEM, caKeyPEM, keyPEM []byte, hosts []string, now time.Time, validity time.Duration) (certPEM, newKeyPEM []byte, err error) {
	if len(hosts) == 0 {
		return nil, nil, tripline.Errorf(tripline.EINVALID, "hosts: name at least one host name or IP address the partners use")
	}
	ca, err := tls.X509KeyPair(caCertPEM, caKeyPEM)
	if err != nil {
		return nil, nil, tripline.Errorf(tripline.EINVALID, "CA certificate and key: %v", err)
	}
	if !ca.Leaf.IsCA {
		return nil, nil, tripline.Errorf(tripline.EINVALID, "CA certificate %q is not a CA", ca.Leaf.Subject.CommonName)
	}
	var pub crypto.PublicKey
	if keyPEM == nil {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		if keyPEM, err = encodeKey(key); err != nil {
			return nil, nil, err
		}
		pub = &key.PublicKey
	} else {
		signer, err := parseKey(keyPEM)
		if err != nil {
			return nil, nil, err
		}
		pub = signer.Public()
	}
	tmpl, err := template(hosts[0], now, validity)
	if err != nil {
		return nil, nil, err
	}
	for _, h := range hosts {
		h = strings.TrimSpace(h)
		switch ip := net.ParseIP(h); {
		case ip != nil:
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		case validHost(h):
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		default:
			return nil, nil, tripline.Errorf(tripline.EINVALID, "hosts: %.80q is neither a DNS name nor an IP address", h)
		}
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Leaf, pub, ca.PrivateKey)
	if err != nil {
		return nil, nil, fmt.Errorf("create certificate: %w", err)
	}
	return encodeCert(der), keyPEM, nil
}

// SelfSigned makes a CA and a server certificate it signs for hosts, in
// memory: for tests, and tools that serve for a moment. The CA's
// certificate (PEM) lets a client trust the server.
func SelfSigned(hosts []string, now time.Time, validity time.Duration) (caPEM []byte, cert tls.Certificate, err error) {
	caPEM, caKey, err := NewCA("Tripline CA "+strings.Join(hosts, ","), now, validity)
	if err != nil {
		return nil, cert, err
	}
	certPEM, keyPEM, err := Issue(caPEM, caKey, nil, hosts, now, validity)
	if err != nil {
		return nil, cert, err
	}
	cert, err = tls.X509KeyPair(certPEM, keyPEM)
	return caPEM, cert, err
}

func template(name string, now time.Time, validity time.Duration) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	// Backdated an hour: a partner whose clock is a little behind accepts it.
	return &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: name},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(validity)}, nil
}

func encodeCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func encodeKey(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// parseKey reads a PEM private key (PKCS#8, SEC 1 or PKCS#1).
func parseKey(keyPEM []byte) (crypto.Signer, error) {
	for rest := keyPEM; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			return nil, tripline.Errorf(tripline.EINVALID, "server key: no PEM private key in it")
		}
		var k any
		var err error
		switch b.Type {
		case "PRIVATE KEY":
			k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(b.Bytes)
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(b.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, tripline.Errorf(tripline.EINVALID, "server key: does not parse: %v", err)
		}
		if s, ok := k.(crypto.Signer); ok {
			return s, nil
		}
		return nil, tripline.Errorf(tripline.EINVALID, "server key: a %T cannot sign", k)
	}
}

// validHost reports whether h is a DNS name (letters, digits, hyphens,
// dots; a leading "*." for a wildcard).
func validHost(h string) bool {
	h = strings.TrimPrefix(h, "*.")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
