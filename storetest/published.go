package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
)

func unListing(id, name string) *tripline.Listing {
	return &tripline.Listing{ID: "un-sc:" + id, Source: "un-sc", Status: tripline.StatusActive,
		Names:      []tripline.Name{{Full: name, Kind: tripline.NamePrimary}},
		Action:     tripline.ActionRefuseEntry,
		Provenance: tripline.Provenance{Originator: "un-sc"}}
}

// TestImportPublishedVersions is issue 15 item 2 at the store: a published
// list is keyed by its publication time; an older copy is refused (and
// changes nothing: a delisted person stays delisted) unless forced.
func testImportPublishedVersions(t *testing.T, e Engine) {
	ctx := context.Background()
	db := e.Open(t)
	s := sqlstore.NewListingService(db)
	day := func(d int) time.Time { return time.Date(2026, 2, d, 0, 0, 0, 0, time.UTC) }
	old := []*tripline.Listing{unListing("QDi.1", "Delisted Person"), unListing("QDi.2", "Still Listed")}
	cur := []*tripline.Listing{unListing("QDi.2", "Still Listed")}
	if _, err := s.ImportPublished(ctx, "un-sc", day(1), false, tripline.Records(old)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportPublished(ctx, "un-sc", day(27), false, tripline.Records(cur)); err != nil {
		t.Fatal(err)
	}
	status := func() tripline.Status {
		l, err := s.Listing(ctx, "un-sc:QDi.1")
		if err != nil {
			t.Fatal(err)
		}
		return l.Status
	}
	if status() != tripline.StatusWithdrawn {
		t.Fatalf("delisted person: %s", status())
	}
	for _, tc := range []struct {
		name    string
		version time.Time
		force   bool
		want    string // error text; "" = accepted
		status  tripline.Status
	}{
		{"older copy", day(1), false, "older than the list of 2026-02-27T00:00:00Z", tripline.StatusWithdrawn},
		{"undated copy", time.Time{}, false, "publication date is unknown", tripline.StatusWithdrawn},
		{"same copy again", day(27), false, "", tripline.StatusWithdrawn},
		{"older copy, forced", day(1), true, "", tripline.StatusActive},
		{"newer copy after a forced one", day(28), false, "", tripline.StatusWithdrawn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls := cur
			if tc.version.Equal(day(1)) || tc.version.IsZero() {
				ls = old
			}
			_, err := s.ImportPublished(ctx, "un-sc", tc.version, tc.force, tripline.Records(ls))
			if tc.want == "" && err != nil || tc.want != "" && (tripline.ErrorCode(err) != tripline.ECONFLICT || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if got := status(); got != tc.status {
				t.Fatalf("delisted person is %s, want %s", got, tc.status)
			}
		})
	}
	v, err := s.ListVersion(ctx, "un-sc")
	if err != nil || v == nil || !v.Version.Equal(day(28)) || v.Forced {
		t.Fatalf("held version = %+v, %v", v, err)
	}
	// Another source is not versioned.
	csv := &tripline.Listing{ID: "agency-a:1", Source: "agency-a", Status: tripline.StatusActive, Action: tripline.ActionReport,
		Names: []tripline.Name{{Full: "Agency Person", Kind: tripline.NamePrimary}}, Provenance: tripline.Provenance{Originator: "agency-a"}}
	if _, err := s.ImportPublished(ctx, "agency-a", time.Time{}, false, tripline.Records([]*tripline.Listing{csv})); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.ListVersion(ctx, "agency-a"); v != nil {
		t.Fatalf("agency-a versioned: %+v", v)
	}
}
