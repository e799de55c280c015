package paxlst_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/paxlst"
)

// pax is what a test checks of one traveller.
type pax struct {
	i                     int // index in Travellers
	surname, given, dob   string
	sex, nationality      string
	docType, doc, country string
	expiry, booking, seat string
	embark, debark        string
	crew                  bool
}

func leg(carrier, flight, from, dep, to, arr string) paxlst.Leg {
	at := func(s string) time.Time {
		t, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			panic(err)
		}
		return t
	}
	return paxlst.Leg{Carrier: carrier, Flight: flight, DepartPort: from, DepartTime: at(dep), ArrivePort: to, ArriveTime: at(arr)}
}

func mustParse(t testing.TB, name string) *paxlst.Manifest {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := paxlst.Parse(f)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return m
}

// TestParseSamples checks every sample: the real GTAS ones with their
// defects, and the hand-made ones for non-default service characters,
// release characters and multi-part messages.
func TestParseSamples(t *testing.T) {
	tests := []struct {
		file       string
		typ        string
		travellers int
		declared   int
		messageRef string
		documentID string
		legs       []paxlst.Leg
		pax        []pax
		warnings   []string
	}{
		{
			file: "gtas_Test1.txt", typ: "crew", travellers: 8, declared: 8,
			messageRef: "1402010600", documentID: "C",
			legs: []paxlst.Leg{leg("UA", "UA0989", "FRA", "2017-01-27 17:25", "IAD", "2017-01-28 07:10")},
			pax: []pax{
				{i: 0, surname: "Steur", given: "Andrea Pat", dob: "1978-07-06", sex: "F", nationality: "GBR", docType: "P", doc: "123456789", country: "GBR", expiry: "2061-02-18", embark: "FRA", debark: "IAD", crew: true},
				{i: 3, surname: "Meissener", given: "Costa Pat", dob: "1978-07-09", sex: "M", nationality: "GBR", docType: "P", doc: "123456789", country: "GBR", expiry: "2061-02-18", embark: "FRA", debark: "IAD", crew: true},
				{i: 7, surname: "Zschieschak", given: "Jaclyn Pat", dob: "1978-07-13", sex: "F", nationality: "GBR", docType: "P", doc: "123456789", country: "GBR", expiry: "2061-02-18", embark: "FRA", debark: "IAD", crew: true},
			},
			warnings: []string{
				`segment 108 (line 1): CNT+41 count "8" sent as a separate element, not as CNT+41:8`,
				`segment 109 (line 1): UNT declares 152 segments; message has 107`,
				`segment 110 (line 1): UNE reference "1402010600" does not match UNG reference "1403010600"`,
				`segment 111 (line 1): UNZ reference "1402010600" does not match UNB reference "1403010600"`,
			},
		},
		{
			file: "gtas_airline2.edi", typ: "passenger", travellers: 10, declared: 136,
			messageRef: "1402111800",
			legs:       []paxlst.Leg{leg("TN", "TN506", "BRE", "2014-05-11 13:40", "YEU", "2014-05-11 17:00")},
			pax: []pax{
				{i: 0, surname: "BETTON", given: "DAVID", dob: "1954-10-16", sex: "M", nationality: "USA", docType: "P", doc: "178556534", country: "USA", expiry: "2018-02-21", booking: "QXGYLO", embark: "BRE", debark: "YEU"},
				{i: 8, surname: "STEWART", given: "MARYJANE", dob: "1954-10-16", sex: "M", nationality: "USA", docType: "P", doc: "179868051", country: "USA", expiry: "2018-02-21", booking: "QXGYLO", embark: "BRE", debark: "YEU"},
				{i: 9, surname: "LOWE", given: "DANIEL", dob: "1954-10-16", sex: "M", nationality: "USA", docType: "P", doc: "153284238", country: "USA", expiry: "2018-02-21", booking: "QXGYLO", embark: "BRE", debark: "YEU"},
			},
			warnings: []string{
				`segment 2 (line 3): space in segment tag "UNG "`,
				`segment 112 (line 113): CNT declares 136 travellers; manifest has 10`,
				`segment 113 (line 114): UNT declares 121 segments; message has 111`,
				`segment 113 (line 114): UNT reference "140211180 0" does not match UNH reference "1402111800"`,
				`part 1402111800 has sequence 10 where 1 was expected: a part is missing`,
			},
		},
		{
			file: "gtas_apisMessage.txt", typ: "passenger", travellers: 2, declared: 2,
			messageRef: "PAX001", documentID: "AJYTR1070219",
			legs: []paxlst.Leg{
				leg("AA", "AA123", "ATL", "2007-02-19 15:40", "ORD", "2007-02-19 17:40"),
				leg("AA", "AA124", "ORD", "2007-02-19 18:40", "JFK", "2007-02-19 19:55"),
			},
			pax: []pax{
				{i: 0, surname: "CLARK", given: "MICHAEL", dob: "1972-09-07", sex: "M", booking: "TYR123", embark: "ATL", debark: "JFK"},
				{i: 1, surname: "CLARK", given: "CHERYL", dob: "1973-04-07", sex: "F", booking: "TYR123", embark: "ORD", debark: "JFK"},
			},
		},
		{
			file: "gtas_multiple_flight_leg_apis.txt", typ: "passenger", travellers: 2, declared: 2,
			messageRef: "123456789", documentID: "BART34567890",
			legs: []paxlst.Leg{
				leg("QQ", "QQ877", "MIA", "2008-07-10 15:00", "IAD", "2008-07-10 17:55"),
				leg("QQ", "QQ827", "IAD", "2008-08-10 18:30", "JFK", "2008-08-10 19:30"),
				leg("QQ", "QQ827", "JFK", "2008-08-10 20:00", "CDG", "2008-08-11 06:30"),
			},
			pax: []pax{
				{i: 0, surname: "BARRETT", given: "TODD", dob: "1968-02-23", sex: "M", nationality: "FRA", docType: "P", doc: "YY3478621G", country: "FRA", expiry: "2008-12-30", booking: "GJIO3RT", embark: "MIA", debark: "CDG"},
				{i: 1, surname: "LANG", given: "KRISTIN", dob: "1960-06-06", sex: "F", nationality: "ESP", docType: "P", doc: "TRQWE99800", country: "ESP", expiry: "2009-09-16", booking: "GJIO3RT", embark: "MIA", debark: "CDG"},
			},
			warnings: []string{`line 49: 7 bytes of trailing text after UNZ ignored: "13Nov09"`},
		},
		{
			file: "handmade_una_release.edi", typ: "passenger", travellers: 3, declared: 3,
			messageRef: "RLS1", documentID: "RLS20260315",
			legs: []paxlst.Leg{leg("XY", "XY101", "DUB", "2026-03-15 10:00", "BOS", "2026-03-15 12:30")},
			pax: []pax{
				{i: 0, surname: "O'NEIL", given: "SIOBHAN MARY", dob: "1985-04-12", sex: "F", nationality: "IRL", docType: "P", doc: "PA*1234567", country: "IRL", expiry: "2030-01-01", booking: "ABC+12", seat: "14C", embark: "DUB", debark: "BOS"},
				{i: 1, surname: "SMITH+JONES", given: "ANNA?LEE", dob: "1999-12-31", sex: "X", nationality: "USA", docType: "P", doc: "567:890", country: "USA", expiry: "2029-06-30", booking: "ABC+12", seat: "14D"},
				{i: 2, surname: "DUPONT", given: "JEAN PAUL", dob: "1964-02-29", sex: "M", nationality: "FRA", docType: "P", doc: "09FX12345", country: "FRA", expiry: "2028-01-01", crew: true},
			},
		},
		{
			file: "handmade_multipart.edi", typ: "passenger", travellers: 3, declared: 3,
			messageRef: "MP1", documentID: "MP0001",
			legs: []paxlst.Leg{leg("MP", "MP500", "AMS", "2026-04-01 09:00", "JFK", "2026-04-01 11:30")},
			pax: []pax{
				{i: 0, surname: "VAN DER BERG", given: "PIETER", dob: "1970-01-01", sex: "M", nationality: "NLD", docType: "P", doc: "NX1234567", country: "NLD", expiry: "2031-01-01", booking: "QWERTY", seat: "12A", embark: "AMS", debark: "JFK"},
				{i: 1, surname: "JANSEN", given: "LOTTE MARIA", dob: "2001-02-03", sex: "F", nationality: "NLD", docType: "P", doc: "NY7654321", country: "NLD", expiry: "2030-05-05", booking: "QWERTY", seat: "12B", embark: "AMS", debark: "JFK"},
				{i: 2, surname: "AL-RASHID", given: "OMAR", dob: "1988-11-30", sex: "M", nationality: "JOR", docType: "P", doc: "N12345678", country: "JOR", expiry: "2029-09-09", booking: "ZXCVBN", seat: "30F", embark: "AMS", debark: "JFK"},
			},
		},
	}
	tests = append(tests, struct {
		file       string
		typ        string
		travellers int
		declared   int
		messageRef string
		documentID string
		legs       []paxlst.Leg
		pax        []pax
		warnings   []string
	}{
		file: "handmade_transit_d03b.edi", typ: "passenger", travellers: 2, declared: 2,
		messageRef: "TR1", documentID: "CP",
		legs: []paxlst.Leg{leg("LX", "LX16", "ZRH", "2026-05-14 13:05", "JFK", "2026-05-14 16:00")},
		pax: []pax{
			{i: 0, surname: "MÜLLER-LÜDENSCHEIDT", given: "HANS PETER", dob: "1959-01-01", sex: "M", nationality: "CHE", docType: "P", doc: "X1234567", country: "CHE", expiry: "2026-01-01", booking: "LXABCD", seat: "3A", embark: "ZRH", debark: "MEX"},
			{i: 1, surname: "SILVA", given: "ANA", dob: "1990-07-04", sex: "F", nationality: "PRT", docType: "P", doc: "PT12345", country: "PRT", expiry: "2029-12-31", crew: true},
		},
	})
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m := mustParse(t, tt.file)
			if m.Type != tt.typ {
				t.Errorf("Type: got %q, want %q", m.Type, tt.typ)
			}
			if got := len(m.Travellers); got != tt.travellers {
				t.Errorf("travellers: got %d, want %d", got, tt.travellers)
			}
			if m.Declared != tt.declared {
				t.Errorf("Declared: got %d, want %d", m.Declared, tt.declared)
			}
			if m.MessageRef != tt.messageRef {
				t.Errorf("MessageRef: got %q, want %q", m.MessageRef, tt.messageRef)
			}
			if m.DocumentID != tt.documentID {
				t.Errorf("DocumentID: got %q, want %q", m.DocumentID, tt.documentID)
			}
			if len(m.Legs) != len(tt.legs) {
				t.Fatalf("legs: got %+v, want %+v", m.Legs, tt.legs)
			}
			for i := range tt.legs {
				if m.Legs[i] != tt.legs[i] {
					t.Errorf("leg %d: got %+v, want %+v", i, m.Legs[i], tt.legs[i])
				}
			}
			for _, w := range tt.pax {
				if w.i >= len(m.Travellers) {
					t.Fatalf("no traveller %d", w.i)
				}
				p := m.Travellers[w.i]
				got := pax{i: w.i, surname: p.Surname, given: p.GivenNames, dob: p.DOB.String(), sex: string(p.Sex),
					nationality: p.Nationality, booking: p.Booking, seat: p.Seat, embark: p.Embark, debark: p.Debark, crew: p.Crew}
				if len(p.Documents) > 0 {
					d := p.Documents[0]
					got.docType, got.doc, got.country, got.expiry = d.Type, d.Number, d.Country, d.Expiry
				}
				if got != w {
					t.Errorf("traveller %d:\n got %+v\nwant %+v", w.i, got, w)
				}
			}
			var got []string
			for _, w := range m.Warnings {
				got = append(got, w.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.warnings, "\n") {
				t.Errorf("warnings:\n got %q\nwant %q", got, tt.warnings)
			}
			for i := range m.Travellers {
				if err := m.Travellers[i].Traveller("t", "in").Validate(); err != nil {
					t.Errorf("traveller %d: Validate: %v", i, err)
				}
			}
		})
	}
}

func TestMultipartParts(t *testing.T) {
	m := mustParse(t, "handmade_multipart.edi")
	want := []paxlst.Part{
		{MessageRef: "MP1", Seq: 1, First: true, Travellers: 2},
		{MessageRef: "MP2", Seq: 2, Final: true, Travellers: 1},
	}
	if len(m.Parts) != len(want) {
		t.Fatalf("parts: got %+v, want %+v", m.Parts, want)
	}
	for i := range want {
		if m.Parts[i] != want[i] {
			t.Errorf("part %d: got %+v, want %+v", i, m.Parts[i], want[i])
		}
	}
	if m.CommonRef != "MP500AMS0104" {
		t.Errorf("CommonRef: got %q", m.CommonRef)
	}
}

// TestMergeSeparateFiles merges parts that arrived as separate
// interchanges, out of order, and reports the missing part of an incomplete
// set.
func TestMergeSeparateFiles(t *testing.T) {
	data, err := os.ReadFile("testdata/handmade_multipart.edi")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i := strings.Index(text, "UNH+MP2")
	head := text[:strings.Index(text, "UNH+MP1")]
	part1 := text[:i] + "UNZ+1+MP0001'\n"
	part2 := head + strings.Replace(text[i:], "UNZ+2+", "UNZ+1+", 1)
	m1, err := paxlst.Parse(strings.NewReader(part1))
	if err != nil {
		t.Fatal(err)
	}
	m2, err := paxlst.Parse(strings.NewReader(part2))
	if err != nil {
		t.Fatal(err)
	}
	m, err := paxlst.Merge(m2, m1)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range m.Travellers {
		names = append(names, p.Surname)
	}
	if got, want := strings.Join(names, ","), "VAN DER BERG,JANSEN,AL-RASHID"; got != want {
		t.Errorf("merged travellers: got %s, want %s", got, want)
	}
	if len(m.Warnings) != 0 {
		t.Errorf("warnings: got %v, want none", m.Warnings)
	}
	// Part 1 alone: no final part.
	if len(m1.Warnings) == 0 || !strings.Contains(m1.Warnings[len(m1.Warnings)-1].Message, "not marked final") {
		t.Errorf("part 1 alone: got warnings %v, want one about the missing final part", m1.Warnings)
	}
	// Part 2 alone: part 1 missing.
	if len(m2.Warnings) == 0 || !strings.Contains(m2.Warnings[0].Message, "a part is missing") {
		t.Errorf("part 2 alone: got warnings %v, want one about the missing part", m2.Warnings)
	}
	if _, err := paxlst.Merge(); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Errorf("Merge(): got %v, want EINVALID", err)
	}
}

// TestServiceCharacters re-encodes a manifest with unusual service
// characters and checks it reads the same.
func TestServiceCharacters(t *testing.T) {
	want := mustParse(t, "handmade_una_release.edi")
	data, err := os.ReadFile("testdata/handmade_una_release.edi")
	if err != nil {
		t.Fatal(err)
	}
	// Swap '*' (component) and '+' (element) for '|' and '#', '?' for '!',
	// and the terminator for '~', keeping released characters released.
	var b bytes.Buffer
	b.WriteString("UNA|#,! ~")
	body := data[len("UNA*+.? '"):]
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == '?' && i+1 < len(body) {
			b.WriteByte('!')
			b.WriteByte(body[i+1])
			i++
			continue
		}
		switch c {
		case '*':
			c = '|'
		case '+':
			c = '#'
		case '\'':
			c = '~'
		case '!', '|', '#', '~':
			b.WriteByte('!')
		}
		b.WriteByte(c)
	}
	got, err := paxlst.Parse(&b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want.Travellers {
		g, w := got.Travellers[i], want.Travellers[i]
		if g.Surname != w.Surname || g.GivenNames != w.GivenNames || g.Documents[0] != w.Documents[0] || g.Booking != w.Booking {
			t.Errorf("traveller %d: got %+v, want %+v", i, g, w)
		}
	}
}

// TestTransitAndDetails checks the in-transit roles and the segments the
// GTAS samples lack: address, GEI, FTX, MEA, birthplace, a visa, issue date.
func TestTransitAndDetails(t *testing.T) {
	m := mustParse(t, "handmade_transit_d03b.edi")
	p, c := m.Travellers[0], m.Travellers[1]
	if p.Role != "DDT" || !p.Transit || p.Crew || c.Role != "DDU" || !c.Transit || !c.Crew {
		t.Errorf("roles: got %s transit=%v crew=%v, %s transit=%v crew=%v", p.Role, p.Transit, p.Crew, c.Role, c.Transit, c.Crew)
	}
	if want := (paxlst.Address{Street: "BAHNHOFSTRASSE 1", City: "ZUERICH", PostalCode: "8001", Country: "CHE"}); p.Address != want {
		t.Errorf("address: got %+v, want %+v", p.Address, want)
	}
	if got := p.Address.String(); got != "BAHNHOFSTRASSE 1, ZUERICH, 8001, CHE" {
		t.Errorf("address string: got %q", got)
	}
	if p.BirthPlace != "BERN" || p.Clearance != "JFK" || p.Bags != 2 || strings.Join(p.Status, ",") != "173" || strings.Join(p.FreeText, "|") != "LX123456 LX123457" {
		t.Errorf("details: got %+v", p)
	}
	wantDocs := []paxlst.Document{
		{Type: "P", Number: "X1234567", Country: "CHE", Expiry: "2026-01-01", Issued: "2016-01-01"},
		{Type: "V", Number: "USV998877", Country: "USA", Expiry: "2030-01-01"},
	}
	if len(p.Documents) != 2 || p.Documents[0] != wantDocs[0] || p.Documents[1] != wantDocs[1] {
		t.Errorf("documents: got %+v, want %+v", p.Documents, wantDocs)
	}
	tr := p.Traveller("t", "transit")
	if *tr.Travel != (tripline.Travel{Direction: "transit", Port: "JFK", Flight: "LX16", Date: "2026-05-14"}) || tr.Document.Number != "X1234567" {
		t.Errorf("transit traveller: got %+v %+v", tr.Travel, tr.Document)
	}
}

func TestTraveller(t *testing.T) {
	m := mustParse(t, "gtas_multiple_flight_leg_apis.txt")
	tests := []struct {
		direction string
		want      tripline.Travel
	}{
		{"in", tripline.Travel{Direction: "in", Port: "CDG", Flight: "QQ827", Date: "2008-08-11"}},
		{"out", tripline.Travel{Direction: "out", Port: "MIA", Flight: "QQ877", Date: "2008-07-10"}},
		{"transit", tripline.Travel{Direction: "transit", Port: "IAD", Flight: "QQ877", Date: "2008-07-10"}},
	}
	for _, tt := range tests {
		tr := m.Travellers[0].Traveller("APIS-1", tt.direction)
		if *tr.Travel != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.direction, *tr.Travel, tt.want)
		}
		if tr.Ref != "APIS-1" || tr.FullName() != "TODD BARRETT" || tr.DOB.String() != "1968-02-23" || tr.Sex != "M" ||
			tr.Nationality != "FRA" || tr.Booking != "GJIO3RT" || tr.Crew {
			t.Errorf("%s: got %+v", tt.direction, tr)
		}
		if d := tr.Document; d == nil || *d != (tripline.Document{Type: "P", Number: "YY3478621G", Country: "FRA", Expiry: "2008-12-30"}) {
			t.Errorf("%s: document: got %+v", tt.direction, d)
		}
	}
	crew := mustParse(t, "gtas_Test1.txt").Travellers[0].Traveller("c", "in")
	if !crew.Crew || crew.Travel.Port != "IAD" || crew.Travel.Flight != "UA0989" || crew.Travel.Date != "2017-01-28" {
		t.Errorf("crew: got %+v %+v", crew, crew.Travel)
	}
}

func TestParseErrors(t *testing.T) {
	const env = "UNA:+.? 'UNB+UNOA:4+A+B+260101:0000+1'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'TDT+20+XX1'"
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "paxlst: no UNH message header in 0 segments"},
		{"no UNH", "UNB+UNOA:4+A+B+260101:0000+1'BGM+745'UNZ+1+1'", "paxlst: no UNH message header in 3 segments"},
		{"garbage", "this is not edifact at all", `paxlst: line 1: unterminated text "this is not edifact " where a segment was expected`},
		{"bad tag", "UNB+UNOA:4+A'\nhello world'", `paxlst: segment 2 (line 2): "hello world" is not a segment tag`},
		{"unterminated", env + "NAD+FL+++DOE:JOHN'\n}}}garbage", `paxlst: line 2: unterminated text "}}}garbage" where a segment was expected`},
		{"no surname", env + "NAD+FL+++:JOHN'UNT+6+1'UNZ+1+1'", "paxlst: segment 5 (NAD, line 1): traveller \"JOHN\" has no surname"},
		{"no name", env + "NAD+FM'UNT+6+1'UNZ+1+1'", "paxlst: segment 5 (NAD, line 1): traveller has no name"},
		{"short UNA", "UNA:+", "paxlst: line 1: UNA service string advice is cut short: want 6 service characters, got 2"},
		{"UNA clash", "UNA::.? 'UNB", "paxlst: line 1: UNA uses ':' as both component separator and element separator"},
		{"not PAXLST", "UNH+1+PNRGOV:11:1:IA'UNT+2+1'", `paxlst: segment 1 (UNH, line 1): message 1 is "PNRGOV", not PAXLST`},
		// A leg more than a message may hold (each traveller's leg is looked
		// for among them all): env's and 99 more.
		{"too many legs", env + strings.Repeat("TDT+20+XX2'", paxlst.MaxLegs) + "NAD+FL+++DOE:JOHN'UNT+6+1'UNZ+1+1'",
			fmt.Sprintf("paxlst: segment %d (TDT, line 1): more than %d flight legs in one message", 4+paxlst.MaxLegs, paxlst.MaxLegs)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := paxlst.Parse(strings.NewReader(tt.in))
			if tripline.ErrorCode(err) != tripline.EINVALID {
				t.Fatalf("got %v, want EINVALID", err)
			}
			if got := tripline.ErrorMessage(err); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestLenient checks defects that are tolerated with a warning. (It used to
// end the input inside a CNT without UNT or UNZ, which was tolerated too:
// a cut manifest is now an error, see TestTruncated.)
func TestLenient(t *testing.T) {
	in := "\n\n   UNA:+.? '\r\n  UNB+UNOA:4+A+B+260101:0000+1'\r\n\r\n" +
		"UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'\n  TDT+20+XX1'NAD+FL+++DOE:JOHN'ATT+2++Q'DTM+329:991399'\n" +
		"NAD+FL+++ROE\n:JANE'CNT+42:3'UNT+9+1'UNZ+1+1"
	m, err := paxlst.Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Travellers) != 2 || m.Travellers[1].GivenNames != "JANE" {
		t.Fatalf("travellers: got %+v", m.Travellers)
	}
	want := []string{
		`segment 6 (line 7): sex "Q" is not M, F, X or U`,
		`segment 7 (line 7): birth date "991399" is not a date`,
		`segment 8 (line 8): line break inside segment NAD joined`,
		`segment 9 (line 9): CNT declares 3 travellers; manifest has 2`,
		`segment 11 (line 9): segment UNZ not terminated at end of input`,
	}
	var got []string
	for _, w := range m.Warnings {
		got = append(got, w.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n got %q\nwant %q", got, want)
	}
	if m.Incomplete != "" || m.Travellers[0].Incomplete != "" {
		t.Errorf("whole manifest marked incomplete: %q", m.Incomplete)
	}
}

func TestGenerate(t *testing.T) {
	var a, b bytes.Buffer
	if err := paxlst.Generate(&a, 400, 42); err != nil {
		t.Fatal(err)
	}
	if err := paxlst.Generate(&b, 400, 42); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("same seed gave different manifests")
	}
	m, err := paxlst.Parse(&a)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Travellers) != 400 || m.Declared != 400 || m.Version != "D:05B" || len(m.Legs) != 1 {
		t.Errorf("got %d travellers, declared %d, version %s, %d legs", len(m.Travellers), m.Declared, m.Version, len(m.Legs))
	}
	if len(m.Warnings) != 0 {
		t.Errorf("warnings: %v", m.Warnings)
	}
	surnames, nats := map[string]bool{}, map[string]bool{}
	for i := range m.Travellers {
		p := &m.Travellers[i]
		surnames[p.Surname], nats[p.Nationality] = true, true
		tr := p.Traveller("g", "in")
		if err := tr.Validate(); err != nil || tr.Document == nil || tr.Booking == "" || tr.Seat == "" {
			t.Fatalf("traveller %d: %+v: %v", i, tr, err)
		}
	}
	if len(surnames) < 40 || len(nats) < 25 {
		t.Errorf("too little variety: %d surnames, %d nationalities", len(surnames), len(nats))
	}
	var c bytes.Buffer
	if err := paxlst.Generate(&c, 0, 1); err != nil {
		t.Fatal(err)
	}
	if err := paxlst.Generate(&c, -1, 1); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Errorf("negative count: got %v, want EINVALID", err)
	}
}

func BenchmarkParse400(b *testing.B) {
	var buf bytes.Buffer
	if err := paxlst.Generate(&buf, 400, 1); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		m, err := paxlst.Parse(bytes.NewReader(data))
		if err != nil || len(m.Travellers) != 400 {
			b.Fatal(err)
		}
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	var buf bytes.Buffer
	if err := paxlst.Generate(&buf, 3, 7); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		if ms, err := paxlst.ParseAll(bytes.NewReader(data)); err == nil {
			for _, m := range ms {
				if m.Incomplete != "" {
					t.Fatal("strict parse returned an incomplete manifest")
				}
			}
		}
		ms, err := paxlst.ParseAllWith(bytes.NewReader(data), paxlst.Options{Partial: true})
		if err != nil {
			if tripline.ErrorCode(err) != tripline.EINVALID {
				t.Fatalf("uncoded error: %v", err)
			}
			return
		}
		for _, m := range ms {
			for i := range m.Travellers {
				if m.Travellers[i].Surname == "" {
					t.Fatalf("traveller %d without surname", i)
				}
				if m.Travellers[i].Incomplete != "" && m.Incomplete == "" {
					t.Fatalf("traveller %d marked incomplete in a whole manifest", i)
				}
				_ = m.Travellers[i].Traveller("f", "in")
				_ = m.Travellers[i].Traveller("f", "out")
				_ = m.Travellers[i].Traveller("f", "transit")
			}
		}
	})
}
