package screening_test

import (
	"context"
	"strings"
	"testing"

	"tripline"
	"tripline/screening"
)

// Every caller of the service (HTTP, `tripline screen`, manifests) gets
// names bounded and invisible characters set aside: a name the matcher
// could not bound never reaches it, and a listed name hidden behind
// zero-width characters still hits.
func TestScreenBoundsAndInvisibleNames(t *testing.T) {
	s, _ := newService(listing("1", "Muhammad Taher ANWARI", "1961"))
	ctx := context.Background()
	for _, tc := range []struct {
		name, want string
	}{
		{strings.Repeat("Abcd ", 8<<20/5), "name: 8388605 bytes long, at most 1024"},
		{strings.Repeat("Ab ", tripline.MaxNameWords+1), "name: more than 64 words"},
		{"\u200b\u3164\u00ad", "name: no letters or digits"},
	} {
		_, err := s.Screen(ctx, &tripline.Traveller{Ref: "t", Name: tc.name})
		if tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(tripline.ErrorMessage(err), tc.want) {
			t.Errorf("Screen(%.20q…) = %v, want invalid containing %q", tc.name, err, tc.want)
		}
	}
	r, err := s.Screen(ctx, &tripline.Traveller{Ref: "t", Name: "Mu\u200bham\u00admad Ta\u3164her AN\u2060WARI", DOB: tripline.PartialDate{Year: 1961}})
	if err != nil || r.Decision != tripline.DecisionHit {
		t.Fatalf("name with invisible characters = %+v, %v; want hit", r, err)
	}
	// In a manifest the bad traveller gets its error; the others are screened.
	m := &screening.Manifest{Travellers: []*tripline.Traveller{{Ref: "a", Name: strings.Repeat("x", tripline.MaxNameBytes+1)}, {Ref: "b", Name: "Muhammad Taher Anwari"}}}
	res, err := s.ScreenManifest(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if e := res.Results[0].Error; e == nil || !strings.Contains(e.Message, "name: 1025 bytes long") || res.Results[0].Decision == tripline.DecisionClear {
		t.Errorf("long name in a manifest: %+v", res.Results[0])
	}
	if res.Results[1].Decision != tripline.DecisionHit {
		t.Errorf("the next traveller: %+v, want hit", res.Results[1])
	}
}

func TestScreenBatchLimit(t *testing.T) {
	s, _ := newService()
	ts := make([]*tripline.Traveller, screening.MaxBatch+1)
	for i := range ts {
		ts[i] = &tripline.Traveller{Ref: "t", Name: "Ali Hassan"}
	}
	_, err := s.ScreenBatch(context.Background(), ts)
	if tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(tripline.ErrorMessage(err), "10001 in one batch, at most 10000") {
		t.Fatalf("ScreenBatch(%d) = %v", len(ts), err)
	}
}
