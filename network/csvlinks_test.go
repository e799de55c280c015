package network_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/network"
)

func TestReadLinksCSV(t *testing.T) {
	in := "\ufefffrom_kind,from_key,to_kind,to_key,type,source,listing,at\n" +
		"listing,un-sc:QDi.1,phone,+44 20 7946 0958,has_phone,case-4411,un-sc:QDi.1,2026-11-20\n" +
		"Person,P-17,phone,0044 20 7946 0958,has_phone,case-4411,,2026-11-21T10:00:00+01:00\n" +
		"person,P-17,document,\"irq: a 123\",analyst,case-4411,,\n"
	links, err := network.ReadLinksCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 3 {
		t.Fatalf("%d links", len(links))
	}
	if links[0].To != links[1].To || links[0].To.Key != "+442079460958" {
		t.Errorf("phones not canonical: %v %v", links[0].To, links[1].To)
	}
	if !links[1].At.Equal(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)) || links[1].At.Location() != time.UTC {
		t.Errorf("at = %v", links[1].At)
	}
	if links[2].To.Key != "IRQ:A123" || !links[2].At.IsZero() || links[0].Listing != "un-sc:QDi.1" {
		t.Errorf("row 3 = %+v", links[2])
	}

	var buf bytes.Buffer
	links[1].Weight = 3
	if err := network.WriteLinksCSV(&buf, links); err != nil {
		t.Fatal(err)
	}
	back, err := network.ReadLinksCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for i := range links {
		if back[i].From != links[i].From || back[i].To != links[i].To || !back[i].At.Equal(links[i].At) || back[i].Weight != links[i].Weight || back[i].Type != links[i].Type {
			t.Errorf("round trip %d: %+v, want %+v", i, back[i], links[i])
		}
	}
}

func TestReadLinksCSVErrors(t *testing.T) {
	const head = "from_kind,from_key,to_kind,to_key,type,source,listing,at\n"
	for _, tc := range []struct{ in, msg string }{
		{"", "line 1: empty file, want header from_kind,from_key,to_kind,to_key,type,source,listing,at"},
		{"from,to\n", "line 1: header has 2 columns, want from_kind,from_key,to_kind,to_key,type,source,listing,at[,weight]"},
		{"from_kind,from_key,to_kind,to_key,kind,source,listing,at\n", `line 1, column 5: header "kind", want "type"`},
		{head + "person,a,person,b,associate,s,,\nperson,a,fone,1,has_phone,s,,\n", `line 3, column to_kind: unknown entity kind "fone"`},
		{head + "person,a,phone,n/a,has_phone,s,,\n", "line 2, column to_key: empty key"},
		{head + "person,a,person,a,associate,s,,\n", "line 2, column to_key: link from an entity to itself"},
		{head + "person,a,person,b,Associate,s,,\n", `line 2, column type: "Associate" is not a lower_snake identifier`},
		{head + "person,a,person,b,associate,,,\n", "line 2, column source: required"},
		{head + "person,a,person,b,associate,s,,21/11/2026\n", `line 2, column at: "21/11/2026" is not RFC 3339 or YYYY-MM-DD`},
		{head + "person,a,person,b,associate,s,\n", "line 2: 7 columns, want 8"},
		{head + "person,a,person,\"b,associate,s,,\n", "line 2, column 34: extraneous or missing \" in quoted-field"},
		{strings.TrimSuffix(head, "\n") + ",weight\nperson,a,person,b,associate,s,,,-1\n", `line 2, column weight: "-1" is not a non-negative number`},
	} {
		_, err := network.ReadLinksCSV(strings.NewReader(tc.in))
		if tripline.ErrorCode(err) != tripline.EINVALID || tripline.ErrorMessage(err) != tc.msg {
			t.Errorf("%q:\n got %v\nwant %s", tc.in, err, tc.msg)
		}
	}
}
