package sqlstore

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"sync"
	"time"

	"tripline"
)

// importChunk is how many records travel together through the import
// pipeline: enough to amortise the hand-offs and multi-row inserts, few
// enough that memory stays flat however large the file.
const importChunk = 512

// importJob is one chunk of an import on its way from the reader through a
// preparing worker to the writer.
type importJob[T tripline.Record] struct {
	base int // index of rs[0] in the whole import
	rs   []T
	done chan importResult[T] // buffered: a worker never waits on the writer
}

type importResult[T tripline.Record] struct {
	ps                        []prepared[T]
	added, updated, unchanged int
	err                       error
}

// importAll makes source hold exactly what rs yields, in one transaction,
// deciding record by record (tripline.ImportPlanner) while the file is
// still being read. Three stages overlap: the reader admits ids in input
// order; workers on the other cores check, hash and encode chunks; this
// goroutine writes them in order. An error anywhere, or a crash, leaves
// the previous state.
// Each of before runs first, in the transaction (a published list's
// version check and record); its error refuses the import.
func (k *kind[T]) importAll(ctx context.Context, db *DB, source string, rs iter.Seq2[T, error], before ...func(context.Context, *Tx) error) (*tripline.ImportSummary, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	for _, fn := range before {
		if err := fn(ctx, tx); err != nil {
			return nil, err
		}
	}
	existing, versions, err := k.sourceStates(ctx, tx, source)
	if err != nil {
		return nil, err
	}
	plan := tripline.NewImportPlanner(k.noun, source, existing)
	sum := &tripline.ImportSummary{Source: source}

	ctx, cancel := context.WithCancel(ctx)
	workers := max(1, runtime.GOMAXPROCS(0))
	jobs := make(chan *importJob[T])
	order := make(chan *importJob[T], 2*workers)
	var wg sync.WaitGroup
	wg.Go(func() { k.readImport(ctx, plan, rs, jobs, order) })
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				j.done <- k.prepareChunk(plan, j, versions, tx.now)
			}
		})
	}
	// Stop the reader and workers before returning, whatever happens: the
	// reader may hold the caller's file open.
	defer func() {
		cancel()
		for range order { // unblock a reader waiting to queue
		}
		wg.Wait()
	}()
	// A cancelled context also rolls the transaction back under the
	// writer, whose error then only says its statement is closed.
	cause := func(err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	for j := range order {
		var res importResult[T]
		select {
		case res = <-j.done:
		case <-ctx.Done(): // the reader may have queued j and stopped before a worker took it
			return nil, ctx.Err()
		}
		if res.err != nil {
			return nil, cause(res.err)
		}
		if err := k.storeBatch(ctx, tx, res.ps); err != nil {
			return nil, cause(err)
		}
		sum.Listings += len(j.rs)
		sum.Added += res.added
		sum.Updated += res.updated
		sum.Unchanged += res.unchanged
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, id := range plan.Withdrawals() {
		if _, err := k.setStatus(ctx, tx, id, tripline.StatusWithdrawn, k.withdrawn); err != nil {
			return nil, err
		}
		sum.Withdrawn++
	}
	sum.Events = tx.eventCount()
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return sum, nil
}

// readImport is the first stage: it pulls rs, admits each id in input
// order, and hands chunks to the workers and, in the same order, to the
// writer. A read or duplicate error travels to the writer as a failed job.
func (k *kind[T]) readImport(ctx context.Context, plan *tripline.ImportPlanner, rs iter.Seq2[T, error], jobs, order chan<- *importJob[T]) {
	defer close(order)
	defer close(jobs)
	fail := func(err error) {
		j := &importJob[T]{done: make(chan importResult[T], 1)}
		j.done <- importResult[T]{err: err}
		select {
		case order <- j:
		case <-ctx.Done():
		}
	}
	n := 0
	var cur []T
	send := func() bool {
		j := &importJob[T]{base: n - len(cur), rs: cur, done: make(chan importResult[T], 1)}
		cur = make([]T, 0, importChunk)
		for _, ch := range []chan<- *importJob[T]{order, jobs} {
			select {
			case ch <- j:
			case <-ctx.Done():
				return false
			}
		}
		return true
	}
	for r, err := range rs {
		if err != nil {
			fail(err)
			return
		}
		if err := plan.Admit(n, r.RecordID()); err != nil {
			fail(err)
			return
		}
		cur = append(cur, r)
		n++
		if len(cur) == importChunk && !send() {
			return
		}
	}
	if len(cur) > 0 {
		send()
	}
}

// prepareChunk is the second stage, on a worker: check each record,
// decide, and encode what is to be written.
func (k *kind[T]) prepareChunk(plan *tripline.ImportPlanner, j *importJob[T], versions map[string]int64, now time.Time) importResult[T] {
	res := importResult[T]{ps: make([]prepared[T], 0, len(j.rs))}
	for i, r := range j.rs {
		id := r.RecordID()
		if err := plan.Check(j.base+i, r); err != nil {
			return importResult[T]{err: err}
		}
		// Encoding gives the content hash too, so the record is encoded
		// before the decision, once, whatever it is.
		_, held := versions[id]
		p, err := k.prepare(r, versions[id]+1, now, !held)
		if err != nil {
			return importResult[T]{err: err}
		}
		switch plan.Decide(id, p.hash) {
		case tripline.ImportUnchanged:
			res.unchanged++
			continue
		case tripline.ImportAdd:
			res.added++
		default:
			res.updated++
		}
		if err := p.seal(); err != nil {
			return importResult[T]{err: err}
		}
		res.ps = append(res.ps, p)
	}
	return res
}

// storeBatch is store for many records: their events, then their rows,
// each many to a statement.
func (k *kind[T]) storeBatch(ctx context.Context, tx *Tx, ps []prepared[T]) error {
	evs := make([]*tripline.Event, len(ps))
	for i, p := range ps {
		ev, err := tx.nextEvent(ctx, k.upserted, p.r.RecordID(), p.body, p.key, p.digest)
		if err != nil {
			return err
		}
		evs[i] = ev
	}
	if err := tx.insertEvents(ctx, evs); err != nil {
		return err
	}
	const cols = 10
	for start := 0; start < len(ps); start += 64 {
		part := ps[start:min(len(ps), start+64)]
		st, err := tx.stmt(ctx, `INSERT INTO `+k.table+` (id, source, status, version, hash, updated_at, valid_until, review_by, ev_origin, ev_seq)
			VALUES `+placeholders(len(part), cols)+`
			ON CONFLICT (id) DO UPDATE SET source = excluded.source, status = excluded.status, version = excluded.version,
			hash = excluded.hash, updated_at = excluded.updated_at, valid_until = excluded.valid_until, review_by = excluded.review_by,
			ev_origin = excluded.ev_origin, ev_seq = excluded.ev_seq`)
		if err != nil {
			return err
		}
		args := make([]any, 0, len(part)*cols)
		for i, p := range part {
			ev := evs[start+i]
			args = append(args, p.r.RecordID(), p.m.source, string(*p.m.status), *p.m.version, p.hash, formatTime(*p.m.updatedAt),
				optTime(p.m.validUntil), optTime(p.m.reviewBy), ev.Origin, ev.Seq)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("store %s rows: %w", k.noun, err)
		}
	}
	return nil
}
