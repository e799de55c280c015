package federation

import (
	"strings"

	"tripline"
)

// Events a partner may not see travel as compact ranges (issue 15 item
// 12): a run of them in a page becomes one event, the run's last as a
// placeholder with the run's first sequence number (RangeFrom) and the
// chain value before its last (RangeChain). The receiver recomputes the
// last event's chain from RangeChain, so the origin's signature still
// vouches for it, sequence number included; it cannot check the links
// inside the run, which hide only what it may not see anyway. The run's
// records a receiver may hold (listings and document alerts, not the
// published lists no node takes from a partner) travel in Drops, so a
// revoked share still leaves the receiver. Type and subject of every other
// hidden event (encounters, clearances, consents between others) no
// longer show.

// MaxDrops bounds the records one range may name: a run with more is
// served as several ranges.
const MaxDrops = 1024

// collapse turns each run of two or more placeholders in evs (or one
// stored range) into one range; after is the cursor the page follows, and
// a stored range reaching back to it is cut to start after it.
func collapse(evs []*tripline.Event, after int64) []*tripline.Event {
	out := make([]*tripline.Event, 0, len(evs))
	for i := 0; i < len(evs); {
		if !evs[i].Redacted {
			out = append(out, evs[i])
			i++
			continue
		}
		j, drops := i, 0
		for ; j < len(evs) && evs[j].Redacted; j++ {
			if drops += len(evs[j].DropRefs()); drops > MaxDrops && j > i {
				break
			}
		}
		out = append(out, span(evs[i:j], after))
		i = j
	}
	return out
}

// span returns the run of placeholders as one range (the placeholder
// itself, when the run is one plain placeholder).
func span(run []*tripline.Event, after int64) *tripline.Event {
	last := *run[len(run)-1]
	from := max(run[0].First(), after+1)
	if from >= last.Seq {
		last.RangeFrom, last.RangeChain, last.Drops, last.DropsSig = 0, "", nil, nil
		return &last
	}
	last.RangeFrom = from
	if len(run) == 1 {
		return &last // one stored range: its drops as its origin signed them
	}
	last.DropsSig = nil // drops of a new range: the origin's feed signs them (Feed.Page)
	if run[len(run)-1].RangeFrom == 0 {
		last.RangeChain = run[len(run)-2].Chain
	}
	seen := map[string]bool{last.Subject: true}
	var drops []tripline.EventRef
	for _, ev := range run {
		for _, d := range ev.DropRefs() {
			if droppable(d) && !seen[d.Subject] {
				seen[d.Subject] = true
				drops = append(drops, d)
			}
		}
	}
	last.Drops = drops
	return &last
}

// droppable reports whether a receiver may hold the record d names from a
// partner: a listing or document alert, not of a published list.
func droppable(d tripline.EventRef) bool {
	if tripline.ForeignKind(d.Type) == "" {
		return false
	}
	source, _, _ := strings.Cut(d.Subject, ":")
	return !tripline.IsPublishedSource(source)
}

// checkRange refuses a malformed range: one that is not a placeholder,
// reaches before sequence 1, runs backwards or covers nothing before its
// last event, lacks the chain value it continues from, or names more
// records than a range may.
func checkRange(ev *tripline.Event) error {
	if ev.RangeFrom == 0 {
		if ev.RangeChain != "" || len(ev.Drops) > 0 {
			return tripline.Errorf(tripline.EINVALID, "event %s/%d: range fields on an event that is no range", ev.Origin, ev.Seq)
		}
		return nil
	}
	switch {
	case !ev.Redacted || len(ev.Payload) > 0:
		return tripline.Errorf(tripline.EINVALID, "event %s/%d: a range with a payload", ev.Origin, ev.Seq)
	case ev.RangeFrom < 1 || ev.RangeFrom >= ev.Seq:
		return tripline.Errorf(tripline.EINVALID, "event %s/%d: range %d..%d is reversed or empty", ev.Origin, ev.Seq, ev.RangeFrom, ev.Seq)
	case ev.RangeChain == "":
		return tripline.Errorf(tripline.EINVALID, "event %s/%d: range %d..%d without the chain it continues", ev.Origin, ev.Seq, ev.RangeFrom, ev.Seq)
	case len(ev.Drops) > MaxDrops:
		return tripline.Errorf(tripline.EINVALID, "event %s/%d: range names %d records, over the limit of %d", ev.Origin, ev.Seq, len(ev.Drops), MaxDrops)
	}
	return nil
}

// checkRun refuses a run of one origin's events that is not contiguous
// from after: each event (or range) must start right after the one before,
// so ranges that overlap, cover an event also sent, or leave a gap are
// refused, naming the first that does.
func checkRun(evs []*tripline.Event, after int64) error {
	next := after + 1
	for _, ev := range evs {
		if err := checkRange(ev); err != nil {
			return err
		}
		if ev.First() != next {
			what := "a gap"
			if ev.First() < next {
				what = "it overlaps events before it"
			}
			return tripline.Errorf(tripline.ECONFLICT, "event %s/%d (from %d): expected %d next (%s)", ev.Origin, ev.Seq, ev.First(), next, what)
		}
		next = ev.Seq + 1
	}
	return nil
}

// Deferrable reports whether the pages hold only events the partner may
// not see and that name no record it may hold (encounters, clearances,
// consents between others, published lists): nothing it would act on. A
// long-poll keeps waiting on such pages until something else comes or its
// time is up, so that they travel together as one range rather than one
// page each; placeholders and ranges that drop a record go at once.
func (fp *FeedPages) Deferrable() bool {
	for _, p := range fp.Pages {
		for _, ev := range p.Events {
			if !ev.Redacted || len(ev.Drops) > 0 || droppable(tripline.EventRef{Type: ev.Type, Subject: ev.Subject}) {
				return false
			}
		}
	}
	return true
}
