package blind

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/circl/oprf"

	"tripline"
)

// Suite is the OPRF suite: ristretto255 with SHA-512 (RFC 9497 §4.1), the
// fastest of CIRCL's.
var Suite = oprf.SuiteRistretto255

// Sizes of a table entry: a lookup tag, the AEAD nonce, the sealed payload
// (a fixed-size plaintext and the AEAD's tag).
const (
	TagSize       = 16
	nonceSize     = 12
	plainSize     = 144
	sealedSize    = nonceSize + plainSize + 16
	EntrySize     = TagSize + sealedSize
	evaluatedSize = 32 // a compressed ristretto255 element
)

// Secrets are an originator's blind-screening secrets, derived from its node
// key so that nothing new must be stored or backed up: the OPRF seed of
// every epoch and the key naming its alert references.
type Secrets struct {
	oprfSeed []byte
	refKey   []byte
}

// NewSecrets derives the secrets from the node's Ed25519 seed.
func NewSecrets(nodeSeed []byte) (*Secrets, error) {
	seed, err := hkdf.Key(sha256.New, nodeSeed, nil, "tripline-blind-oprf-seed-v1", 32)
	if err != nil {
		return nil, err
	}
	ref, err := hkdf.Key(sha256.New, nodeSeed, nil, "tripline-blind-ref-v1", 32)
	if err != nil {
		return nil, err
	}
	return &Secrets{oprfSeed: seed, refKey: ref}, nil
}

// EpochKey returns origin's OPRF key for an epoch. Each epoch has its own
// key, so a table of another epoch never meets an evaluation of this one.
func (s *Secrets) EpochKey(origin string, epoch int64) (*oprf.PrivateKey, error) {
	return oprf.DeriveKey(Suite, oprf.VerifiableMode, s.oprfSeed, []byte("tripline-blind-v1|"+origin+"|"+strconv.FormatInt(epoch, 10)))
}

var refEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// Ref returns the alert reference of a listing: stable, opaque to anyone
// but the originator, and short.
func (s *Secrets) Ref(listingID string) string {
	m := hmac.New(sha256.New, s.refKey)
	m.Write([]byte(listingID))
	return "BL" + refEncoding.EncodeToString(m.Sum(nil)[:12])
}

// Epoch returns the epoch of t for epochs of length d, counted from the
// Unix epoch.
func Epoch(t time.Time, d time.Duration) int64 { return t.UnixNano() / int64(d) }

// EpochEnd returns when epoch e ends.
func EpochEnd(e int64, d time.Duration) time.Time { return time.Unix(0, (e+1)*int64(d)).UTC() }

// split turns an OPRF output into the lookup tag and the sealing key of its
// entry (HKDF-Expand with distinct labels).
func split(output []byte) (tag [TagSize]byte, key []byte, err error) {
	t, err := hkdf.Expand(sha256.New, output, "tripline-blind-tag-v1", TagSize)
	if err != nil {
		return tag, nil, err
	}
	copy(tag[:], t)
	key, err = hkdf.Expand(sha256.New, output, "tripline-blind-seal-v1", 32)
	return tag, key, err
}

// actions is the one-byte code of each action in a sealed payload.
var actions = []tripline.Action{"", tripline.ActionRefuseEntry, tripline.ActionDetain, tripline.ActionSecondaryCheck, tripline.ActionReport, tripline.ActionInfo}

// encodePayload writes p into a fixed-size plaintext:
// version, action, expiry (10 bytes or zeros), then ref and contact, each
// with its length, then zero padding.
func encodePayload(p *tripline.BlindPayload) ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	b := make([]byte, 0, plainSize)
	code := 0
	for i, a := range actions {
		if a == p.Action {
			code = i
		}
	}
	b = append(b, 1, byte(code))
	exp := make([]byte, 10)
	copy(exp, p.Expires)
	b = append(b, exp...)
	b = append(b, byte(len(p.Ref)))
	b = append(b, p.Ref...)
	b = append(b, byte(len(p.Contact)))
	b = append(b, p.Contact...)
	return b[:plainSize], nil
}

var errPayload = errors.New("blind: malformed payload")

func decodePayload(b []byte) (*tripline.BlindPayload, error) {
	if len(b) != plainSize || b[0] != 1 || int(b[1]) >= len(actions) || b[1] == 0 {
		return nil, errPayload
	}
	p := &tripline.BlindPayload{Action: actions[b[1]], Expires: strings.TrimRight(string(b[2:12]), "\x00")}
	rest := b[12:]
	n := int(rest[0])
	if n > len(rest)-2 {
		return nil, errPayload
	}
	p.Ref, rest = string(rest[1:1+n]), rest[1+n:]
	n = int(rest[0])
	if n > len(rest)-1 {
		return nil, errPayload
	}
	p.Contact = string(rest[1 : 1+n])
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", errPayload, err)
	}
	return p, nil
}

func aead(key []byte) (cipher.AEAD, error) {
	blk, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(blk)
}

// seal encrypts p under key (AES-256-GCM, a random nonce: the same key
// seals again when the listing changes within an epoch), bound to the tag
// and the table's origin and epoch.
func seal(key []byte, tag [TagSize]byte, bind []byte, p *tripline.BlindPayload) ([]byte, error) {
	plain, err := encodePayload(p)
	if err != nil {
		return nil, err
	}
	a, err := aead(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, nonceSize, sealedSize)
	if _, err := rand.Read(out); err != nil {
		return nil, err
	}
	return a.Seal(out, out[:nonceSize], plain, aad(tag, bind)), nil
}

// open decrypts a sealed payload; it fails for any key but the entry's.
func open(key []byte, tag [TagSize]byte, bind []byte, sealed []byte) (*tripline.BlindPayload, error) {
	if len(sealed) != sealedSize {
		return nil, errPayload
	}
	a, err := aead(key)
	if err != nil {
		return nil, err
	}
	plain, err := a.Open(nil, sealed[:nonceSize], sealed[nonceSize:], aad(tag, bind))
	if err != nil {
		return nil, err
	}
	return decodePayload(plain)
}

func aad(tag [TagSize]byte, bind []byte) []byte {
	return append(append([]byte("tripline-blind-entry-v1"), tag[:]...), bind...)
}

// binding is what every entry of a table is bound to: its origin and epoch.
func binding(origin string, epoch int64) []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(epoch))
	return append(b, origin...)
}
