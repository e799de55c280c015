package screening_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/match"
	"tripline/screening"
)

func listing(id, name, dob string) *tripline.Listing {
	d, _ := tripline.ParsePartialDate(dob)
	return &tripline.Listing{ID: "agency-x:" + id, Source: "agency-x", Action: tripline.ActionDetain,
		Names:      []tripline.Name{{Full: name, Kind: tripline.NamePrimary}},
		BirthDates: []tripline.PartialDate{d}, Provenance: tripline.Provenance{Originator: "agency-x"}, Status: tripline.StatusActive}
}

func newService(ls ...*tripline.Listing) (*screening.Service, *match.Index) {
	ix := match.NewIndex(match.Options{})
	for _, l := range ls {
		ix.Upsert(l)
	}
	s := screening.NewService(ix)
	s.Listing = ix.Listing
	s.Redress = screening.NewRedress(match.CompareNames)
	s.Now = func() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) }
	return s, ix
}

func TestDocumentAlertOCRVariants(t *testing.T) {
	s, _ := newService()
	s.Alerts.Upsert(&tripline.DocumentAlert{ID: "x:TUR:U1234S678", Source: "x", Country: "TUR", Number: "U1234S678",
		Kind: tripline.AlertStolen, Action: tripline.ActionSecondaryCheck, Status: tripline.StatusActive})
	for _, tc := range []struct {
		country, number string
		want            tripline.Decision
		score           float64
	}{
		{"TUR", "U1234S678", tripline.DecisionHit, 1},
		{"TR", "u1234s678", tripline.DecisionHit, 1},     // alpha-2, lower case
		{"TUR", "U12345678", tripline.DecisionHit, 0.97}, // S read as 5
		{"TUR", "U 1234-S678", tripline.DecisionHit, 1},  // punctuation
		{"GRC", "U1234S678", tripline.DecisionClear, 0},  // another state's number
		{"TUR", "U1234S679", tripline.DecisionClear, 0},  // another number
	} {
		r, err := s.Screen(context.Background(), &tripline.Traveller{Ref: "t", Name: "Ayse Yilmaz",
			Document: &tripline.Document{Number: tc.number, Country: tc.country}})
		if err != nil {
			t.Fatal(err)
		}
		if r.Decision != tc.want || (tc.score > 0 && r.Matches[0].Score != tc.score) {
			t.Errorf("%s %s: %s %+v; want %s", tc.country, tc.number, r.Decision, r.Matches, tc.want)
		}
	}
}

// TestDocumentAlertRemoved: an alert a partner may no longer show us stops
// matching at once (it used to stay in memory until a restart).
func TestDocumentAlertRemoved(t *testing.T) {
	s, _ := newService()
	s.Alerts.Upsert(&tripline.DocumentAlert{ID: "x:TUR:U1234S678", Source: "x", Country: "TUR", Number: "U1234S678",
		Kind: tripline.AlertStolen, Action: tripline.ActionSecondaryCheck, Status: tripline.StatusActive})
	trav := &tripline.Traveller{Ref: "t", Name: "Ayse Yilmaz", Document: &tripline.Document{Number: "U1234S678", Country: "TUR"}}
	if r, _ := s.Screen(context.Background(), trav); r.Decision != tripline.DecisionHit {
		t.Fatalf("before: %s", r.Decision)
	}
	s.Alerts.Remove("x:TUR:U1234S678")
	s.Alerts.Remove("x:TUR:NOTHELD")
	if r, _ := s.Screen(context.Background(), trav); r.Decision != tripline.DecisionClear || s.Alerts.Len() != 0 {
		t.Fatalf("after Remove: %s, %d alerts held", r.Decision, s.Alerts.Len())
	}
}

func TestClearanceLapsesWhenListingChanges(t *testing.T) {
	l := listing("1", "Zebulon Quartermaine", "1980-02-03")
	s, ix := newService(l)
	trav := &tripline.Traveller{Ref: "t", Name: "Zebulon Quartermaine", DOB: tripline.PartialDate{Year: 1980, Month: 2, Day: 3},
		Document: &tripline.Document{Number: "X1", Country: "GBR"}}
	ctx := tripline.WithIdentity(context.Background(), &tripline.Identity{User: "o-1", Agency: "agency-b", Role: tripline.RoleOfficer})
	r, _ := s.Screen(ctx, trav)
	if r.Decision != tripline.DecisionHit {
		t.Fatalf("before clearance: %s", r.Decision)
	}
	s.Redress.AddClearance(&tripline.Clearance{ID: "c1", Listing: l.ID, ListingHash: l.ContentHash(), DocCountry: "GBR",
		DocNumber: "X1", DOB: trav.DOB, Analyst: "a-1", Agency: "agency-b"})
	r, _ = s.Screen(ctx, trav)
	if r.Decision != tripline.DecisionClear || len(r.Matches) != 1 || !r.Matches[0].Suppressed ||
		!strings.Contains(r.Matches[0].Explain[len(r.Matches[0].Explain)-1].Detail, "cleared as a false positive by a-1") {
		t.Fatalf("after clearance: %+v", r)
	}
	// Another traveller with the same name but another document is not cleared.
	other := *trav
	other.Document = &tripline.Document{Number: "X2", Country: "GBR"}
	if r, _ := s.Screen(ctx, &other); r.Decision != tripline.DecisionHit {
		t.Fatalf("other document: %s", r.Decision)
	}
	l2 := *l
	l2.Narrative = "new intelligence"
	l2.Version = 2
	ix.Upsert(&l2)
	if r, _ := s.Screen(ctx, trav); r.Decision != tripline.DecisionHit {
		t.Fatalf("after the listing changed: %s, want hit", r.Decision)
	}
}

// TestClearanceSparesOnlyItsAgency: an own clearance (an officer's
// false_positive) spared the traveller at every agency's screening on the
// node, the listing's originator included: one officer of an agency
// granted screening only made a listed person screen clear for everyone.
// Now it spares the agency that found it; only the originator's shared
// clearance spares all who may see the listing.
func TestClearanceSparesOnlyItsAgency(t *testing.T) {
	l := listing("1", "Zebulon Quartermaine", "1980-02-03") // agency-x's
	trav := &tripline.Traveller{Ref: "t", Name: "Zebulon Quartermaine", DOB: tripline.PartialDate{Year: 1980, Month: 2, Day: 3},
		Document: &tripline.Document{Number: "X1", Country: "GBR"}}
	own := func(agency string) *tripline.Clearance {
		return &tripline.Clearance{ID: "clr-e1", Listing: l.ID, ListingHash: l.ContentHash(), DocCountry: "GBR", DocNumber: "X1",
			DOB: trav.DOB, Analyst: "b-officer", Agency: agency}
	}
	shared := &tripline.Clearance{ID: "shr-e1", Listing: l.ID, Shared: true, ListingVersion: l.Version, DocCountry: "GBR",
		DocNumber: "X1", DOB: trav.DOB, Analyst: "x-analyst", Agency: "agency-b"}
	for _, tc := range []struct {
		name      string
		clearance *tripline.Clearance
		agency    string // "" screens without a caller
		want      tripline.Decision
	}{
		{"own, its agency", own("agency-b"), "agency-b", tripline.DecisionClear},
		{"own, the listing's originator", own("agency-b"), "agency-x", tripline.DecisionHit},
		{"own, a third agency", own("agency-b"), "agency-c", tripline.DecisionHit},
		{"own, no caller", own("agency-b"), "", tripline.DecisionHit},
		{"own naming no agency", own(""), "agency-b", tripline.DecisionHit},
		{"shared by the originator, a third agency", shared, "agency-c", tripline.DecisionClear},
		{"shared by the originator, the originator", shared, "agency-x", tripline.DecisionClear},
	} {
		s, _ := newService(l)
		s.Redress.AddClearance(tc.clearance)
		ctx := context.Background()
		if tc.agency != "" {
			ctx = tripline.WithIdentity(ctx, &tripline.Identity{User: "o", Agency: tc.agency, Role: tripline.RoleOfficer})
		}
		if r, _ := s.Screen(ctx, trav); r.Decision != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, r.Decision, tc.want)
		}
	}
}

func TestReturningRefusal(t *testing.T) {
	s, _ := newService()
	s.Redress.AddRefusal(&tripline.Refusal{ID: "ref-1", Name: "Yusuf Demir Kaya", DOB: tripline.PartialDate{Year: 1990, Month: 6, Day: 15},
		Document: tripline.Document{Number: "U1", Country: "TUR"}, Encounter: "e-1"})
	for _, tc := range []struct {
		name, doc string
		want      tripline.Decision
	}{
		{"Youssef Demir Kaya", "U2", tripline.DecisionReview},
		{"YUSUF KAYA DEMIR", "U3", tripline.DecisionReview},
		{"Yusuf Demir Kaya", "U1", tripline.DecisionClear}, // the same document: not a return under another
		{"Astrid Lindqvist", "S1", tripline.DecisionClear},
	} {
		r, _ := s.Screen(context.Background(), &tripline.Traveller{Ref: "t", Name: tc.name, DOB: tripline.PartialDate{Year: 1990, Month: 6, Day: 15},
			Document: &tripline.Document{Number: tc.doc, Country: "TUR"}})
		if r.Decision != tc.want {
			t.Errorf("%s %s: %s, want %s", tc.name, tc.doc, r.Decision, tc.want)
		}
	}
	// Past its retention the refusal is removed: the return is no longer caught.
	s.Redress.RemoveRefusal("ref-1")
	r, _ := s.Screen(context.Background(), &tripline.Traveller{Ref: "t", Name: "Youssef Demir Kaya", DOB: tripline.PartialDate{Year: 1990, Month: 6, Day: 15},
		Document: &tripline.Document{Number: "U2", Country: "TUR"}})
	if r.Decision != tripline.DecisionClear {
		t.Errorf("after the refusal's removal: %s, want clear", r.Decision)
	}
}

func TestBatchKeepsOrderAndReportsBadTravellers(t *testing.T) {
	s, _ := newService(listing("1", "Zebulon Quartermaine", "1980"))
	ts := []*tripline.Traveller{{Ref: "a", Name: "Zebulon Quartermaine"}, {Ref: "b"}, {Ref: "c", Name: "Jane Doe"}}
	rs, err := s.ScreenBatch(context.Background(), ts)
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Ref != "a" || rs[0].Decision != tripline.DecisionHit || rs[1].Error == nil || rs[1].Decision == tripline.DecisionClear || rs[2].Decision != tripline.DecisionClear {
		t.Fatalf("batch = %+v %+v %+v", rs[0], rs[1], rs[2])
	}
}

func TestExpiredListingStopsMatchingAtOnce(t *testing.T) {
	l := listing("1", "Zebulon Quartermaine", "1980")
	past := time.Date(2026, 11, 25, 8, 59, 0, 0, time.UTC) // a minute before the service's clock
	l.ValidUntil = &past
	s, _ := newService(l)
	if r, _ := s.Screen(context.Background(), &tripline.Traveller{Ref: "t", Name: "Zebulon Quartermaine"}); r.Decision != tripline.DecisionClear {
		t.Fatalf("listing past valid-until still matches: %+v", r)
	}
}

func TestMinorFlagged(t *testing.T) {
	s, _ := newService(listing("1", "Zebulon Quartermaine", "1980"))
	for _, tc := range []struct {
		name, dob string
		minor     bool
	}{
		{"Jane Doe", "2012-05-01", true},
		{"Jane Doe", "1990-05-01", false},
		{"Jane Doe", "2008", true}, // could still be 17 on 2026-11-25
	} {
		d, _ := tripline.ParsePartialDate(tc.dob)
		r, _ := s.Screen(context.Background(), &tripline.Traveller{Ref: "t", Name: tc.name, DOB: d})
		if r.Minor != tc.minor {
			t.Errorf("%s: minor = %v, want %v", tc.dob, r.Minor, tc.minor)
		}
	}
}

func TestMinorNeedsSupervisor(t *testing.T) {
	e := &tripline.Encounter{Agency: "s", Traveller: tripline.Traveller{DOB: tripline.PartialDate{Year: 2012}}, At: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}
	for _, tc := range []struct {
		role    tripline.Role
		agency  string
		outcome tripline.Outcome
		ok      bool
	}{
		{tripline.RoleOfficer, "s", tripline.OutcomeRefused, false},
		{tripline.RoleOfficer, "s", tripline.OutcomeDetained, false},
		{tripline.RoleOfficer, "s", tripline.OutcomeAdmitted, true},
		{tripline.RoleAnalyst, "s", tripline.OutcomeFalsePositive, true},
		{tripline.RoleSupervisor, "s", tripline.OutcomeRefused, true},
		{tripline.RoleAuditor, "s", tripline.OutcomeAdmitted, false},
		// The listing's originator sees the encounter, and decides nothing of it.
		{tripline.RoleSupervisor, "x", tripline.OutcomeAdmitted, false},
	} {
		err := tripline.MayResolve(tripline.Identity{Role: tc.role, Agency: tc.agency}, e, tc.outcome)
		if (err == nil) != tc.ok {
			t.Errorf("%s of %s %s: %v", tc.role, tc.agency, tc.outcome, err)
		}
	}
}

// TestImpossibleBirthDateScreenedOnTheRest: a traveller whose birth date is
// impossible (month 13, day 32, no date at all) is screened on the name and
// the other fields, alone and in a batch: the listed person is found, the
// date is ignored and the result and each match say so.
func TestImpossibleBirthDateScreenedOnTheRest(t *testing.T) {
	s, _ := newService(listing("1", "Ali Hassan Al-Majid", "1941-11-30"))
	var ts []*tripline.Traveller
	for _, dob := range []tripline.PartialDate{{Year: 1941, Month: 13, Day: 30}, {Year: 1941, Month: 11, Day: 32}, {Year: 2010, Month: 2, Day: 30}} {
		ts = append(ts, &tripline.Traveller{Ref: "t-" + dob.String(), Name: "Ali Hassan Al-Majid", DOB: dob})
	}
	rs, err := s.ScreenBatch(context.Background(), ts)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		if r.Error != nil || r.Decision == tripline.DecisionClear || len(r.Matches) == 0 || r.Matches[0].Listing != "agency-x:1" {
			t.Errorf("%s: %+v: want the listing matched on the name", ts[i].Ref, r)
			continue
		}
		if !strings.Contains(strings.Join(r.Notes, " "), "ignored") {
			t.Errorf("%s: notes %q: want the ignored birth date named", ts[i].Ref, r.Notes)
		}
		said := false
		for _, f := range r.Matches[0].Explain {
			said = said || f.Feature == "dob" && strings.Contains(f.Detail, "ignored")
		}
		if !said || r.Minor {
			t.Errorf("%s: explain %+v minor %v: want the date said ignored, and no minor flag from it", ts[i].Ref, r.Matches[0].Explain, r.Minor)
		}
	}
}
