package tripline_test

import (
	"encoding/json"
	"strings"
	"testing"

	"tripline"
)

func foreignListing(mod func(l *tripline.Listing)) *tripline.Listing {
	l := &tripline.Listing{ID: "agency-a:1", Source: "agency-a", Status: tripline.StatusActive, Version: 2,
		Names:      []tripline.Name{{Full: "Abelard Example", Kind: tripline.NamePrimary}},
		Action:     tripline.ActionRefuseEntry,
		Provenance: tripline.Provenance{Originator: "agency-a"}}
	if mod != nil {
		mod(l)
	}
	return l
}

func foreignEvent(t *testing.T, typ tripline.EventType, subject string, payload any) *tripline.Event {
	t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return &tripline.Event{Origin: "A", Seq: 7, Type: typ, Subject: subject, Payload: b}
}

// TestCheckForeign: the federation trust rule, case by case. "" wants the
// event accepted.
func TestCheckForeign(t *testing.T) {
	up := tripline.EventListingUpserted
	for _, tc := range []struct {
		name string
		ev   func(t *testing.T) *tripline.Event
		held tripline.Holding
		want string // in the error; "" accepted
	}{
		{"its own new listing", func(t *testing.T) *tripline.Event { return foreignEvent(t, up, "agency-a:1", foreignListing(nil)) }, tripline.Holding{}, ""},
		{"its own listing, newer version", func(t *testing.T) *tripline.Event { return foreignEvent(t, up, "agency-a:1", foreignListing(nil)) },
			tripline.Holding{Origin: "A", Version: 1}, ""},
		{"its own listing, older version", func(t *testing.T) *tripline.Event { return foreignEvent(t, up, "agency-a:1", foreignListing(nil)) },
			tripline.Holding{Origin: "A", Version: 3}, "older than the version 3 held"},
		{"this node's listing", func(t *testing.T) *tripline.Event { return foreignEvent(t, up, "agency-a:1", foreignListing(nil)) },
			tripline.Holding{Origin: "C", Version: 1}, "this node's own"},
		{"another origin's listing", func(t *testing.T) *tripline.Event { return foreignEvent(t, up, "agency-a:1", foreignListing(nil)) },
			tripline.Holding{Origin: "B", Version: 1}, `owned by origin "B"`},
		{"subject differs from payload id", func(t *testing.T) *tripline.Event { return foreignEvent(t, up, "agency-a:2", foreignListing(nil)) },
			tripline.Holding{}, "not the event's subject"},
		{"id prefix differs from source", func(t *testing.T) *tripline.Event {
			return foreignEvent(t, up, "agency-b:1", foreignListing(func(l *tripline.Listing) { l.ID = "agency-b:1" }))
		}, tripline.Holding{}, "does not match source"},
		{"another agency as originator", func(t *testing.T) *tripline.Event {
			return foreignEvent(t, up, "agency-b:1", foreignListing(func(l *tripline.Listing) {
				l.ID, l.Source, l.Provenance.Originator = "agency-b:1", "agency-b", "agency-b"
			}))
		}, tripline.Holding{}, `is not "agency-a"`},
		{"another agency's source", func(t *testing.T) *tripline.Event {
			return foreignEvent(t, up, "agency-b:1", foreignListing(func(l *tripline.Listing) { l.ID, l.Source = "agency-b:1", "agency-b" }))
		}, tripline.Holding{}, "is not its originator's"},
		{"upsert of a withdrawn listing", func(t *testing.T) *tripline.Event {
			return foreignEvent(t, up, "agency-a:1", foreignListing(func(l *tripline.Listing) { l.Status = tripline.StatusWithdrawn }))
		}, tripline.Holding{}, "contradicts the event type"},
		{"withdrawal", func(t *testing.T) *tripline.Event {
			return foreignEvent(t, tripline.EventListingWithdrawn, "agency-a:1", foreignListing(func(l *tripline.Listing) { l.Status = tripline.StatusWithdrawn }))
		}, tripline.Holding{Origin: "A", Version: 1}, ""},
		{"version 0", func(t *testing.T) *tripline.Event {
			return foreignEvent(t, up, "agency-a:1", foreignListing(func(l *tripline.Listing) { l.Version = 0 }))
		}, tripline.Holding{}, "version: 0"},
		{"bad birth date", func(t *testing.T) *tripline.Event {
			return foreignEvent(t, up, "agency-a:1", foreignListing(func(l *tripline.Listing) {
				l.BirthDates = []tripline.PartialDate{{Year: 1970}, {Year: 2026, Month: 13, Day: 45}}
			}))
		}, tripline.Holding{}, "birth_dates[1]: month 13 out of range"},
		{"no names", func(t *testing.T) *tripline.Event {
			return foreignEvent(t, up, "agency-a:1", foreignListing(func(l *tripline.Listing) { l.Names = nil }))
		}, tripline.Holding{}, "names: at least one name"},
		{"not JSON", func(t *testing.T) *tripline.Event {
			return &tripline.Event{Origin: "A", Seq: 7, Type: up, Subject: "agency-a:1", Payload: []byte(`{"id":`)}
		}, tripline.Holding{}, "listing payload"},
		{"a clearance", func(t *testing.T) *tripline.Event {
			return foreignEvent(t, tripline.EventClearance, "cl-1", map[string]string{"id": "cl-1"})
		}, tripline.Holding{}, "do not cross nodes"},
		{"this node's own origin", func(t *testing.T) *tripline.Event {
			ev := foreignEvent(t, up, "agency-a:1", foreignListing(nil))
			ev.Origin = "C"
			return ev
		}, tripline.Holding{}, "not a partner's"},
		{"its own alert", func(t *testing.T) *tripline.Event {
			return foreignEvent(t, tripline.EventDocumentAlert, "agency-a:TUR:U1", &tripline.DocumentAlert{ID: "agency-a:TUR:U1", Source: "agency-a",
				Country: "TUR", Number: "U1", Kind: tripline.AlertLost, Action: tripline.ActionInfo, Provenance: tripline.Provenance{Originator: "agency-a"},
				Status: tripline.StatusActive, Version: 1})
		}, tripline.Holding{}, ""},
		{"another origin's alert", func(t *testing.T) *tripline.Event {
			return foreignEvent(t, tripline.EventDocumentAlert, "agency-b:TUR:U1", &tripline.DocumentAlert{ID: "agency-b:TUR:U1", Source: "agency-b",
				Country: "TUR", Number: "U1", Kind: tripline.AlertLost, Action: tripline.ActionInfo, Provenance: tripline.Provenance{Originator: "agency-a"},
				Status: tripline.StatusActive, Version: 1})
		}, tripline.Holding{Origin: "B", Version: 1}, `owned by origin "B"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch, err := tripline.CheckForeign("C", "agency-a", tc.ev(t), tc.held)
			switch {
			case tc.want == "" && (err != nil || ch == nil || ch.Drop):
				t.Fatalf("got %+v, %v; want accepted", ch, err)
			case tc.want != "" && (err == nil || !strings.Contains(tripline.ErrorMessage(err), tc.want)):
				t.Fatalf("got %+v, %v; want an error saying %q", ch, err, tc.want)
			case tc.want != "" && !strings.HasPrefix(tripline.ErrorMessage(err), "event A/7") && !strings.HasPrefix(tripline.ErrorMessage(err), "event C/7"):
				t.Fatalf("error %q does not name the event", tripline.ErrorMessage(err))
			}
		})
	}
}

// TestCheckForeignPlaceholder: a placeholder drops a record only when its
// own origin gave it; about anyone else's it does nothing.
func TestCheckForeignPlaceholder(t *testing.T) {
	ev := &tripline.Event{Origin: "A", Seq: 3, Type: tripline.EventListingUpserted, Subject: "agency-a:1", Redacted: true}
	for _, tc := range []struct {
		held tripline.Holding
		drop bool
	}{
		{tripline.Holding{Origin: "A", Version: 1}, true},
		{tripline.Holding{Origin: "B", Version: 1}, false},
		{tripline.Holding{Origin: "C", Version: 1}, false},
		{tripline.Holding{}, false},
	} {
		ch, err := tripline.CheckForeign("C", "agency-a", ev, tc.held)
		if err != nil || (ch != nil && ch.Drop) != tc.drop {
			t.Errorf("held by %q: %+v, %v; want drop %v", tc.held.Origin, ch, err, tc.drop)
		}
	}
}

// TestCheckForeignScreenOnly: a listing trimmed for a partner allowed only
// to screen (no action) is valid.
func TestCheckForeignScreenOnly(t *testing.T) {
	ev := foreignEvent(t, tripline.EventListingUpserted, "agency-a:1", foreignListing(nil))
	trimmed, err := ev.Trim(tripline.PartnerTrim(tripline.LevelScreen))
	if err != nil {
		t.Fatal(err)
	}
	if ch, err := tripline.CheckForeign("C", "agency-a", trimmed, tripline.Holding{}); err != nil || ch == nil {
		t.Fatalf("trimmed listing: %+v, %v", ch, err)
	}
	// An action simply missing (not trimmed) is invalid, as local input.
	bare := foreignEvent(t, tripline.EventListingUpserted, "agency-a:1", foreignListing(func(l *tripline.Listing) { l.Action = "" }))
	if _, err := tripline.CheckForeign("C", "agency-a", bare, tripline.Holding{}); err == nil || !strings.Contains(err.Error(), "action") {
		t.Fatalf("listing with no action: %v", err)
	}
}

// TestCheckForeignPublishedList: a published list never comes from a
// partner, even one whose agency is registered under the list's name.
func TestCheckForeignPublishedList(t *testing.T) {
	ev := foreignEvent(t, tripline.EventListingUpserted, "un-sc:Q1", foreignListing(func(l *tripline.Listing) {
		l.ID, l.Source, l.Provenance.Originator = "un-sc:Q1", "un-sc", "un-sc"
	}))
	if _, err := tripline.CheckForeign("C", "un-sc", ev, tripline.Holding{}); err == nil || !strings.Contains(err.Error(), "published list") {
		t.Fatalf("UN entry from a partner: %v", err)
	}
}
