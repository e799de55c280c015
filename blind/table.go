package blind

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"tripline"
)

// TableHeader describes a blind table: whose, for whom, which epoch and
// OPRF key, how its keys were formed, and a digest of its entries; the
// originator's node key signs it.
type TableHeader struct {
	Origin  string `json:"origin"`  // the originating node
	Agency  string `json:"agency"`  // the agency running it: whom to contact
	Partner string `json:"partner"` // the node the table was built for
	Epoch   int64  `json:"epoch"`
	// NotAfter is when the epoch ends: past it the table is useless.
	NotAfter  time.Time `json:"not_after"`
	Built     time.Time `json:"built"`
	Suite     string    `json:"suite"`
	PublicKey []byte    `json:"public_key"` // the epoch's OPRF public key
	Keys      string    `json:"keys"`       // KeysVersion
	EntrySize int       `json:"entry_size"`
	Entries   int       `json:"entries"`
	Digest    []byte    `json:"digest"` // SHA-256 of the entries
	// Empty says the table holds only dummies: the partner need not ask
	// for evaluations until it changes.
	Empty bool   `json:"empty,omitempty"`
	Sig   []byte `json:"sig,omitempty"`
}

func (h *TableHeader) signingBytes() []byte {
	c := *h
	c.Sig = nil
	b, _ := json.Marshal(&c)
	return append([]byte("tripline-blind-table-v1\n"), b...)
}

// Table is a blind table as a partner holds it: the header and the
// entries, EntrySize bytes each, sorted by tag.
type Table struct {
	Header  TableHeader
	entries []byte
}

// Len returns the number of entries, dummies included.
func (t *Table) Len() int { return len(t.entries) / EntrySize }

// Size returns the table's size in bytes as sent.
func (t *Table) Size() int { return len(t.entries) + 1024 }

// magic starts an encoded table.
var magic = []byte("TRIPLINE-BLIND-TABLE-1\n")

// MaxHeaderBytes bounds a table's header as read.
const MaxHeaderBytes = 1 << 16

// WriteTo writes the table: magic, header length and header, entries.
func (t *Table) WriteTo(w io.Writer) (int64, error) {
	h, err := json.Marshal(&t.Header)
	if err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	buf.Write(magic)
	buf.Write(binary.BigEndian.AppendUint32(nil, uint32(len(h))))
	buf.Write(h)
	n, err := w.Write(buf.Bytes())
	if err != nil {
		return int64(n), err
	}
	m, err := w.Write(t.entries)
	return int64(n + m), err
}

// Bytes returns the encoded table.
func (t *Table) Bytes() []byte {
	var b bytes.Buffer
	b.Grow(len(t.entries) + 1024)
	t.WriteTo(&b) // a bytes.Buffer does not fail
	return b.Bytes()
}

// ReadTable reads an encoded table of at most maxEntries entries and checks
// it: the signature with the originator's node key, the digest, the entry
// size and order. Any failure is EINVALID naming what is wrong.
func ReadTable(r io.Reader, key ed25519.PublicKey, maxEntries int) (*Table, error) {
	head := make([]byte, len(magic)+4)
	if _, err := io.ReadFull(r, head); err != nil || !bytes.Equal(head[:len(magic)], magic) {
		return nil, tripline.Errorf(tripline.EINVALID, "blind table: not a Tripline blind table")
	}
	n := binary.BigEndian.Uint32(head[len(magic):])
	if n > MaxHeaderBytes {
		return nil, tripline.Errorf(tripline.EINVALID, "blind table: header of %d bytes, at most %d", n, MaxHeaderBytes)
	}
	hb := make([]byte, n)
	if _, err := io.ReadFull(r, hb); err != nil {
		return nil, tripline.Errorf(tripline.EINVALID, "blind table: header cut short")
	}
	t := &Table{}
	if err := json.Unmarshal(hb, &t.Header); err != nil {
		return nil, tripline.Errorf(tripline.EINVALID, "blind table: header: %v", err)
	}
	h := &t.Header
	if !ed25519.Verify(key, h.signingBytes(), h.Sig) {
		return nil, tripline.Errorf(tripline.EINVALID, "blind table of %q: signature does not verify", h.Origin)
	}
	if h.EntrySize != EntrySize || h.Suite != Suite.Identifier() {
		return nil, tripline.Errorf(tripline.EINVALID, "blind table of %q: entry size %d, suite %q: want %d, %q", h.Origin, h.EntrySize, h.Suite, EntrySize, Suite.Identifier())
	}
	if h.Entries < 0 || h.Entries > maxEntries {
		return nil, tripline.Errorf(tripline.EINVALID, "blind table of %q: %d entries, at most %d", h.Origin, h.Entries, maxEntries)
	}
	// Grown as the entries arrive, not made at the size the header claims:
	// a header claiming the most entries and nothing after it made this
	// node allocate 1.5 GiB per fetch.
	entries, err := readGrowing(r, h.Entries*EntrySize)
	if err != nil {
		return nil, tripline.Errorf(tripline.EINVALID, "blind table of %q: entries cut short", h.Origin)
	}
	t.entries = entries
	if sum := sha256.Sum256(t.entries); !bytes.Equal(sum[:], h.Digest) {
		return nil, tripline.Errorf(tripline.EINVALID, "blind table of %q: entries do not match the signed digest", h.Origin)
	}
	for i := 1; i < t.Len(); i++ {
		if bytes.Compare(t.tag(i-1), t.tag(i)) > 0 {
			return nil, tripline.Errorf(tripline.EINVALID, "blind table of %q: entries out of order", h.Origin)
		}
	}
	return t, nil
}

// readGrowing reads exactly size bytes of r into a slice that doubles as
// they arrive (from 1 MiB, capped at size): memory follows what was sent.
func readGrowing(r io.Reader, size int) ([]byte, error) {
	b := make([]byte, 0, min(size, 1<<20))
	for len(b) < size {
		if len(b) == cap(b) {
			b = append(make([]byte, 0, min(size, 2*cap(b))), b...)
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil && len(b) < size {
			return nil, io.ErrUnexpectedEOF
		}
	}
	return b, nil
}

func (t *Table) tag(i int) []byte { return t.entries[i*EntrySize : i*EntrySize+TagSize] }

// lookup returns the sealed payloads filed under tag (several listings
// may share a key).
func (t *Table) lookup(tag [TagSize]byte) [][]byte {
	n := t.Len()
	lo, hi := 0, n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if bytes.Compare(t.tag(mid), tag[:]) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	var out [][]byte
	for i := lo; i < n && bytes.Equal(t.tag(i), tag[:]); i++ {
		out = append(out, t.entries[i*EntrySize+TagSize:(i+1)*EntrySize])
	}
	return out
}

// Open looks up an OPRF output and opens the payloads filed under it: a
// hit. A payload that does not open under the output's key (a dummy
// sharing the tag by chance) is skipped.
func (t *Table) Open(output []byte) ([]*tripline.BlindPayload, error) {
	tag, key, err := split(output)
	if err != nil {
		return nil, err
	}
	var out []*tripline.BlindPayload
	bind := binding(t.Header.Origin, t.Header.Epoch)
	for _, sealed := range t.lookup(tag) {
		if p, err := open(key, tag, bind, sealed); err == nil {
			out = append(out, p)
		}
	}
	return out, nil
}

// PaddedSize returns how many entries a table of n real entries has: at
// least min, else the first step at or above n of a ladder of four steps
// per doubling, so that the size tells a partner at most within 25% how
// many keys the list has.
func PaddedSize(n, min int) int {
	if n <= min {
		return min
	}
	p := 1
	for p*2 <= n {
		p *= 2 // p <= n < 2p
	}
	if p < 4 {
		return 2 * p
	}
	step := p / 4
	return (n + step - 1) / step * step
}

// assemble pads entries (each EntrySize bytes) with dummies to
// PaddedSize, sorts them by tag and signs the header.
func assemble(h TableHeader, entries [][]byte, minEntries int, priv ed25519.PrivateKey) (*Table, error) {
	total := PaddedSize(len(entries), minEntries)
	all := make([][]byte, 0, total)
	all = append(all, entries...)
	dummies := make([]byte, (total-len(entries))*EntrySize)
	if _, err := rand.Read(dummies); err != nil {
		return nil, err
	}
	for i := 0; i < len(dummies); i += EntrySize {
		all = append(all, dummies[i:i+EntrySize])
	}
	slices.SortFunc(all, func(a, b []byte) int { return bytes.Compare(a[:TagSize], b[:TagSize]) })
	t := &Table{Header: h, entries: make([]byte, 0, total*EntrySize)}
	for _, e := range all {
		if len(e) != EntrySize {
			return nil, fmt.Errorf("blind: entry of %d bytes", len(e))
		}
		t.entries = append(t.entries, e...)
	}
	sum := sha256.Sum256(t.entries)
	t.Header.Entries, t.Header.EntrySize, t.Header.Digest, t.Header.Suite = total, EntrySize, sum[:], Suite.Identifier()
	t.Header.Sig = ed25519.Sign(priv, t.Header.signingBytes())
	return t, nil
}
