// Package federation connects Tripline nodes: each agency runs its own node,
// partners pull each other's signed event feeds (long-poll: changes arrive
// in seconds), verify and apply them idempotently and in order, relay what
// the originator's re-share rule allows, and send encounter reports back to
// the originator, retried until acknowledged. Nodes authenticate each other
// by Ed25519 signatures on requests, and every event is signed by the node
// that made it, end to end through relays.
package federation

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"tripline"
)

// LoadOrCreateKey reads the node's private key from path, creating it on
// first use (written to a temporary file, synced, then renamed: a crash
// never leaves half a key).
func LoadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	if b, err := os.ReadFile(path); err == nil {
		blk, _ := pem.Decode(b)
		if blk == nil || blk.Type != "TRIPLINE NODE KEY" || len(blk.Bytes) != ed25519.SeedSize {
			return nil, fmt.Errorf("node key %s: not a Tripline node key", path)
		}
		return ed25519.NewKeyFromSeed(blk.Bytes), nil
	} else if !os.IsNotExist(err) {
		return nil, fmt.Errorf("read node key: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(path, pem.EncodeToMemory(&pem.Block{Type: "TRIPLINE NODE KEY", Bytes: priv.Seed()})); err != nil {
		return nil, fmt.Errorf("write node key: %w", err)
	}
	return priv, nil
}

// writeFileAtomic writes b to path, mode 0600: to a temporary file in the
// same directory, synced, then renamed, so that a crash never leaves half a
// file.
func writeFileAtomic(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create directory: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// PublicKeyString encodes a public key as partners configure it.
func PublicKeyString(pub ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(pub) }

// ParsePublicKey decodes a partner's configured public key.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, tripline.Errorf(tripline.EINVALID, "public key: want %d bytes of base64", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// Request signing headers: a node proves who it is on every call.
const (
	HeaderNode      = "Tripline-Node"
	HeaderDate      = "Tripline-Date"
	HeaderSignature = "Tripline-Signature"
)

// MaxClockSkew bounds how old a signed request may be: a captured request
// cannot be replayed later.
const MaxClockSkew = 5 * time.Minute

func requestBytes(method, uri, date string, body []byte) []byte {
	sum := sha256.Sum256(body)
	return []byte("tripline-request-v1\n" + method + "\n" + uri + "\n" + date + "\n" + hex.EncodeToString(sum[:]))
}

// SignRequest signs req (whose body is body) as node with priv.
func SignRequest(req *http.Request, node string, priv ed25519.PrivateKey, body []byte, now time.Time) {
	date := now.UTC().Format(time.RFC3339)
	req.Header.Set(HeaderNode, node)
	req.Header.Set(HeaderDate, date)
	req.Header.Set(HeaderSignature, base64.StdEncoding.EncodeToString(ed25519.Sign(priv, requestBytes(req.Method, req.URL.RequestURI(), date, body))))
}

// CheckRequestHeaders checks what a signed request claims before its
// body is read (the signature covers the body): the headers are there,
// the node is known, the date is recent. A stranger is refused before the
// node reads a byte of what it sends.
func CheckRequestHeaders(r *http.Request, known func(node string) bool, now time.Time) (string, error) {
	node, date, sig := r.Header.Get(HeaderNode), r.Header.Get(HeaderDate), r.Header.Get(HeaderSignature)
	if node == "" || date == "" || sig == "" {
		return "", tripline.Errorf(tripline.EUNAUTHORIZED, "node request: %s, %s and %s are required", HeaderNode, HeaderDate, HeaderSignature)
	}
	if !known(node) {
		return "", tripline.Errorf(tripline.EUNAUTHORIZED, "node request: unknown node")
	}
	t, err := time.Parse(time.RFC3339, date)
	if err != nil || now.Sub(t) > MaxClockSkew || t.Sub(now) > MaxClockSkew {
		return "", tripline.Errorf(tripline.EUNAUTHORIZED, "node request: date missing, malformed or out of the allowed window")
	}
	return node, nil
}

// VerifyRequest checks a signed request: the node is a known partner, the
// signature verifies with its key and the date is recent.
func VerifyRequest(r *http.Request, body []byte, key func(node string) (ed25519.PublicKey, bool), now time.Time) (string, error) {
	node, err := CheckRequestHeaders(r, func(node string) bool { _, ok := key(node); return ok }, now)
	if err != nil {
		return "", err
	}
	pub, _ := key(node)
	date, sig := r.Header.Get(HeaderDate), r.Header.Get(HeaderSignature)
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || !ed25519.Verify(pub, requestBytes(r.Method, r.URL.RequestURI(), date, body), raw) {
		return "", tripline.Errorf(tripline.EUNAUTHORIZED, "node request: bad signature")
	}
	return node, nil
}

// VerifyRun checks a run of consecutive events of one origin that follows
// the chain value prev (its previous event's; "" before the first): every
// event's chain value must recompute — an altered event breaks it at once —
// and every signature present must verify with the origin's key. It
// returns how many events from the start a verified signature vouches for
// (up to the last signed one) and the first failure, as a *BadEvent.
func VerifyRun(evs []*tripline.Event, prev string, key func(node string) (ed25519.PublicKey, bool)) (int, error) {
	vouched := 0
	for i, ev := range evs {
		if err := checkRange(ev); err != nil {
			return vouched, &BadEvent{Index: i, Err: err}
		}
		if ev.RangeFrom > 0 {
			prev = ev.RangeChain // the links inside a range are not shown; its end is bound below
		}
		chain, err := ev.ChainNext(prev)
		if err != nil {
			return vouched, &BadEvent{Index: i, Err: tripline.Errorf(tripline.EINVALID, "event %s/%d: %s", ev.Origin, ev.Seq, tripline.ErrorMessage(err))}
		}
		if chain != ev.Chain {
			return vouched, &BadEvent{Index: i, Err: tripline.Errorf(tripline.EINVALID, "event %s/%d: does not follow its origin's chain (tampered or out of order)", ev.Origin, ev.Seq)}
		}
		prev = chain
		if len(ev.Sig) == 0 {
			continue
		}
		pub, ok := key(ev.Origin)
		if !ok {
			return vouched, &BadEvent{Index: i, Err: tripline.Errorf(tripline.EFORBIDDEN, "event %s/%d: unknown origin", ev.Origin, ev.Seq)}
		}
		if !ed25519.Verify(pub, ev.SigningBytes(), ev.Sig) {
			return vouched, &BadEvent{Index: i, Err: tripline.Errorf(tripline.EINVALID, "event %s/%d: signature does not verify (tampered?)", ev.Origin, ev.Seq)}
		}
		vouched = i + 1
	}
	if vouched < len(evs) {
		last := evs[len(evs)-1]
		return vouched, &BadEvent{Index: vouched, Err: tripline.Errorf(tripline.EINVALID, "events %s/%d..%d: unsigned: no signature vouches for them", last.Origin, evs[vouched].Seq, last.Seq)}
	}
	return vouched, nil
}

// BadEvent is a verification failure at an event of a run.
type BadEvent struct {
	Index int
	Err   error
}

// Error implements error.
func (b *BadEvent) Error() string { return b.Err.Error() }

// Unwrap returns the coded error.
func (b *BadEvent) Unwrap() error { return b.Err }
