package network_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/network"
)

var importAt = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

func newService(t *testing.T) *network.Service {
	t.Helper()
	svc := network.NewService(network.NewMemStore())
	svc.Now = func() time.Time { return importAt }
	return svc
}

func importPNR(t *testing.T, svc *network.Service, name string, edit func(string) string) *network.Import {
	t.Helper()
	return importAs(t, svc, "", name, edit)
}

// hasLink reports whether svc holds a link of typ between a and b, either way.
func hasLink(t *testing.T, svc *network.Service, a, b network.Entity, typ string) bool {
	t.Helper()
	ls, err := svc.Store.Links(t.Context(), a, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.Type == typ && l.Other(a) == b {
			return true
		}
	}
	return false
}

var (
	smith    = network.DocumentEntity("GBR", "123456789")                        // SSR DOCS with a passport
	jones    = network.NewEntity(network.KindPerson, "JONES/WILLIAM/1964-07-12") // DOCS without a number
	slough   = network.Phone("00441753637285")
	mfn4ti   = network.NewEntity(network.KindBooking, "MFN4TI")
	dl324day = network.NewEntity(network.KindFlight, "DL324/2010-12-12")
)

// TestPNRSampleLinks: the GTAS sample PNR (one booking, two passengers,
// seats 15A/15B, contacts given for the booking) yields same-booking,
// adjacent-seat and shared-contact links; the large sample yields shared
// contacts between passengers of one booking, and a path through one.
func TestPNRSampleLinks(t *testing.T) {
	svc := newService(t)
	imp := importPNR(t, svc, "gtas_pnrMessage.txt", nil)
	if imp.Source != "pnrgov:DL324/2010-12-12" || imp.Bookings != 1 || imp.People != 2 {
		t.Fatalf("import = %+v", imp)
	}
	for _, c := range []struct {
		a, b network.Entity
		typ  string
	}{
		{smith, jones, network.LinkSameBooking},
		{smith, jones, network.LinkAdjacentSeat},
		{smith, slough, network.LinkSharedContact},
		{jones, slough, network.LinkSharedContact},
		{smith, mfn4ti, network.LinkHasBooking},
		{jones, dl324day, network.LinkOnFlight},
	} {
		if !hasLink(t, svc, c.a, c.b, c.typ) {
			t.Errorf("no %s link between %s and %s", c.typ, c.a, c.b)
		}
	}
	// Importing the same push again changes nothing.
	if again := importPNR(t, svc, "gtas_pnrMessage.txt", nil); again.Added != 0 {
		t.Errorf("re-import added %d links, want 0", again.Added)
	}

	big := newService(t)
	imp = importPNR(t, big, "gtas_pnrWithBags.txt", nil)
	if imp.Bookings != 127 || imp.People < 200 {
		t.Fatalf("import = %+v", imp)
	}
	a, b := network.DocumentEntity("USA", "813281747"), network.DocumentEntity("GBR", "388349438")
	phone := network.Phone("+220257225504")
	if !hasLink(t, big, a, phone, network.LinkSharedContact) || !hasLink(t, big, b, phone, network.LinkSharedContact) {
		t.Fatalf("%s and %s do not share %s", a, b, phone)
	}
	path, err := big.Path(t.Context(), a, b, 2, func(l network.Link) bool { return l.Type == network.LinkSharedContact })
	if err != nil || len(path) != 2 {
		t.Fatalf("path through the shared contact = %v, %v", path, err)
	}
}

// TestCoTravelAcrossPushes: the same two passengers on the same route a
// week later are co-travellers; one journey of connecting legs is not.
func TestCoTravelAcrossPushes(t *testing.T) {
	svc := newService(t)
	first := importPNR(t, svc, "gtas_pnrMessage.txt", nil)
	if first.CoTravel != 0 || hasLink(t, svc, smith, jones, network.LinkCoTravel) {
		t.Fatalf("one journey (legs on 10 and 12 Dec) made co-travellers: %+v", first)
	}
	weekLater := strings.NewReplacer("101210", "171210", "121210", "191210", "111210", "181210").Replace
	second := importPNR(t, svc, "gtas_pnrMessage.txt", weekLater)
	if second.Source != "pnrgov:DL324/2010-12-19" || second.CoTravel != 1 {
		t.Fatalf("second push = %+v, want one co-travelling pair", second)
	}
	if !hasLink(t, svc, smith, jones, network.LinkCoTravel) {
		t.Fatal("no co_travel link after two journeys together")
	}
	sn, err := svc.Snapshot(t.Context(), "k", nil)
	if err != nil {
		t.Fatal(err)
	}
	pairs := sn.CoTravel(2, 10)
	if len(pairs) != 1 || pairs[0].Flights != 4 {
		t.Fatalf("snapshot co-travel = %+v, want one pair on 4 flights", pairs)
	}
}

func listing(id string, phones []string, docs ...tripline.Document) *tripline.Listing {
	return &tripline.Listing{ID: id, Source: "x", Status: tripline.StatusActive, Phones: phones, Documents: docs,
		Names: []tripline.Name{{Full: "Listed Person", Kind: tripline.NamePrimary}}, Action: tripline.ActionDetain}
}

// TestFlagFromPNR: a traveller sharing a phone with a listed person, and
// one sharing a booking with a listed person's passport, get a review
// match with the path; hidden steps are withheld; a withdrawn listing
// flags no one.
func TestFlagFromPNR(t *testing.T) {
	ctx := t.Context()
	svc := newService(t)
	svc.Country = func(c string) (string, bool) {
		if c == "GB" || c == "GBR" {
			return "GBR", true
		}
		return c, false
	}
	importPNR(t, svc, "gtas_pnrMessage.txt", nil)
	phoneL := listing("x:phone", []string{"+44 1753 637285"})
	docL := listing("x:doc", nil, tripline.Document{Type: "P", Country: "GB", Number: "123456789"})
	for _, l := range []*tripline.Listing{phoneL, docL} {
		if err := svc.SetListing(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	all := func(string) bool { return true }
	only := func(id string) func(string) bool { return func(x string) bool { return x == id } }

	// Smith gave the listed phone: 2 hops.
	smithT := &tripline.Traveller{Ref: "s", Name: "Jonathon Smithjr", Document: &tripline.Document{Country: "GBR", Number: "123456789"}}
	m, err := svc.Flag(ctx, smithT, 0, nil, nil, only("x:phone"))
	if err != nil || m == nil {
		t.Fatalf("flag = %v, %v", m, err)
	}
	want := "linked within 2 hops: document:GBR:123456789 -shared_contact- phone:+441753637285 -has_phone- listing:x:phone"
	if m.Decision != tripline.DecisionReview || m.Action != tripline.ActionSecondaryCheck || m.Listing != "x:phone" || m.Explain[0].Detail != want {
		t.Fatalf("match = %+v\nwant detail %q", m, want)
	}
	// Withheld for a caller who may not see the listing's links in detail.
	hideListing := func(l network.Link) bool { return l.Listing == "" }
	m, _ = svc.Flag(ctx, smithT, 0, nil, hideListing, only("x:phone"))
	if d := m.Explain[0].Detail; strings.Contains(d, "+44") || !strings.Contains(d, "phone:(withheld) -has_phone- listing:x:phone") {
		t.Fatalf("redacted detail = %q", d)
	}

	// Jones (no passport number) is on the booking of the listed passport:
	// found by the booking locator and by his name, 1 hop.
	jonesT := &tripline.Traveller{Ref: "j", GivenNames: "William", Surname: "Jones", DOB: tripline.PartialDate{Year: 1964, Month: 7, Day: 12}, Booking: "MFN4TI"}
	m, err = svc.Flag(ctx, jonesT, 0, nil, nil, only("x:doc"))
	if err != nil || m == nil || m.Listing != "x:doc" {
		t.Fatalf("flag = %+v, %v", m, err)
	}
	if d := m.Explain[0].Detail; !strings.HasPrefix(d, "linked within 1 hops:") || !strings.Contains(d, "document:GBR:123456789") {
		t.Fatalf("detail = %q", d)
	}
	// A traverse filter that hides the PNR's links breaks the tie.
	noPNR := func(l network.Link) bool { return l.Listing != "" }
	if m, _ := svc.Flag(ctx, jonesT, 0, noPNR, nil, all); m != nil {
		t.Fatalf("flag through hidden PNR links: %+v", m)
	}
	// Withdrawn: its links go, and nobody is tied to it any more.
	docL.Status = tripline.StatusWithdrawn
	if err := svc.SetListing(ctx, docL); err != nil {
		t.Fatal(err)
	}
	if m, _ := svc.Flag(ctx, jonesT, 0, nil, nil, only("x:doc")); m != nil {
		t.Fatalf("withdrawn listing still flags: %+v", m)
	}
	if got := svc.ListedBy(smith); len(got) != 0 {
		t.Fatalf("withdrawn listing still holds the passport: %v", got)
	}
	// A traveller the graph has never seen is not flagged.
	if m, _ := svc.Flag(ctx, &tripline.Traveller{Ref: "n", Name: "Nobody Known"}, 0, nil, nil, all); m != nil {
		t.Fatalf("unknown traveller flagged: %+v", m)
	}
}

// TestSnapshotCache: analytics reuse one snapshot until the links change,
// and not more often than SnapshotEvery; the broker between two cells
// leads by betweenness.
func TestSnapshotCache(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	now := importAt
	svc.Now = func() time.Time { return now }
	p := func(k string) network.Entity { return network.NewEntity(network.KindPerson, k) }
	var links []network.Link
	for _, cell := range [][]string{{"a1", "a2", "a3", "a4"}, {"b1", "b2", "b3", "b4"}} {
		for i := range cell {
			for j := i + 1; j < len(cell); j++ {
				links = append(links, network.Link{From: p(cell[i]), To: p(cell[j]), Type: network.LinkAnalyst, Source: "case"})
			}
		}
	}
	links = append(links, network.Link{From: p("a1"), To: p("broker"), Type: network.LinkAnalyst, Source: "case"},
		network.Link{From: p("broker"), To: p("b1"), Type: network.LinkAnalyst, Source: "case"})
	if _, err := svc.AddLinks(ctx, links); err != nil {
		t.Fatal(err)
	}
	sn1, _ := svc.Snapshot(ctx, "k", nil)
	top, err := sn1.Facilitators("betweenness", nil, 3)
	if err != nil || top[0].ID != "person:broker" {
		t.Fatalf("facilitators = %+v, %v", top, err)
	}
	if c := sn1.Communities(0); c.Count != 2 {
		t.Fatalf("communities = %+v, want the two cells", c)
	}
	if c := sn1.Components(0); c.Components != 1 || c.Largest[0] != 9 {
		t.Fatalf("components = %+v", c)
	}
	if sn2, _ := svc.Snapshot(ctx, "k", nil); sn2 != sn1 {
		t.Fatal("unchanged links: snapshot rebuilt")
	}
	svc.SnapshotEvery = time.Minute
	svc.AddLinks(ctx, []network.Link{{From: p("b4"), To: p("c1"), Type: network.LinkAnalyst, Source: "case"}})
	if sn2, _ := svc.Snapshot(ctx, "k", nil); sn2 != sn1 {
		t.Fatal("rebuilt within SnapshotEvery")
	}
	now = now.Add(2 * time.Minute)
	sn3, _ := svc.Snapshot(ctx, "k", nil)
	if sn3 == sn1 || sn3.Components(0).Largest[0] != 10 {
		t.Fatal("changed links: snapshot not rebuilt after SnapshotEvery")
	}
	svc.SnapshotMaxAge = 5 * time.Minute
	now = now.Add(4 * time.Minute)
	if sn4, _ := svc.Snapshot(ctx, "k", nil); sn4 != sn3 {
		t.Fatal("unchanged links: rebuilt before SnapshotMaxAge")
	}
	now = now.Add(2 * time.Minute)
	if sn4, _ := svc.Snapshot(ctx, "k", nil); sn4 == sn3 {
		t.Fatal("served past SnapshotMaxAge")
	}
	if _, err := sn3.Facilitators("degree", nil, 0); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Fatalf("unknown measure: %v", err)
	}
	// A listing's own source is not for analysts.
	if _, err := svc.AddLinks(ctx, []network.Link{{From: p("a"), To: p("b"), Type: "x", Source: "listing:x:1"}}); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Fatalf("reserved source: %v", err)
	}
	if !slices.Contains(network.PersonKinds, network.KindDocument) {
		t.Fatal("documents stand for people")
	}
}

// TestImportsPerAgency: each agency's imports are its own source: the
// same flight imported by two agencies is two sets of links, one
// replacing neither, and co-travel counts only the importing agency's
// flights, under a co-travel source of its own.
func TestImportsPerAgency(t *testing.T) {
	svc := newService(t)
	svc.Agency = "s"
	weekLater := strings.NewReplacer("101210", "171210", "121210", "191210", "111210", "181210").Replace
	first := importAs(t, svc, "s", "gtas_pnrMessage.txt", nil)
	other := importAs(t, svc, "y", "gtas_pnrMessage.txt", weekLater)
	if first.Source != "pnrgov@s:DL324/2010-12-12" || other.Source != "pnrgov@y:DL324/2010-12-19" || other.CoTravel != 0 {
		t.Fatalf("imports = %+v, %+v; want one source each and no co-travel across agencies", first, other)
	}
	again := importAs(t, svc, "y", "gtas_pnrMessage.txt", nil) // y's push of s's flight
	if again.Source != "pnrgov@y:DL324/2010-12-12" || again.CoTravel != 1 {
		t.Fatalf("y's second push = %+v, want y's own co-travel", again)
	}
	owners := map[string]int{}
	for _, l := range linksOf(t, svc, smith) {
		owners[svc.FeedOwner(l.Source)]++
		if l.Type == network.LinkCoTravel && l.Source != "cotravel@y" {
			t.Errorf("co_travel link %v, want source cotravel@y", l)
		}
	}
	if owners["s"] == 0 || owners["y"] == 0 {
		t.Fatalf("links of %s by agency: %v, want both s's and y's", smith, owners)
	}
	for _, tc := range []struct {
		source, agency string
		feed           bool
	}{
		{"pnrgov@s:DL324/2010-12-12", "s", true},
		{network.FeedSource(network.SourcePAXLST, "a:b@c", "TK1/2026-12-01"), "a:b@c", true},
		{network.FeedSource(network.SourceCoTravel, "y", ""), "y", true},
		{"pnrgov:DL324/2010-12-12", "", true}, // imported before agencies were recorded
		{"cotravel", "", true},
		{"paxlst", "", true},
		{"pnrgovx", "", false},
		{"analyst:u1", "", false},
		{network.ListingSource("un:1"), "", false},
	} {
		if a, feed := network.FeedAgency(tc.source); a != tc.agency || feed != tc.feed {
			t.Errorf("FeedAgency(%q) = %q, %v; want %q, %v", tc.source, a, feed, tc.agency, tc.feed)
		}
	}
}

func importAs(t *testing.T, svc *network.Service, agency, name string, edit func(string) string) *network.Import {
	t.Helper()
	b, err := os.ReadFile("testdata/pnrgov/" + name)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if edit != nil {
		text = edit(text)
	}
	imp, err := svc.ImportPNR(t.Context(), agency, strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return imp
}

func linksOf(t *testing.T, svc *network.Service, e network.Entity) []network.Link {
	t.Helper()
	ls, err := svc.Store.Links(t.Context(), e, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

// TestExpireFeeds: the retention pass removes the links of manifests,
// PNRs and their co-travel stamped before the cut, link by link within a
// source, and leaves analysts' and listings' links.
func TestExpireFeeds(t *testing.T) {
	svc := newService(t)
	importAs(t, svc, "s", "gtas_pnrMessage.txt", nil)
	if _, err := svc.AddLinks(t.Context(), []network.Link{{From: smith, To: network.Phone("+1 555 0199"), Type: network.LinkAnalyst, Source: "case-1"}}); err != nil {
		t.Fatal(err)
	}
	if err := svc.SetListing(t.Context(), listing("un:1", []string{"+1 555 0188"})); err != nil {
		t.Fatal(err)
	}
	old := []network.Link{{From: smith, To: jones, Type: network.LinkCoTravel, Source: "cotravel@s", At: importAt.Add(-time.Hour)}}
	if _, err := svc.Store.AddLinks(t.Context(), old); err != nil {
		t.Fatal(err)
	}
	before := svc.Store.Len()
	if n, err := svc.ExpireFeeds(t.Context(), importAt.Add(-time.Minute)); err != nil || n != 1 {
		t.Fatalf("expire before the import = %d, %v; want the older co-travel link only", n, err)
	}
	n, err := svc.ExpireFeeds(t.Context(), importAt.Add(time.Minute))
	if err != nil || n != before-1-2 {
		t.Fatalf("expire after the import = %d, %v; want %d (all but the analyst's and the listing's)", n, err, before-3)
	}
	for _, l := range linksOf(t, svc, smith) {
		if _, feed := network.FeedAgency(l.Source); feed {
			t.Errorf("%v left after the pass", l)
		}
	}
	if svc.Store.Len() != 2 {
		t.Errorf("%d links left, want the analyst's and the listing's", svc.Store.Len())
	}
}

// TestImportPNRTripsBounded: a push whose bookings would make more trips
// than MaxPNRTrips (each passenger on each flight of its booking) is
// refused before a trip is made, and stores nothing. Before, 300 bookings
// of 99 passengers on 99 flights (1.4 MB) made 2.9 million trips, a
// gigabyte of memory, from one analyst's request.
func TestImportPNRTripsBounded(t *testing.T) {
	svc := newService(t)
	var b strings.Builder
	b.WriteString("UNA:+.? 'UNB+IATA:1+XX+YY+260301:1200+1'UNH+1+PNRGOV:13:1:IA+X'MSG+:22'TVL+010326:1000+AMS+JFK+KL+641'EQN+11'")
	for k := range 11 { // 11 × 99 × 99 = 107,811 trips
		fmt.Fprintf(&b, "SRC'RCI+KL:B%d'", k)
		for i := range 99 {
			fmt.Fprintf(&b, "TIF+S%d+G:A:%d'", i, i+1)
		}
		for i := range 99 {
			fmt.Fprintf(&b, "TVL+010326:1000+AMS+JFK+KL+%d'", 1000+i)
		}
	}
	b.WriteString("UNT+9+1'UNZ+1+1'")
	_, err := svc.ImportPNR(t.Context(), "s", strings.NewReader(b.String()))
	if want := fmt.Sprintf("11 bookings make 107811 trips (each passenger on each of its booking's flights), more than the %d", network.MaxPNRTrips); tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(tripline.ErrorMessage(err), want) {
		t.Fatalf("got %v, want EINVALID %q", err, want)
	}
	if ls := linksOf(t, svc, network.NewEntity(network.KindBooking, "B0")); len(ls) != 0 {
		t.Errorf("a refused push stored %d links: %v", len(ls), ls[0])
	}
}
