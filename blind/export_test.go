package blind

import (
	"crypto/ed25519"

	"tripline"
)

// Outputs returns the OPRF outputs r holds: everything B obtained from A.
func Outputs(r *Remote) [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out [][]byte
	for _, y := range r.cache {
		out = append(out, y)
	}
	return out
}

// TryOpen tries to open entry i of t with the key of output y, whatever
// the entry's tag: what a partner pairing outputs and entries at will gets.
func TryOpen(t *Table, i int, y []byte) (*tripline.BlindPayload, bool) {
	_, key, err := split(y)
	if err != nil {
		return nil, false
	}
	e := t.entries[i*EntrySize : (i+1)*EntrySize]
	var tag [TagSize]byte
	copy(tag[:], e[:TagSize])
	p, err := open(key, tag, binding(t.Header.Origin, t.Header.Epoch), e[TagSize:])
	return p, err == nil
}

// ForgetOutputs drops the outputs r holds: the next screening asks again.
func ForgetOutputs(r *Remote) {
	r.mu.Lock()
	r.cache, r.order = nil, nil
	r.mu.Unlock()
}

// Sign signs h with priv as an originator signs its table header.
func Sign(h *TableHeader, priv ed25519.PrivateKey) { h.Sig = ed25519.Sign(priv, h.signingBytes()) }
