package importer

import (
	"strings"
	"testing"

	"tripline"
)

func TestReadDocumentAlerts(t *testing.T) {
	in := "country,number,kind,action,reported\nTurkey,U 1234-5678,revoked,,2026-10-01\nIQ,A7654321,stolen,,\n"
	as, err := ReadDocumentAlerts(strings.NewReader(in), "alerts.csv", "tr-police")
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 2 {
		t.Fatalf("%d alerts", len(as))
	}
	if a := as[0]; a.ID != "tr-police:TUR:U12345678" || a.Action != tripline.ActionRefuseEntry || a.Kind != tripline.AlertRevoked {
		t.Fatalf("first = %+v", a)
	}
	if a := as[1]; a.Country != "IRQ" || a.Action != tripline.ActionSecondaryCheck {
		t.Fatalf("second = %+v", a)
	}
	for _, tc := range []struct{ in, want string }{
		{"country,number,kind\nAtlantis,1,revoked\n", `alerts.csv: line 2: column "country": "Atlantis" is not a country`},
		{"country,number,kind\nTUR,1,misplaced\n", `line 2: column "kind": kind: "misplaced"`},
		{"country,number,kind\nTUR,,revoked\n", `line 2: column "number": number: required`},
		{"country,number\nTUR,1\n", `missing required column "kind"`},
		{"country,number,kind,colour\n", `unknown column "colour"`},
		{"country,number,kind\nTUR,1,revoked\nTUR,1,stolen\n", "already on line 2"},
		{"country,number,kind,reported\nTUR,1,revoked,2026-13\n", `column "reported": month 13`},
		{"country,number,kind\n", "no alerts"},
	} {
		_, err := ReadDocumentAlerts(strings.NewReader(tc.in), "alerts.csv", "tr-police")
		if err == nil || !strings.Contains(tripline.ErrorMessage(err), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.in, err, tc.want)
		}
	}
}
