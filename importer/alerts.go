package importer

import (
	"context"
	"io"
	"os"
	"strings"

	"tripline"
)

// AlertColumns are the columns of a document-alert CSV file (revoked,
// stolen, lost or invalidated travel documents): country, number and kind
// are required; action defaults to refuse_entry for revoked and invalidated
// documents and to secondary_check for stolen and lost ones (the holder may
// be the victim).
var AlertColumns = []string{"country", "number", "type", "kind", "action", "instruction", "contact", "reported", "source_ref"}

// ReadDocumentAlerts reads a document-alert CSV file. source, required, is
// the id prefix and the originator. Errors name the file, line and column.
func ReadDocumentAlerts(r io.Reader, name, source string) ([]*tripline.DocumentAlert, error) {
	source = strings.TrimSpace(source)
	if source == "" {
		return nil, errAt(name, 0, "source", "required: name the agency the alerts come from")
	}
	if err := checkSource(source); err != nil {
		return nil, err
	}
	cr := newCSVReader(r, name)
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errAt(name, 1, "", "empty file: want a header row (%s)", strings.Join(AlertColumns, ","))
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	cols, err := headerColumns(name, header, AlertColumns, "country", "number", "kind")
	if err != nil {
		return nil, err
	}
	var out []*tripline.DocumentAlert
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		row := &csvRow{name: name, cols: cols, rec: rec, cr: cr}
		if row.blank() {
			continue
		}
		a, err := row.alert(source)
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		if prev, dup := seen[a.ID]; dup {
			return nil, errAt(name, line, "column \"number\"", "document %s %s already on line %d", a.Country, a.Number, prev)
		}
		seen[a.ID] = line
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, errAt(name, 0, "", "no alerts: refusing to withdraw every alert of the source")
	}
	return out, nil
}

func (r *csvRow) alert(source string) (*tripline.DocumentAlert, error) {
	c, ok := alpha3(r.get("country"))
	if !ok {
		return nil, r.errf("country", "%q is not a country", r.get("country"))
	}
	a := &tripline.DocumentAlert{Source: source, Country: c, Number: tripline.NormaliseDocNumber(r.get("number")),
		Type: r.get("type"), Kind: tripline.AlertKind(strings.ToLower(r.get("kind"))), Action: tripline.Action(r.get("action")),
		Instruction: r.get("instruction"), Contact: r.get("contact"), Reported: r.get("reported"),
		Handling:   tripline.Handling{Screen: []string{"*"}, Action: []string{"*"}, Reshare: tripline.ReshareAllowed},
		Provenance: tripline.Provenance{Originator: source, SourceRef: r.get("source_ref")}, Status: tripline.StatusActive}
	if a.Action == "" {
		a.Action = tripline.ActionRefuseEntry
		if a.Kind == tripline.AlertStolen || a.Kind == tripline.AlertLost {
			a.Action = tripline.ActionSecondaryCheck
		}
	}
	if a.Reported != "" {
		if _, err := tripline.ParsePartialDate(a.Reported); err != nil {
			return nil, r.errf("reported", "%s", tripline.ErrorMessage(err))
		}
	}
	a.ID = tripline.DocumentAlertID(source, a.Country, a.Number)
	if err := a.Validate(); err != nil {
		msg := tripline.ErrorMessage(err)
		col, _, _ := strings.Cut(msg, ":")
		if _, ok := r.cols[col]; !ok {
			col = "number"
		}
		return nil, r.errf(col, "%s", msg)
	}
	return a, nil
}

// ReadDocumentAlertsFile reads a document-alert CSV file from path.
func ReadDocumentAlertsFile(ctx context.Context, path, source string) ([]*tripline.DocumentAlert, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, openError(path, err)
	}
	defer f.Close()
	return ReadDocumentAlerts(&progressReader{ctx: ctx, r: f}, path, source)
}
