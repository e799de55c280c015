package sqlstore

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"tripline"
)

// TestScreeningRecord: a screening journal record reads back as written,
// in the binary form and in the JSON earlier builds wrote; a record cut
// short anywhere is refused, never misread.
func TestScreeningRecord(t *testing.T) {
	at := time.Date(2026, 12, 3, 8, 40, 1, 123456789, time.UTC)
	full := &tripline.Traveller{Ref: "t-1", Name: "Mohammad Tahir Anwari", Sex: "M", Nationality: "AFG",
		DOB: tripline.PartialDate{Year: 1961, Month: 4}, Crew: true, Seat: "12A", Booking: "ABC123",
		Document: &tripline.Document{Type: "P", Number: "X123", Country: "AFG"},
		Travel:   &tripline.Travel{Direction: "in", Port: "IST", Flight: "TK1", Date: "2026-12-03"}}
	enc := &tripline.Encounter{ID: "e-1", Listing: "un-sc:TAi.005", Originator: "un", Decision: tripline.DecisionHit, Score: 0.97,
		Traveller: *full, Officer: "ofc", Agency: "tr-border", At: at, UpdatedAt: at,
		Explain: []tripline.Feature{{Feature: "name", Score: 0.97, Weight: 1}}}
	// As the node journals it: completed (NewEncounter), stored as a row.
	due := at.Add(time.Hour)
	done := *enc
	done.ID, done.Outcome, done.Node, done.Action, done.AckDue = "e-2", tripline.OutcomePending, "node-a", tripline.ActionDetain, &due
	for _, tc := range []struct {
		name string
		w    ScreeningWrites
	}{
		{"clear", ScreeningWrites{Seen: &Seen{Traveller: full, At: at}}},
		{"name only", ScreeningWrites{Seen: &Seen{Traveller: &tripline.Traveller{Name: "Ayse Kaya"}, At: at}}},
		{"hit", ScreeningWrites{Seen: &Seen{Traveller: full, At: at}, Encounters: []*tripline.Encounter{enc, enc}}},
		{"encounters alone", ScreeningWrites{Encounters: []*tripline.Encounter{enc}}},
		{"complete encounters", ScreeningWrites{Seen: &Seen{Traveller: full, At: at}, Encounters: []*tripline.Encounter{&done, enc, &done}}},
		{"nothing", ScreeningWrites{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bin, err := tc.w.AppendBinary(nil)
			if err != nil {
				t.Fatal(err)
			}
			legacy, err := json.Marshal(tc.w)
			if err != nil {
				t.Fatal(err)
			}
			if tc.w.Seen != nil && len(bin) >= len(legacy) {
				t.Errorf("binary record %d bytes, JSON %d: want it smaller", len(bin), len(legacy))
			}
			for form, b := range map[string][]byte{"binary": bin, "JSON": legacy} {
				var got ScreeningWrites
				if err := got.UnmarshalBinary(b); err != nil {
					t.Fatalf("%s: %v", form, err)
				}
				if (got.Seen == nil) != (tc.w.Seen == nil) {
					t.Fatalf("%s: seen = %v, want %v", form, got.Seen, tc.w.Seen)
				}
				if got.Seen != nil {
					// What the store keeps of the traveller, and when.
					if g, w := encodeSeen(got.Seen.Traveller), encodeSeen(tc.w.Seen.Traveller); string(g) != string(w) {
						t.Errorf("%s: traveller %q, want %q", form, g, w)
					}
					if !got.Seen.At.Equal(at) {
						t.Errorf("%s: at %v, want %v", form, got.Seen.At, at)
					}
				}
				// What the store keeps of the encounters: each one's JSON,
				// and a complete one's row as newEncounterRow makes it.
				if g, w := storedRows(t, &got), storedRows(t, &tc.w); !reflect.DeepEqual(g, w) {
					t.Errorf("%s: encounters\n%q\nwant\n%q", form, g, w)
				}
				if form == "binary" && len(got.rows) != 2*strings.Count(tc.name, "complete") {
					t.Errorf("%s: %d encounters read as rows, want the complete ones", form, len(got.rows))
				}
			}
			for n := range len(bin) {
				var got ScreeningWrites
				if err := got.UnmarshalBinary(bin[:n]); err == nil {
					t.Errorf("cut at %d of %d bytes: read without error", n, len(bin))
				}
			}
		})
	}
}

// TestAuditRecord: an audit journal record reads back as the entry that
// was recorded (the chain fields are set later, when it is applied), in
// the binary form and in the JSON earlier builds wrote, with the same
// chain hash; one cut short anywhere is refused.
func TestAuditRecord(t *testing.T) {
	for _, e := range []tripline.AuditEntry{
		{At: time.Date(2026, 12, 3, 8, 40, 1, 123456789, time.UTC), User: "ofc-1", Agency: "tr-border", Role: tripline.RoleOfficer,
			Action: "screen", Subject: "t-17", Detail: "hit un-sc:TAi.005"},
		{At: time.Date(2026, 12, 3, 8, 40, 1, 0, time.UTC), User: "root", Role: tripline.RoleAdmin, Action: "user.disable", Subject: "ana-1"},
		{At: time.Date(1601, 1, 1, 0, 0, 0, 1, time.UTC), Action: "before Unix nanoseconds reach"},
	} {
		t.Run(e.Action, func(t *testing.T) {
			bin := appendAuditRecord(nil, &e)
			legacy, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			for form, b := range map[string][]byte{"binary": bin, "JSON": legacy} {
				var got tripline.AuditEntry
				if err := decodeAuditRecord(b, &got); err != nil {
					t.Fatalf("%s: %v", form, err)
				}
				if !reflect.DeepEqual(got, e) {
					t.Errorf("%s: got %+v, want %+v", form, got, e)
				}
				got.Seq, got.Prev = 7, "abc"
				want := e
				want.Seq, want.Prev = 7, "abc"
				if g, w := got.ComputeHash(), want.ComputeHash(); g != w {
					t.Errorf("%s: chain hash %s, want %s", form, g, w)
				}
			}
			for n := range len(bin) {
				var got tripline.AuditEntry
				if err := decodeAuditRecord(bin[:n], &got); err == nil {
					t.Errorf("cut at %d of %d bytes: read without error", n, len(bin))
				}
			}
		})
	}
}

// storedRows returns the rows the store keeps of w's encounters, in no
// particular order.
func storedRows(t *testing.T, w *ScreeningWrites) []encounterRow {
	t.Helper()
	rows := slices.Clone(w.rows)
	for _, e := range w.Encounters {
		c := (&EncounterService{db: &DB{Origin: "node-a"}}).NewEncounter(e, e.At)
		r, err := newEncounterRow(c)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b encounterRow) int { return strings.Compare(a.id+string(a.body), b.id+string(b.body)) })
	return rows
}

// BenchmarkJournalRecord encodes and decodes a clear screening's journal
// record and its audit entry, in the JSON earlier builds wrote and in the
// binary form:
//
//	go test ./sqlstore -run '^$' -bench JournalRecord -benchmem
func BenchmarkJournalRecord(b *testing.B) {
	at := time.Date(2026, 12, 3, 8, 40, 1, 123456789, time.UTC)
	w := &ScreeningWrites{Seen: &Seen{At: at, Traveller: &tripline.Traveller{Ref: "load-17", Name: "Ayse Kaya", Sex: "F",
		Nationality: "TUR", DOB: tripline.PartialDate{Year: 1984, Month: 3, Day: 9},
		Document: &tripline.Document{Type: "P", Number: "U12345678", Country: "TUR"}, Travel: &tripline.Travel{Agency: "tr-border"}}}}
	e := &tripline.AuditEntry{At: at, User: "load-1", Agency: "tr-border", Role: tripline.RoleOfficer, Action: "screen", Subject: "load-17", Detail: "clear"}
	b.Run("json", func(b *testing.B) {
		for b.Loop() {
			rec, _ := json.Marshal(w)
			var got ScreeningWrites
			if err := json.Unmarshal(rec, &got); err != nil {
				b.Fatal(err)
			}
			rec, _ = json.Marshal(e)
			var ge tripline.AuditEntry
			if err := json.Unmarshal(rec, &ge); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("binary", func(b *testing.B) {
		for b.Loop() {
			rec, _ := w.AppendBinary(nil)
			var got ScreeningWrites
			if err := got.UnmarshalBinary(rec); err != nil {
				b.Fatal(err)
			}
			rec = appendAuditRecord(nil, e)
			var ge tripline.AuditEntry
			if err := decodeAuditRecord(rec, &ge); err != nil {
				b.Fatal(err)
			}
		}
	})
}
