package screening_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tripline"
	"tripline/screening"
)

// recorder is a screening.Recorder that keeps what it is given, or fails.
type recorder struct {
	seen []string
	encs []*tripline.Encounter
	err  error
}

func (r *recorder) Record(_ context.Context, t *tripline.Traveller, _ time.Time, encs []*tripline.Encounter) ([]*tripline.Encounter, error) {
	if r.err != nil {
		return nil, r.err
	}
	r.seen = append(r.seen, t.Ref)
	var out []*tripline.Encounter
	for _, e := range encs {
		c := *e
		c.ID = fmt.Sprintf("e%d", len(r.encs)+1)
		r.encs = append(r.encs, &c)
		out = append(out, &c)
	}
	return out, nil
}

// With a Recorder, a screening's traveller and the encounters of its hits
// go to it in one record, and the result names the encounters it stored;
// a clear records the traveller alone.
func TestRecorderTakesScreeningWrites(t *testing.T) {
	s, _ := newService(listing("1", "Zebulon Quartermaine", "1980"))
	rec := &recorder{}
	s.Recorder = rec
	hit, err := s.Screen(context.Background(), &tripline.Traveller{Ref: "h", Name: "Zebulon Quartermaine", DOB: tripline.PartialDate{Year: 1980}})
	if err != nil {
		t.Fatal(err)
	}
	clear, err := s.Screen(context.Background(), &tripline.Traveller{Ref: "c", Name: "Astrid Lindqvist"})
	if err != nil {
		t.Fatal(err)
	}
	if hit.Decision != tripline.DecisionHit || fmt.Sprint(hit.Encounters) != "[e1]" || len(clear.Encounters) != 0 {
		t.Fatalf("hit %s %v, clear %s %v; want hit [e1] and clear []", hit.Decision, hit.Encounters, clear.Decision, clear.Encounters)
	}
	if fmt.Sprint(rec.seen) != "[h c]" || rec.encs[0].Listing != "agency-x:1" || rec.encs[0].Originator != "agency-x" {
		t.Fatalf("recorded travellers %v, encounters %+v", rec.seen, rec.encs)
	}
}

// A screening whose writes cannot be taken is not answered: never a hit
// whose encounter could be lost.
func TestRecorderFailureFailsScreening(t *testing.T) {
	s, _ := newService(listing("1", "Zebulon Quartermaine", "1980"))
	s.Recorder = &recorder{err: tripline.Errorf(tripline.EUNAVAILABLE, "journal full")}
	_, err := s.Screen(context.Background(), &tripline.Traveller{Ref: "h", Name: "Zebulon Quartermaine"})
	if tripline.ErrorCode(err) != tripline.EUNAVAILABLE {
		t.Fatalf("screen with a full journal = %v, want %s", err, tripline.EUNAVAILABLE)
	}
}

// deferring is a screening.DeferringRecorder counting its calls; its
// waits succeed once durable is set, and fail before.
type deferring struct {
	mu              sync.Mutex
	records, defers int
	durable         atomic.Bool
}

func (d *deferring) Record(ctx context.Context, t *tripline.Traveller, at time.Time, encs []*tripline.Encounter) ([]*tripline.Encounter, error) {
	d.mu.Lock()
	d.records++
	d.mu.Unlock()
	return encs, nil
}

func (d *deferring) RecordDeferred(_ context.Context, _ *tripline.Traveller, _ time.Time, encs []*tripline.Encounter) ([]*tripline.Encounter, func(context.Context) error, error) {
	d.mu.Lock()
	d.defers++
	d.mu.Unlock()
	if len(encs) == 0 {
		return nil, nil, nil
	}
	return encs, func(context.Context) error {
		if !d.durable.Load() {
			return tripline.Errorf(tripline.EUNAVAILABLE, "not yet on disk")
		}
		return nil
	}, nil
}

// Screened with a context from WithDeferredWrites, a hit's durability wait
// is left to Deferred.Wait (which fails while its writes are not durable);
// without one, or with a Recorder that cannot defer, Screen waits itself.
// A batch screening on every processor collects every hit's wait.
func TestDeferredWrites(t *testing.T) {
	s, _ := newService(listing("1", "Zebulon Quartermaine", "1980"))
	rec := &deferring{}
	s.Recorder = rec
	hit := func(ref string) *tripline.Traveller {
		return &tripline.Traveller{Ref: ref, Name: "Zebulon Quartermaine", DOB: tripline.PartialDate{Year: 1980}}
	}
	d := screening.WithDeferredWrites(context.Background())
	if r, err := s.Screen(d, &tripline.Traveller{Ref: "c", Name: "Astrid Lindqvist"}); err != nil || r.Decision != tripline.DecisionClear || d.Pending() {
		t.Fatalf("clear = %v, %v; pending %v, want nothing to wait for", r, err, d.Pending())
	}
	if r, err := s.Screen(d, hit("h")); err != nil || r.Decision != tripline.DecisionHit || !d.Pending() {
		t.Fatalf("hit = %v, %v; pending %v, want its wait left", r, err, d.Pending())
	}
	if err := d.Wait(context.Background()); tripline.ErrorCode(err) != tripline.EUNAVAILABLE {
		t.Fatalf("wait before the writes are durable = %v, want unavailable", err)
	}
	rec.durable.Store(true)
	batch := make([]*tripline.Traveller, 40)
	for i := range batch {
		batch[i] = hit(fmt.Sprint("b", i))
	}
	d = screening.WithDeferredWrites(context.Background())
	if _, err := s.ScreenBatch(d, batch); err != nil {
		t.Fatal(err)
	}
	if err := d.Wait(context.Background()); err != nil || d.Pending() {
		t.Fatalf("batch wait = %v, pending %v", err, d.Pending())
	}
	if rec.defers != 2+40 || rec.records != 0 {
		t.Fatalf("deferred %d, recorded %d; want 42 and 0", rec.defers, rec.records)
	}
	if _, err := s.Screen(context.Background(), hit("plain")); err != nil || rec.records != 1 {
		t.Fatalf("without Deferred: %v, recorded %d, want Record", err, rec.records)
	}
	s.Recorder = &recorder{}
	d = screening.WithDeferredWrites(context.Background())
	if r, err := s.Screen(d, hit("r")); err != nil || len(r.Encounters) != 1 || d.Pending() {
		t.Fatalf("a Recorder that cannot defer: %v, %v, pending %v", r, err, d.Pending())
	}
}
