package export_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"tripline"
	"tripline/export"
	"tripline/importer"
)

func sample() []*tripline.Listing {
	d1, _ := tripline.ParsePartialDate("1975-03")
	d2, _ := tripline.ParsePartialDate("1976-01-02")
	until := time.Date(2028, 12, 31, 0, 0, 0, 0, time.UTC)
	full := &tripline.Listing{ID: "tr-border:2026-0107", Source: "tr-border",
		Names: []tripline.Name{{Full: "Khalid Ahmed Al-Masri", Given: "Khalid Ahmed", Family: "Al-Masri", Kind: tripline.NamePrimary},
			{Full: "Khaled O'Masry", Kind: tripline.NameAlias}, {Full: "Abu Yusuf", Kind: tripline.NameWeakAlias},
			{Full: "خالد أحمد المصري", Kind: tripline.NameOriginal}},
		BirthDates: []tripline.PartialDate{d1, d2}, BirthPlaces: []string{"Mosul, Iraq"}, Sex: "M", Nationalities: []string{"IRQ", "SYR"},
		Documents: []tripline.Document{{Type: "P", Number: "A1234567", Country: "IRQ"}, {Type: "I", Number: "ID-99"}},
		Reason:    "terrorism", Narrative: "Facilitator.", Action: tripline.ActionRefuseEntry, Contact: "CT desk",
		Directions: map[string]tripline.DirectedAction{"out": {Action: tripline.ActionPreventDeparture}},
		Handling:   tripline.Handling{Use: "H3", Reshare: tripline.ReshareNever}, ValidUntil: &until,
		Provenance: tripline.Provenance{Originator: "tr-border", ListedOn: "2026-01-15"}, Status: tripline.StatusActive, Version: 3,
		UpdatedAt: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)}
	wanted := &tripline.Listing{ID: "tr-border:2026-0108", Source: "tr-border", Names: []tripline.Name{{Full: "Ayse Kaya", Kind: tripline.NamePrimary}},
		Sex: "F", Action: tripline.ActionDetain, Handling: tripline.Handling{Use: "H1"}, Provenance: tripline.Provenance{Originator: "tr-border"},
		Status: tripline.StatusActive, UpdatedAt: time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)}
	// A partner's listing seen at hit/no-hit level: no names, no action.
	hidden := full.Disclose(tripline.LevelScreen)
	hidden.ID, hidden.Source, hidden.Provenance.Originator = "de-bka:77", "de-bka", "de-bka"
	return []*tripline.Listing{full, wanted, hidden}
}

// TestFTMRoundTrip: what WriteFTM writes, Tripline's own FtM importer
// reads back as the same people (names with their kinds and scripts, birth
// dates, sex, nationalities, documents, the action their topic implies).
func TestFTMRoundTrip(t *testing.T) {
	ls := sample()[:2]
	var buf bytes.Buffer
	if err := export.WriteFTM(&buf, ls); err != nil {
		t.Fatal(err)
	}
	got, err := importer.ReadFTM(bytes.NewReader(buf.Bytes()), "export.ftm.json", "ftm")
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if len(got) != len(ls) {
		t.Fatalf("%d listings back, want %d", len(got), len(ls))
	}
	for i, want := range ls {
		g := got[i]
		if g.ID != "ftm:"+want.ID {
			t.Errorf("id %q, want ftm:%s", g.ID, want.ID)
		}
		names := func(l *tripline.Listing) string {
			var s []string
			for _, n := range l.Names {
				s = append(s, string(n.Kind)+"="+n.Full)
			}
			slices.Sort(s) // the reader orders kinds its own way
			return strings.Join(s, "|")
		}
		if names(g) != names(want) {
			t.Errorf("names %s, want %s", names(g), names(want))
		}
		if g.Names[0].Given != want.Names[0].Given || g.Names[0].Family != want.Names[0].Family {
			t.Errorf("name parts %q %q", g.Names[0].Given, g.Names[0].Family)
		}
		for _, c := range []struct{ what, got, want string }{
			{"birth dates", join(g.BirthDates), join(want.BirthDates)},
			{"nationalities", strings.Join(g.Nationalities, ","), strings.Join(want.Nationalities, ",")},
			{"sex", string(g.Sex), string(want.Sex)},
			{"action", string(g.Action), string(want.Action)},
			{"birth places", strings.Join(g.BirthPlaces, ";"), strings.Join(want.BirthPlaces, ";")},
			{"documents", docs(g), docs(want)},
		} {
			if c.got != c.want {
				t.Errorf("%s: %s %q, want %q", want.ID, c.what, c.got, c.want)
			}
		}
	}
	// Every property written is one the FtM Person schema (with what it
	// extends) defines.
	var schema string
	for _, f := range []string{"Person", "LegalEntity", "Thing"} {
		b, err := os.ReadFile(filepath.Join("testdata", "followthemoney", f+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		schema += string(b)
	}
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var e struct {
			Schema     string
			Properties map[string][]string
		}
		json.Unmarshal([]byte(line), &e)
		for p := range e.Properties {
			if !strings.Contains(schema, "\n    "+p+":\n") {
				t.Errorf("property %q is not in the FtM Person schema", p)
			}
		}
	}
}

func join(ds []tripline.PartialDate) string {
	var s []string
	for _, d := range ds {
		s = append(s, d.String())
	}
	return strings.Join(s, ",")
}

func docs(l *tripline.Listing) string {
	var s []string
	for _, d := range l.Documents {
		s = append(s, d.Type+":"+d.Number)
	}
	return strings.Join(s, ",")
}

// TestFTMHidesWhatIsHidden: a listing trimmed to hit/no-hit exports no
// name, action or topic: the export adds nothing policy took away.
func TestFTMHidesWhatIsHidden(t *testing.T) {
	var buf bytes.Buffer
	if err := export.WriteFTM(&buf, sample()[2:]); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"Khalid", "terror", "Facilitator", "A1234567", "topics", "sanction", "de-bka:77"} {
		if strings.Contains(buf.String(), secret) {
			t.Errorf("hidden listing's export holds %q: %s", secret, buf.String())
		}
	}
}

const stixPrefix = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/"

type localLoader struct{}

// Load maps the schemas' own URLs to testdata and refuses any other, so
// the test never uses the network.
func (localLoader) Load(url string) (any, error) {
	rest, ok := strings.CutPrefix(url, stixPrefix)
	if !ok {
		return nil, os.ErrNotExist
	}
	f, err := os.Open(filepath.Join("testdata", "stix2.1", filepath.FromSlash(rest)))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}

// TestSTIXValidates: the bundle validates against the OASIS STIX 2.1 JSON
// schemas, and what the schemas do not check holds too: every reference
// points into the bundle, each listing has its identity and indicator with
// the TLP colour of its use code, and a quote in a name cannot end the
// pattern's string.
func TestSTIXValidates(t *testing.T) {
	c := jsonschema.NewCompiler()
	c.UseLoader(localLoader{})
	sch, err := c.Compile(stixPrefix + "schemas/common/bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := export.WriteSTIX(&buf, sample(), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Fatalf("bundle does not validate: %v", err)
	}
	var b export.Bundle
	json.Unmarshal(buf.Bytes(), &b)
	ids := map[string]map[string]any{}
	for _, o := range b.Objects {
		ids[o["id"].(string)] = o
	}
	refRe := regexp.MustCompile(`"(?:[a-z_]+_ref)":"([^"]+)"|"([a-z-]+--[0-9a-f-]{36})"`)
	for _, m := range refRe.FindAllStringSubmatch(buf.String(), -1) {
		ref := m[1] + m[2]
		if ref != b.ID && ids[ref] == nil {
			t.Errorf("reference %s is not in the bundle", ref)
		}
	}
	byName := map[string]map[string]any{}
	for _, o := range b.Objects {
		if o["type"] == "indicator" {
			byName[o["name"].(string)] = o
		}
	}
	ind := byName["Watchlist: Khalid Ahmed Al-Masri"]
	if ind == nil || !strings.Contains(ind["pattern"].(string), `'Khaled O\'Masry'`) || !strings.Contains(ind["description"].(string), "prevent_departure") {
		t.Fatalf("indicator %v", ind)
	}
	marks := ind["object_marking_refs"].([]any)
	if tlp := ids[marks[0].(string)]; tlp["name"] != "TLP:RED" {
		t.Errorf("H3 listing marked %v", tlp["name"])
	}
	if st := ids[marks[1].(string)]; !strings.Contains(st["definition"].(map[string]any)["statement"].(string), "re-share: never") {
		t.Errorf("statement %v", st)
	}
	if byName["Watchlist: Ayse Kaya"] == nil || ids[byName["Watchlist: Ayse Kaya"]["object_marking_refs"].([]any)[0].(string)]["name"] != "TLP:GREEN" {
		t.Error("H1 listing not marked TLP:GREEN")
	}
	// The hidden listing: an indicator on its id only, no name, no action.
	hidden := byName["Watchlist: de-bka:77"]
	if hidden == nil || strings.Contains(buf.String(), "Facilitator") || !strings.Contains(hidden["description"].(string), "contact the originator") {
		t.Errorf("hidden listing: %v", hidden)
	}
}

// TestEncountersCSV: one row per encounter under the header, and a
// traveller's name that a spreadsheet would run as a formula is defused.
func TestEncountersCSV(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	es := []*tripline.Encounter{
		{ID: "B-e1", Listing: "tr-border:1", Originator: "tr-border", Agency: "gb-bf", Decision: tripline.DecisionHit, Score: 0.93,
			Action: tripline.ActionPreventDeparture, Outcome: tripline.OutcomePending, At: at,
			Traveller: tripline.Traveller{Ref: "ABC123-1", Name: `=HYPERLINK("http://evil","x")`, Booking: "ABC123",
				Travel: &tripline.Travel{Direction: "out", Port: "IST", PreDeparture: true}}},
		{ID: "B-e2", Listing: "tr-border:2", Originator: "tr-border", Decision: tripline.DecisionReview, At: at,
			Traveller: tripline.Traveller{Ref: "t-2", Name: "Jane, \"JJ\" Doe"}},
	}
	var buf bytes.Buffer
	if err := export.WriteEncountersCSV(&buf, es); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(export.EncounterColumns, ",") {
		t.Fatalf("rows %v", rows)
	}
	col := func(name string) int {
		for i, c := range export.EncounterColumns {
			if c == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	if r := rows[1]; r[col("traveller_name")] != `'=HYPERLINK("http://evil","x")` || r[col("action")] != "prevent_departure" ||
		r[col("pre_departure")] != "yes" || r[col("booking")] != "ABC123" || r[col("score")] != "0.930" {
		t.Errorf("row 1 %v", r)
	}
	if r := rows[2]; r[col("traveller_name")] != `Jane, "JJ" Doe` {
		t.Errorf("row 2 %v", r)
	}
}
