// Package tlsconf builds the TLS configurations of a node: the server's
// (a certificate and key read from files, reloaded when they change), the
// client's towards a partner (its key pinned, or its own CA), and a
// self-signed CA with a certificate it signs, for a first deployment.
package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"time"

	"tripline"
)

// Keypair is a certificate and key read from two PEM files. A server
// configured by Config re-reads them at the first handshake after either
// file changes, so that a renewed certificate is served without a restart;
// a pair that does not load (a renewal half written) leaves the last good
// one in service and is logged.
type Keypair struct {
	CertFile, KeyFile string
	Logger            *slog.Logger

	mu     sync.Mutex
	cert   *tls.Certificate
	loaded stamp // the files as last loaded
	failed stamp // the files as they last failed to load
}

// stamp identifies a version of the two files.
type stamp struct {
	certMod, keyMod   time.Time
	certSize, keySize int64
}

// LoadKeypair reads a certificate (PEM, the server's first, then any
// intermediates) and its private key (PEM). Its error names the file that
// does not load and why: missing, unreadable, not PEM, or a key that does
// not go with the certificate.
func LoadKeypair(certFile, keyFile string, log *slog.Logger) (*Keypair, error) {
	k := &Keypair{CertFile: certFile, KeyFile: keyFile, Logger: log}
	st := k.stat()
	cert, err := loadPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	k.cert, k.loaded = cert, st
	return k, nil
}

// Leaf returns the certificate in service.
func (k *Keypair) Leaf() *x509.Certificate {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.cert.Leaf
}

// Pin returns the pin of the key in service (tripline.TLSPin).
func (k *Keypair) Pin() string { return tripline.TLSPin(k.Leaf()) }

// Config returns a server configuration serving the pair: TLS 1.2 and
// later, with the cipher suites crypto/tls chooses (AEAD with forward
// secrecy only).
func (k *Keypair) Config() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: k.certificate}
}

func (k *Keypair) certificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	st := k.stat()
	k.mu.Lock()
	defer k.mu.Unlock()
	if st == k.loaded || st == k.failed {
		return k.cert, nil
	}
	cert, err := loadPair(k.CertFile, k.KeyFile)
	if err != nil {
		k.failed = st
		k.log().Error("TLS certificate changed but does not load: still serving the previous one", "err", err)
		return k.cert, nil
	}
	k.cert, k.loaded = cert, st
	k.log().Info("TLS certificate reloaded", "cert", k.CertFile, "pin", tripline.TLSPin(cert.Leaf), "not_after", cert.Leaf.NotAfter)
	return k.cert, nil
}

func (k *Keypair) log() *slog.Logger {
	if k.Logger == nil {
		return slog.Default()
	}
	return k.Logger
}

func (k *Keypair) stat() stamp {
	var st stamp
	if fi, err := os.Stat(k.CertFile); err == nil {
		st.certMod, st.certSize = fi.ModTime(), fi.Size()
	}
	if fi, err := os.Stat(k.KeyFile); err == nil {
		st.keyMod, st.keySize = fi.ModTime(), fi.Size()
	}
	return st
}

// ReadCertificate returns the first certificate of a PEM file, the
// server's own in a chain. Its error names the file and what is wrong.
func ReadCertificate(certFile string) (*x509.Certificate, error) {
	certPEM, err := readFile("TLS certificate", certFile)
	if err != nil {
		return nil, err
	}
	return firstCertificate(certFile, certPEM)
}

func firstCertificate(certFile string, certPEM []byte) (*x509.Certificate, error) {
	var b *pem.Block
	for rest := certPEM; ; {
		if b, rest = pem.Decode(rest); b == nil || b.Type == "CERTIFICATE" {
			break
		}
	}
	if b == nil {
		return nil, fmt.Errorf("TLS certificate %s: no PEM certificate (-----BEGIN CERTIFICATE-----) in it", certFile)
	}
	cert, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate %s: %w", certFile, err)
	}
	return cert, nil
}

// loadPair reads and checks the pair, each error naming its file.
func loadPair(certFile, keyFile string) (*tls.Certificate, error) {
	certPEM, err := readFile("TLS certificate", certFile)
	if err != nil {
		return nil, err
	}
	keyPEM, err := readFile("TLS key", keyFile)
	if err != nil {
		return nil, err
	}
	if _, err := firstCertificate(certFile, certPEM); err != nil {
		return nil, err
	}
	if !hasKeyBlock(keyPEM) {
		return nil, fmt.Errorf("TLS key %s: no PEM private key (-----BEGIN ... PRIVATE KEY-----) in it", keyFile)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("TLS key %s with certificate %s: %w", keyFile, certFile, err)
	}
	return &cert, nil
}

func readFile(what, name string) ([]byte, error) {
	b, err := os.ReadFile(name)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("%s %s: %w", what, name, pe.Err)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, name, err)
	}
	return b, nil
}

func hasKeyBlock(b []byte) bool {
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return false
		}
		if blk.Type == "PRIVATE KEY" || blk.Type == "EC PRIVATE KEY" || blk.Type == "RSA PRIVATE KEY" {
			return true
		}
	}
}
