package journal

// The writer goroutine, and the syncer beside it: how queued records reach
// the segment files and the disk.

import (
	"os"
	"time"
)

// writer writes what is queued: for a Written caller at once, without an
// fsync; for a Sync caller at once (GroupEvery apart) with one; and what
// was written without an fsync gets one SyncWritten after the first such
// write. Records nobody waits for are written and synced every SyncEvery.
// The fsyncs run in the syncer, so that records keep being written while
// one runs: a Written caller never waits for another's fsync.
func (j *Journal) writer() {
	defer close(j.done)
	syncs := make(chan syncRequest)
	go j.syncer(syncs)
	defer close(syncs)
	var buf []byte
	var lastSync time.Time // when the last fsync started
	backoff := 10 * time.Millisecond
	tick := time.NewTicker(j.opt.SyncEvery)
	defer tick.Stop()
	// due fires when a spaced fsync or a written record's fsync is due,
	// reused: a group of answers makes no timer of its own (a stopped or
	// reset timer never delivers a stale time since Go 1.23).
	due := time.NewTimer(time.Hour)
	due.Stop()
	forced := false // the tick: write and sync what is queued
	for {
		now := time.Now()
		roll, sync, write, at, syncing := j.plan(now, lastSync)
		if roll {
			// A full segment is left once all it holds is synced: its
			// own fsync here, then the next segment; what is queued goes
			// there. Before any write, so that a steady stream of writes
			// still rolls segments.
			if !j.rollOver() && !j.pause(&backoff, &buf) {
				return
			}
			continue
		}
		if forced && !syncing {
			sync, forced = true, false
		}
		if sync || write {
			if !j.writeOnce(&buf) {
				if !j.pause(&backoff, &buf) {
					return
				}
				continue
			}
			backoff = 10 * time.Millisecond
			if sync {
				lastSync = now
				j.startSync(syncs)
			}
			continue // what came meanwhile
		}
		if !at.IsZero() {
			due.Reset(at.Sub(now))
		}
		select {
		case <-j.wake:
		case <-due.C:
		case <-tick.C:
			j.retire()
			forced = true
		case <-j.stop:
			j.flushAll(&buf)
			return
		}
		due.Stop()
	}
}

// pause waits backoff after the disk failed, doubling it up to a second;
// false when the journal is closed meanwhile (what is queued is flushed).
func (j *Journal) pause(backoff *time.Duration, buf *[]byte) bool {
	select {
	case <-time.After(*backoff):
	case <-j.stop:
		j.flushAll(buf)
		return false
	}
	*backoff = min(2**backoff, time.Second)
	return true
}

// plan says what the writer does now: roll a full segment over, write
// the queue, start an fsync (after writing the queue); else at is when an
// fsync falls due (zero: none does). While an fsync runs (syncing) none
// starts: records wanted synced are written, for the next one to take at
// once.
func (j *Journal) plan(now, lastSync time.Time) (roll, sync, write bool, at time.Time, syncing bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.syncing {
		return false, false, len(j.queue) > 0 && (j.wantedW > j.written || j.wanted > j.written), time.Time{}, true
	}
	if j.rollDue() {
		return true, false, false, time.Time{}, false
	}
	pending := len(j.queue) > 0 || j.written > j.synced
	if j.wanted > j.synced && pending {
		next := lastSync.Add(j.opt.GroupEvery)
		if !now.Before(next) {
			return false, true, false, time.Time{}, false
		}
		at = next
	}
	if j.written > j.synced {
		next := j.dirtyAt.Add(j.opt.SyncWritten)
		if !now.Before(next) {
			return false, true, false, time.Time{}, false
		}
		if at.IsZero() || next.Before(at) {
			at = next
		}
	}
	return false, false, j.wantedW > j.written && len(j.queue) > 0, at, false
}

// retire replaces a non-empty segment older than SegmentAge once all its
// records are applied, deleting it; run by the writer, the only user of
// j.f besides a running fsync (it waits for none).
func (j *Journal) retire() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.syncing || j.size == 0 || time.Since(j.started) < j.opt.SegmentAge || len(j.queue) > 0 || j.applied < j.next-1 {
		return
	}
	if err := j.startSegment(); err != nil {
		j.logError("start segment", err)
		return
	}
	j.release()
}

// flushAll writes and syncs what is queued at close, trying a few times,
// once the running fsync (if any) is done.
func (j *Journal) flushAll(buf *[]byte) {
	j.mu.Lock()
	for j.syncing {
		ch := j.changed
		j.mu.Unlock()
		<-ch
		j.mu.Lock()
	}
	j.mu.Unlock()
	for range 5 {
		if j.full() && !j.rollOver() {
			continue
		}
		if j.writeOnce(buf) && j.syncNow() {
			j.mu.Lock()
			left := len(j.queue)
			j.mu.Unlock()
			if left == 0 {
				if j.full() {
					j.rollOver() // as the writer would have
				}
				return
			}
		}
	}
}

// full reports whether the segment appended to is due to be rolled over;
// run by the writer.
func (j *Journal) full() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.rollDue()
}

// rollDue: the segment appended to has reached SegmentBytes and holds a
// record written since it started (a segment reopened at start, full of
// older records, is not rolled over and over into itself); j.mu held.
func (j *Journal) rollDue() bool {
	return j.size >= j.opt.SegmentBytes && len(j.segments) > 0 && j.segments[len(j.segments)-1] <= j.written
}

// rollOver fsyncs what is written to the full segment, starts the next
// and deletes the segments wholly applied; false when the disk failed.
func (j *Journal) rollOver() bool {
	if !j.syncNow() {
		return false
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.startSegment(); err != nil {
		j.logError("start segment", err)
		return false
	}
	j.release()
	return true
}

// syncRequest asks the syncer to fsync f, making every record up to upTo
// durable.
type syncRequest struct {
	f    *os.File
	upTo uint64
}

// startSync hands the syncer an fsync of what is written, if anything is
// not yet synced; the writer, the only caller, writes on meanwhile.
func (j *Journal) startSync(syncs chan<- syncRequest) {
	j.mu.Lock()
	if j.syncing || j.written == j.synced {
		j.mu.Unlock()
		return
	}
	j.syncing = true
	j.dirtyNext = time.Time{}
	r := syncRequest{f: j.f, upTo: j.written}
	j.mu.Unlock()
	syncs <- r
}

// syncer runs the fsyncs startSync asks for, one at a time, until syncs
// is closed.
func (j *Journal) syncer(syncs <-chan syncRequest) {
	backoff := 10 * time.Millisecond
	for r := range syncs {
		err := j.opt.fdatasync(int(r.f.Fd()))
		if err != nil {
			// A failing disk: the next fsync is not tried at once.
			time.Sleep(backoff)
			backoff = min(2*backoff, time.Second)
		} else {
			backoff = 10 * time.Millisecond
		}
		j.mu.Lock()
		j.syncing = false
		j.noteSynced(r.upTo, err)
		j.mu.Unlock()
		j.poke() // a full segment, or records wanted synced, wait for this one
	}
}

// syncNow fsyncs what is written, in the writer, with no fsync running.
func (j *Journal) syncNow() bool {
	j.mu.Lock()
	f, upTo := j.f, j.written
	if upTo == j.synced {
		j.mu.Unlock()
		return true
	}
	j.mu.Unlock()
	err := j.opt.fdatasync(int(f.Fd()))
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.noteSynced(upTo, err)
}

// noteSynced notes the end of an fsync of every record up to upTo (err: it
// failed, and is tried again); j.mu held.
func (j *Journal) noteSynced(upTo uint64, err error) bool {
	defer j.broadcast()
	if err != nil {
		// The records are in the file: Written callers have had their
		// answer, and the fsync is tried again.
		j.lastErr = err
		j.logError("sync", err)
		return false
	}
	j.lastErr = nil
	j.writes++
	if upTo <= j.synced {
		return true
	}
	j.synced = upTo
	k := 0
	for k < len(j.unsynced) && j.unsynced[k].Seq <= upTo {
		k++
	}
	j.ready = append(j.ready, j.unsynced[:k]...)
	j.unsynced = append(j.unsynced[:0], j.unsynced[k:]...)
	if j.written > j.synced {
		// Written while the fsync ran: their own SyncWritten counts from
		// the first of them.
		j.dirtyAt = j.dirtyNext
	}
	return true
}

// writeOnce writes the queued records; false when the disk failed (what
// was not written stays queued).
func (j *Journal) writeOnce(buf *[]byte) bool {
	j.mu.Lock()
	batch := j.queue
	j.queue = nil
	j.mu.Unlock()
	if len(batch) == 0 {
		return true
	}
	b := (*buf)[:0]
	for _, r := range batch {
		b = appendFrame(b, r)
	}
	*buf = b
	if err := j.write(b); err != nil {
		j.mu.Lock()
		defer j.mu.Unlock()
		j.lastErr = err
		j.queue = append(batch, j.queue...)
		j.logError("write", err)
		return false
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.markWritten(batch)
	j.broadcast()
	return true
}

// markWritten notes batch as written to the file, not yet synced; j.mu
// held.
func (j *Journal) markWritten(batch []Record) {
	if j.written == j.synced {
		j.dirtyAt = time.Now()
	} else if j.syncing && j.dirtyNext.IsZero() {
		j.dirtyNext = time.Now()
	}
	j.written = batch[len(batch)-1].Seq
	j.unsynced = append(j.unsynced, batch...)
}

// write appends b to the segment; a failed write is cut off again so that
// the next attempt does not follow a torn record. Records that reach past
// the zeros written ahead take the next allocChunk of zeros with them.
func (j *Journal) write(b []byte) error {
	end := j.size + int64(len(b))
	if end > j.alloc {
		b = append(b, zeros[:]...)
	}
	if _, err := j.f.WriteAt(b, j.size); err != nil {
		j.cut()
		return err
	}
	j.alloc = max(j.alloc, j.size+int64(len(b)))
	j.size = end
	return nil
}
