package sqlstore

import (
	"encoding/binary"
	"time"
)

// The compact binary forms (screened travellers, journal records) are
// built from length-prefixed strings and varints: no field names, no
// quoting, no reflection, about a third of the JSON and a fraction of its
// cost on the screening path.

// appendStr appends s, prefixed by its length as a uvarint.
func appendStr[T string | []byte](b []byte, s T) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// cutStr reads a string appendStr wrote at the start of b and returns the
// rest; ok is false when b is short.
func cutStr(b []byte) (s string, rest []byte, ok bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n {
		return "", nil, false
	}
	return string(b[k : k+int(n)]), b[k+int(n):], true
}

// cutBytes is cutStr for a byte string, which it aliases in b.
func cutBytes(b []byte) (p, rest []byte, ok bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n {
		return nil, nil, false
	}
	return b[k : k+int(n) : k+int(n)], b[k+int(n):], true
}

// cutUvarint reads a uvarint at the start of b.
func cutUvarint(b []byte) (v uint64, rest []byte, ok bool) {
	v, k := binary.Uvarint(b)
	if k <= 0 {
		return 0, nil, false
	}
	return v, b[k:], true
}

// appendTime appends t as Unix seconds (varint) and nanoseconds: exact,
// for any year, read back in UTC.
func appendTime(b []byte, t time.Time) []byte {
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// cutTime reads a time appendTime wrote.
func cutTime(b []byte) (t time.Time, rest []byte, ok bool) {
	sec, k := binary.Varint(b)
	if k <= 0 {
		return time.Time{}, nil, false
	}
	ns, rest, ok := cutUvarint(b[k:])
	if !ok || ns >= 1e9 {
		return time.Time{}, nil, false
	}
	return time.Unix(sec, int64(ns)).UTC(), rest, true
}
