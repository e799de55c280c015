package screening

import (
	"context"
	"sync"
	"time"

	"tripline"
)

// A node's Recorder makes a hit's encounter durable with an fsync of its
// journal. Waited for inside Screen, that fsync holds the caller's
// screening slot (a processor's share) and runs after, not beside, the
// fsync of the answer's audit entry. A caller that answers over the
// network can take the wait out of Screen: it screens with a context from
// WithDeferredWrites, Screen then returns once the writes are queued, and
// the caller calls Wait, and must have it succeed, before it sends
// anything of the result. A result never reaches anyone before its
// encounters would survive a crash.

// DeferringRecorder is a Recorder whose wait for durability can be left
// to the caller.
type DeferringRecorder interface {
	Recorder
	// RecordDeferred is Record returning as soon as the writes are
	// queued, with wait, which returns once the encounters are durable
	// (nil when none need waiting for). It fails EUNAVAILABLE as Record
	// does, and wait as Record's wait would.
	RecordDeferred(ctx context.Context, t *tripline.Traveller, at time.Time, encs []*tripline.Encounter) (stored []*tripline.Encounter, wait func(context.Context) error, err error)
}

// Deferred is a context whose screenings leave their durability waits to
// its Wait.
type Deferred struct {
	context.Context
	mu    sync.Mutex // a batch screens on every processor
	waits []func(context.Context) error
}

type deferredKey struct{}

// WithDeferredWrites returns ctx with a collector of the durability waits
// of the screenings made with it. The caller calls Wait before it sends
// any result.
func WithDeferredWrites(ctx context.Context) *Deferred {
	return &Deferred{Context: ctx}
}

// Value implements context.Context.
func (d *Deferred) Value(key any) any {
	if key == (deferredKey{}) {
		return d
	}
	return d.Context.Value(key)
}

// Pending reports whether a screening left a wait.
func (d *Deferred) Pending() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.waits) > 0
}

// Wait returns once every write the screenings deferred is durable, or
// the first failure (EUNAVAILABLE: the result must not be sent).
func (d *Deferred) Wait(ctx context.Context) error {
	d.mu.Lock()
	waits := d.waits
	d.waits = nil
	d.mu.Unlock()
	for _, w := range waits {
		if err := w(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (d *Deferred) add(w func(context.Context) error) {
	d.mu.Lock()
	d.waits = append(d.waits, w)
	d.mu.Unlock()
}

// recordWrites gives the writes of a screening to the Recorder, leaving
// the wait for their durability to ctx's Deferred when there is one and
// the Recorder can.
func (s *Service) recordWrites(ctx context.Context, t *tripline.Traveller, at time.Time, encs []*tripline.Encounter) ([]*tripline.Encounter, error) {
	d, _ := ctx.Value(deferredKey{}).(*Deferred)
	dr, ok := s.Recorder.(DeferringRecorder)
	if d == nil || !ok {
		return s.Recorder.Record(ctx, t, at, encs)
	}
	stored, wait, err := dr.RecordDeferred(ctx, t, at, encs)
	if err == nil && wait != nil {
		d.add(wait)
	}
	return stored, err
}
