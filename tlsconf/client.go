package tlsconf

import (
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"strings"

	"tripline"
)

// PinError refuses a server whose TLS key is not one of those pinned.
type PinError struct {
	Got    string   // the pin of the key the server showed
	Pinned []string // the pins it was checked against
}

// Error says which key was shown and which were expected.
func (e *PinError) Error() string {
	return fmt.Sprintf("TLS key %s is not the pinned %s: refused, whoever signed its certificate",
		e.Got, strings.Join(e.Pinned, " or "))
}

// Client returns the configuration for connecting to a partner: TLS 1.2
// and later, the certificate verified against caPEM (empty: the system's
// CAs), and, with pins, the server's key one of the pinned ones
// (tripline.TLSPin) whichever CA signed its certificate. With pins and no
// caPEM the pin alone is the trust, as with SSH host keys: a self-signed
// certificate is accepted, its chain, names and dates are not checked.
// Pins and caPEM are checked first (tripline.Partner.CheckTransport); an
// error is EINVALID.
func Client(pins []string, caPEM string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if caPEM != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(caPEM)) {
			return nil, tripline.Errorf(tripline.EINVALID, "tls ca: no PEM certificate in it")
		}
		cfg.RootCAs = pool
	}
	if len(pins) == 0 {
		return cfg, nil
	}
	want := make([][sha256.Size]byte, len(pins))
	for i, p := range pins {
		sum, err := tripline.ParseTLSPin(p)
		if err != nil {
			return nil, err
		}
		want[i] = sum
	}
	// With a CA, crypto/tls verifies the chain and the name before
	// VerifyConnection; without one, the pin is the only check.
	cfg.InsecureSkipVerify = caPEM == ""
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return &PinError{Got: "(no certificate)", Pinned: pins}
		}
		got := sha256.Sum256(cs.PeerCertificates[0].RawSubjectPublicKeyInfo)
		for _, w := range want {
			if subtle.ConstantTimeCompare(got[:], w[:]) == 1 {
				return nil
			}
		}
		return &PinError{Got: tripline.TLSPin(cs.PeerCertificates[0]), Pinned: pins}
	}
	return cfg, nil
}
