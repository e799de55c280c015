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
	return digestValue(payload, "", omitted, 0)
}

func digestValue(raw json.RawMessage, path string, omitted map[string]string, depth int) (string, error) {
	raw = bytes.TrimSpace(raw)
	if depth >= 2 || len(raw) == 0 || raw[0] != '{' {
		if depth == 0 && len(omitted) > 0 {
			return "", Errorf(EINVALID, "payload: omitted fields given for a payload that is not an object")
		}
		sum := sha256.Sum256(raw)
		return hex.EncodeToString(sum[:]), nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return "", Errorf(EINVALID, "payload %s: %v", path, err)
	}
	digests := map[string]string{}
	for k, v := range fields {
		d, err := digestValue(v, join(path, k), omitted, depth+1)
		if err != nil {
			return "", err
		}
		digests[k] = d
	}
	for p, d := range omitted {
		parent, name := "", p
		if i := strings.LastIndex(p, "."); i >= 0 {
			parent, name = p[:i], p[i+1:]
		}
		if parent != path {
			continue
		}
		if _, present := fields[name]; present {
			return "", Errorf(EINVALID, "payload: field %s both present and omitted", p)
		}
		digests[name] = d
	}
	keys := make([]string, 0, len(digests))
	for k := range digests {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%d:%s=%s;", len(k), k, digests[k])
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// SigningBytes returns what an event's signature covers: its origin,
// sequence number, type, subject, time and payload digest.
func (e *Event) SigningBytes() ([]byte, error) {
	d, err := PayloadDigest(e.Payload, e.Omitted)
	if err != nil {
		return nil, err
	}
	return []byte("tripline-event-v1\n" + e.Origin + "\n" + strconv.FormatInt(e.Seq, 10) + "\n" + string(e.Type) + "\n" +
		e.Subject + "\n" + e.At.UTC().Format(time.RFC3339Nano) + "\n" + d), nil
}

// Trim returns a copy of e without the payload fields at paths, their
// digests moved to Omitted so the signature still verifies. Paths name a
// top-level field ("reason") or one inside an object ("provenance.source_ref").
func (e *Event) Trim(paths []string) (*Event, error) {
	if len(paths) == 0 || len(bytes.TrimSpace(e.Payload)) == 0 || bytes.TrimSpace(e.Payload)[0] != '{' {
		return e, nil
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
				d, err := digestValue(v, parent, nil, 1)
				if err != nil {
					return nil, err
				}
				omitted[parent] = d
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
			d, err := digestValue(v, p, nil, 2)
			if err != nil {
				return nil, err
			}
			omitted[p] = d
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
	c := *e
	c.Payload, c.Omitted = payload, omitted
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
