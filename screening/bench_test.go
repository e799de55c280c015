package screening_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"tripline"
	"tripline/importer"
	"tripline/match"
	"tripline/paxlst"
	"tripline/screening"
)

var (
	manifestOnce sync.Once
	manifest400  *screening.Manifest
	bigIndexOnce sync.Once
	bigIndex     *match.Index
)

// manifest returns a generated 400-passenger PAXLST manifest, parsed.
func manifest(b *testing.B) *screening.Manifest {
	manifestOnce.Do(func() {
		var buf bytes.Buffer
		if err := paxlst.Generate(&buf, 400, 1); err != nil {
			b.Fatal(err)
		}
		m, err := paxlst.Parse(&buf)
		if err != nil {
			b.Fatal(err)
		}
		manifest400, _ = screening.FromPAXLST(m, "in")
	})
	return manifest400
}

func unIndex(b *testing.B) *match.Index {
	f, err := os.Open("../cmd/tripline/sample/un_sc_consolidated_2024-09-26.xml")
	if err != nil {
		b.Skip(err)
	}
	defer f.Close()
	ls, err := importer.ReadUN(f, "un.xml")
	if err != nil {
		b.Fatal(err)
	}
	ix := match.NewIndex(match.Options{})
	for _, l := range ls {
		ix.Upsert(l)
	}
	return ix
}

// BenchmarkManifest400 screens a whole 400-passenger PAXLST manifest
// (parsed once) against the UN list and against 1,000,000 generated
// listings: the time per manifest is ns/op.
//
//	go test ./screening -run x -bench Manifest400 -benchtime 20x
func BenchmarkManifest400(b *testing.B) {
	for _, size := range []string{"UN", "1M"} {
		b.Run("listings="+size, func(b *testing.B) {
			var ix *match.Index
			if size == "UN" {
				ix = unIndex(b)
			} else {
				bigIndexOnce.Do(func() {
					bigIndex = match.NewIndex(match.Options{})
					for _, l := range match.GenerateListings(1_000_000, 1) {
						bigIndex.Upsert(l)
					}
				})
				ix = bigIndex
			}
			m := manifest(b)
			s := screening.NewService(ix)
			s.Listing = ix.Listing
			s.Now = func() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) }
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c := *m
				c.Travellers = make([]*tripline.Traveller, len(m.Travellers))
				for j, t := range m.Travellers {
					tc := *t
					c.Travellers[j] = &tc
				}
				res, err := s.ScreenManifest(ctx, &c)
				if err != nil || len(res.Results) != 400 {
					b.Fatalf("manifest: %v, %d results", err, len(res.Results))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/manifest")
		})
	}
}

// BenchmarkBatchMaxNames screens the largest batch the API takes
// (screening.MaxBatch travellers) whose names are all at the largest size
// validation accepts, against the UN list: the most one request can ask.
func BenchmarkBatchMaxNames(b *testing.B) {
	ix := unIndex(b)
	s := screening.NewService(ix)
	ts := make([]*tripline.Traveller, screening.MaxBatch)
	for i := range ts {
		var name bytes.Buffer
		for w := 0; w < tripline.MaxNameWords; w++ {
			fmt.Fprintf(&name, "Na%c%c%cme%c ", 'a'+(i+w)/676%26, 'a'+(i+w)/26%26, 'a'+(i+w)%26, 'a'+w%26)
		}
		ts[i] = &tripline.Traveller{Ref: "t", Name: string(bytes.TrimSpace(name.Bytes())), DOB: tripline.PartialDate{Year: 1970}}
		if err := ts[i].Validate(); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.ScreenBatch(context.Background(), ts); err != nil {
			b.Fatal(err)
		}
	}
}
