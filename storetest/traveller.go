package storetest

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
)

// Screened travellers come back from the store as they were screened (the
// name as one string), whichever fields they had.
func testTravellerRoundTrip(t *testing.T, e Engine) {
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
			log := sqlstore.NewTravellerLog(e.Open(t))
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
func testTravellerStoredCompactly(t *testing.T, e Engine) {
	db := e.Open(t)
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
