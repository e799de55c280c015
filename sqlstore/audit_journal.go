package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"tripline"
	"tripline/journal"
)

// The audit journal takes the audit file's commit off the answer's path.
// With AuditOptions.Journal, Record appends each entry to an append-only
// journal beside the audit file, and Flush waits only until the journal
// has fsynced it (many entries share one write and one fsync); a
// background applier chains the entries onto the stored head and inserts
// them in batches, recording in the same transaction how far the journal
// is applied. A node killed at any moment loses no entry of an answered
// request: whoever opens the audit log next (the node, or a command on its
// data directory) applies what the journal still holds.
//
// Readers of this log (Entries, Checkpoint, Verify) apply the journal
// first, so they see every entry recorded before them; another process
// reading the file sees them once applied (within auditApplyEvery).

// AuditJournaler is implemented by a Dialect whose audit log can keep a
// journal: AuditJournal returns its directory ("" for none).
type AuditJournaler interface {
	AuditJournal(db *DB) string
}

// auditApplyEvery is the pause between two batches the applier writes to
// the audit file: nobody waits for them (readers of this log apply the
// journal themselves), so they gather, and a larger batch costs less per
// entry (its commit and the index pages it rewrites).
const auditApplyEvery = 500 * time.Millisecond

// auditGroupEvery spaces the journal's fsyncs under load: an fsync costs
// about as much CPU for one entry as for fifty, so concurrent answers wait
// up to this long to share one (journal.Options.GroupEvery). Every answer
// waits for it: at 1 ms the spacing was most of a screening's latency at
// 2 clients (bench/load: p50 1.8 ms against 1.3 ms at 0.5 ms, with no more
// CPU per screening at 8 clients).
const auditGroupEvery = 500 * time.Microsecond

// auditJournalName is the journal's row in audit_journal.
const auditJournalName = "audit"

// auditJournal is the journal side of an AuditLog.
type auditJournal struct {
	j       *journal.Journal
	applyMu sync.Mutex       // one applier pass at a time
	retry   []journal.Record // taken, not yet written (a failed write)
	stop    chan struct{}
	done    chan struct{}
}

// openJournal opens the audit journal, when the dialect keeps one, and
// applies what an earlier process left in it. Without opt.Journal it is
// closed again once applied: entries are then committed directly. A
// journal another process holds (a serving node) is left to it.
func (a *AuditLog) openJournal(ctx context.Context) error {
	dj, ok := a.db.dialect.(AuditJournaler)
	if !ok {
		return nil
	}
	dir := dj.AuditJournal(a.db)
	if dir == "" {
		return nil
	}
	if !a.opt.Journal {
		if _, err := os.Stat(dir); err != nil {
			return nil // never kept one
		}
	}
	var applied int64
	err := a.adb.QueryRowContext(ctx, `SELECT applied FROM audit_journal WHERE name = ?`, auditJournalName).Scan(&applied)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("audit journal: %w", err)
	}
	j, err := journal.Open(dir, uint64(applied), journal.Options{Logger: a.db.Logger, Name: "audit journal", GroupEvery: auditGroupEvery, SyncWritten: a.opt.SyncWritten})
	if errors.Is(err, journal.ErrLocked) {
		return nil // a serving node holds it: write directly, as before
	} else if err != nil {
		return fmt.Errorf("audit journal: %w", err)
	}
	aj := &auditJournal{j: j, stop: make(chan struct{}), done: make(chan struct{})}
	for left := j.Pending(); left > 0; {
		err := a.applyJournal(ctx, aj)
		if err == nil && j.Pending() == left {
			err = errors.New("no progress")
		}
		if err != nil {
			j.Close()
			return fmt.Errorf("audit journal: %d entries left: %w", j.Pending(), err)
		}
		left = j.Pending()
	}
	if !a.opt.Journal {
		return j.Close()
	}
	a.journal = aj
	go a.applier()
	return nil
}

// recordJournal appends e to the journal; false when the journal cannot
// take it (none, closed, or full because the audit file is not keeping
// up): the caller queues it for a direct commit instead.
func (a *AuditLog) recordJournal(e *tripline.AuditEntry) bool {
	if a.journal == nil {
		return false
	}
	seq, err := a.journal.j.Append(appendAuditRecord(make([]byte, 0, 128), e))
	if err != nil {
		return false
	}
	a.mu.Lock()
	a.journaled = max(a.journaled, seq)
	a.mu.Unlock()
	return true
}

// JournalWrites returns how many writes (each with its fsync) the audit
// journal has made in this process; 0 without one.
func (a *AuditLog) JournalWrites() uint64 {
	if a == nil || a.journal == nil {
		return 0
	}
	return a.journal.j.Writes()
}

// syncJournal returns once the entries this log journaled before the call
// are on disk (written: in the journal's file, its fsync to follow),
// waiting at most d (0: as long as ctx lasts).
func (a *AuditLog) syncJournal(ctx context.Context, d time.Duration, written bool) error {
	if a.journal == nil {
		return nil
	}
	a.mu.Lock()
	target := a.journaled
	a.mu.Unlock()
	if target == 0 {
		return nil
	}
	if written && d > 0 {
		return a.journal.j.WrittenWithin(ctx, target, d)
	}
	if d > 0 {
		return a.journal.j.SyncWithin(ctx, target, d)
	}
	return a.journal.j.Sync(ctx, target)
}

// applier writes the journal's synced entries to the audit file every
// auditApplyEvery until the log closes.
func (a *AuditLog) applier() {
	aj := a.journal
	defer close(aj.done)
	t := time.NewTicker(auditApplyEvery)
	defer t.Stop()
	for {
		select {
		case <-aj.stop:
			return
		case <-t.C:
		}
		if err := a.applyJournal(a.db.ctx, aj); err != nil {
			a.db.logError("audit journal: apply", err) // tried again at the next tick
		}
	}
}

// applyJournal writes the synced entries of the journal to the audit
// file, batch after batch, each with the journal's position in its
// transaction, until a batch is not full: what was synced when it
// started is written, and entries synced meanwhile wait for the next
// pass rather than take a commit each. A batch that fails is kept and
// written first next time.
func (a *AuditLog) applyJournal(ctx context.Context, aj *auditJournal) error {
	aj.applyMu.Lock()
	defer aj.applyMu.Unlock()
	now, cancel := context.WithCancel(ctx)
	cancel() // Take returns what is ready, without waiting
	for {
		if aj.retry == nil {
			recs, err := aj.j.Take(now, auditBatch)
			if err != nil {
				return nil
			}
			aj.retry = recs
		}
		batch := make([]*tripline.AuditEntry, 0, len(aj.retry))
		for _, r := range aj.retry {
			e := new(tripline.AuditEntry)
			if err := decodeAuditRecord(r.Data, e); err != nil {
				a.db.logError("audit journal: undecodable entry skipped", fmt.Errorf("seq %d: %w", r.Seq, err))
				continue
			}
			batch = append(batch, e)
		}
		last := aj.retry[len(aj.retry)-1].Seq
		wctx, wcancel := context.WithTimeout(ctx, auditAttempt)
		err := a.write(wctx, batch, int64(last))
		wcancel()
		if err != nil {
			return err
		}
		aj.j.Done(last)
		full := len(aj.retry) == auditBatch
		aj.retry = nil
		if !full {
			return nil
		}
	}
}

// settle makes everything recorded so far readable in the audit file:
// committed, or journaled and then applied.
func (a *AuditLog) settle(ctx context.Context) error {
	if err := a.Flush(ctx); err != nil {
		return err
	}
	if a.journal == nil {
		return nil
	}
	if err := a.applyJournal(ctx, a.journal); err != nil {
		return tripline.Errorf(tripline.EUNAVAILABLE, "the audit log cannot be written yet; retry shortly")
	}
	return nil
}

// closeJournal stops the applier, closes the journal and applies what it
// holds; what cannot be applied stays in it for the next open.
func (a *AuditLog) closeJournal() {
	aj := a.journal
	if aj == nil {
		return
	}
	close(aj.stop)
	<-aj.done
	if err := aj.j.Close(); err != nil {
		a.db.logError("audit journal: close", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), auditCloseWait)
	defer cancel()
	if err := a.applyJournal(ctx, aj); err != nil {
		a.db.logError("audit journal: entries left for the next start", err)
	}
}

// auditRecordV1 starts an audit journal record in the binary form of
// appendAuditRecord; earlier builds wrote the entry's JSON, which starts
// with '{' and is still read.
const auditRecordV1 = 1

// appendAuditRecord appends e's journal record to b: the version byte,
// the time, then user, agency, role, action, subject and detail,
// length-prefixed. The chain fields (Seq, Prev, Hash) are not in it: they
// are set when the entry is applied onto the stored head.
func appendAuditRecord(b []byte, e *tripline.AuditEntry) []byte {
	b = append(b, auditRecordV1)
	b = appendTime(b, e.At)
	for _, s := range [...]string{e.User, e.Agency, string(e.Role), e.Action, e.Subject, e.Detail} {
		b = appendStr(b, s)
	}
	return b
}

var errAuditRecord = errors.New("damaged audit journal record")

// decodeAuditRecord reads a record appendAuditRecord wrote, or the JSON
// of one an earlier build wrote, into e.
func decodeAuditRecord(b []byte, e *tripline.AuditEntry) error {
	if len(b) > 0 && b[0] == '{' {
		return json.Unmarshal(b, e)
	}
	if len(b) == 0 || b[0] != auditRecordV1 {
		return errAuditRecord
	}
	at, b, ok := cutTime(b[1:])
	if !ok {
		return errAuditRecord
	}
	var f [6]string
	for i := range f {
		if f[i], b, ok = cutStr(b); !ok {
			return errAuditRecord
		}
	}
	if len(b) > 0 {
		return errAuditRecord
	}
	*e = tripline.AuditEntry{At: at, User: f[0], Agency: f[1], Role: tripline.Role(f[2]), Action: f[3], Subject: f[4], Detail: f[5]}
	return nil
}
