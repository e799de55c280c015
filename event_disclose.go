package tripline

import (
	"bytes"
	"encoding/json"
)

// Redact returns the placeholder of an event its reader may not see: no
// payload, only its digest, so the origin's chain and signature still
// verify. Its type and subject show; a reader that may not learn even
// that blanks Subject.
func (e *Event) Redact() (*Event, error) {
	d, err := e.PayloadDigest()
	if err != nil {
		return nil, err
	}
	return &Event{Origin: e.Origin, Seq: e.Seq, Type: e.Type, Subject: e.Subject, At: e.At, Redacted: true,
		Digest: d, Chain: e.Chain, Sig: e.Sig, RangeFrom: e.RangeFrom, RangeChain: e.RangeChain, Drops: e.Drops, DropsSig: e.DropsSig}, nil
}

// TrimTo returns a copy of e whose payload keeps only what shown — the
// disclosed form of the payload's record, such as Listing.Disclose's — also
// holds: every field (to the two levels payload digests go) that shown
// lacks or holds differently is left out, its digest kept in Omitted as
// Trim does, so the origin's signature still verifies. Disclose thus stays
// the one definition of least disclosure, for events as for records; a
// field shown does not know is left out.
func (e *Event) TrimTo(shown any) (*Event, error) {
	b, err := json.Marshal(shown)
	if err != nil {
		return nil, err
	}
	var keep, have map[string]json.RawMessage
	if err := json.Unmarshal(b, &keep); err != nil {
		return nil, Errorf(EINVALID, "event %s/%d: shown form is not an object", e.Origin, e.Seq)
	}
	if err := json.Unmarshal(e.Payload, &have); err != nil {
		return nil, Errorf(EINVALID, "event %s/%d: payload: %v", e.Origin, e.Seq, err)
	}
	var paths []string
	for k, v := range have {
		kv, ok := keep[k]
		switch {
		case !ok:
			paths = append(paths, k)
		case isObject(v) && isObject(kv):
			var inner, innerKeep map[string]json.RawMessage
			if json.Unmarshal(v, &inner) != nil || json.Unmarshal(kv, &innerKeep) != nil {
				paths = append(paths, k)
				continue
			}
			for ik, iv := range inner {
				if ikv, ok := innerKeep[ik]; !ok || !sameJSON(iv, ikv) {
					paths = append(paths, k+"."+ik)
				}
			}
		case !sameJSON(v, kv):
			paths = append(paths, k)
		}
	}
	return e.Trim(paths)
}

func isObject(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	return len(v) > 0 && v[0] == '{'
}

// sameJSON reports whether two JSON values are the same value, whatever
// their spacing.
func sameJSON(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return false
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}
