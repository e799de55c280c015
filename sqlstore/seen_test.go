package sqlstore_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"tripline"
	"tripline/sqlite"
	"tripline/sqlstore"
)

// Screened travellers come back from the store as they were screened (the
// name as one string), whichever fields they had.
func TestTravellerRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC)
	for _, tc := range []struct {
		name string
		in   tripline.Traveller
		want tripline.Traveller
	}{
		{"name only", tripline.Traveller{Ref: "a", Name: "Ali Hassan"}, tripline.Traveller{Ref: "a", Name: "Ali Hassan"}},
		{"given and surname", tripline.Traveller{Ref: "b", GivenNames: "Anna Maria", Surname: "Eriksson"}, tripline.Traveller{Ref: "b", Name: "Anna Maria Eriksson"}},
		{"everything", tripline.Traveller{Ref: "c", Name: "Мухаммад Тахир", DOB: tripline.PartialDate{Year: 1961, Month: 3}, Sex: "M", Nationality: "AFG",
			Document: &tripline.Document{Type: "P", Number: "OA123456", Country: "AFG"}, Travel: &tripline.Travel{Direction: "in", Port: "IST", Flight: "TK1980", Date: "2026-11-25"},
			Seat: "12A", Booking: "ABC123", Crew: true}, tripline.Traveller{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want.Ref == "" {
				tc.want = tc.in
			}
			log := sqlstore.NewTravellerLog(MustOpenDB(t))
			if err := log.Save(t.Context(), []sqlstore.Seen{{Traveller: &tc.in, At: at}}); err != nil {
				t.Fatal(err)
			}
			var got []sqlstore.Seen
			if err := log.Each(t.Context(), time.Time{}, func(s sqlstore.Seen) { got = append(got, s) }); err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || !got[0].At.Equal(at) || !reflect.DeepEqual(*got[0].Traveller, tc.want) {
				t.Fatalf("got %+v, want %+v at %s", got, tc.want, at)
			}
		})
	}
}

// A stored traveller costs about a third of its JSON: the store keeps
// every traveller of the retention window.
func TestTravellerStoredCompactly(t *testing.T) {
	db := MustOpenDB(t)
	log := sqlstore.NewTravellerLog(db)
	tr := tripline.Traveller{Ref: "load-1234", Name: "Mohammed Abdul Rahman Al-Hashimi", DOB: tripline.PartialDate{Year: 1975, Month: 3, Day: 14},
		Sex: "M", Nationality: "IRQ", Document: &tripline.Document{Type: "P", Number: "A1234567", Country: "IRQ"}}
	js, _ := json.Marshal(tr)
	if err := log.Save(t.Context(), []sqlstore.Seen{{Traveller: &tr, At: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.SQL().QueryRow(`SELECT length(body) FROM travellers`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n > len(js)/2 {
		t.Fatalf("a traveller's row body is %d bytes, its JSON %d: want at most half", n, len(js))
	}
}

// A store of an older version, its travellers as JSON with text times,
// moves them to the compact rows when it opens, none lost.
func TestTravellersMigratedToCompactRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tripline.db")
	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	// Back to the schema before migration 17.
	if _, err := db.SQL().Exec(`DROP TABLE travellers; DROP TABLE journal_applied; DELETE FROM schema_migrations WHERE version = 17;
		CREATE TABLE travellers (id INTEGER PRIMARY KEY, at TEXT NOT NULL, body BLOB NOT NULL);
		CREATE INDEX travellers_at ON travellers (at);`); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 20, 8, 30, 0, 500, time.UTC)
	for i := range 3 {
		body, _ := json.Marshal(tripline.Traveller{Ref: fmt.Sprint("old-", i), Name: "Astrid Lindqvist", Nationality: "SWE"})
		if _, err := db.SQL().Exec(`INSERT INTO travellers (at, body) VALUES (?, ?)`, at.Add(time.Duration(i)*time.Hour).Format("2006-01-02T15:04:05.000000000Z07:00"), body); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	db = sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got []string
	if err := sqlstore.NewTravellerLog(db).Each(t.Context(), at.Add(time.Hour), func(s sqlstore.Seen) {
		got = append(got, s.Traveller.Ref+"@"+s.At.Format(time.RFC3339Nano)+"/"+s.Traveller.Nationality)
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[old-1@2026-11-20T09:30:00.0000005Z/SWE old-2@2026-11-20T10:30:00.0000005Z/SWE]" {
		t.Fatalf("after the migration: %v", got)
	}
}
