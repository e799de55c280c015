// Package storetest is the contract every Tripline store must pass: the
// SQLite store now, the PostgreSQL store for scale-out. One suite keeps the
// semantics identical across engines.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"testing"
	"time"

	"tripline"
)

// Store is what the suite exercises.
type Store struct {
	Listings   tripline.ListingService
	Events     tripline.EventService
	Encounters tripline.EncounterService
	Alerts     tripline.DocumentAlertService
	Tips       tripline.TipService       // nil skips the tip contract
	Diffusions tripline.DiffusionService // nil skips the diffusion contract
	Origin     string
	// SetNow sets the store's clock; stores inject their clock.
	SetNow func(time.Time)
}

// Opener returns a fresh, empty store for one test.
type Opener func(t *testing.T) Store

// Run runs the whole contract against stores made by open.
func Run(t *testing.T, open Opener) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, Store)
	}{
		{"PutAndGet", testPutAndGet},
		{"PutUnchangedAppendsNothing", testPutUnchanged},
		{"PutRejectsInvalid", testPutInvalid},
		{"Withdraw", testWithdraw},
		{"ImportIdempotent", testImportIdempotent},
		{"ImportUpdatesAndWithdraws", testImportDelta},
		{"ImportRejectsWholeFile", testImportAtomic},
		{"ImportStreamed", testImportStreamed},
		{"EventsGapFreeAndPaged", testEventsPaged},
		{"ListingsKeysetPaging", testListingsPaging},
		{"NotFound", testNotFound},
		{"EncounterQueueAndResolve", testEncounters},
		{"EncounterErasure", testEncounterErasure},
		{"EncounterOverdue", testEncounterOverdue},
		{"DocumentAlerts", testDocumentAlerts},
		{"ExpiryAndReview", testExpiry},
		{"Tips", testTips},
		{"Diffusions", testDiffusions},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// Listing returns a valid listing of source with the given own id and name.
func Listing(source, id, name string) *tripline.Listing {
	return &tripline.Listing{
		ID: source + ":" + id, Source: source,
		Names:         []tripline.Name{{Full: name, Kind: tripline.NamePrimary}},
		BirthDates:    []tripline.PartialDate{{Year: 1975, Month: 3}},
		Nationalities: []string{"IRQ"},
		Documents:     []tripline.Document{{Type: "P", Number: "A" + id, Country: "IRQ"}},
		Action:        tripline.ActionRefuseEntry,
		Handling:      tripline.Handling{Screen: []string{"*"}, Reshare: tripline.ReshareAllowed},
		Provenance:    tripline.Provenance{Originator: source},
	}
}

func allEvents(t *testing.T, s Store) []*tripline.Event {
	t.Helper()
	evs, err := s.Events.Events(context.Background(), s.Origin, 0, 0)
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	return evs
}

func testPutAndGet(t *testing.T, s Store) {
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	s.SetNow(now)
	l := Listing("agency-x", "1", "Muhammad Abd al-Rahman")
	got, err := s.Listings.PutListing(ctx, l)
	if err != nil {
		t.Fatalf("PutListing: %v", err)
	}
	if got.Version != 1 || got.Status != tripline.StatusActive || !got.UpdatedAt.Equal(now) {
		t.Fatalf("put = v%d %s %v, want v1 active %v", got.Version, got.Status, got.UpdatedAt, now)
	}
	back, err := s.Listings.Listing(ctx, l.ID)
	if err != nil {
		t.Fatalf("Listing: %v", err)
	}
	if back.ContentHash() != l.ContentHash() || back.Version != 1 {
		t.Fatalf("round trip changed the listing: %+v", back)
	}
	l2 := Listing("agency-x", "1", "Muhammad Abdul Rahman")
	got, err = s.Listings.PutListing(ctx, l2)
	if err != nil || got.Version != 2 {
		t.Fatalf("update = %v, %v; want version 2", got, err)
	}
	evs := allEvents(t, s)
	if len(evs) != 2 || evs[0].Type != tripline.EventListingUpserted || evs[1].Seq != 2 || evs[1].Subject != l.ID {
		t.Fatalf("events = %v", evs)
	}
}

func testPutUnchanged(t *testing.T, s Store) {
	ctx := context.Background()
	l := Listing("agency-x", "1", "Ali Hassan")
	for i := 0; i < 3; i++ {
		if _, err := s.Listings.PutListing(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(allEvents(t, s)); n != 1 {
		t.Fatalf("events = %d, want 1", n)
	}
}

func testPutInvalid(t *testing.T, s Store) {
	l := Listing("agency-x", "1", "Ali Hassan")
	l.Action = "shoot"
	_, err := s.Listings.PutListing(context.Background(), l)
	if tripline.ErrorCode(err) != tripline.EINVALID {
		t.Fatalf("err = %v, want invalid", err)
	}
	if n := len(allEvents(t, s)); n != 0 {
		t.Fatalf("events = %d, want 0", n)
	}
}

func testWithdraw(t *testing.T, s Store) {
	ctx := context.Background()
	l := Listing("agency-x", "1", "Ali Hassan")
	if _, err := s.Listings.PutListing(ctx, l); err != nil {
		t.Fatal(err)
	}
	w, err := s.Listings.WithdrawListing(ctx, l.ID, "no longer relevant")
	if err != nil || w.Status != tripline.StatusWithdrawn || w.Version != 2 {
		t.Fatalf("withdraw = %v, %v", w, err)
	}
	if _, err := s.Listings.WithdrawListing(ctx, l.ID, "again"); tripline.ErrorCode(err) != tripline.ECONFLICT {
		t.Fatalf("second withdraw err = %v, want conflict", err)
	}
	evs := allEvents(t, s)
	if len(evs) != 2 || evs[1].Type != tripline.EventListingWithdrawn {
		t.Fatalf("events = %v", evs)
	}
	// Putting it back re-activates it as a new version.
	back, err := s.Listings.PutListing(ctx, l)
	if err != nil || back.Status != tripline.StatusActive || back.Version != 3 {
		t.Fatalf("re-put = %v, %v", back, err)
	}
}

func batch(source string, ids ...string) []*tripline.Listing {
	var out []*tripline.Listing
	for _, id := range ids {
		out = append(out, Listing(source, id, "Person "+id))
	}
	return out
}

func testImportIdempotent(t *testing.T, s Store) {
	ctx := context.Background()
	sum, err := s.Listings.ImportListings(ctx, "un-sc", tripline.Records(batch("un-sc", "a", "b", "c")))
	if err != nil {
		t.Fatal(err)
	}
	want := tripline.ImportSummary{Source: "un-sc", Listings: 3, Added: 3, Events: 3}
	if *sum != want {
		t.Fatalf("first import = %+v, want %+v", *sum, want)
	}
	sum, err = s.Listings.ImportListings(ctx, "un-sc", tripline.Records(batch("un-sc", "a", "b", "c")))
	if err != nil {
		t.Fatal(err)
	}
	want = tripline.ImportSummary{Source: "un-sc", Listings: 3, Unchanged: 3}
	if *sum != want {
		t.Fatalf("second import = %+v, want %+v", *sum, want)
	}
	if n := len(allEvents(t, s)); n != 3 {
		t.Fatalf("events = %d, want 3", n)
	}
}

func testImportDelta(t *testing.T, s Store) {
	ctx := context.Background()
	if _, err := s.Listings.ImportListings(ctx, "un-sc", tripline.Records(batch("un-sc", "a", "b", "c"))); err != nil {
		t.Fatal(err)
	}
	// Another source is never touched by this source's import.
	if _, err := s.Listings.ImportListings(ctx, "other", tripline.Records(batch("other", "z"))); err != nil {
		t.Fatal(err)
	}
	next := batch("un-sc", "a", "b", "d")
	next[1].Names[0].Full = "Person B Renamed"
	sum, err := s.Listings.ImportListings(ctx, "un-sc", tripline.Records(next))
	if err != nil {
		t.Fatal(err)
	}
	want := tripline.ImportSummary{Source: "un-sc", Listings: 3, Added: 1, Updated: 1, Withdrawn: 1, Unchanged: 1, Events: 3}
	if *sum != want {
		t.Fatalf("delta import = %+v, want %+v", *sum, want)
	}
	c, err := s.Listings.Listing(ctx, "un-sc:c")
	if err != nil || c.Status != tripline.StatusWithdrawn {
		t.Fatalf("c = %v, %v; want withdrawn", c, err)
	}
	z, err := s.Listings.Listing(ctx, "other:z")
	if err != nil || z.Status != tripline.StatusActive {
		t.Fatalf("other source touched: %v, %v", z, err)
	}
	active, err := s.Listings.Listings(ctx, tripline.ListingFilter{Source: "un-sc", Status: tripline.StatusActive})
	if err != nil || len(active) != 3 {
		t.Fatalf("active = %d, %v; want 3", len(active), err)
	}
	// A withdrawn listing that reappears comes back as an update.
	sum, err = s.Listings.ImportListings(ctx, "un-sc", tripline.Records(batch("un-sc", "a", "b", "c", "d")))
	if err != nil || sum.Updated != 2 || sum.Added != 0 {
		t.Fatalf("reappear = %+v, %v", sum, err)
	}
}

func testImportAtomic(t *testing.T, s Store) {
	ctx := context.Background()
	if _, err := s.Listings.ImportListings(ctx, "un-sc", tripline.Records(batch("un-sc", "a"))); err != nil {
		t.Fatal(err)
	}
	bad := batch("un-sc", "b", "c", "d")
	bad[2].BirthDates = []tripline.PartialDate{{Year: 1975, Month: 13}}
	_, err := s.Listings.ImportListings(ctx, "un-sc", tripline.Records(bad))
	if tripline.ErrorCode(err) != tripline.EINVALID {
		t.Fatalf("err = %v, want invalid", err)
	}
	all, _ := s.Listings.Listings(ctx, tripline.ListingFilter{})
	if len(all) != 1 || all[0].ID != "un-sc:a" || all[0].Status != tripline.StatusActive {
		t.Fatalf("bad import half-stored: %v", all)
	}
	if n := len(allEvents(t, s)); n != 1 {
		t.Fatalf("events = %d, want 1", n)
	}
}

// testImportStreamed feeds an import as a stream, as `tripline import`
// does with a large file: enough records to cross the stores' internal
// chunks, a reader error after most of them, and a repeated id.
func testImportStreamed(t *testing.T, s Store) {
	ctx := context.Background()
	if _, err := s.Listings.ImportListings(ctx, "big", tripline.Records(batch("big", "keep"))); err != nil {
		t.Fatal(err)
	}
	const n = 1500
	stream := func(failAt int, dupAt int) iter.Seq2[*tripline.Listing, error] {
		return func(yield func(*tripline.Listing, error) bool) {
			for i := 0; i < n; i++ {
				if i == failAt {
					yield(nil, tripline.Errorf(tripline.EINVALID, "big.csv: line %d: broken row", i+2))
					return
				}
				id := fmt.Sprintf("%05d", i)
				if i == dupAt {
					id = "00000"
				}
				if !yield(Listing("big", id, "Person "+id), nil) {
					return
				}
			}
		}
	}
	for _, tc := range []struct {
		name          string
		failAt, dupAt int
		want          string
	}{
		{"reader error", 1400, -1, "big.csv: line 1402: broken row"},
		{"repeated id", -1, 1300, `listing 1300: duplicate id "big:00000"`},
	} {
		_, err := s.Listings.ImportListings(ctx, "big", stream(tc.failAt, tc.dupAt))
		if tripline.ErrorCode(err) != tripline.EINVALID || tripline.ErrorMessage(err) != tc.want {
			t.Fatalf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
		all, _ := s.Listings.Listings(ctx, tripline.ListingFilter{Source: "big"})
		if len(all) != 1 || all[0].Status != tripline.StatusActive || len(allEvents(t, s)) != 1 {
			t.Fatalf("%s: failed import half-stored: %d listings, %d events", tc.name, len(all), len(allEvents(t, s)))
		}
	}
	sum, err := s.Listings.ImportListings(ctx, "big", stream(-1, -1))
	if err != nil {
		t.Fatal(err)
	}
	want := tripline.ImportSummary{Source: "big", Listings: n, Added: n, Withdrawn: 1, Events: n + 1}
	if *sum != want {
		t.Fatalf("streamed import = %+v, want %+v", *sum, want)
	}
	// Events follow the input order, gap-free, and end with the withdrawal.
	evs := allEvents(t, s)
	for i, ev := range evs[1 : n+1] {
		if want := fmt.Sprintf("big:%05d", i); ev.Subject != want || ev.Seq != int64(i+2) {
			t.Fatalf("event %d = %s seq %d, want %s seq %d", i, ev.Subject, ev.Seq, want, i+2)
		}
	}
	if last := evs[len(evs)-1]; last.Subject != "big:keep" || last.Type != tripline.EventListingWithdrawn {
		t.Fatalf("last event = %s %s, want the withdrawal of big:keep", last.Type, last.Subject)
	}
}

func testEventsPaged(t *testing.T, s Store) {
	ctx := context.Background()
	var ids []string
	for i := 0; i < 25; i++ {
		ids = append(ids, fmt.Sprintf("%03d", i))
	}
	if _, err := s.Listings.ImportListings(ctx, "src", tripline.Records(batch("src", ids...))); err != nil {
		t.Fatal(err)
	}
	var after int64
	var got []*tripline.Event
	for {
		page, err := s.Events.Events(ctx, s.Origin, after, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		got = append(got, page...)
		after = page[len(page)-1].Seq
	}
	for i, ev := range got {
		if ev.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d: gap or disorder", i, ev.Seq)
		}
	}
	if len(got) != 25 {
		t.Fatalf("events = %d, want 25", len(got))
	}
	if last, err := s.Events.LastSeq(ctx, s.Origin); err != nil || last != 25 {
		t.Fatalf("LastSeq = %d, %v", last, err)
	}
	if last, err := s.Events.LastSeq(ctx, "nobody"); err != nil || last != 0 {
		t.Fatalf("LastSeq(nobody) = %d, %v", last, err)
	}
}

func testListingsPaging(t *testing.T, s Store) {
	ctx := context.Background()
	if _, err := s.Listings.ImportListings(ctx, "src", tripline.Records(batch("src", "e", "a", "d", "c", "b"))); err != nil {
		t.Fatal(err)
	}
	var seen []string
	after := ""
	for {
		page, err := s.Listings.Listings(ctx, tripline.ListingFilter{After: after, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, l := range page {
			seen = append(seen, l.ID)
		}
		after = page[len(page)-1].ID
	}
	want := []string{"src:a", "src:b", "src:c", "src:d", "src:e"}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Fatalf("paged = %v, want %v", seen, want)
	}
}

func testNotFound(t *testing.T, s Store) {
	_, err := s.Listings.Listing(context.Background(), "x:nope")
	if tripline.ErrorCode(err) != tripline.ENOTFOUND {
		t.Fatalf("err = %v, want not_found", err)
	}
	if _, err := s.Listings.WithdrawListing(context.Background(), "x:nope", ""); tripline.ErrorCode(err) != tripline.ENOTFOUND {
		t.Fatalf("withdraw err = %v, want not_found", err)
	}
	var e *tripline.Error
	if !errors.As(err, &e) {
		t.Fatal("not a coded error")
	}
}

// readPages reads pages of size n through page, each continuing after the
// id of the last one read, until a short page, and returns the ids read.
func readPages[T any](t *testing.T, n int, page func(after string) ([]T, error), id func(T) string) []string {
	t.Helper()
	var ids []string
	for after := ""; ; {
		got, err := page(after)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range got {
			ids = append(ids, id(x))
		}
		if len(got) < n {
			return ids
		}
		after = id(got[len(got)-1])
	}
}
