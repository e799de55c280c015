package screening_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"tripline"
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
