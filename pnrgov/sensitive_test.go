package pnrgov_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"tripline/pnrgov"
)

// TestSensitiveDataNotKept: a PNR carries what reveals religion, health
// or beliefs (meal requests, wheelchair and medical SSRs, free-text
// remarks). Tripline screens identities, never such attributes: the
// parser keeps only names, documents, contacts, seats, bags, tickets and
// flights, so none of it reaches a screening, an encounter or the
// traveller log (the EU PNR Directive's art. 13(4) asks the same of
// passenger information units).
func TestSensitiveDataNotKept(t *testing.T) {
	sensitive := []string{"MOML", "KSML", "HNML", "VGML", "AVML", "WCHR", "MEDA", "BLND", "DEAF",
		"MUSLIM", "KOSHER", "PREGNANT", "OXYGEN", "PRAYER"}
	in := "UNA:+.? 'UNB+IATA:1+XX+YY+260301:1200+1'UNH+1+PNRGOV:13:1:IA+X'MSG+:22'" +
		"TVL+010326:1000+IST+AMS+TK+1951'EQN+1'SRC'RCI+TK:ABC123'" +
		"TIF+HADDAD+KARIMMR:A:1'TIF+HADDAD+AMINAMRS:A:2'" +
		"SSR+MOML:HK:1:TK:::::MUSLIM MEAL+::1'SSR+KSML:HK:1:TK:::::KOSHER+::2'SSR+HNML:HK:1:TK+::1'SSR+VGML:HK:1:TK+::2'" +
		"SSR+WCHR:HK:1:TK+::2'SSR+MEDA:HK:1:TK:::::PREGNANT 30 WEEKS OXYGEN+::2'SSR+BLND:HK:1:TK+::1'SSR+DEAF:HK:1:TK+::1'" +
		"IFT+4:28::TK+PAX REQUESTS PRAYER ROOM AT IST'IFT+3+AVML REQUESTED'" +
		"SSR+DOCS:HK:1:TK:::::/P/TUR/U12345678/TUR/02APR79/M/01JAN30/HADDAD/KARIM+::1'" +
		"SSR+CTCM:HK:1:TK:::::90 555 0100+::1'" +
		"TVL+010326:1000::1230+IST+AMS+TK+1951:Y'SSR+SEAT:HK:2:TK:::IST:AMS+12A::1+12B::2'UNT+20+1'UNZ+1+1'"
	m, err := pnrgov.Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	b := m.Bookings[0]
	if len(b.Passengers) != 2 || len(b.Passengers[0].Documents) != 1 || len(b.Contacts) != 1 {
		t.Fatalf("the identities were not read: %+v", b)
	}
	kept, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	all := string(kept) + fmt.Sprintf("%+v", m)
	for _, s := range sensitive {
		if strings.Contains(strings.ToUpper(all), s) {
			t.Errorf("%s kept in the parsed message:\n%s", s, kept)
		}
	}
}
