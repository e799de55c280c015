package match

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"os"
	"unsafe"
)

// The snapshot file (see snapshot.go for what it holds):
//
//	"TRIPSNAP" format(u32) probe(u32) metaLen(u64) meta(JSON) pad
//	sections, each 8-aligned: records (prepared listings), their contact
//	fields, their JSON, tokens, handling (JSON), then the fixed-width
//	arrays (the three sections' offsets per slot, slots in id order, free
//	slots, posting keys, offsets, slots and buckets, the id table)
//	directory: snapDir as little-endian u64s
//	trailer: dirOff(u64) payloadLen(u64) crc32c(u32) 0(u32) "TRIPSEND"
//
// The CRC (Castagnoli) covers every byte before the trailer: a truncated,
// corrupt or foreign file is refused before anything in it is used.

const (
	snapMagic    = "TRIPSNAP"
	snapEnd      = "TRIPSEND"
	snapProbe    = 0x01020304 // written in host order: another byte order reads it otherwise
	snapTrailer  = 32
	snapHeadSize = 24
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errSnapshot wraps every reason a snapshot file is refused.
var errSnapshot = errors.New("snapshot refused")

func snapErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errSnapshot}, args...)...)
}

// IsSnapshotRefused reports whether err says a snapshot file was missing,
// stale, corrupt or foreign: the caller rebuilds the index instead.
func IsSnapshotRefused(err error) bool {
	return errors.Is(err, errSnapshot) || errors.Is(err, os.ErrNotExist)
}

// section is a byte range of the payload.
type section struct{ Off, Len uint64 }

// snapDir locates the sections; written after them.
type snapDir struct {
	Records, Light, Bodies, Tokens, Handling                                     section
	RecOffs, LightOffs, BodyOffs, Order, Free, Keys, Offs, IDs, Buckets, IDTable section // Len counts elements
	Slots, Live, Shift, NTokens, NHandling, Reserved1                            uint64
}

// snapWriter writes the payload, keeping its CRC and length.
type snapWriter struct {
	w   *bufio.Writer
	crc hash.Hash32
	n   uint64
	err error
	buf [binary.MaxVarintLen64]byte
}

func newSnapWriter(w io.Writer) *snapWriter {
	return &snapWriter{w: bufio.NewWriterSize(w, 1<<20), crc: crc32.New(castagnoli)}
}

func (w *snapWriter) write(b []byte) {
	if w.err != nil {
		return
	}
	_, w.err = w.w.Write(b)
	w.crc.Write(b)
	w.n += uint64(len(b))
}

func (w *snapWriter) u32(v uint32) {
	binary.LittleEndian.PutUint32(w.buf[:4], v)
	w.write(w.buf[:4])
}

func (w *snapWriter) u64(v uint64) {
	binary.LittleEndian.PutUint64(w.buf[:8], v)
	w.write(w.buf[:8])
}

func (w *snapWriter) pad8() {
	var zero [8]byte
	if r := w.n % 8; r != 0 {
		w.write(zero[:8-r])
	}
}

// u32s and u64s write arrays as the loader maps them (little-endian).
func (w *snapWriter) u32s(vs []uint32) section {
	w.pad8()
	s := section{w.n, uint64(len(vs))}
	for _, v := range vs {
		w.u32(v)
	}
	return s
}

func (w *snapWriter) u64s(vs []uint64) section {
	w.pad8()
	s := section{w.n, uint64(len(vs))}
	for _, v := range vs {
		w.u64(v)
	}
	return s
}

func (w *snapWriter) bytes(b []byte) section {
	w.pad8()
	s := section{w.n, uint64(len(b))}
	w.write(b)
	return s
}

// finish writes the directory and the trailer.
func (w *snapWriter) finish(d *snapDir) error {
	w.pad8()
	dirOff := w.n
	if w.err == nil {
		w.err = binary.Write(w, binary.LittleEndian, d)
	}
	crc := w.crc.Sum32()
	var t [snapTrailer]byte
	binary.LittleEndian.PutUint64(t[0:], dirOff)
	binary.LittleEndian.PutUint64(t[8:], w.n)
	binary.LittleEndian.PutUint32(t[16:], crc)
	copy(t[24:], snapEnd)
	if w.err == nil {
		_, w.err = w.w.Write(t[:])
	}
	if w.err == nil {
		w.err = w.w.Flush()
	}
	return w.err
}

// Write lets binary.Write go through the CRC.
func (w *snapWriter) Write(b []byte) (int, error) {
	w.write(b)
	return len(b), w.err
}

// writeHeader starts the file.
func (w *snapWriter) writeHeader(meta *SnapshotMeta) {
	m, err := json.Marshal(meta)
	if err != nil {
		w.err = err
		return
	}
	w.write([]byte(snapMagic))
	w.u32(snapFormat)
	var probe [4]byte
	*(*uint32)(unsafe.Pointer(&probe[0])) = snapProbe // host order
	w.write(probe[:])
	w.u64(uint64(len(m)))
	w.write(m)
}

// checkFile verifies the trailer and the CRC of an open snapshot file by
// reading it (not through the mapping: pages the node never uses stay out
// of its memory), and returns the payload length and directory offset.
func checkFile(f *os.File, size int64) (payload, dirOff uint64, err error) {
	if size < snapHeadSize+snapTrailer {
		return 0, 0, snapErrorf("%d bytes: truncated", size)
	}
	var t [snapTrailer]byte
	if _, err := f.ReadAt(t[:], size-snapTrailer); err != nil {
		return 0, 0, snapErrorf("read trailer: %v", err)
	}
	if string(t[24:]) != snapEnd {
		return 0, 0, snapErrorf("no trailer: truncated or not a snapshot")
	}
	dirOff = binary.LittleEndian.Uint64(t[0:])
	payload = binary.LittleEndian.Uint64(t[8:])
	if payload != uint64(size-snapTrailer) || dirOff >= payload {
		return 0, 0, snapErrorf("trailer says %d bytes, file has %d", payload, size-snapTrailer)
	}
	h := crc32.New(castagnoli)
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, int64(payload))); err != nil {
		return 0, 0, snapErrorf("read: %v", err)
	}
	if got, want := h.Sum32(), binary.LittleEndian.Uint32(t[16:]); got != want {
		return 0, 0, snapErrorf("checksum %08x, trailer says %08x: corrupt", got, want)
	}
	return payload, dirOff, nil
}

// readHeader checks the header and returns the metadata and where the
// sections start.
func readHeader(data []byte) (SnapshotMeta, error) {
	var meta SnapshotMeta
	if len(data) < snapHeadSize || string(data[:8]) != snapMagic {
		return meta, snapErrorf("not a snapshot file")
	}
	if f := binary.LittleEndian.Uint32(data[8:]); f != snapFormat {
		return meta, snapErrorf("format %d, this build reads %d", f, snapFormat)
	}
	if *(*uint32)(unsafe.Pointer(&data[12])) != snapProbe {
		return meta, snapErrorf("written on a machine of another byte order")
	}
	n := binary.LittleEndian.Uint64(data[16:])
	if n > uint64(len(data)-snapHeadSize) {
		return meta, snapErrorf("metadata past the end")
	}
	if err := json.Unmarshal(data[snapHeadSize:snapHeadSize+n], &meta); err != nil {
		return meta, snapErrorf("metadata: %v", err)
	}
	return meta, nil
}

// mapped returns the array a section of data holds, refusing a section
// out of bounds or misaligned.
func mapped[T uint32 | uint64](data []byte, s section, name string) ([]T, error) {
	var zero T
	size := uint64(unsafe.Sizeof(zero))
	if s.Len == 0 {
		return nil, nil
	}
	if s.Off%8 != 0 || s.Len > math.MaxUint64/size || s.Off > uint64(len(data)) || s.Len*size > uint64(len(data))-s.Off {
		return nil, snapErrorf("section %s out of bounds", name)
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&data[s.Off])), s.Len), nil
}

func rawSection(data []byte, s section, name string) ([]byte, error) {
	if s.Off > uint64(len(data)) || s.Len > uint64(len(data))-s.Off {
		return nil, snapErrorf("section %s out of bounds", name)
	}
	return data[s.Off : s.Off+s.Len], nil
}

// reader decodes varint-encoded records; past the end it yields zero
// values and remembers the overrun, so a malformed record never panics.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad, r.b = true, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.bad, r.b = true, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

// bytes returns the next length-prefixed bytes, aliasing the record.
func (r *reader) bytes() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.bad, r.b = true, nil
		return nil
	}
	b := r.b[:n:n]
	r.b = r.b[n:]
	return b
}

// str returns the next string, aliasing the mapping: valid while the
// snapshot is mapped, which is for the life of the process.
func (r *reader) str() string {
	b := r.bytes()
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (r *reader) fixed64() uint64 {
	if len(r.b) < 8 {
		r.bad, r.b = true, nil
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

// count reads an element count, bounded by the bytes left (each element
// takes at least one), so that a bad count cannot ask for a huge slice.
func (r *reader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.bad, r.b = true, nil
		return 0
	}
	return int(n)
}

// recBuf encodes one record.
type recBuf []byte

func (b recBuf) uvarint(v uint64) recBuf { return binary.AppendUvarint(b, v) }
func (b recBuf) varint(v int64) recBuf   { return binary.AppendVarint(b, v) }
func (b recBuf) str(s string) recBuf     { return append(binary.AppendUvarint(b, uint64(len(s))), s...) }
func (b recBuf) fixed64(v uint64) recBuf { return binary.LittleEndian.AppendUint64(b, v) }
