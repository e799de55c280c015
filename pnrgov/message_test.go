package pnrgov_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"tripline"
	"tripline/pnrgov"
)

func mustParse(t testing.TB, name string) *pnrgov.Message {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := pnrgov.Parse(f)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return m
}

func warnings(ws []pnrgov.Warning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.String())
	}
	return out
}

// names lists a booking's passengers as SURNAME/GIVEN.
func names(ps []pnrgov.Passenger) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Surname+"/"+p.GivenNames)
	}
	return strings.Join(out, ",")
}

func contacts(cs []pnrgov.Contact) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Kind+":"+c.Value)
	}
	return strings.Join(out, "|")
}

func seats(ss []pnrgov.Seat) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Flight+"/"+s.Date+"/"+s.Number+"/"+s.Source)
	}
	return strings.Join(out, ",")
}

func flights(fs []pnrgov.Flight) string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s-%s %s", f.Code(), f.DepartPort, f.ArrivePort, f.DepartTime.Format("2006-01-02T15:04")))
	}
	return strings.Join(out, ",")
}

func checkWarnings(t *testing.T, got []pnrgov.Warning, want []string) {
	t.Helper()
	if g := warnings(got); strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n got %q\nwant %q", g, want)
	}
}

func TestPNRMessage(t *testing.T) {
	m := mustParse(t, "gtas_pnrMessage.txt")
	if m.Ref != "1" || m.Version != "10:1" || m.Sender != "DL:ATL" || m.Declared != 2 || m.Flight.Code() != "DL324" {
		t.Errorf("header: got %+v", m)
	}
	if len(m.Bookings) != 1 {
		t.Fatalf("bookings: got %d, want 1", len(m.Bookings))
	}
	b := m.Bookings[0]
	if b.Locator != "MFN4TI" || b.Carrier != "DL" {
		t.Errorf("locator: got %s/%s", b.Carrier, b.Locator)
	}
	// ABCDEF comes from an RCI with no SRC before it: kept as another
	// reference of the same booking.
	if got := fmt.Sprint(b.Locators); got != "[{DL MFN4TI} {DL ABCDEF}]" {
		t.Errorf("locators: got %s", got)
	}
	if got, want := names(b.Passengers), "SMITHJR/JOHN,JONES/WILLIAM"; got != want {
		t.Errorf("passengers: got %s, want %s", got, want)
	}
	if co := b.CoTravellers(0); len(co) != 1 || co[0].Surname != "JONES" {
		t.Errorf("co-travellers of SMITHJR: got %v", co)
	}
	if co := b.CoTravellers(1); len(co) != 1 || co[0].Surname != "SMITHJR" {
		t.Errorf("co-travellers of JONES: got %v", co)
	}
	wantContacts := "phone:00115555555555|address:45 HIGHSTREET, SLOUGH, BERKSHIRE, GB, SL1AA|phone:00441753637285|" +
		"address:2234 MAIN STREET ATLANTA, GA 30067|phone:7705632891"
	if got := contacts(b.Contacts); got != wantContacts {
		t.Errorf("contacts:\n got %s\nwant %s", got, wantContacts)
	}
	if c := b.Contacts[3]; c.Name != "TIMOTHY SIMS" || c.Passenger != "1" {
		t.Errorf("sponsor contact: got %+v", c)
	}
	// The SAC history repeats of the flights are not booked flights, nor
	// is the hotel segment.
	if got, want := flights(b.Flights), "DL324 LHR-JFK 2010-12-12T09:15,DL330 JFK-YVR 2010-12-12T22:00"; got != want {
		t.Errorf("flights: got %s, want %s", got, want)
	}
	smith, jones := b.Passengers[0], b.Passengers[1]
	if got, want := seats(smith.Seats), "DL324/2010-12-12/15A/SSD,DL330/2010-12-12/15E/SEAT"; got != want {
		t.Errorf("SMITHJR seats: got %s, want %s", got, want)
	}
	if got, want := seats(jones.Seats), "DL324/2010-12-12/15B/SEAT,DL330/2010-12-12/15F/SEAT"; got != want {
		t.Errorf("JONES seats: got %s, want %s", got, want)
	}
	wantDoc := pnrgov.Document{Type: "P", Country: "GBR", Number: "123456789", Nationality: "GBR",
		DOB: tripline.PartialDate{Year: 1964, Month: 7, Day: 12}, Sex: "M", Expiry: "2019-08-23",
		Surname: "SMITHJR", GivenNames: "JONATHON ROBERT", Segment: 21, Line: 1}
	if len(smith.Documents) != 1 || smith.Documents[0] != wantDoc {
		t.Errorf("SMITHJR documents: got %+v, want %+v", smith.Documents, wantDoc)
	}
	if len(jones.Documents) != 1 || jones.Documents[0].Number != "" || jones.Documents[0].Nationality != "GBR" || jones.Documents[0].GivenNames != "WILLIAMNEVELL" {
		t.Errorf("JONES documents: got %+v", jones.Documents)
	}
	if smith.Title != "MR" || smith.Type != "A" || !slices.Equal(smith.FrequentFlyer, []string{"DL1234567890"}) || !slices.Equal(smith.Tickets, []string{"0062120234533"}) {
		t.Errorf("SMITHJR: got %+v", smith)
	}
	tr := b.Traveller(0, "PNR-1", "in")
	want := tripline.Traveller{Ref: "PNR-1", GivenNames: "JOHN", Surname: "SMITHJR", DOB: wantDoc.DOB, Sex: "M", Nationality: "GBR",
		Seat: "15A", Booking: "MFN4TI"}
	doc, travel := tr.Document, tr.Travel
	tr.Document, tr.Travel = nil, nil
	if *tr != want {
		t.Errorf("Traveller:\n got %+v\nwant %+v", *tr, want)
	}
	if *doc != (tripline.Document{Type: "P", Number: "123456789", Country: "GBR", Expiry: "2019-08-23"}) {
		t.Errorf("Traveller document: got %+v", *doc)
	}
	if *travel != (tripline.Travel{Direction: "in", Port: "JFK", Flight: "DL324", Date: "2010-12-12"}) {
		t.Errorf("Traveller travel: got %+v", *travel)
	}
	if tr := b.Traveller(1, "PNR-2", "out"); tr.Document != nil || *tr.Travel != (tripline.Travel{Direction: "out", Port: "LHR", Flight: "DL324", Date: "2010-12-12"}) || tr.Seat != "15B" {
		t.Errorf("JONES out: got %+v %+v", tr, tr.Travel)
	}
	if b.Traveller(2, "x", "in") != nil {
		t.Error("Traveller out of range: want nil")
	}
	checkWarnings(t, m.Warnings, []string{
		"segment 6 (line 1): EQN declares 2 bookings; message has 1",
		"segment 56 (line 1): TVL without departure and arrival ports is not a flight; ignored",
		"segment 87 (line 1): UNT declares 135 segments; message has 86",
	})
}

func TestPNRMessagePg75(t *testing.T) {
	m := mustParse(t, "gtas_pnrMessagePg75.txt")
	if m.Version != "11:1" || m.Sender != "1A:MUC" || m.Declared != 2 || m.Flight.Code() != "SQ609" {
		t.Errorf("header: got %+v", m)
	}
	if len(m.Bookings) != 2 {
		t.Fatalf("bookings: got %d, want 2", len(m.Bookings))
	}
	b1, b2 := m.Bookings[0], m.Bookings[1]
	if b1.Locator != "2LS6KP" || fmt.Sprint(b1.Locators) != "[{1A 2LS6KP} {KE EDP2RW}]" {
		t.Errorf("booking 1 locators: got %s %v", b1.Locator, b1.Locators)
	}
	if b2.Locator != "X49V9U" || fmt.Sprint(b2.Locators) != "[{1A X49V9U} {OZ 2OX5VV}]" {
		t.Errorf("booking 2 locators: got %s %v", b2.Locator, b2.Locators)
	}
	if got := names(b1.Passengers); got != "PARK/SEJOON" {
		t.Errorf("booking 1 passengers: got %s", got)
	}
	// Booking 2's TIF is swallowed by the ORG before it (no terminator):
	// the passenger comes from her DOCS and the check-in TIF.
	if got := names(b2.Passengers); got != "KIM/KONG CHUN" {
		t.Errorf("booking 2 passengers: got %s", got)
	}
	if len(b1.CoTravellers(0)) != 0 || len(b2.CoTravellers(0)) != 0 {
		t.Error("single-passenger bookings have co-travellers")
	}
	if len(b1.Contacts) != 0 || len(b2.Contacts) != 0 {
		t.Errorf("contacts: got %v and %v, want none", b1.Contacts, b2.Contacts)
	}
	park := b1.Passengers[0]
	// The two DOCS of PARK (KR and KOR) are one document.
	if len(park.Documents) != 1 || park.Documents[0].Number != "JR3364288" || park.Documents[0].Country != "KOR" ||
		park.Documents[0].DOB.String() != "1972-09-10" || park.Documents[0].Expiry != "2016-07-05" {
		t.Errorf("PARK documents: got %+v", park.Documents)
	}
	if got := seats(park.Seats); got != "SQ609/2013-05-27/39G/SSD" {
		t.Errorf("PARK seats: got %s", got)
	}
	if len(park.Bags) != 1 || park.Bags[0].Count != 2 || park.Bags[0].Weight != 34 || !slices.Equal(park.Bags[0].Tags, []string{"6181026000001", "6181026000002"}) {
		t.Errorf("PARK bags: got %+v", park.Bags)
	}
	kim := b2.Passengers[0]
	if kim.Ref != "3" || len(kim.Documents) != 1 || kim.Documents[0].Number != "M17072944" || kim.Documents[0].DOB.String() != "1957-02-15" || kim.Documents[0].Sex != "F" {
		t.Errorf("KIM: got %+v", kim)
	}
	// RQST 14A and the checked-in SSD 014A are one seat.
	if got := seats(kim.Seats); got != "SQ609/2013-05-27/14A/SSD" {
		t.Errorf("KIM seats: got %s", got)
	}
	tr := b2.Traveller(0, "k", "in")
	if tr.FullName() != "KONG CHUN KIM" || tr.Sex != "F" || tr.Nationality != "KOR" || tr.Seat != "14A" || tr.Booking != "X49V9U" ||
		*tr.Travel != (tripline.Travel{Direction: "in", Port: "SIN", Flight: "SQ609", Date: "2013-05-27"}) {
		t.Errorf("KIM traveller: got %+v %+v", tr, tr.Travel)
	}
	checkWarnings(t, m.Warnings, []string{
		"segment 15 (line 16): segment SSR ends in a typographic quote \u2019 and a line break instead of the terminator '\\''",
		"segment 23 (line 24): TVL without departure and arrival ports is not a flight; ignored",
		"segment 32 (line 33): line break inside segment LTS joined",
		"segment 36 (line 38): segment RCI ends in a typographic quote \u2019 and a line break instead of the terminator '\\''",
		"segment 42 (line 44): DOCS for KIM/KONG CHUN before any TIF: adding the passenger",
		"segment 48 (line 50): segment RCI ends in a typographic quote \u2019 and a line break instead of the terminator '\\''",
		"segment 49 (line 51): TVL without departure and arrival ports is not a flight; ignored",
		"segment 59 (line 61): UNT declares 336 segments; message has 58",
	})
}

func TestPNRWithBags(t *testing.T) {
	m := mustParse(t, "gtas_pnrWithBags.txt")
	if m.Version != "13:1" || m.Declared != 1 || m.Flight.Code() != "UA988" || m.Flight.ArriveTime.Format("15:04") != "15:05" {
		t.Errorf("header: got %+v %+v", m, m.Flight)
	}
	if len(m.Bookings) != 127 {
		t.Fatalf("bookings: got %d, want 127", len(m.Bookings))
	}
	// Passengers per booking, counted in the file by FTI per SRC.
	sizes := map[int]int{}
	total := 0
	for i := range m.Bookings {
		b := &m.Bookings[i]
		sizes[len(b.Passengers)]++
		total += len(b.Passengers)
		if len(b.Flights) != 3 || b.Flight() == nil || b.Flight().Code() != "UA988" {
			t.Errorf("booking %s: flights %s", b.Locator, flights(b.Flights))
		}
		for j := range b.Passengers {
			p := &b.Passengers[j]
			if len(p.Documents) != 1 || p.Documents[0].Number == "" {
				t.Errorf("booking %s passenger %s: documents %+v", b.Locator, p.Surname, p.Documents)
			}
			if len(b.CoTravellers(j)) != len(b.Passengers)-1 {
				t.Errorf("booking %s passenger %s: %d co-travellers", b.Locator, p.Surname, len(b.CoTravellers(j)))
			}
			if err := b.Traveller(j, "x", "in").Validate(); err != nil {
				t.Errorf("booking %s passenger %s: %v", b.Locator, p.Surname, err)
			}
		}
	}
	if total != 268 {
		t.Errorf("passengers: got %d, want 268", total)
	}
	wantSizes := map[int]int{1: 60, 2: 32, 3: 15, 4: 8, 5: 8, 6: 1, 7: 3}
	if fmt.Sprint(sizes) != fmt.Sprint(wantSizes) {
		t.Errorf("booking sizes: got %v, want %v", sizes, wantSizes)
	}
	first, second, last := m.Bookings[0], m.Bookings[1], m.Bookings[126]
	if first.Locator != "157313" || second.Locator != "86C92D" || m.Bookings[2].Locator != "B6E593" || last.Locator != "12DA32" {
		t.Errorf("locators: got %s %s %s %s", first.Locator, second.Locator, m.Bookings[2].Locator, last.Locator)
	}
	if got, want := flights(first.Flights), "ET834 WDH-ADD 2018-09-27T14:20,ET706 ADD-FRA 2018-09-27T23:20,UA988 FRA-IAD 2018-09-28T12:20"; got != want {
		t.Errorf("flights: got %s, want %s", got, want)
	}
	if got, want := contacts(first.Contacts), "address:2297 FINNIMORE AVENUE, PARIS, FR|phone:641607948838|email:jacki.fenner@hotmail.com|"+
		"address:1188 EVASON AVENUE COPENHAGEN GBR 3Q673|phone:464861956294"; got != want {
		t.Errorf("contacts of 157313:\n got %s\nwant %s", got, want)
	}
	wantNames := "HOLCOMBE/LORELEI,EMMETT/JOSEPH,MALDONADO/JACQUELYNN,NUGUSE/NEGISTI,SLOCOMBE/LUCY,MICHAELS/WELDON,HOU/LI"
	if got := names(second.Passengers); got != wantNames {
		t.Errorf("passengers of 86C92D: got %s, want %s", got, wantNames)
	}
	var co []string
	for _, p := range second.CoTravellers(6) {
		co = append(co, p.Surname)
	}
	if got := strings.Join(co, ","); got != "HOLCOMBE,EMMETT,MALDONADO,NUGUSE,SLOCOMBE,MICHAELS" {
		t.Errorf("co-travellers of HOU: got %s", got)
	}
	// PNR email notation: ".." is "_", "//" is "@".
	if got := contacts(second.Contacts); !strings.Contains(got, "email:lucy_slocombe@gmail.com") || !strings.Contains(got, "email:li_hou@gmail.com") ||
		!strings.Contains(got, "phone:746928818937") {
		t.Errorf("contacts of 86C92D: got %s", got)
	}
	holcombe, hou := second.Passengers[0], second.Passengers[6]
	if got := seats(holcombe.Seats); got != "UA988/2018-09-28/38E/SSD" {
		t.Errorf("HOLCOMBE seats: got %s", got)
	}
	if len(hou.Seats) != 0 {
		t.Errorf("HOU seats: got %s, want none (XXX placeholders, no UA988 seat)", seats(hou.Seats))
	}
	if got := seats(second.Passengers[5].Seats); got != "UA988/2018-09-28/8D/SEAT" {
		t.Errorf("MICHAELS seats: got %s", got)
	}
	if b := second.Passengers[5].Bags; len(b) != 2 || b[0].Flight != "ET834" || b[0].Count != 4 || b[0].Weight != 26 || b[0].Unit != "701" ||
		!slices.Equal(b[0].Tags, []string{"ET0455", "ET0456", "ET0457", "ET0458"}) {
		t.Errorf("MICHAELS bags: got %+v", b)
	}
	d := holcombe.Documents[0]
	if d.Type != "P" || d.Country != "USA" || d.Number != "813281747" || d.DOB.String() != "1998-08-12" || d.Sex != "F" || d.Expiry != "2019-12-08" || d.GivenNames != "LORELEI LISE" {
		t.Errorf("HOLCOMBE document: got %+v", d)
	}
	if f := first.Passengers[0].Documents[0]; f.Type != "" || f.Country != "USA" || f.Number != "448763368" {
		t.Errorf("FENNER document (no type): got %+v", f)
	}
	checkWarnings(t, m.Warnings, []string{
		"segment 6 (line 6): EQN declares 1 bookings; message has 127",
		"segment 8580 (line 8367): UNT declares 50 segments; message has 8579",
		`segment 8580 (line 8367): UNT reference "" does not match UNH reference "1"`,
		`segment 8581 (line 8368): UNZ reference "1636445384" does not match UNB reference "491873609401"`,
	})
}

func TestParseDOCS(t *testing.T) {
	tests := []struct {
		in      string
		refYear int
		want    pnrgov.Document
		err     string
	}{
		{"/P/GBR/123456789/GBR/12JUL64/M/23AUG19/SMITHJR/JONATHON/ROBERT", 2010, pnrgov.Document{Type: "P", Country: "GBR", Number: "123456789",
			Nationality: "GBR", DOB: tripline.PartialDate{Year: 1964, Month: 7, Day: 12}, Sex: "M", Expiry: "2019-08-23", Surname: "SMITHJR", GivenNames: "JONATHON ROBERT"}, ""},
		{"////GBR/12JUL64/M//JONES/WILLIAMNEVELL", 2010, pnrgov.Document{Nationality: "GBR", DOB: tripline.PartialDate{Year: 1964, Month: 7, Day: 12}, Sex: "M",
			Surname: "JONES", GivenNames: "WILLIAMNEVELL"}, ""},
		{"/P/USA/1//02JAN20/FI/01JAN30/DOE/JANEMISS", 2021, pnrgov.Document{Type: "P", Country: "USA", Number: "1", DOB: tripline.PartialDate{Year: 2020, Month: 1, Day: 2},
			Sex: "F", Infant: true, Expiry: "2030-01-01", Surname: "DOE", GivenNames: "JANE"}, ""},
		{"/P/KOR/M1/KOR/15FEB57/F/23MAR19/KIM/KONG CHUN MRS/", 0, pnrgov.Document{Type: "P", Country: "KOR", Number: "M1", Nationality: "KOR",
			DOB: tripline.PartialDate{Year: 1957, Month: 2, Day: 15}, Sex: "F", Expiry: "2019-03-23", Surname: "KIM", GivenNames: "KONG CHUN"}, ""},
		{"/P/GBR/1/GBR/1964-07-12/M", 2010, pnrgov.Document{Type: "P", Country: "GBR", Number: "1", Nationality: "GBR"}, `DOCS birth date "1964-07-12" is not DDMMMYY`},
		{"/P/GBR/1/GBR/12JUL64/Q", 2010, pnrgov.Document{Type: "P", Country: "GBR", Number: "1", Nationality: "GBR", DOB: tripline.PartialDate{Year: 1964, Month: 7, Day: 12}}, `DOCS sex "Q" is not M, F, MI, FI, U or X`},
		{"", 0, pnrgov.Document{}, ""},
	}
	for _, tt := range tests {
		got, err := pnrgov.ParseDOCS(tt.in, tt.refYear)
		if got != tt.want {
			t.Errorf("ParseDOCS(%q):\n got %+v\nwant %+v", tt.in, got, tt.want)
		}
		if msg := tripline.ErrorMessage(err); msg != tt.err {
			t.Errorf("ParseDOCS(%q): error %q, want %q", tt.in, msg, tt.err)
		}
	}
}

// TestSSRContacts covers contact and document forms the samples lack:
// SSR CTCE/CTCM, DOCA, a DOCS naming its passenger, release characters.
func TestSSRContacts(t *testing.T) {
	in := "UNA:+.? 'UNB+IATA:1+XX+YY+260301:1200+1'UNH+1+PNRGOV:13:1:IA+X'MSG+:22'" +
		"TVL+010326:1000+AMS+JFK+KL+641'EQN+1'SRC'RCI+KL:ABC123'" +
		"TIF+O?'NEIL+SEANMR:A:1'TIF+O?'NEIL+MAEVEMRS:A:2'" +
		"SSR+CTCE:HK:1:KL:::::SEAN./O..NEIL//EXAMPLE.IE'SSR+CTCM:HK:1:KL:::::353 87 1234567'" +
		"SSR+DOCA:HK:1:KL:::::/R/IRL/1 MAIN ST/DUBLIN//D01'" +
		"SSR+DOCS:HK:1:KL:::::/P/IRL/PA1/IRL/01JAN80/F/01JAN30/O?'NEIL/MAEVE+::2'" +
		"TVL+010326:1000::1230+AMS+JFK+KL+641:Y'SSR+SEAT:HK:2:KL:::AMS:JFK+12A::1+12B::2'UNT+15+1'UNZ+1+1'"
	m, err := pnrgov.Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	b := m.Bookings[0]
	if got, want := names(b.Passengers), "O'NEIL/SEAN,O'NEIL/MAEVE"; got != want {
		t.Errorf("passengers: got %s, want %s", got, want)
	}
	if got, want := contacts(b.Contacts), "email:sean-o_neil@example.ie|phone:353 87 1234567|address:1 MAIN ST, DUBLIN, D01, IRL"; got != want {
		t.Errorf("contacts: got %s, want %s", got, want)
	}
	if d := b.Passengers[1].Documents; len(d) != 1 || d[0].Number != "PA1" || len(b.Passengers[0].Documents) != 0 {
		t.Errorf("documents: got %+v / %+v", b.Passengers[0].Documents, d)
	}
	if got := seats(b.Passengers[1].Seats); got != "KL641/2026-03-01/12B/SEAT" {
		t.Errorf("seats: got %s", got)
	}
	checkWarnings(t, m.Warnings, nil)
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "pnrgov: no UNH message header in 0 segments"},
		{"garbage", "<html>", `pnrgov: line 1: unterminated text "<html>" where a segment was expected`},
		{"not PNRGOV", "UNH+1+PAXLST:D:05B:UN:IATA'UNT+2+1'", `pnrgov: segment 1 (UNH, line 1): message 1 is "PAXLST", not PNRGOV`},
		{"no surname", "UNH+1+PNRGOV:11:1:IA'SRC'RCI+XX:ABC'TIF++JOHN:A:1'UNT+5+1'", "pnrgov: segment 4 (TIF, line 1): passenger has no surname"},
	}
	for _, tt := range tests {
		_, err := pnrgov.Parse(strings.NewReader(tt.in))
		if tripline.ErrorCode(err) != tripline.EINVALID || tripline.ErrorMessage(err) != tt.want {
			t.Errorf("%s: got %v, want EINVALID %q", tt.name, err, tt.want)
		}
	}
}

func BenchmarkParseWithBags(b *testing.B) {
	data, err := os.ReadFile("testdata/gtas_pnrWithBags.txt")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pnrgov.Parse(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.txt")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) > 20000 {
			data = data[:20000] // keep the seed corpus quick to mutate
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if m, err := pnrgov.Parse(bytes.NewReader(data)); err == nil && m.Incomplete != "" {
			t.Fatal("strict parse returned an incomplete push")
		}
		m, err := pnrgov.ParseWith(bytes.NewReader(data), pnrgov.Options{Partial: true})
		if err != nil {
			if tripline.ErrorCode(err) != tripline.EINVALID {
				t.Fatalf("uncoded error: %v", err)
			}
			return
		}
		for i := range m.Bookings {
			b := &m.Bookings[i]
			for j := range b.Passengers {
				_ = b.CoTravellers(j)
				for _, dir := range []string{"in", "out", "transit"} {
					if tr := b.Traveller(j, "f", dir); tr == nil {
						t.Fatal("nil traveller")
					}
				}
			}
		}
	})
}
