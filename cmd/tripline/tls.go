package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"tripline"
	"tripline/tlsconf"
)

// Files of `tripline tls selfsigned`, in its --dir.
const (
	tlsCAFile    = "ca.pem"     // the CA certificate: partners give it to --tls-ca
	tlsCAKeyFile = "ca-key.pem" // the CA's key: keep it offline
	tlsCertFile  = "cert.pem"   // serve --tls-cert
	tlsKeyFile   = "key.pem"    // serve --tls-key
)

// caValidity is how long a CA made by `tls selfsigned` lasts: certificates
// are renewed under it without partners changing anything.
const caValidity = 10 * 365 * 24 * time.Hour

// tlsCommands make what serve --tls-cert needs, for a newcomer or a test
// network: an agency with its own PKI uses its own certificates.
var tlsCommands = []*command{{
	name: "tls selfsigned", usage: "--host NAME[,NAME...] [--dir DIR] [--days N]",
	summary: "Make a CA and a server certificate for serve's HTTPS.\n" +
		"Run again in the same directory, it renews the certificate under the same CA and with the\n" +
		"same key, so that partners' pins stay valid. It prints the pin partners pin this node by.",
	examples: []string{"tripline tls selfsigned --host a.example,127.0.0.1 --dir tripline-tls"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		hosts := fs.String("host", "", "the DNS names and IP addresses partners and browsers reach this node by, `NAME,...` (required)")
		dir := fs.String("dir", "tripline-tls", "where to write "+strings.Join([]string{tlsCAFile, tlsCAKeyFile, tlsCertFile, tlsKeyFile}, ", ")+" (`DIR`)")
		days := fs.Int("days", 365, "how long the certificate is valid, in days (`N`)")
		return func(_ context.Context, _ []string) error { return makeSelfSigned(env, *hosts, *dir, *days) }
	},
}}

// makeSelfSigned makes (or renews) the CA and certificate of tls selfsigned.
func makeSelfSigned(env *Env, hostList, dir string, days int) error {
	hosts := &hostList
	if *hosts == "" {
		return usagef("--host: name at least one host name or IP address the node is reached by")
	}
	if days < 1 || days > 3650 {
		return usagef("--days: %d is not between 1 and 3650", days)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("--dir: %w", err)
	}
	path := func(name string) string { return filepath.Join(dir, name) }
	now := time.Now()
	caCert, caKey, caNew, err := loadOrCreateCA(path(tlsCAFile), path(tlsCAKeyFile), strings.Split(*hosts, ",")[0], now)
	if err != nil {
		return err
	}
	key, err := readOptional(path(tlsKeyFile))
	if err != nil {
		return err
	}
	cert, newKey, err := tlsconf.Issue(caCert, caKey, key, strings.Split(*hosts, ","), now, time.Duration(days)*24*time.Hour)
	if err != nil {
		return tripline.Errorf(tripline.ErrorCode(err), "%s: %s", dir, tripline.ErrorMessage(err))
	}
	if key == nil {
		if err := writeFileSync(path(tlsKeyFile), newKey, 0o600); err != nil {
			return err
		}
	}
	if err := writeFileSync(path(tlsCertFile), cert, 0o644); err != nil {
		return err
	}
	leaf, err := tlsconf.ReadCertificate(path(tlsCertFile))
	if err != nil {
		return err
	}
	say := func(format string, a ...any) { fmt.Fprintf(env.Stdout, format+"\n", a...) }
	if caNew {
		say("%s: new CA certificate: partners who trust it give it to partners add --tls-ca", path(tlsCAFile))
		say("%s: the CA's key: keep it offline; it signs renewals", path(tlsCAKeyFile))
	} else {
		say("%s: the CA kept", path(tlsCAFile))
	}
	if key == nil {
		say("%s: new private key (mode 0600): serve --tls-key", path(tlsKeyFile))
	} else {
		say("%s: the key kept: the pin is unchanged", path(tlsKeyFile))
	}
	say("%s: certificate for %s until %s: serve --tls-cert", path(tlsCertFile), *hosts, leaf.NotAfter.Format(time.DateOnly))
	say("tls_pin: %s", tripline.TLSPin(leaf))
	return nil
}

// loadOrCreateCA reads the CA of a previous run, or makes one when neither
// file exists; one without the other is an error (nothing is overwritten).
func loadOrCreateCA(certFile, keyFile, name string, now time.Time) (cert, key []byte, created bool, err error) {
	if cert, err = readOptional(certFile); err != nil {
		return nil, nil, false, err
	}
	if key, err = readOptional(keyFile); err != nil {
		return nil, nil, false, err
	}
	switch {
	case cert != nil && key != nil:
		return cert, key, false, nil
	case cert != nil || key != nil:
		return nil, nil, false, fmt.Errorf("%s and %s: one is there without the other; restore it or remove both to make a new CA", certFile, keyFile)
	}
	if cert, key, err = tlsconf.NewCA("Tripline CA "+name, now, caValidity); err != nil {
		return nil, nil, false, err
	}
	if err := writeFileSync(keyFile, key, 0o600); err != nil {
		return nil, nil, false, err
	}
	return cert, key, true, writeFileSync(certFile, cert, 0o644)
}

// readOptional returns a file's contents, or nil when it does not exist.
func readOptional(name string) ([]byte, error) {
	b, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// writeFileSync replaces name with b durably: a temporary file, synced,
// renamed over it. A crash leaves the old file or the new, never half.
func writeFileSync(name string, b []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
