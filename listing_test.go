package tripline_test

import (
	"strings"
	"testing"
	"time"

	"tripline"
)

func validListing() *tripline.Listing {
	return &tripline.Listing{
		ID: "un-sc:QDi.001", Source: "un-sc",
		Names:      []tripline.Name{{Full: "Ali Hassan", Kind: tripline.NamePrimary}},
		Action:     tripline.ActionRefuseEntry,
		Provenance: tripline.Provenance{Originator: "un-sc"},
		Status:     tripline.StatusActive,
	}
}

func TestListingValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*tripline.Listing)
		want   string // substring of the message; "" means valid
	}{
		{"valid", func(*tripline.Listing) {}, ""},
		{"bad id", func(l *tripline.Listing) { l.ID = "nocolon" }, "id:"},
		{"id source mismatch", func(l *tripline.Listing) { l.ID = "ofac-sdn:1" }, "does not match source"},
		{"no names", func(l *tripline.Listing) { l.Names = nil }, "names:"},
		{"empty name", func(l *tripline.Listing) { l.Names[0].Full = " " }, "names[0].full"},
		{"bad kind", func(l *tripline.Listing) { l.Names[0].Kind = "nick" }, "names[0].kind"},
		{"bad dob", func(l *tripline.Listing) { l.BirthDates = []tripline.PartialDate{{Year: 1970, Month: 13}} }, "birth_dates[0]: month 13"},
		{"bad sex", func(l *tripline.Listing) { l.Sex = "Q" }, "sex:"},
		{"bad action", func(l *tripline.Listing) { l.Action = "shoot" }, "action:"},
		{"bad reshare", func(l *tripline.Listing) { l.Handling.Reshare = "maybe" }, "handling.reshare"},
		{"no originator", func(l *tripline.Listing) { l.Provenance.Originator = "" }, "provenance.originator"},
		{"doc without number", func(l *tripline.Listing) { l.Documents = []tripline.Document{{Type: "P"}} }, "documents[0].number"},
		// Hygiene (issue 13): ids are keys in URLs, logs and partners' stores.
		{"NUL in id", func(l *tripline.Listing) { l.ID = "un-sc:QDi\x00.001" }, `id: '\x00' at byte 9`},
		{"RLO in id", func(l *tripline.Listing) { l.ID = "un-sc:QDi\u202e100.iDQ" }, `id: '\u202e' at byte 9`},
		{"zero-width space in id", func(l *tripline.Listing) { l.ID = "un-sc:QDi\u200b.001" }, `id: '\u200b'`},
		{"path in id", func(l *tripline.Listing) { l.ID = "un-sc:../../etc/passwd" }, `id: '/' at byte 8`},
		{"backslash in id", func(l *tripline.Listing) { l.ID = `un-sc:..\x` }, `id: '\\' at byte 8`},
		{"dot-dot id", func(l *tripline.Listing) { l.ID = "un-sc:.." }, `id: "un-sc:.." is not an id`},
		{"space in id", func(l *tripline.Listing) { l.ID = "un-sc:QDi 001" }, `id: ' ' at byte 9`},
		{"100k id", func(l *tripline.Listing) { l.ID = "un-sc:" + strings.Repeat("x", 100000) }, "id: 100006 bytes, at most 200"},
		{"invalid UTF-8 id", func(l *tripline.Listing) { l.ID = "un-sc:\xff" }, "not valid UTF-8"},
		{"negative version", func(l *tripline.Listing) { l.Version = -5 }, "version: -5 is negative"},
		{"non-Latin id", func(l *tripline.Listing) { l.ID = "un-sc:Ахмед.1" }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := validListing()
			tc.mutate(l)
			err := l.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(tripline.ErrorMessage(err), tc.want) {
				t.Fatalf("Validate() = %v, want invalid containing %q", err, tc.want)
			}
		})
	}
}

// A travel date is a calendar date: "1e400" was accepted (issue 13).
func TestTravellerValidateTravelDate(t *testing.T) {
	for _, tc := range []struct{ date, want string }{
		{"", ""}, {"2026-11-25", ""},
		{"1e400", `travel.date: "1e400" is not a date (want YYYY-MM-DD)`},
		{"2026-02-30", "travel.date:"}, {"2026-11-25T10:00:00Z", "travel.date:"}, {"0001-01-01", "travel.date:"},
		{strings.Repeat("9", 100000), "travel.date:"},
	} {
		tr := &tripline.Traveller{Name: "Ali Hassan", Travel: &tripline.Travel{Date: tc.date}}
		err := tr.Validate()
		if tc.want == "" {
			if err != nil {
				t.Errorf("date %.20q: %v", tc.date, err)
			}
			continue
		}
		if tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(tripline.ErrorMessage(err), tc.want) {
			t.Errorf("date %.20q: got %v, want %q", tc.date, err, tc.want)
		}
		if len(tripline.ErrorMessage(err)) > 200 {
			t.Errorf("date %.20q: message of %d bytes", tc.date, len(tripline.ErrorMessage(err)))
		}
	}
}

func TestParsePartialDate(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{"1975", "1975", ""}, {"1975-03", "1975-03", ""}, {"1975-03-31", "1975-03-31", ""},
		{"1975-02-30", "", "day 30"}, {"1975-13", "", "month 13"}, {"75", "", "want YYYY"},
		{"1975-3-1", "", "want YYYY"}, {"", "", "want YYYY"}, {"abcd", "", "want YYYY"},
	} {
		d, err := tripline.ParsePartialDate(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(tripline.ErrorMessage(err), tc.err) {
				t.Errorf("ParsePartialDate(%q) err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || d.String() != tc.want {
			t.Errorf("ParsePartialDate(%q) = %q, %v; want %q", tc.in, d, err, tc.want)
		}
	}
}

func TestAgeAtPartialDateNeverHidesMinor(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	// Born some time in 2008: could still be 17 on 2026-06-01.
	if age, _ := (tripline.PartialDate{Year: 2008}).AgeAt(now); age != 17 {
		t.Errorf("age = %d, want 17", age)
	}
	if age, _ := (tripline.PartialDate{Year: 2008, Month: 5, Day: 31}).AgeAt(now); age != 18 {
		t.Errorf("age = %d, want 18", age)
	}
}

func TestPlanImport(t *testing.T) {
	a, b, c := validListing(), validListing(), validListing()
	b.ID, c.ID = "un-sc:QDi.002", "un-sc:QDi.003"
	existing := map[string]tripline.StoredState{
		a.ID:            {Hash: a.ContentHash(), Status: tripline.StatusActive},
		b.ID:            {Hash: "old", Status: tripline.StatusActive},
		"un-sc:gone":    {Hash: "x", Status: tripline.StatusActive},
		"un-sc:already": {Hash: "x", Status: tripline.StatusWithdrawn},
	}
	p, err := tripline.PlanImport("listing", "un-sc", existing, []*tripline.Listing{a, b, c})
	if err != nil {
		t.Fatal(err)
	}
	if p.Unchanged != 1 || p.Updated != 1 || p.Added != 1 || len(p.Withdraw) != 1 || p.Withdraw[0] != "un-sc:gone" ||
		len(p.Changed) != 2 || p.Changed[0] != b || p.Changed[1] != c {
		t.Fatalf("plan = %+v", p)
	}
	if _, err := tripline.PlanImport("listing", "un-sc", nil, []*tripline.Listing{a, a}); err == nil {
		t.Fatal("duplicate ids accepted")
	}
	if _, err := tripline.PlanImport("listing", "other", nil, []*tripline.Listing{a}); err == nil {
		t.Fatal("a listing of another source accepted")
	}
}

func TestContentHashIgnoresStoreFields(t *testing.T) {
	a, b := validListing(), validListing()
	b.Version, b.Status, b.UpdatedAt = 7, tripline.StatusWithdrawn, time.Now()
	if a.ContentHash() != b.ContentHash() {
		t.Fatal("hash depends on store-maintained fields")
	}
	b.Names[0].Full = "Ali Hasan"
	if a.ContentHash() == b.ContentHash() {
		t.Fatal("hash ignores a name change")
	}
}
