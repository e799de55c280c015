package edifact_test

import (
	"strings"
	"testing"

	"tripline"
	"tripline/edifact"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		delim edifact.Delimiters
		segs  []string // re-encoded with the default delimiters
		warns []string
	}{
		{
			name:  "defaults",
			in:    "UNB+UNOA:4+A+B'NAD+FL+++DOE:JOHN'",
			delim: edifact.Default,
			segs:  []string{"UNB+UNOA:4+A+B'", "NAD+FL+++DOE:JOHN'"},
		},
		{
			name:  "release",
			in:    "UNA:+.? 'FTX+A?+B?:C?'D??E+?''",
			delim: edifact.Delimiters{Component: ':', Element: '+', Decimal: '.', Release: '?', Segment: '\''},
			segs:  []string{"FTX+A?+B?:C?'D??E+?''"},
		},
		{
			name:  "non-default UNA",
			in:    "UNA*|,! ~NAD|FL|||O!~NEIL*JOHN!|X~DOC|P*110|A!*B~",
			delim: edifact.Delimiters{Component: '*', Element: '|', Decimal: ',', Release: '!', Segment: '~'},
			segs:  []string{"NAD+FL+++O~NEIL:JOHN|X'", "DOC+P:110+A*B'"},
		},
		{
			name:  "blank lines CRLF and leading spaces",
			in:    "\r\n\r\n  UNA:+.? '\r\n   UNB+X'\r\n\r\n\tUNH+1'  BGM+745'",
			delim: edifact.Delimiters{Component: ':', Element: '+', Decimal: '.', Release: '?', Segment: '\''},
			segs:  []string{"UNB+X'", "UNH+1'", "BGM+745'"},
		},
		{
			name:  "newline terminator",
			in:    "UNA:*.? \r\nUNB*UNOA:4*A\r\nUNG *PAXLST\r\n",
			delim: edifact.Delimiters{Component: ':', Element: '*', Decimal: '.', Release: '?', Segment: '\r'},
			segs:  []string{"UNB+UNOA:4+A'", "UNG+PAXLST'"},
			warns: []string{`segment 2 (line 3): space in segment tag "UNG "`},
		},
		{
			name:  "separators guessed from UNB",
			in:    "UNB*UNOA:4*A*B'NAD*FL'",
			delim: edifact.Delimiters{Component: ':', Element: '*', Decimal: '.', Release: '?', Repetition: '*', Segment: '\''},
			segs:  []string{"UNB+UNOA:4+A+B'", "NAD+FL'"},
			warns: []string{`line 1: no UNA: taking '*' as element and ':' as component separator from UNB`},
		},
		{
			name:  "missing terminator before a new line",
			in:    "RCI+1A:X49V9U\u2019\nDAT+700'LTS+0/SSR DOCS\nP/KR/123'",
			delim: edifact.Default,
			segs:  []string{"RCI+1A:X49V9U'", "DAT+700'", "LTS+0/SSR DOCSP/KR/123'"},
			warns: []string{
				"segment 1 (line 1): segment RCI ends in a typographic quote \u2019 and a line break instead of the terminator '\\''",
				"segment 3 (line 2): line break inside segment LTS joined",
			},
		},
		{
			name:  "trailing text after UNZ",
			in:    "UNZ+1+1'\n13Nov09",
			delim: edifact.Default,
			segs:  []string{"UNZ+1+1'"},
			warns: []string{`line 2: 7 bytes of trailing text after UNZ ignored: "13Nov09"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			segs, d, warns, err := edifact.Tokenize([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if d != tt.delim {
				t.Errorf("delimiters: got %q, want %q", d.UNA(), tt.delim.UNA())
			}
			var got []string
			for i := range segs {
				got = append(got, segs[i].String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.segs, "\n") {
				t.Errorf("segments:\n got %q\nwant %q", got, tt.segs)
			}
			var gw []string
			for _, w := range warns {
				gw = append(gw, w.String())
			}
			if strings.Join(gw, "\n") != strings.Join(tt.warns, "\n") {
				t.Errorf("warnings:\n got %q\nwant %q", gw, tt.warns)
			}
		})
	}
}

func TestParseEnvelopes(t *testing.T) {
	in := "UNB+UNOA:4+S+R+260101:1200+IC1'" +
		"UNG+PAXLST+S+R+260101:1200+G1+UN+D:05B'" +
		"UNH+M1+PAXLST:D:05B:UN:IATA+COMMON+01:C'BGM+745'UNT+9+M1'" +
		"UNH+M2+PAXLST:D:05B:UN:IATA+COMMON+02:F'BGM+745'NAD+FL'UNT+4+MX'" +
		"UNE+3+G1'UNZ+1+IC2'"
	ic, err := edifact.Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(ic.Messages) != 2 {
		t.Fatalf("messages: got %d, want 2", len(ic.Messages))
	}
	m := ic.Messages[1]
	if m.Ref != "M2" || m.Type != "PAXLST" || m.Version != "D:05B" || m.Agency != "UN:IATA" || m.CommonRef != "COMMON" ||
		m.Part != 2 || !m.Final || m.First || !m.Closed || len(m.Segments) != 2 || m.Group == nil {
		t.Errorf("message 2: got %+v", m)
	}
	if ic.Sender != "S" || ic.Recipient != "R" || ic.Prepared != "260101:1200" || ic.Control != "IC1" {
		t.Errorf("interchange: got %+v", ic)
	}
	want := []string{
		"segment 5 (line 1): UNT declares 9 segments; message has 3",
		`segment 9 (line 1): UNT reference "MX" does not match UNH reference "M2"`,
		`segment 11 (line 1): UNZ reference "IC2" does not match UNB reference "IC1"`,
	}
	var got []string
	for _, w := range ic.Warnings {
		got = append(got, w.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n got %q\nwant %q", got, want)
	}
	// A group declaring more messages than arrived has lost one.
	if err := ic.Complete(); tripline.ErrorMessage(err) != "interchange is incomplete: segment 10 (line 1): UNE declares 3 messages; group has 2" {
		t.Errorf("Complete: got %v", err)
	}
}

// An interchange cut short is never taken as whole: every cut names what
// is missing, and the segment the input ended inside is not data.
func TestParseIncomplete(t *testing.T) {
	const whole = "UNB+UNOA:4+S+R+260101:1200+IC1'UNH+M1+PAXLST:D:05B:UN:IATA'BGM+745'NAD+FL+++SMITH:JOHN'UNT+4+M1'UNZ+1+IC1'"
	tests := []struct {
		name, in string
		want     string // Complete's message, "" for whole
		segs     int    // segments of the first message
	}{
		{"whole", whole, "", 2},
		{"whole without UNB", "UNH+M1+PAXLST:D:05B:UN:IATA'BGM+745'UNT+3+M1'", "", 1},
		{"cut before UNZ", strings.TrimSuffix(whole, "UNZ+1+IC1'"), "interchange is incomplete: line 1: no UNZ trailer at end of input", 2},
		{"cut before UNT", strings.TrimSuffix(whole, "UNT+4+M1'UNZ+1+IC1'"),
			"interchange is incomplete: line 1: message M1 not closed by UNT at end of input; line 1: no UNZ trailer at end of input", 2},
		{"cut mid-name", strings.TrimSuffix(whole, "TH:JOHN'UNT+4+M1'UNZ+1+IC1'"),
			"interchange is incomplete: segment 4 (line 1): input ends inside segment NAD; the fragment is dropped; line 1: message M1 not closed by UNT at end of input; line 1: no UNZ trailer at end of input", 1},
		{"cut mid-tag", strings.TrimSuffix(whole, "D+FL+++SMITH:JOHN'UNT+4+M1'UNZ+1+IC1'"),
			"interchange is incomplete: line 1: message M1 not closed by UNT at end of input; line 1: no UNZ trailer at end of input", 1},
		{"UNZ counts a lost message", strings.Replace(whole, "UNZ+1", "UNZ+2", 1), "interchange is incomplete: segment 6 (line 1): UNZ declares 2 messages; interchange has 1", 2},
		{"message not closed before the next", strings.Replace(whole, "UNT+4+M1'", "UNH+M2+PAXLST:D:05B:UN:IATA'UNT+2+M2'", 1),
			"interchange is incomplete: segment 2 (line 1): message M1 not closed by UNT before the next UNH", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ic, err := edifact.Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			err = ic.Complete()
			if got := tripline.ErrorMessage(err); (err == nil) != (tt.want == "") || (err != nil && got != tt.want) {
				t.Errorf("Complete:\n got %v\nwant %q", err, tt.want)
			}
			if err != nil && tripline.ErrorCode(err) != tripline.EINVALID {
				t.Errorf("code %s, want EINVALID", tripline.ErrorCode(err))
			}
			if n := len(ic.Messages[0].Segments); n != tt.segs {
				t.Errorf("message 1 has %d segments, want %d", n, tt.segs)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "no UNH message header in 0 segments"},
		{"UNA:+", "line 1: UNA service string advice is cut short: want 6 service characters, got 2"},
		{"UNA:+.:*'UNH'", "line 1: UNA uses ':' as both component separator and release character"},
		{"UNB+X'\n\nlower+case'", `segment 2 (line 3): "lower" is not a segment tag`},
		{"UNH+1'B@", `line 1: unterminated text "B@" where a segment was expected`},
	}
	for _, tt := range tests {
		_, err := edifact.Parse([]byte(tt.in))
		if tripline.ErrorCode(err) != tripline.EINVALID || tripline.ErrorMessage(err) != tt.want {
			t.Errorf("Parse(%q): got %v, want EINVALID %q", tt.in, err, tt.want)
		}
	}
}

func TestSegmentAccessors(t *testing.T) {
	segs, _, _, err := edifact.Tokenize([]byte("NAD+FL+++DOE:JOHN'"))
	if err != nil {
		t.Fatal(err)
	}
	s := &segs[0]
	if s.Value(0, 0) != "FL" || s.Value(3, 1) != "JOHN" || s.Value(3, 2) != "" || s.Value(9, 0) != "" || s.Element(-1) != nil {
		t.Errorf("accessors on %v", s)
	}
	if got := s.Where(); got != "segment 1 (NAD, line 1)" {
		t.Errorf("Where: got %q", got)
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"UNA:+.? 'UNB+A'UNH+1+PAXLST:D:05B'NAD+FL+++A:B'UNT+3+1'UNZ+1+A'", "UNA:*.? \r\nUNB*X\r\n", "RCI+A\u2019\nDAT'", "A?"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		segs, _, _, err := edifact.Tokenize(data)
		if err != nil && tripline.ErrorCode(err) != tripline.EINVALID {
			t.Fatalf("uncoded error %v", err)
		}
		for i := range segs {
			if len(segs[i].Tag) != 3 {
				t.Fatalf("tag %q", segs[i].Tag)
			}
		}
		_, _ = edifact.Parse(data)
	})
}

// TestComponentsBounded: an interchange of more than MaxComponents
// components, in one segment or spread over many, is refused at the
// separator that passes the bound; one at it is read. Before, 16 MiB of
// bare separators (an officer's POST /v1/manifests) held a gigabyte: each
// separator costs some 40 bytes of slices and strings.
func TestComponentsBounded(t *testing.T) {
	head := "UNA:+.? 'UNB+UNOA:4+S+R+200101:1200+1'UNH+1+PAXLST:D:05B:UN:IATA'"
	// UNB, UNH, UNT and UNZ hold 8, 7, 3 and 3 components (tags included).
	envelope := 8 + 7 + 3 + 3
	many := func(n int) string { // n components in segments of 250
		var b strings.Builder
		b.WriteString(head)
		for n > 0 {
			k := min(n, 250)
			b.WriteString("NAD" + strings.Repeat("+", k-1) + "'") // the tag is one
			n -= k
		}
		return b.String() + "UNT+3+1'UNZ+1+1'"
	}
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"at the bound", many(edifact.MaxComponents - envelope), true},
		{"one element too many", many(edifact.MaxComponents - envelope + 1), false},
		{"one segment of elements", head + "NAD" + strings.Repeat("+", edifact.MaxComponents) + "'UNT+3+1'UNZ+1+1'", false},
		{"one segment of components", head + "NAD+" + strings.Repeat(":", edifact.MaxComponents) + "'UNT+3+1'UNZ+1+1'", false},
	}
	for _, tc := range tests {
		_, err := edifact.Parse([]byte(tc.in))
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case !tc.ok && (tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(tripline.ErrorMessage(err), "more than 4194304 components")):
			t.Errorf("%s: got %v, want EINVALID naming the bound", tc.name, err)
		}
	}
}
