package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"tripline"
)

// EncounterColumns are the columns of WriteEncountersCSV, in order.
var EncounterColumns = []string{"id", "at", "listing", "originator", "reporting_agency", "decision", "score", "action", "outcome",
	"traveller_ref", "traveller_name", "dob", "nationality", "document_number", "document_country", "direction", "port", "flight",
	"travel_date", "booking", "pre_departure", "acknowledged", "overdue", "retro", "minor", "notice_to"}

// WriteEncountersCSV writes encounters (each already shaped by the policy
// layer) as CSV with a header row, for reporting in a spreadsheet. A cell
// that a spreadsheet would run as a formula (starting with =, +, -, @,
// tab or carriage return: a traveller may call themselves
// "=HYPERLINK(...)") is written with a leading apostrophe.
func WriteEncountersCSV(w io.Writer, es []*tripline.Encounter) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(EncounterColumns); err != nil {
		return fmt.Errorf("write encounters CSV: %w", err)
	}
	for _, e := range es {
		t := &e.Traveller
		tr := tripline.Travel{}
		if t.Travel != nil {
			tr = *t.Travel
		}
		doc, docCountry := "", ""
		if t.Document != nil {
			doc, docCountry = t.Document.Number, t.Document.Country
		}
		ack := ""
		if e.Acknowledged != nil {
			ack = e.Acknowledged.UTC().Format(time.RFC3339)
		}
		row := []string{e.ID, e.At.UTC().Format(time.RFC3339), e.Listing, e.Originator, e.Agency, string(e.Decision),
			strconv.FormatFloat(e.Score, 'f', 3, 64), string(e.Action), string(e.Outcome),
			t.Ref, t.FullName(), t.DOB.String(), t.Nationality, doc, docCountry, tr.Direction, tr.Port, tr.Flight,
			tr.Date, t.Booking, yes(tr.PreDeparture), ack, yes(e.Overdue), yes(e.Retro), yes(e.Minor), e.NoticeTo}
		for i, v := range row {
			row[i] = cell(v)
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write encounters CSV: %w", err)
		}
	}
	cw.Flush()
	return cw.Error()
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

// cell defuses a value a spreadsheet would evaluate.
func cell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
