package tripline

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Events are signed by the node that made them, and a relay may pass on a
// trimmed payload (least disclosure: fewer fields to a partner allowed to
// see less). So the signature covers a digest of the payload built from the
// digests of its fields: a trimmed payload carries the digests of what was
// left out (Omitted), the digest still recomputes, and no relay can alter
// or add a field without breaking the originator's signature.

// PayloadDigest returns the digest of payload with the fields at the paths
// in omitted (e.g. "reason", "provenance.source_ref") replaced by their
// given digests. Objects are digested field by field, two levels deep;
// anything else by its bytes.
func PayloadDigest(payload json.RawMessage, omitted map[string]string) (string, error) {
	if !json.Valid(payload) {
		return "", Errorf(EINVALID, "payload: not valid JSON")
	}
	return payloadDigest(payload, omitted, nil)
}

// payloadDigest is PayloadDigest with the fields salted by s (nil: not).
func payloadDigest(payload json.RawMessage, omitted map[string]string, s *salter) (string, error) {
	d, err := digestValue(payload, nil, nil, omitted, s, 0, false)
	if err == nil {
		err = s.unused()
	}
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(d.all[:]), nil
}

// EncodedDigests returns the unsalted payload digest and the content hash
// of a record body this process has just encoded with encoding/json, in
// one pass and without re-validating it: the write path of every store.
// The content hash is never salted, so it tells "unchanged" across
// versions; a store salts the payload digest of what it writes
// (SaltedDigest) once it knows the record changed.
func EncodedDigests(body []byte) (payload, content string, err error) {
	d, err := digestValue(body, nil, nil, nil, nil, 0, true)
	if err != nil {
		return "", "", err
	}
	return hex.EncodeToString(d.all[:]), hex.EncodeToString(d.content[:16]), nil
}

// SaltedDigest returns the payload digest of a body this process has just
// encoded, its fields salted with key (NewSaltKey), as the event that
// carries it with that key digests (Event.PayloadDigest).
func SaltedDigest(body, key []byte) (string, error) {
	p, _, err := saltedDigests(body, key, false)
	return p, err
}

// EncodedSaltedDigests is EncodedDigests with the payload digest salted
// with key, in the same pass: for a record a store knows it will write (a
// new one), so it is not digested twice. The content hash is unsalted.
func EncodedSaltedDigests(body, key []byte) (payload, content string, err error) {
	return saltedDigests(body, key, true)
}

func saltedDigests(body, key []byte, content bool) (payload, contentHash string, err error) {
	if len(key) == 0 {
		return "", "", Errorf(EINVALID, "payload: no salt key")
	}
	d, err := digestValue(body, nil, nil, nil, newSalter(&Event{SaltKey: key}), 0, content)
	if err != nil {
		return "", "", err
	}
	if content {
		contentHash = hex.EncodeToString(d.content[:16])
	}
	return hex.EncodeToString(d.all[:]), contentHash, nil
}

// contentHash is the content hash of a record (Listing.ContentHash).
func contentHash(v any) string {
	b, _ := json.Marshal(v) // plain data: cannot fail
	_, h, _ := EncodedDigests(b)
	return h
}

// storeField reports whether key, in the object at depth under parent,
// is one a store maintains on every record: version, status, update and
// receipt times. A record's content hash leaves them out, so a new version
// that says the same about the person is "unchanged".
func storeField(depth int, parent, key []byte) bool {
	switch {
	case depth == 0:
		switch string(key) {
		case "status", "version", "updated_at":
			return true
		}
	case depth == 1 && string(parent) == "provenance":
		return string(key) == "received"
	}
	return false
}

// digests are a value's digest (every field: what events are signed
// over) and its content digest (without the store's fields).
type digests struct{ all, content [32]byte }

type fieldDigest struct {
	key     []byte
	d       digests
	omitted bool
}

// digestValue digests a JSON value; objects (to two levels) field by
// field, so that a left-out field's digest can stand in for it. It is on
// every event's path: no decoding of values, no formatting, and its
// scratch space on the stack for objects of up to 32 fields. name is the
// value's own key (nil at the top), path its path ("provenance.source_ref").
// With s, a field (depth 1 or 2) is digested with its salt; content asks
// for the content digest too, which is never salted (with content false it
// is not computed).
func digestValue(raw, name, path []byte, omitted map[string]string, s *salter, depth int, content bool) (digests, error) {
	raw = bytes.TrimSpace(raw)
	salted := s != nil && depth > 0
	if depth >= 2 || len(raw) == 0 || raw[0] != '{' {
		if depth == 0 && len(omitted) > 0 {
			return digests{}, Errorf(EINVALID, "payload: omitted fields given for a payload that is not an object")
		}
		if !salted {
			d := sha256.Sum256(raw)
			return digests{d, d}, nil
		}
		sd, err := s.salted(path, raw)
		out := digests{sd, sd}
		if content {
			out.content = sha256.Sum256(raw)
		}
		return out, err
	}
	var fieldSpace [32]field
	fields, err := objectFields(raw, fieldSpace[:0])
	if err != nil {
		return digests{}, Errorf(EINVALID, "payload %s: %v", string(path), err)
	}
	var entrySpace [32]fieldDigest
	entries := entrySpace[:0]
	var childSpace [128]byte
	for _, f := range fields {
		child := f.key // a top-level field's path is its key
		if depth > 0 && (len(omitted) > 0 || s != nil) {
			// Paths matter only when something was left out or is salted.
			child = append(append(append(childSpace[:0], path...), '.'), f.key...)
		}
		d, err := digestValue(f.value, f.key, child, omitted, s, depth+1, content)
		if err != nil {
			return digests{}, err
		}
		entries = append(entries, fieldDigest{key: f.key, d: d})
	}
	for p, hexd := range omitted {
		parent, name := "", p
		if i := strings.LastIndex(p, "."); i >= 0 {
			parent, name = p[:i], p[i+1:]
		}
		if parent != string(path) {
			continue
		}
		var d [32]byte
		if b, err := hex.DecodeString(hexd); err != nil || len(b) != len(d) {
			return digests{}, Errorf(EINVALID, "payload: omitted digest of %s is malformed", p)
		} else {
			copy(d[:], b)
		}
		entries = append(entries, fieldDigest{key: []byte(name), d: digests{d, d}, omitted: true})
	}
	// Sort positions, not the entries: an entry is 90 bytes to move.
	var orderSpace [32]int
	order := orderSpace[:0]
	for i := range entries {
		order = append(order, i)
	}
	slices.SortFunc(order, func(a, b int) int { return bytes.Compare(entries[a].key, entries[b].key) })
	// The content digest differs from the whole only in an object holding
	// store fields (the top level, provenance), or salted fields: only
	// there is it hashed apart.
	var allSpace, contentSpace [1536]byte
	all, contentIn := allSpace[:0], contentSpace[:0]
	differs := salted
	for n, i := range order {
		e := &entries[i]
		if n > 0 && bytes.Equal(entries[order[n-1]].key, e.key) {
			if e.omitted || entries[order[n-1]].omitted {
				return digests{}, Errorf(EINVALID, "payload: field %s both present and omitted", join(string(path), string(e.key)))
			}
			return digests{}, Errorf(EINVALID, "payload: field %s appears twice", join(string(path), string(e.key)))
		}
		start := len(all)
		all = strconv.AppendInt(all, int64(len(e.key)), 10)
		all = append(all, ':')
		all = append(all, e.key...)
		all = append(all, '=')
		head := all[start:]
		all = append(all, e.d.all[:]...)
		switch {
		case storeField(depth, name, e.key):
			differs = true
		case e.d.content != e.d.all:
			differs = true
			fallthrough
		default:
			contentIn = append(contentIn, head...)
			contentIn = append(contentIn, e.d.content[:]...)
		}
	}
	var out digests
	if salted {
		if out.all, err = s.saltedCopy(path, all); err != nil {
			return digests{}, err
		}
	} else {
		out.all = sha256.Sum256(all)
	}
	out.content = out.all
	if differs && (content || s == nil) {
		out.content = sha256.Sum256(contentIn)
	}
	return out, nil
}

type field struct {
	key   []byte
	value json.RawMessage
}

// objectFields splits a valid JSON object into its fields without decoding
// the values: digesting is on every event's path, so it must be cheap.
func objectFields(raw []byte, out []field) ([]field, error) {
	i := skipSpace(raw, 1)
	if i < len(raw) && raw[i] == '}' {
		return nil, nil
	}
	for i < len(raw) {
		if raw[i] != '"' {
			return nil, fmt.Errorf("want a field name at byte %d", i)
		}
		end := stringEnd(raw, i)
		if end < 0 {
			return nil, fmt.Errorf("unterminated field name at byte %d", i)
		}
		key := raw[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			var k string
			if err := json.Unmarshal(raw[i:end], &k); err != nil {
				return nil, err
			}
			key = []byte(k)
		}
		i = skipSpace(raw, end)
		if i >= len(raw) || raw[i] != ':' {
			return nil, fmt.Errorf("want ':' at byte %d", i)
		}
		i = skipSpace(raw, i+1)
		vend := valueEnd(raw, i)
		if vend < 0 {
			return nil, fmt.Errorf("bad value at byte %d", i)
		}
		out = append(out, field{key, raw[i:vend]})
		i = skipSpace(raw, vend)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
			continue
		}
		if i < len(raw) && raw[i] == '}' {
			return out, nil
		}
		return nil, fmt.Errorf("want ',' or '}' at byte %d", i)
	}
	return nil, fmt.Errorf("unterminated object")
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string starting at b[i] ('"').
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// valueEnd returns the index just past the JSON value starting at b[i].
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				if j = stringEnd(b, j) - 1; j < 0 {
					return -1
				}
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\t' && b[j] != '\r' {
		j++
	}
	return j
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// Digest returns the digest of the event's payload: computed, or the one a
// redacted placeholder carries in place of the payload.
func (e *Event) PayloadDigest() (string, error) {
	if e.Redacted {
		if e.Digest == "" {
			return "", Errorf(EINVALID, "event %s/%d: redacted without its digest", e.Origin, e.Seq)
		}
		return e.Digest, nil
	}
	if !json.Valid(e.Payload) {
		return "", Errorf(EINVALID, "payload: not valid JSON")
	}
	return payloadDigest(e.Payload, e.Omitted, newSalter(e))
}

// ChainNext returns the chain value of e following prev (the value of the
// origin's previous event, "" before its first): a hash over prev and
// everything about e — origin, sequence number, type, subject, time and
// payload digest. The origin signs each event's chain value, so one
// signature on the last event of a run vouches for the whole run: a
// catching-up partner verifies one signature per page, not per event.
func (e *Event) ChainNext(prev string) (string, error) {
	d, err := e.PayloadDigest()
	if err != nil {
		return "", err
	}
	return e.ChainNextDigest(prev, d), nil
}

// ChainNextDigest is ChainNext with the payload digest already computed
// (bulk imports digest on every core, then chain in order).
func (e *Event) ChainNextDigest(prev, digest string) string {
	d := digest
	h := sha256.New()
	h.Write([]byte("tripline-chain-v1\n" + prev + "\n" + e.Origin + "\n" + strconv.FormatInt(e.Seq, 10) + "\n" + string(e.Type) + "\n" +
		e.Subject + "\n" + e.At.UTC().Format(time.RFC3339Nano) + "\n" + d))
	return hex.EncodeToString(h.Sum(nil))
}

// SigningBytes returns what an event's signature covers: its chain value.
func (e *Event) SigningBytes() []byte { return []byte("tripline-event-v2\n" + e.Chain) }

// Trim returns a copy of e without the payload fields at paths, their
// digests moved to Omitted so the signature still verifies. Paths name a
// top-level field ("reason") or one inside an object ("provenance.source_ref").
// The copy of a salted event carries the salts of the fields it shows
// (Salts), never the origin's key: a field left out goes without its salt.
func (e *Event) Trim(paths []string) (*Event, error) {
	s := newSalter(e)
	isObject := len(bytes.TrimSpace(e.Payload)) > 0 && bytes.TrimSpace(e.Payload)[0] == '{'
	if len(paths) == 0 || !isObject {
		if len(e.SaltKey) == 0 {
			return e, nil
		}
		return e.disclosed(e.Payload, e.Omitted)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(e.Payload, &top); err != nil {
		return nil, Errorf(EINVALID, "event %s/%d: payload: %v", e.Origin, e.Seq, err)
	}
	omitted := map[string]string{}
	for k, v := range e.Omitted {
		omitted[k] = v
	}
	inner := map[string]map[string]json.RawMessage{}
	for _, p := range paths {
		parent, name, nested := strings.Cut(p, ".")
		if !nested {
			if v, ok := top[parent]; ok {
				d, err := digestValue(v, []byte(parent), []byte(parent), nil, s, 1, false)
				if err != nil {
					return nil, err
				}
				omitted[parent] = hex.EncodeToString(d.all[:])
				delete(top, parent)
			}
			continue
		}
		obj, ok := inner[parent]
		if !ok {
			raw, present := top[parent]
			if !present || len(bytes.TrimSpace(raw)) == 0 || bytes.TrimSpace(raw)[0] != '{' {
				continue
			}
			if err := json.Unmarshal(raw, &obj); err != nil {
				return nil, Errorf(EINVALID, "event %s/%d: payload %s: %v", e.Origin, e.Seq, parent, err)
			}
			inner[parent] = obj
		}
		if v, ok := obj[name]; ok {
			d, err := digestValue(v, []byte(name), []byte(p), nil, s, 2, false)
			if err != nil {
				return nil, err
			}
			omitted[p] = hex.EncodeToString(d.all[:])
			delete(obj, name)
		}
	}
	for parent, obj := range inner {
		b, err := json.Marshal(obj)
		if err != nil {
			return nil, err
		}
		top[parent] = b
	}
	payload, err := json.Marshal(top)
	if err != nil {
		return nil, err
	}
	if s == nil {
		c := *e
		c.Payload, c.Omitted = payload, omitted
		return &c, nil
	}
	return e.disclosed(payload, omitted)
}

// disclosed returns a copy of salted e with payload and omitted, carrying
// the salts of exactly the fields payload shows (those its digest takes)
// and not the key.
func (e *Event) disclosed(payload json.RawMessage, omitted map[string]string) (*Event, error) {
	s := newSalter(e)
	s.keep = map[string]string{}
	if _, err := digestValue(payload, nil, nil, omitted, s, 0, false); err != nil {
		return nil, fmt.Errorf("event %s/%d: %w", e.Origin, e.Seq, err)
	}
	c := *e
	c.Payload, c.Omitted, c.SaltKey, c.Salts = payload, omitted, nil, s.keep
	if len(c.Salts) == 0 {
		c.Salts = nil
	}
	return &c, nil
}

// PartnerTrim lists the payload paths a partner node granted level does not
// receive. A partner that may only screen still receives the identity
// fields — its node must match against them — but its users see only
// hit/no-hit (its own policy layer applies the same level); it does not
// receive the action. Handling rules always travel: a relay must know them
// to honour re-share.
func PartnerTrim(lvl Level) []string {
	details := []string{"reason", "narrative", "addresses", "phones", "emails", "provenance.source_ref", "provenance.legal_basis"}
	switch {
	case lvl >= LevelDetails:
		return nil
	case lvl == LevelAction:
		return details
	}
	return append(details, "action", "instruction")
}
