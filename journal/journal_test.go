package journal_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"tripline"
	"tripline/journal"
)

func mustOpen(t *testing.T, dir string, applied uint64, opt journal.Options) *journal.Journal {
	t.Helper()
	j, err := journal.Open(dir, applied, opt)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func appendSync(t *testing.T, j *journal.Journal, data string) uint64 {
	t.Helper()
	seq, err := j.Append([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := j.Sync(ctx, seq); err != nil {
		t.Fatal(err)
	}
	return seq
}

func take(t *testing.T, j *journal.Journal, n int) []string {
	t.Helper()
	var out []string
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for len(out) < n {
		rs, err := j.Take(ctx, n-len(out))
		if err != nil {
			t.Fatalf("take %d of %d: %v", len(out), n, err)
		}
		for _, r := range rs {
			out = append(out, fmt.Sprintf("%d:%s", r.Seq, r.Data))
		}
	}
	return out
}

// Records synced but not reported Done come back after a reopen, in
// order, and those reported Done do not.
func TestReopenReplaysWhatWasNotApplied(t *testing.T) {
	dir := t.TempDir()
	j := mustOpen(t, dir, 0, journal.Options{})
	for i := range 5 {
		appendSync(t, j, fmt.Sprint("r", i))
	}
	got := take(t, j, 5)
	if fmt.Sprint(got) != "[1:r0 2:r1 3:r2 4:r3 5:r4]" {
		t.Fatalf("took %v", got)
	}
	j.Done(2)
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j = mustOpen(t, dir, 2, journal.Options{})
	defer j.Close()
	if got := take(t, j, 3); fmt.Sprint(got) != "[3:r2 4:r3 5:r4]" {
		t.Fatalf("after reopen took %v, want records 3 to 5", got)
	}
	if seq := appendSync(t, j, "r5"); seq != 6 {
		t.Fatalf("next sequence after reopen = %d, want 6", seq)
	}
}

// A record torn by a crash at the end of the journal (never synced) is
// cut off; what came before it is kept, and appends go on after it.
func TestTornTailCut(t *testing.T) {
	dir := t.TempDir()
	j := mustOpen(t, dir, 0, journal.Options{})
	appendSync(t, j, "whole")
	appendSync(t, j, "torn")
	j.Close()
	segs, _ := filepath.Glob(filepath.Join(dir, "*.journal"))
	var last string
	for _, s := range segs {
		if fi, _ := os.Stat(s); fi.Size() > 0 {
			last = s
		}
	}
	fi, _ := os.Stat(last)
	if err := os.Truncate(last, fi.Size()-2); err != nil {
		t.Fatal(err)
	}
	j = mustOpen(t, dir, 0, journal.Options{})
	defer j.Close()
	if got := take(t, j, 1); fmt.Sprint(got) != "[1:whole]" {
		t.Fatalf("took %v", got)
	}
	appendSync(t, j, "after")
	if got := take(t, j, 1); fmt.Sprint(got) != "[2:after]" {
		t.Fatalf("took %v after the torn record", got)
	}
}

// A damaged record before the end is not silently skipped: Open names it.
func TestDamagedRecordNamed(t *testing.T) {
	dir := t.TempDir()
	j := mustOpen(t, dir, 0, journal.Options{SegmentBytes: 1})
	appendSync(t, j, "first segment")
	appendSync(t, j, "second segment")
	j.Close()
	segs, _ := filepath.Glob(filepath.Join(dir, "*.journal"))
	b, _ := os.ReadFile(segs[0])
	b[len(b)-1] ^= 0xff
	os.WriteFile(segs[0], b, 0o600)
	_, err := journal.Open(dir, 0, journal.Options{})
	if err == nil || !strings.Contains(err.Error(), filepath.Base(segs[0])) {
		t.Fatalf("open with a damaged record = %v, want an error naming %s", err, segs[0])
	}
}

// Past MaxPending records not yet applied, Append refuses with
// EUNAVAILABLE (a 503 with Retry-After over HTTP); Done makes room.
func TestBackPressure(t *testing.T) {
	j := mustOpen(t, t.TempDir(), 0, journal.Options{MaxPending: 3})
	defer j.Close()
	for i := range 3 {
		appendSync(t, j, fmt.Sprint(i))
	}
	if _, err := j.Append([]byte("over")); tripline.ErrorCode(err) != tripline.EUNAVAILABLE {
		t.Fatalf("append past MaxPending = %v, want %s", err, tripline.EUNAVAILABLE)
	}
	take(t, j, 3)
	j.Done(3)
	if _, err := j.Append([]byte("room again")); err != nil {
		t.Fatalf("append after Done = %v", err)
	}
}

// Applied segments are deleted; the one appended to stays.
func TestAppliedSegmentsDeleted(t *testing.T) {
	dir := t.TempDir()
	j := mustOpen(t, dir, 0, journal.Options{SegmentBytes: 64})
	defer j.Close()
	for i := range 20 {
		appendSync(t, j, fmt.Sprintf("record %02d with some bytes", i))
	}
	take(t, j, 20)
	before, _ := filepath.Glob(filepath.Join(dir, "*.journal"))
	j.Done(20)
	// The last full segment goes when the writer rolls it over, after its
	// fsync: waited for, not assumed.
	var after []string
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
		after, _ = filepath.Glob(filepath.Join(dir, "*.journal"))
		if len(after) == 1 || time.Now().After(deadline) {
			break
		}
	}
	if len(before) < 5 || len(after) != 1 {
		t.Fatalf("segments before Done %d, after %d; want many, then 1", len(before), len(after))
	}
}

// Two processes never append to one journal.
func TestSecondOpenRefused(t *testing.T) {
	dir := t.TempDir()
	j := mustOpen(t, dir, 0, journal.Options{})
	defer j.Close()
	if _, err := journal.Open(dir, 0, journal.Options{}); !errors.Is(err, journal.ErrLocked) {
		t.Fatalf("second open = %v, want ErrLocked", err)
	}
}

// Concurrent appends are all synced, each exactly once, in sequence.
func TestConcurrentAppends(t *testing.T) {
	j := mustOpen(t, t.TempDir(), 0, journal.Options{})
	defer j.Close()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 50 {
				seq, err := j.Append([]byte(fmt.Sprint(w, "-", i)))
				if err != nil {
					t.Error(err)
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				if err := j.Sync(ctx, seq); err != nil {
					t.Error(err)
				}
				cancel()
			}
		})
	}
	wg.Wait()
	got := take(t, j, 400)
	seen := map[string]bool{}
	for i, r := range got {
		var seq int
		var data string
		fmt.Sscanf(r, "%d:%s", &seq, &data)
		if seq != i+1 || seen[data] {
			t.Fatalf("record %d = %s (duplicate %v)", i, r, seen[data])
		}
		seen[data] = true
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	j.Done(400)
	if err := j.WaitApplied(ctx); err != nil {
		t.Fatal(err)
	}
}

// A quiet node must not keep screened travellers in the journal for long
// after they are applied (the store purges them after the retention
// window): a segment older than SegmentAge whose records are all applied
// is replaced and deleted, however small.
func TestOldAppliedSegmentDeleted(t *testing.T) {
	dir := t.TempDir()
	j := mustOpen(t, dir, 0, journal.Options{SyncEvery: 5 * time.Millisecond, SegmentAge: 20 * time.Millisecond})
	defer j.Close()
	appendSync(t, j, "a traveller")
	take(t, j, 1)
	j.Done(1)
	deadline := time.Now().Add(time.Minute)
	for {
		var size int64
		segs, _ := filepath.Glob(filepath.Join(dir, "*.journal"))
		for _, s := range segs {
			if fi, err := os.Stat(s); err == nil {
				size += fi.Size()
			}
		}
		if size == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("an applied record stayed in the journal: %d bytes in %v", size, segs)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if seq := appendSync(t, j, "later"); seq != 2 {
		t.Fatalf("next sequence = %d, want 2", seq)
	}
}

// A segment is filled with zeros ahead of its records while it is
// appended to (its fsyncs then write no new file size), and cut back to
// its records when the journal closes. What a killed process leaves,
// zeros after the last record, perhaps with a record the disk got without
// the one before it (never synced, never answered), is read as the end of
// the records: cut from the last segment, passed over in an earlier one.
// Anything but zeros after zeros in an earlier segment is damage, named.
func TestZerosAhead(t *testing.T) {
	const whole = "[1:a 2:b 3:c 4:d]"
	dir := t.TempDir()
	j := mustOpen(t, dir, 0, journal.Options{})
	appendSync(t, j, "a")
	segs, _ := filepath.Glob(filepath.Join(dir, "*.journal"))
	if n := fileSize(segs[0]); n <= 16+1 {
		t.Fatalf("segment while open: %d bytes; want its record and zeros ahead", n)
	}
	j.Close()
	if n := fileSize(segs[0]); n != 16+1 {
		t.Fatalf("segment after close: %d bytes; want its record alone", n)
	}
	for _, tc := range []struct {
		name    string
		tail    func(first, last []byte) (first2, last2 []byte)
		want    string // records read, or "" for an error naming the first segment
		wantSeq uint64 // the next append's sequence
	}{
		{"as closed", func(f, l []byte) ([]byte, []byte) { return f, l }, whole, 5},
		{"zeros after the last", func(f, l []byte) ([]byte, []byte) { return f, append(l, make([]byte, 4096)...) }, whole, 5},
		{"a few zeros after the last", func(f, l []byte) ([]byte, []byte) { return f, append(l, 0, 0, 0) }, whole, 5},
		{"zeros after an earlier", func(f, l []byte) ([]byte, []byte) { return append(f, make([]byte, 4096)...), l }, whole, 5},
		{"a record after zeros in the last", func(f, l []byte) ([]byte, []byte) {
			rec := l[len(l)/2:] // the last record (both are one letter long)
			l = append(l[:len(l)/2:len(l)/2], make([]byte, 64)...)
			return f, append(l, rec...)
		}, "[1:a 2:b 3:c]", 4},
		{"a record after zeros in an earlier", func(f, l []byte) ([]byte, []byte) {
			return append(append(f, make([]byte, 64)...), l[:len(l)/2]...), l
		}, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			j := mustOpen(t, dir, 0, journal.Options{SegmentBytes: 2 * (16 + 1)}) // two records a segment
			for _, r := range []string{"a", "b", "c", "d"} {
				appendSync(t, j, r)
			}
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}
			segs, _ = filepath.Glob(filepath.Join(dir, "*.journal"))
			first, _ := os.ReadFile(segs[0])
			last, _ := os.ReadFile(segs[1])
			if len(first) != 2*(16+1) || len(last) != 2*(16+1) {
				t.Fatalf("segments after close: %d and %d bytes, want %d each", len(first), len(last), 2*(16+1))
			}
			os.Remove(segs[2]) // the empty one started after d
			first, last = tc.tail(first, last)
			os.WriteFile(segs[0], first, 0o600)
			os.WriteFile(segs[1], last, 0o600)
			j, err := journal.Open(dir, 0, journal.Options{SegmentBytes: 2 * (16 + 1)})
			if tc.want == "" {
				if err == nil || !strings.Contains(err.Error(), filepath.Base(segs[0])) {
					t.Fatalf("open = %v, want an error naming %s", err, segs[0])
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close()
			n := strings.Count(tc.want, ":")
			if got := take(t, j, n); fmt.Sprint(got) != tc.want {
				t.Fatalf("took %v, want %s", got, tc.want)
			}
			if seq := appendSync(t, j, "e"); seq != tc.wantSeq {
				t.Fatalf("next sequence = %d, want %d", seq, tc.wantSeq)
			}
			if got := take(t, j, 1); fmt.Sprint(got) != fmt.Sprintf("[%d:e]", tc.wantSeq) {
				t.Fatalf("took %v after reopening", got)
			}
		})
	}
}

// fileSize returns the size of path, -1 when it cannot be read.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return -1
	}
	return fi.Size()
}

// SyncWithin waits for the record like Sync, and gives up after its bound
// (the writer held back here by a GroupEvery of an hour) or when ctx ends,
// with EUNAVAILABLE; the record is written later all the same.
func TestSyncWithin(t *testing.T) {
	dir := t.TempDir()
	j := mustOpen(t, dir, 0, journal.Options{GroupEvery: time.Hour})
	first, err := j.Append([]byte("first"))
	if err != nil {
		t.Fatal(err)
	}
	if err := j.SyncWithin(context.Background(), first, time.Minute); err != nil {
		t.Fatalf("an idle journal writes at once: %v", err)
	}
	if err := j.SyncWithin(context.Background(), first, time.Nanosecond); err != nil {
		t.Fatalf("a record already on disk: %v", err)
	}
	second, err := j.Append([]byte("second"))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 { // a timer that fired is reused without a stale tick
		if err := j.SyncWithin(context.Background(), second, 10*time.Millisecond); tripline.ErrorCode(err) != tripline.EUNAVAILABLE {
			t.Fatalf("held back for an hour: %v, want unavailable", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := j.SyncWithin(ctx, second, time.Hour); tripline.ErrorCode(err) != tripline.EUNAVAILABLE {
		t.Fatalf("canceled: %v, want unavailable", err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j = mustOpen(t, dir, 0, journal.Options{})
	defer j.Close()
	if got := take(t, j, 2); strings.Join(got, " ") != "1:first 2:second" {
		t.Fatalf("after close: %v", got)
	}
}

// Only records someone waits for are written at once: appends nobody
// waits for (a node's clear screenings, thousands a second) ride along
// with a waited record's write or wait for SyncEvery, instead of keeping
// the writer fsyncing back to back while they keep coming. Each waited
// record takes one write, and a Close writes the rest.
func TestOnlyWaitedRecordsWrittenAtOnce(t *testing.T) {
	dir := t.TempDir()
	j := mustOpen(t, dir, 0, journal.Options{SyncEvery: time.Hour, MaxPending: 1 << 20})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var unwaited int
	wg.Go(func() {
		for unwaited < 100_000 {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := j.Append([]byte("clear")); err != nil {
				t.Error(err)
				return
			}
			unwaited++
		}
	})
	const hits = 20
	var last uint64
	for range hits {
		last = appendSync(t, j, "hit")
	}
	close(stop)
	wg.Wait()
	if got := j.Writes(); got != hits {
		t.Errorf("%d writes for %d waited records among %d appends nobody waited for, want %d", got, hits, unwaited, hits)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var taken uint64
	for {
		rs, err := j.Take(ctx, 1000)
		if err != nil {
			break
		}
		taken = rs[len(rs)-1].Seq
	}
	if taken != last {
		t.Errorf("written up to %d, want up to the last waited record %d (the appends after it wait for SyncEvery)", taken, last)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j = mustOpen(t, dir, 0, journal.Options{})
	defer j.Close()
	if got := take(t, j, hits+unwaited); len(got) != hits+unwaited {
		t.Fatalf("after close: %d records, want %d", len(got), hits+unwaited)
	}
}

// WaitApplied has the records it waits for written at once (nobody had
// waited for them: they would wait for SyncEvery, an hour here) and tells
// the consumer, which gathers records between passes, to take them now.
func TestWaitAppliedHurries(t *testing.T) {
	j := mustOpen(t, t.TempDir(), 0, journal.Options{SyncEvery: time.Hour})
	defer j.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, r := range []string{"a", "b"} {
		if _, err := j.Append([]byte(r)); err != nil {
			t.Fatal(err)
		}
	}
	if j.ApplyWaited() {
		t.Fatal("ApplyWaited with nobody waiting")
	}
	waited := make(chan error, 1)
	go func() { waited <- j.WaitApplied(ctx) }()
	select {
	case <-j.ApplyNow():
	case <-ctx.Done():
		t.Fatal("the consumer was not told that a caller waits")
	}
	if !j.ApplyWaited() {
		t.Fatal("ApplyWaited false while a caller waits")
	}
	recs, err := j.Take(ctx, 10) // written at once, not after SyncEvery
	if err != nil || len(recs) != 2 {
		t.Fatalf("Take = %d records, %v; want both", len(recs), err)
	}
	j.Done(recs[1].Seq)
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
	if j.ApplyWaited() {
		t.Fatal("ApplyWaited once the caller has returned")
	}
	if err := j.WaitApplied(ctx); err != nil {
		t.Fatalf("nothing left to apply: %v", err)
	}
}

// WrittenWithin returns once the record is in the journal's file, before
// any fsync: what a killed process leaves there (copied here as the next
// process would find it) is read back by the next Open. The record is
// taken only once synced, and its fsync follows within SyncWritten with
// nobody waiting for it.
func TestWrittenBeforeSynced(t *testing.T) {
	dir := t.TempDir()
	j := mustOpen(t, dir, 0, journal.Options{SyncEvery: time.Hour, SyncWritten: time.Hour})
	seq, err := j.Append([]byte("answered"))
	if err != nil {
		t.Fatal(err)
	}
	if err := j.WrittenWithin(context.Background(), seq, time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := j.Writes(); got != 0 {
		t.Fatalf("%d fsyncs before SyncWritten, want 0", got)
	}
	left := t.TempDir() // what a SIGKILL now leaves
	segs, _ := filepath.Glob(filepath.Join(dir, "*.journal"))
	for _, seg := range segs {
		b, err := os.ReadFile(seg)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(left, filepath.Base(seg)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if rs, err := j.Take(ctx, 10); err == nil {
		t.Fatalf("taken before its fsync: %v", rs)
	}
	k := mustOpen(t, left, 0, journal.Options{})
	if got := take(t, k, 1); got[0] != "1:answered" {
		t.Fatalf("after a kill: %v", got)
	}
	k.Close()
	if err := j.Sync(context.Background(), seq); err != nil {
		t.Fatal(err)
	}
	if got := take(t, j, 1); got[0] != "1:answered" {
		t.Fatalf("synced: %v", got)
	}
	j.Close()

	// Nobody waits for the fsync: it follows within SyncWritten.
	j = mustOpen(t, t.TempDir(), 0, journal.Options{SyncEvery: time.Hour, SyncWritten: time.Millisecond})
	defer j.Close()
	seq, err = j.Append([]byte("later"))
	if err != nil {
		t.Fatal(err)
	}
	if err := j.WrittenWithin(context.Background(), seq, time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := take(t, j, 1); got[0] != "1:later" || j.Writes() != 1 {
		t.Fatalf("after SyncWritten: %v, %d fsyncs", got, j.Writes())
	}
}

// heldFsync returns an fdatasync that reports each start on inSync (when
// nobody has yet taken the last report) and waits for release.
func heldFsync() (slow func(fd int) error, inSync, release chan struct{}) {
	inSync, release = make(chan struct{}, 1), make(chan struct{})
	slow = func(fd int) error {
		select {
		case inSync <- struct{}{}:
		default:
		}
		<-release
		return syscall.Fdatasync(fd)
	}
	return slow, inSync, release
}

// waitWritten waits for record seq to be written, failing with why when
// that hangs.
func waitWritten(t *testing.T, j *journal.Journal, seq uint64, why string) {
	t.Helper()
	written := make(chan error, 1)
	go func() { written <- j.WrittenWithin(context.Background(), seq, time.Minute) }()
	select {
	case err := <-written:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second): // a guard against a hang, not a timing
		t.Fatal(why)
	}
}

// A caller waiting only for its record's write (an answer's audit entry,
// a review) is not held up by the fsync of the group its record was
// written with: the record is in the file before the fsync starts.
func TestWrittenNotHeldByGroupFsync(t *testing.T) {
	slow, inSync, release := heldFsync()
	j := mustOpen(t, t.TempDir(), 0, journal.WithFdatasync(journal.Options{SyncEvery: time.Hour, SyncWritten: time.Hour}, slow))
	defer j.Close()
	defer close(release)
	hit, err := j.Append([]byte("hit"))
	if err != nil {
		t.Fatal(err)
	}
	review, err := j.Append([]byte("review"))
	if err != nil {
		t.Fatal(err)
	}
	j.Hurry(hit) // the group's fsync starts, and is held up
	<-inSync
	waitWritten(t, j, review, "WrittenWithin waited for the fsync of the group its record was written with")
	if got := j.Writes(); got != 0 {
		t.Fatalf("%d fsyncs done while the only one is held up", got)
	}
}

// Records keep being written while an fsync runs: a Written caller whose
// record was appended after the fsync started goes at once, and a Sync
// caller for it gets an fsync of its own once the first is done.
func TestWrittenWhileFsyncRuns(t *testing.T) {
	slow, inSync, release := heldFsync()
	j := mustOpen(t, t.TempDir(), 0, journal.WithFdatasync(journal.Options{SyncEvery: time.Hour, SyncWritten: time.Hour}, slow))
	defer j.Close()
	first, err := j.Append([]byte("hit"))
	if err != nil {
		t.Fatal(err)
	}
	j.Hurry(first)
	<-inSync // the first record's fsync runs, held up
	second, err := j.Append([]byte("review"))
	if err != nil {
		t.Fatal(err)
	}
	waitWritten(t, j, second, "WrittenWithin waited for an fsync that started before its record was appended")
	synced := make(chan error, 1)
	go func() { synced <- j.Sync(context.Background(), second) }()
	release <- struct{}{} // the first fsync ends
	<-inSync              // the second starts
	close(release)
	if err := <-synced; err != nil {
		t.Fatal(err)
	}
	if got := take(t, j, 2); len(got) != 2 || got[0] != "1:hit" || got[1] != "2:review" || j.Writes() != 2 {
		t.Fatalf("taken %v after %d fsyncs; want both after 2", got, j.Writes())
	}
}

// An fsync that fails is tried again; the records become durable (and
// can be taken) only once one succeeds.
func TestFsyncFailureRetried(t *testing.T) {
	var mu sync.Mutex
	fails := 3
	flaky := func(fd int) error {
		mu.Lock()
		defer mu.Unlock()
		if fails > 0 {
			fails--
			return syscall.EIO
		}
		return syscall.Fdatasync(fd)
	}
	j := mustOpen(t, t.TempDir(), 0, journal.WithFdatasync(journal.Options{SyncEvery: time.Hour}, flaky))
	defer j.Close()
	seq, err := j.Append([]byte("hit"))
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Sync(context.Background(), seq); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	left := fails
	mu.Unlock()
	if got := take(t, j, 1); left != 0 || got[0] != "1:hit" || j.Writes() != 1 {
		t.Fatalf("after %d failed fsyncs: taken %v, %d fsyncs succeeded", 3-left, got, j.Writes())
	}
}

// A steady stream of writes, each waited for only until written, still
// rolls full segments over (they are deleted only whole, once applied).
func TestSegmentsRollUnderSteadyWrites(t *testing.T) {
	dir := t.TempDir()
	j := mustOpen(t, dir, 0, journal.Options{SegmentBytes: 256, SyncWritten: time.Millisecond})
	defer j.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for range 2 { // two writers: the writer seldom finds its queue empty
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 500 {
				seq, err := j.Append([]byte("a review written, not yet synced"))
				if err == nil {
					err = j.WrittenWithin(context.Background(), seq, time.Minute)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	// 1,000 records of 48 bytes fill up to 166 segments of 256 bytes,
	// fewer when a slow disk's fsync holds roll-overs back (the records
	// written meanwhile go into the full segment, so that their callers
	// do not wait for it): on a busy machine one fsync can outlast them
	// all. Once it is done, the full segment is rolled over: waited for,
	// not assumed.
	last := appendSync(t, j, "after the stream")
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
		segs, _ := filepath.Glob(filepath.Join(dir, "*.journal"))
		if len(segs) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d segment files after %d records written into 256-byte segments", len(segs), last)
		}
	}
}

// A segment is named after the first record it holds, also when records
// were queued while the fsync before its roll-over ran: the name is what
// Open and the deletion of applied segments go by.
func TestSegmentNamedAfterItsFirstRecord(t *testing.T) {
	inSync, release := make(chan struct{}, 1), make(chan struct{})
	var held atomic.Bool
	slow := func(fd int) error {
		if held.CompareAndSwap(false, true) { // the first fsync only
			inSync <- struct{}{}
			<-release
		}
		return syscall.Fdatasync(fd)
	}
	dir := t.TempDir()
	j := mustOpen(t, dir, 0, journal.WithFdatasync(journal.Options{SegmentBytes: 2 * (16 + 1), SyncEvery: time.Hour, SyncWritten: time.Hour}, slow))
	for _, r := range []string{"a", "b"} { // the first segment, full
		if _, err := j.Append([]byte(r)); err != nil {
			t.Fatal(err)
		}
	}
	j.Hurry(2)
	<-inSync
	for _, r := range []string{"c", "d"} { // queued while its fsync runs
		if _, err := j.Append([]byte(r)); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	for j.Writes() < 1 { // the fsync is done: the roll-over comes before any write
		time.Sleep(time.Millisecond)
	}
	if err := j.Sync(context.Background(), 4); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "*.journal"))
	for _, seg := range segs {
		b, _ := os.ReadFile(seg)
		if len(b) < 16 {
			continue // the empty one started at close
		}
		name, _ := strconv.ParseUint(strings.TrimSuffix(filepath.Base(seg), ".journal"), 10, 64)
		if first := binary.LittleEndian.Uint64(b[8:16]); first != name {
			t.Errorf("segment %s holds record %d first", filepath.Base(seg), first)
		}
	}
	j = mustOpen(t, dir, 0, journal.Options{})
	defer j.Close()
	if got := take(t, j, 4); fmt.Sprint(got) != "[1:a 2:b 3:c 4:d]" {
		t.Fatalf("took %v after reopening", got)
	}
}
