package storetest

import (
	"fmt"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
)

func testTravellerLogPurge(t *testing.T, e Engine) {
	db := e.Open(t)
	log := sqlstore.NewTravellerLog(db)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	var batch []sqlstore.Seen
	for i, age := range []int{40, 31, 29, 1} {
		batch = append(batch, sqlstore.Seen{Traveller: &tripline.Traveller{Ref: fmt.Sprint(i), Name: "A B"}, At: now.AddDate(0, 0, -age)})
	}
	if err := log.Save(t.Context(), batch); err != nil {
		t.Fatal(err)
	}
	n, err := log.Purge(t.Context(), now.AddDate(0, 0, -30))
	if err != nil || n != 2 {
		t.Fatalf("purged %d, %v; want 2", n, err)
	}
	var refs []string
	if err := log.Each(t.Context(), time.Time{}, func(s sqlstore.Seen) { refs = append(refs, s.Traveller.Ref) }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(refs) != "[2 3]" {
		t.Fatalf("kept %v, want [2 3]", refs)
	}
}

// A batch of any length is stored whole and read back in order (the
// store inserts many travellers per statement).
func testTravellerLogBatch(t *testing.T, e Engine) {
	db := e.Open(t)
	log := sqlstore.NewTravellerLog(db)
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	var want []string
	for _, n := range []int{1, 31, 32, 33, 70} {
		var batch []sqlstore.Seen
		for i := range n {
			ref := fmt.Sprintf("%d-%02d", n, i)
			batch = append(batch, sqlstore.Seen{Traveller: &tripline.Traveller{Ref: ref, Name: "A B"}, At: now})
			want = append(want, ref)
		}
		if err := log.Save(t.Context(), batch); err != nil {
			t.Fatalf("save %d: %v", n, err)
		}
	}
	var got []string
	if err := log.Each(t.Context(), now, func(s sqlstore.Seen) { got = append(got, s.Traveller.Ref) }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("read back %d travellers %v, want %d %v", len(got), got, len(want), want)
	}
}
