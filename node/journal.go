package node

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"tripline"
	"tripline/journal"
	"tripline/screening"
	"tripline/sqlstore"
)

// The screening journal takes the database off the screening hot path:
// each screening's writes (the screened traveller, the encounters of its
// hits and reviews) are appended to a file, fsynced in groups, and applied
// to the store in batches behind the answers. A hit is answered only once
// its record is on disk, so a node killed at any moment loses no hit it
// reported: what the store had not taken yet is applied at the next
// start. No screening waits on the store's lock (a long import).

// journalName names the journal's position in a SQLite store: the one
// data directory's.
const journalName = "screenings"

// journalIDFile holds the name of a journal's position in a store that
// several data directories share (a writer and its replicas on
// PostgreSQL), made at first use: each journal counts its own records.
const journalIDFile = "position"

// journalPosition returns the name under which the store keeps how far
// the journal of dir is applied.
func journalPosition(db *sqlstore.DB, dir string) (string, error) {
	if db.Dialect().Name() == "sqlite" {
		return journalName, nil
	}
	path := filepath.Join(dir, "journal", journalIDFile)
	if b, err := os.ReadFile(path); err == nil && len(bytes.TrimSpace(b)) > 0 {
		return journalName + "/" + string(bytes.TrimSpace(b)), nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("screening journal: %w", err)
	}
	id := make([]byte, 8)
	rand.Read(id)
	name := hex.EncodeToString(id)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("screening journal: %w", err)
	}
	if err := os.WriteFile(path, []byte(name+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("screening journal: %w", err)
	}
	return journalName + "/" + name, nil
}

// journalSyncWait bounds how long a hit's answer waits for its record to
// reach the disk; past it the caller gets 503 and no answer.
const journalSyncWait = 10 * time.Second

// journalGroupEvery spaces the journal's fsyncs under load, so that
// concurrent hits share one (journal.Options.GroupEvery); as the audit
// journal's (sqlstore), it is short beside a hit's answer.
const journalGroupEvery = 500 * time.Microsecond

// applyEvery is the pause between two batches applied to the store:
// nobody waits for them (a reader that does, appliedEncounters, has the
// applier go at once: journal.ApplyNow), and each transaction costs its
// commit and the pages it rewrites, so larger batches cost less per
// screening (at 2,000 screenings/s, 200 travellers a batch at 0.1 s cost
// about 8 µs of CPU each to apply, 1,000 at 0.5 s about 5 µs).
const applyEvery = 500 * time.Millisecond

// applyBatch bounds the screenings applied in one store transaction.
const applyBatch = 2000

// screenJournal implements screening.Recorder on the node's journal.
type screenJournal struct {
	n *Node
	j *journal.Journal
}

// openJournal opens the data directory's screening journal and applies
// what an earlier run left in it. Another process serving the same
// directory holds the journal: this one then writes to the store directly
// (as a command-line screening beside a serving node does).
func (n *Node) openJournal(ctx context.Context, dir string) (err error) {
	n.ScreeningLog = sqlstore.NewScreeningLog(n.DB)
	if n.journalName, err = journalPosition(n.DB, dir); err != nil {
		return err
	}
	applied, err := n.ScreeningLog.Applied(ctx, n.journalName)
	if err != nil {
		return err
	}
	j, err := journal.Open(filepath.Join(dir, "journal"), applied, journal.Options{Logger: n.Logger, GroupEvery: journalGroupEvery, SyncWritten: n.ReviewFsync})
	if errors.Is(err, journal.ErrLocked) {
		n.Logger.Info("screening journal in use by another process: screenings are written to the store directly")
		return nil
	} else if err != nil {
		return err
	}
	n.journal = j
	// Replay before serving: encounters of answered hits are in the store,
	// and their travellers in the retention window, before anything reads.
	if k := j.Pending(); k > 0 {
		n.Logger.Info("applying screenings journaled before the last stop", "n", k)
		for j.Pending() > 0 {
			if k, err := n.applyJournal(ctx, ctx); err != nil || k == 0 {
				j.Close()
				n.journal = nil
				return fmt.Errorf("apply screening journal: %d records left: %w", j.Pending(), err)
			}
		}
	}
	return nil
}

var _ screening.DeferringRecorder = screenJournal{}

// Record implements screening.Recorder.
func (s screenJournal) Record(ctx context.Context, t *tripline.Traveller, at time.Time, encs []*tripline.Encounter) ([]*tripline.Encounter, error) {
	stored, wait, err := s.RecordDeferred(ctx, t, at, encs)
	if err != nil || wait == nil {
		return stored, err
	}
	if err := wait(ctx); err != nil {
		return nil, err
	}
	return stored, nil
}

// RecordDeferred implements screening.DeferringRecorder: the record is
// queued and its write started; wait returns once it is on disk. A clear
// has nothing to wait for: its traveller is synced with the next group,
// waited for by none. Reviews alone, with ReviewFsync set, wait for the
// write only: the officer refers the traveller on the answer either way,
// and the record is as durable as the answer's audit entry (a kill takes
// neither; a power loss, the last ReviewFsync of both). A hit's
// encounter, which stops a traveller and reaches the originator, waits
// for its fsync.
func (s screenJournal) RecordDeferred(ctx context.Context, t *tripline.Traveller, at time.Time, encs []*tripline.Encounter) ([]*tripline.Encounter, func(context.Context) error, error) {
	w := &sqlstore.ScreeningWrites{Seen: &sqlstore.Seen{Traveller: t, At: at}}
	for _, e := range encs {
		w.Encounters = append(w.Encounters, s.n.Encounters.NewEncounter(e, at))
	}
	data, err := w.AppendBinary(make([]byte, 0, 256))
	if err != nil {
		return nil, nil, fmt.Errorf("encode screening: %w", err)
	}
	seq, err := s.j.Append(data)
	if err != nil {
		return nil, nil, err
	}
	if len(w.Encounters) == 0 {
		return nil, nil, nil
	}
	if s.n.ReviewFsync > 0 && !anyHit(w.Encounters) {
		return w.Encounters, func(ctx context.Context) error { return s.j.WrittenWithin(ctx, seq, journalSyncWait) }, nil
	}
	s.j.Hurry(seq)
	return w.Encounters, func(ctx context.Context) error { return s.j.SyncWithin(ctx, seq, journalSyncWait) }, nil
}

func anyHit(encs []*tripline.Encounter) bool {
	for _, e := range encs {
		if e.Decision == tripline.DecisionHit {
			return true
		}
	}
	return false
}

// applyLoop applies journaled screenings to the store until ctx ends;
// then it closes the journal and applies what is left.
func (n *Node) applyLoop(ctx context.Context) {
	defer n.bg.Done()
	for ctx.Err() == nil {
		// retries a failing batch until the node stops
		if k, _ := n.applyJournal(ctx, ctx); k >= applyBatch || n.journal.ApplyWaited() {
			continue // more is waiting, or someone waits for it
		}
		// Nobody waits for the store (the journal made the writes
		// durable): let a batch gather rather than pay a commit for every
		// few screenings.
		select {
		case <-ctx.Done():
		case <-n.journal.ApplyNow():
		case <-time.After(applyEvery):
		}
	}
	if err := n.journal.Close(); err != nil {
		n.Logger.Error("close screening journal", "err", err)
	}
	fin, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for n.journal.Pending() > 0 && fin.Err() == nil {
		if k, err := n.applyJournal(ctx, fin); err != nil || k == 0 {
			n.Logger.Warn("screenings left in the journal at stop: applied at the next start", "n", n.journal.Pending(), "err", err)
			return
		}
	}
}

// applyJournal takes a batch of journaled screenings (waiting for one
// while wait lasts), applies it in one transaction, retrying until ctx
// ends, and returns how many it applied.
func (n *Node) applyJournal(wait, ctx context.Context) (int, error) {
	recs, err := n.journal.Take(wait, applyBatch)
	if err != nil {
		return 0, nil // nothing came while wait lasted
	}
	ws := make([]*sqlstore.ScreeningWrites, 0, len(recs))
	for _, r := range recs {
		var w sqlstore.ScreeningWrites
		if err := w.UnmarshalBinary(r.Data); err != nil {
			n.Logger.Error("screening journal: undecodable record skipped", "seq", r.Seq, "err", err)
			continue
		}
		ws = append(ws, &w)
	}
	last := recs[len(recs)-1].Seq
	for {
		err := n.ScreeningLog.Apply(ctx, n.journalName, last, ws)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return 0, err
		}
		// The store is busy (a long import) or failing: the records stay
		// in the journal, and this batch is tried again.
		n.Logger.Warn("apply screening journal: retrying", "n", len(ws), "err", err)
		select {
		case <-ctx.Done():
			return 0, err
		case <-time.After(time.Second):
		}
	}
	n.journal.Done(last)
	return len(recs), nil
}

// appliedEncounters reads encounters once the journaled ones are in the
// store: an officer who was told hit finds the encounter in the queue.
type appliedEncounters struct {
	*sqlstore.EncounterService
	j *journal.Journal
}

// caughtUp waits (briefly) for the screenings journaled so far to be
// applied; past the wait the read sees what the store has.
func (a appliedEncounters) caughtUp(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	a.j.WaitApplied(ctx)
}

func (a appliedEncounters) Encounter(ctx context.Context, id string) (*tripline.Encounter, error) {
	a.caughtUp(ctx)
	return a.EncounterService.Encounter(ctx, id)
}

func (a appliedEncounters) Encounters(ctx context.Context, f tripline.EncounterFilter) ([]*tripline.Encounter, error) {
	a.caughtUp(ctx)
	return a.EncounterService.Encounters(ctx, f)
}

func (a appliedEncounters) ResolveEncounter(ctx context.Context, id string, r tripline.Resolution, listingHash string) (*tripline.Encounter, *tripline.Clearance, error) {
	a.caughtUp(ctx)
	return a.EncounterService.ResolveEncounter(ctx, id, r, listingHash)
}

func (a appliedEncounters) StepClearance(ctx context.Context, id, step, agency, user, reason string, l *tripline.Listing) (*tripline.Encounter, *tripline.Clearance, error) {
	a.caughtUp(ctx)
	return a.EncounterService.StepClearance(ctx, id, step, agency, user, reason, l)
}

func (a appliedEncounters) AcknowledgeEncounter(ctx context.Context, id string) (*tripline.Encounter, error) {
	a.caughtUp(ctx)
	return a.EncounterService.AcknowledgeEncounter(ctx, id)
}

// EncounterReads returns the encounter service the API reads through.
func (n *Node) EncounterReads() tripline.EncounterService {
	if n.journal == nil {
		return n.Encounters
	}
	return appliedEncounters{n.Encounters, n.journal}
}
