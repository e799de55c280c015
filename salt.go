package tripline

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"hash"
)

// Salted field digests. A field's plain digest is SHA-256 of its JSON, and
// most fields a partner may be refused have few values ("action" six, a
// birth date some 40,000, a nationality 250): a partner handed the digest
// of one left out would find it by trying them. So an origin salts each
// field that may be left out (top level and one level in, the paths
// Omitted uses), as selective-disclosure schemes do: it draws a random key
// per event (SaltKey, kept with its own copy, never sent), each field's
// salt is HMAC-SHA256(key, path) cut to SaltSize bytes, and the field's
// digest is SHA-256(salt ‖ what its plain digest hashes). A copy sent on
// carries the salts of the fields it shows (Salts), so its receiver
// recomputes their digests; a field left out goes without its salt, so its
// digest cannot be found by trying values. An event with neither key nor
// salts (made before salts, 2026-12) digests as it always did.

// SaltSize is the size of a field's salt in bytes (128 bits).
const SaltSize = 16

// NewSaltKey returns a fresh random key for one event's salts.
func NewSaltKey() []byte {
	k := make([]byte, 32)
	rand.Read(k) // never fails (crypto/rand)
	return k
}

// salter gives the salts of one event's fields while its payload is
// digested: derived from the origin's key, or read from the salts the
// event carries. Its buffers are its own, so that what it is given does
// not escape the digest's stack.
type salter struct {
	mac   hash.Hash         // keyed with the event's SaltKey; nil when salts come from salts
	salts map[string]string // the salts the event carries (hex)
	used  int               // how many of salts the digest took
	keep  map[string]string // when set, every salt used is recorded here (hex)
	h     hash.Hash
	path  []byte
	buf   []byte // an object's entries, copied off the digest's stack
	salt  [sha256.Size]byte
	sum   [sha256.Size]byte
}

// newSalter returns the salter of e's payload, nil for an unsalted event.
func newSalter(e *Event) *salter {
	switch {
	case len(e.SaltKey) > 0:
		return &salter{mac: hmac.New(sha256.New, e.SaltKey), h: sha256.New()}
	case len(e.Salts) > 0:
		return &salter{salts: e.Salts, h: sha256.New()}
	}
	return nil
}

// saltOf returns the salt of the field at path, valid until the next call.
func (s *salter) saltOf(path []byte) ([]byte, error) {
	var salt []byte
	if s.mac != nil {
		s.path = append(s.path[:0], path...)
		s.mac.Reset()
		s.mac.Write(s.path)
		salt = s.mac.Sum(s.salt[:0])[:SaltSize]
	} else {
		x, ok := s.salts[string(path)]
		if !ok {
			return nil, Errorf(EINVALID, "payload: field %s has no salt", string(path))
		}
		if len(x) != 2*SaltSize {
			return nil, Errorf(EINVALID, "payload: salt of %s is malformed", string(path))
		}
		if _, err := hex.Decode(s.salt[:], []byte(x)); err != nil {
			return nil, Errorf(EINVALID, "payload: salt of %s is malformed", string(path))
		}
		salt = s.salt[:SaltSize]
		s.used++
	}
	if s.keep != nil {
		s.keep[string(path)] = hex.EncodeToString(salt)
	}
	return salt, nil
}

// digest returns SHA-256(salt ‖ b).
func (s *salter) digest(salt, b []byte) [32]byte {
	s.h.Reset()
	s.h.Write(salt)
	s.h.Write(b)
	var d [32]byte
	copy(d[:], s.h.Sum(s.sum[:0]))
	return d
}

// salted returns the salted digest of the field at path whose plain
// digest hashes b, a value of the payload (on the heap already).
func (s *salter) salted(path, b []byte) ([32]byte, error) {
	salt, err := s.saltOf(path)
	if err != nil {
		return [32]byte{}, err
	}
	return s.digest(salt, b), nil
}

// saltedCopy is salted for b on the caller's stack: a hash takes its
// input through an interface, which would move the buffer to the heap on
// every call, salted or not.
func (s *salter) saltedCopy(path, b []byte) ([32]byte, error) {
	s.buf = append(s.buf[:0], b...)
	return s.salted(path, s.buf)
}

// unused reports a salt e carries for a field its payload does not show:
// a sender that sends a left-out field's salt gives away what leaving it
// out hides.
func (s *salter) unused() error {
	if s != nil && s.salts != nil && s.used != len(s.salts) {
		return Errorf(EINVALID, "payload: %d of its %d salts name no field it shows", len(s.salts)-s.used, len(s.salts))
	}
	return nil
}
