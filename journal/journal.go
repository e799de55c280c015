// Package journal is an append-only file of records, written and fsynced
// in groups: many concurrent appends share one write and one fsync. A
// caller waits for its record to be synced (Sync: it survives a power
// loss), or only written (Written: it is in the file, which a killed
// process leaves to the next Open, and its fsync follows within
// Options.SyncWritten). A
// node writes its screenings' records (screened travellers, encounters)
// here first, where no database lock can hold them up, and applies them
// to the store in batches behind the answers; what a crash left unapplied
// is applied again at the next start.
//
// Records carry a sequence number. The consumer takes synced records in
// order (Take) and reports the last one it made durable elsewhere (Done);
// segment files wholly before that are deleted. Appends beyond MaxPending
// unapplied records are refused, so a store that cannot keep up turns
// into back-pressure instead of unbounded memory.
package journal

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"tripline"
)

// Record is one appended record and its sequence number.
type Record struct {
	Seq  uint64
	Data []byte
}

// Options configure a journal.
type Options struct {
	// MaxPending bounds the records appended but not yet reported Done;
	// Append refuses more (default 100,000).
	MaxPending int
	// SegmentBytes is the size past which a new segment file is started
	// (default 16 MiB), so applied records' files can be deleted.
	SegmentBytes int64
	// SegmentAge is how long a segment whose records are all applied is
	// kept before a new one replaces it (default one hour): a quiet node
	// does not keep screened travellers in its journal long after the
	// store has them (the store purges them after the retention window).
	SegmentAge time.Duration
	// SyncEvery is how long a record nobody waits for (Sync) may stay
	// unwritten (default 100 ms): such records share one write and one
	// fsync; a Sync writes at once.
	SyncEvery time.Duration
	// Logger receives write errors; nil discards them.
	Logger *slog.Logger
	// Name names the journal in errors (default "screening journal").
	Name string
	// GroupEvery, when set, spaces two writes while records keep coming
	// by at least this long: an fsync costs about as much CPU for one
	// record as for fifty, so under load a Sync waits up to GroupEvery
	// for the records of concurrent callers to share its fsync. An idle
	// journal writes at once.
	GroupEvery time.Duration
	// SyncWritten bounds how long a record written for a Written caller
	// waits for its fsync (default 10 ms): what a power loss can take of
	// the records whose callers were told they are written. A write
	// without an fsync costs a few microseconds, an fsync about 60 µs of
	// CPU and 200 µs of wall time on these disks, so callers that need
	// only to survive the process share one fsync per SyncWritten.
	SyncWritten time.Duration

	fdatasync func(fd int) error // syscall.Fdatasync; tests hold it up
}

// ErrLocked is returned by Open when another process has the journal open.
var ErrLocked = errors.New("journal: in use by another process")

// Journal is an open journal directory.
type Journal struct {
	dir  string
	opt  Options
	lock *os.File

	mu       sync.Mutex
	queue    []Record  // appended, not yet written
	unsynced []Record  // written, not yet synced
	ready    []Record  // written and synced, not yet taken
	next     uint64    // sequence of the next append
	written  uint64    // every record up to here is in the file
	synced   uint64    // every record up to here is on disk
	wanted   uint64    // a caller waits (Sync, Hurry) for every record up to here to be synced
	wantedW  uint64    // a caller waits (Written) for every record up to here to be written
	dirtyAt  time.Time // when the oldest unsynced record was written
	// syncing: an fsync runs (syncer); dirtyNext is when the first record
	// it does not cover was written
	syncing   bool
	dirtyNext time.Time
	writes    uint64 // fsyncs made
	applied   uint64 // every record up to here was reported Done
	awaiting  int    // callers in WaitApplied
	lastErr   error
	changed   chan struct{} // closed (and replaced) when synced, ready or applied change
	closed    bool
	segments  []uint64  // first sequence of each segment file, oldest first
	f         *os.File  // the segment appended to
	size      int64     // where f's records end
	alloc     int64     // f's length: zeros from size up to here
	started   time.Time // when f was started

	wake     chan struct{}
	applyNow chan struct{} // a caller waits for records to be applied (ApplyNow)
	stop     chan struct{}
	done     chan struct{}
}

const headerLen = 16 // length, CRC-32C, sequence

// allocChunk is how far ahead of its records a segment is filled with
// zeros, in the same write as the records that reach past the zeros
// before. An fdatasync of blocks the file already had flushes the
// records alone, without a commit of the file system's journal for a new
// file size: about a quarter less CPU and wall time per fsync on these
// disks, and a node pays one fsync per group of answers. A record's
// header is never zero (its sequence starts at 1), so a reader stops at
// the first zero header. A segment is cut back to its records when it is
// left (full, or the journal closed), so only a killed process leaves
// zeros behind.
const allocChunk = 256 << 10

var zeros [allocChunk]byte

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func segName(first uint64) string { return fmt.Sprintf("%020d.journal", first) }

// Open opens (creating) the journal in dir. Records after applied, the
// last sequence the consumer made durable elsewhere, are ready to be
// taken again; a record torn by a crash at the end of the last segment is
// cut off (it was never synced, so never acknowledged). It fails with
// ErrLocked when another process has dir open, and names the file and
// offset of a damaged record anywhere else.
func Open(dir string, applied uint64, opt Options) (*Journal, error) {
	if opt.MaxPending <= 0 {
		opt.MaxPending = 100_000
	}
	if opt.SegmentBytes <= 0 {
		opt.SegmentBytes = 16 << 20
	}
	if opt.SyncEvery <= 0 {
		opt.SyncEvery = 100 * time.Millisecond
	}
	if opt.SegmentAge <= 0 {
		opt.SegmentAge = time.Hour
	}
	if opt.SyncWritten <= 0 {
		opt.SyncWritten = 10 * time.Millisecond
	}
	if opt.Name == "" {
		opt.Name = "screening journal"
	}
	if opt.fdatasync == nil {
		opt.fdatasync = syscall.Fdatasync
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("journal: lock %s: %w", dir, err)
	}
	j := &Journal{dir: dir, opt: opt, lock: lock, applied: applied, changed: make(chan struct{}),
		wake: make(chan struct{}, 1), applyNow: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	if err := j.load(); err != nil {
		lock.Close()
		return nil, err
	}
	if err := j.startSegment(); err != nil {
		lock.Close()
		return nil, err
	}
	go j.writer()
	return j, nil
}

// load reads the segments: records after applied become ready.
func (j *Journal) load() error {
	ents, err := os.ReadDir(j.dir)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	for _, e := range ents {
		if first, err := strconv.ParseUint(strings.TrimSuffix(e.Name(), ".journal"), 10, 64); err == nil && strings.HasSuffix(e.Name(), ".journal") {
			j.segments = append(j.segments, first)
		}
	}
	slices.Sort(j.segments)
	j.next = j.applied + 1
	for i, first := range j.segments {
		last := i == len(j.segments)-1
		if err := j.readSegment(first, last); err != nil {
			return err
		}
	}
	j.synced = j.next - 1
	j.written = j.synced
	j.release()
	if n := len(j.segments); n > 0 {
		// A killed process leaves records written but not synced (its
		// callers were told Written): on disk before they are applied.
		if err := syncFile(filepath.Join(j.dir, segName(j.segments[n-1]))); err != nil {
			return err
		}
	}
	return nil
}

// syncFile fsyncs the file at path.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("journal: sync %s: %w", path, err)
	}
	return nil
}

func (j *Journal) readSegment(first uint64, last bool) error {
	path := filepath.Join(j.dir, segName(first))
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	off := 0
	for off < len(b) {
		if end, ok := zeroTail(b[off:]); end {
			if ok && !last {
				break // zeros a killed process left after its last record
			}
			if !ok && !last {
				return fmt.Errorf("journal: %s: damaged record at byte %d", path, off)
			}
			// The zeros written ahead of the records, and perhaps records
			// written after a write that did not reach the disk (a power
			// loss): never synced, never answered to a Sync. Cut, so that
			// appends follow the last record.
			if err := os.Truncate(path, int64(off)); err != nil {
				return fmt.Errorf("journal: cut the end of %s: %w", path, err)
			}
			break
		}
		rec, n, ok := decode(b[off:])
		if !ok {
			if !last {
				return fmt.Errorf("journal: %s: damaged record at byte %d", path, off)
			}
			// A write the crash cut short (a power loss): never synced,
			// never answered to a Sync.
			if err := os.Truncate(path, int64(off)); err != nil {
				return fmt.Errorf("journal: cut the torn end of %s: %w", path, err)
			}
			break
		}
		if rec.Seq > j.applied {
			j.ready = append(j.ready, rec)
		}
		j.next = max(j.next, rec.Seq+1)
		off += n
	}
	return nil
}

// zeroTail reports whether b starts with a zero header (or fewer zero
// bytes than one): the records end there. ok is false when something
// other than zeros follows.
func zeroTail(b []byte) (end, ok bool) {
	h := b[:min(headerLen, len(b))]
	for _, c := range h {
		if c != 0 {
			return false, false
		}
	}
	for _, c := range b[len(h):] {
		if c != 0 {
			return true, false
		}
	}
	return true, true
}

// decode reads one record from b: ok is false for a short or damaged one.
func decode(b []byte) (Record, int, bool) {
	if len(b) < headerLen {
		return Record{}, 0, false
	}
	n := int(binary.LittleEndian.Uint32(b))
	if n > len(b)-headerLen {
		return Record{}, 0, false
	}
	if crc32.Checksum(b[8:headerLen+n], castagnoli) != binary.LittleEndian.Uint32(b[4:]) {
		return Record{}, 0, false
	}
	data := slices.Clone(b[headerLen : headerLen+n])
	return Record{Seq: binary.LittleEndian.Uint64(b[8:]), Data: data}, headerLen + n, true
}

func appendFrame(buf []byte, r Record) []byte {
	var h [headerLen]byte
	binary.LittleEndian.PutUint32(h[:], uint32(len(r.Data)))
	binary.LittleEndian.PutUint64(h[8:], r.Seq)
	crc := crc32.Update(crc32.Checksum(h[8:], castagnoli), castagnoli, r.Data)
	binary.LittleEndian.PutUint32(h[4:], crc)
	return append(append(buf, h[:]...), r.Data...)
}

// startSegment starts a new segment file named after the first record it
// will hold: the first not yet written (records queued meanwhile have
// their numbers already, and go into it).
func (j *Journal) startSegment() error {
	first := j.written + 1
	f, err := os.OpenFile(filepath.Join(j.dir, segName(first)), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("journal: %w", err)
	}
	if err := syncDir(j.dir); err != nil {
		f.Close()
		return err
	}
	if j.f != nil {
		j.closeSegment()
	}
	j.f, j.size, j.alloc, j.started = f, fi.Size(), fi.Size(), time.Now()
	if len(j.segments) == 0 || j.segments[len(j.segments)-1] != first {
		j.segments = append(j.segments, first)
	}
	return nil
}

// syncDir makes a new file's name durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("journal: sync %s: %w", dir, err)
	}
	return nil
}

// Append queues data and returns its sequence number; Sync waits until it
// is on disk, Written until it is in the file, and without either it is
// written within SyncEvery. It never
// waits for the disk. It fails EUNAVAILABLE when
// MaxPending records wait to be applied (the store behind is not keeping
// up), and when the journal is closed.
func (j *Journal) Append(data []byte) (uint64, error) {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return 0, tripline.Errorf(tripline.EUNAVAILABLE, "the %s is closed", j.opt.Name)
	}
	if pending := j.next - 1 - j.applied; pending >= uint64(j.opt.MaxPending) {
		j.mu.Unlock()
		return 0, tripline.Errorf(tripline.EUNAVAILABLE, "%d records of the %s wait to be stored; retry shortly", pending, j.opt.Name)
	}
	seq := j.next
	j.next++
	j.queue = append(j.queue, Record{Seq: seq, Data: data})
	j.mu.Unlock()
	return seq, nil
}

// Hurry asks the writer to write record seq (and what is queued before
// it) now, as Sync does, without waiting: a Sync later finds it written or
// on its way.
func (j *Journal) Hurry(seq uint64) {
	j.mu.Lock()
	j.want(seq)
	j.mu.Unlock()
}

// want notes that a caller waits for seq and wakes the writer; j.mu held.
// Only records someone waits for are written at once: the rest wait for
// the next SyncEvery, or for a waited record's write, so that a journal
// whose appends mostly nobody waits for (clear screenings) does not pay an
// fsync for every few of them.
func (j *Journal) want(seq uint64) {
	if seq > j.synced {
		j.wanted = max(j.wanted, seq)
		j.poke()
	}
}

// WrittenWithin returns once record seq is written to the journal's file,
// waiting at most d as well as ctx: the record then survives the process
// being killed (the next Open reads it), and its fsync follows within
// SyncWritten. It fails EUNAVAILABLE as Sync does.
func (j *Journal) WrittenWithin(ctx context.Context, seq uint64, d time.Duration) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.written >= seq {
		return nil
	}
	j.wantedW = max(j.wantedW, seq)
	j.poke()
	t := getTimer(d)
	defer putTimer(t)
	return j.waitFor(ctx, t.C, func() bool { return j.written >= seq }, "written")
}

// poke asks the writer to write what is queued now.
func (j *Journal) poke() {
	select {
	case j.wake <- struct{}{}:
	default:
	}
}

// broadcast wakes the waiters; j.mu must be held.
func (j *Journal) broadcast() {
	close(j.changed)
	j.changed = make(chan struct{})
}

// waitFor waits until cond holds (j.mu held on entry and return), or ctx
// ends, or timeout fires (nil: never); why describes the wait for the
// error.
func (j *Journal) waitFor(ctx context.Context, timeout <-chan time.Time, cond func() bool, why string) error {
	for !cond() {
		ch := j.changed
		j.mu.Unlock()
		select {
		case <-ch:
		case <-j.done:
		case <-ctx.Done():
			j.mu.Lock()
			return j.late(cond, why)
		case <-timeout:
			j.mu.Lock()
			return j.late(cond, why)
		}
		j.mu.Lock()
		if j.closed && !cond() && isClosedDone(j.done) {
			return tripline.Errorf(tripline.EUNAVAILABLE, "the %s closed before it was %s", j.opt.Name, why)
		}
	}
	return nil
}

// late is waitFor's answer when the wait ended first; j.mu held.
func (j *Journal) late(cond func() bool, why string) error {
	if cond() {
		return nil
	}
	return tripline.Errorf(tripline.EUNAVAILABLE, "the %s could not be %s in time (%v); retry shortly", j.opt.Name, why, j.lastErr)
}

func isClosedDone(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Sync returns once record seq is on disk. It fails EUNAVAILABLE when ctx
// ends first (the reason, a failing disk, is logged) or the journal
// closed without writing it.
func (j *Journal) Sync(ctx context.Context, seq uint64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.want(seq)
	return j.waitFor(ctx, nil, func() bool { return j.synced >= seq }, "synced")
}

// SyncWithin is Sync bounded by d as well as ctx, without the allocations
// of a context with a deadline (an answer pays one such wait at line
// rate).
func (j *Journal) SyncWithin(ctx context.Context, seq uint64, d time.Duration) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.synced >= seq {
		return nil
	}
	j.want(seq)
	t := getTimer(d)
	defer putTimer(t)
	return j.waitFor(ctx, t.C, func() bool { return j.synced >= seq }, "synced")
}

// timers holds stopped timers for SyncWithin: since Go 1.23 a stopped or
// reset timer's channel never delivers a stale time, so they are reused.
var timers sync.Pool

func getTimer(d time.Duration) *time.Timer {
	if t, ok := timers.Get().(*time.Timer); ok {
		t.Reset(d)
		return t
	}
	return time.NewTimer(d)
}

func putTimer(t *time.Timer) {
	t.Stop()
	timers.Put(t)
}

// WaitApplied returns once every record appended before the call has been
// reported Done: a read of the store then sees them (read your writes).
// The records it waits for are written at once, as for Sync, and the
// consumer is told (ApplyNow, ApplyWaited) not to wait for its next pass.
func (j *Journal) WaitApplied(ctx context.Context) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	target := j.next - 1
	if j.applied >= target {
		return nil
	}
	j.want(target)
	j.awaiting++
	defer func() { j.awaiting-- }()
	select {
	case j.applyNow <- struct{}{}:
	default:
	}
	return j.waitFor(ctx, nil, func() bool { return j.applied >= target }, "applied")
}

// ApplyNow delivers when a caller starts waiting for records to be applied
// (WaitApplied): a consumer that gathers records between passes takes them
// at once instead.
func (j *Journal) ApplyNow() <-chan struct{} { return j.applyNow }

// ApplyWaited reports whether a caller waits for records to be applied:
// the consumer goes on taking them without its pause until it no longer
// does.
func (j *Journal) ApplyWaited() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.awaiting > 0
}

// Take returns up to max synced records not taken yet, in order, waiting
// for at least one until ctx ends (then it returns ctx's error). The
// caller reports them Done once they are durable elsewhere.
func (j *Journal) Take(ctx context.Context, max int) ([]Record, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for len(j.ready) == 0 {
		if j.closed && isClosedDone(j.done) {
			return nil, io.EOF
		}
		ch := j.changed
		j.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			j.mu.Lock()
			return nil, ctx.Err()
		}
		j.mu.Lock()
	}
	n := min(max, len(j.ready))
	out := slices.Clone(j.ready[:n])
	j.ready = slices.Delete(j.ready, 0, n)
	return out, nil
}

// Done reports every record up to seq durable elsewhere: segment files
// holding nothing after it are deleted.
func (j *Journal) Done(seq uint64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if seq > j.applied {
		j.applied = seq
		j.broadcast()
	}
	j.release()
}

// release deletes the segments wholly applied (never the one appended
// to); j.mu must be held.
func (j *Journal) release() {
	for len(j.segments) > 1 && j.segments[1] <= j.applied+1 {
		if err := os.Remove(filepath.Join(j.dir, segName(j.segments[0]))); err != nil && !os.IsNotExist(err) {
			j.logError("delete applied segment", err)
			return
		}
		j.segments = j.segments[1:]
	}
}

func (j *Journal) logError(msg string, err error) {
	if j.opt.Logger != nil {
		j.opt.Logger.Error("journal: "+msg, "dir", j.dir, "err", err)
	}
}

// Writes returns how many fsyncs the journal has made: per answer, what
// durability costs (a node exports it).
func (j *Journal) Writes() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.writes
}

// Pending returns how many records wait to be reported Done.
func (j *Journal) Pending() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return int(j.next - 1 - j.applied)
}

// cut drops what follows the records of the segment (a failed write, the
// zeros ahead).
func (j *Journal) cut() {
	if err := j.f.Truncate(j.size); err == nil {
		j.alloc = j.size
	}
}

// closeSegment closes the segment appended to, cut back to its records:
// a journal closed or rolled over leaves the files as earlier builds
// wrote them.
func (j *Journal) closeSegment() error {
	j.cut()
	return j.f.Close()
}

// Close writes what is queued and closes the journal; records not yet
// reported Done stay in it for the next Open.
func (j *Journal) Close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return nil
	}
	j.closed = true
	j.mu.Unlock()
	close(j.stop)
	<-j.done
	j.mu.Lock()
	defer j.mu.Unlock()
	j.broadcast()
	var errs []error
	if len(j.queue) > 0 {
		errs = append(errs, fmt.Errorf("journal: %d records not written: %w", len(j.queue), j.lastErr))
	}
	if len(j.unsynced) > 0 {
		errs = append(errs, fmt.Errorf("journal: %d records written but not synced: %w", len(j.unsynced), j.lastErr))
	}
	if err := j.closeSegment(); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, j.lock.Close())
	return errors.Join(errs...)
}
