package importer_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"tripline"
	"tripline/importer"
)

func TestReadFTM(t *testing.T) {
	ls, err := importer.ReadFTM(mustOpen(t, "testdata/persons.ftm.json"), "persons.ftm.json", "opensanctions")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(ls), 14; got != want {
		t.Fatalf("got %d listings, want %d (company and sanction skipped)", got, want)
	}
	m := byID(t, ls)
	scripts := map[string]int{}
	for _, l := range ls {
		if l.Source != "opensanctions" || l.Provenance.Originator != "opensanctions" || !strings.HasPrefix(l.ID, "opensanctions:NK-") {
			t.Errorf("%s: source %q originator %q", l.ID, l.Source, l.Provenance.Originator)
		}
		for _, n := range l.Names {
			if n.Kind == tripline.NameOriginal {
				scripts[n.Script]++
			}
		}
	}
	if want := map[string]int{"Cyrl": 4, "Arab": 4, "Hani": 1, "Hang": 1}; !mapsEqual(scripts, want) {
		t.Errorf("original-script names by script = %v, want %v", scripts, want)
	}

	for _, tc := range []struct {
		id                     string
		primary, given, family string
		orig, aliases, weak    []string
		dob, nat               []string
		sex                    tripline.Sex
		docs                   []string
		action                 tripline.Action
		reason                 string
	}{
		{id: "NK-2xLkQ7yUvGn4", primary: "Viktor Andreyevich Sokolov", given: "Viktor Andreyevich", family: "Sokolov",
			orig: []string{"Виктор Андреевич Соколов"}, aliases: []string{"Victor Sokolov", "Wiktor Sokolow"},
			dob: []string{"1968-04-12"}, nat: []string{"RUS"}, sex: "M", docs: []string{"P 753310945"},
			action: tripline.ActionRefuseEntry, reason: "sanctions"},
		{id: "NK-9mQb3TfWzR8a", primary: "Khalid Abdullah al-Harbi",
			orig: []string{"خالد عبد الله الحربي"}, aliases: []string{"Khaled Abdallah al-Harby", "Khalid al-Harbi"}, weak: []string{"Abu Yusuf al-Najdi"},
			dob: []string{"1979"}, nat: []string{"SAU"}, sex: "M", docs: []string{"I 1034567890"},
			action: tripline.ActionRefuseEntry, reason: "terrorism"},
		{id: "NK-4cVn8PqLs2Hd", primary: "Olena Petrivna Kovalenko",
			orig: []string{"Олена Петрівна Коваленко"}, aliases: []string{"Elena Petrovna Kovalenko", "Елена Петровна Коваленко"},
			dob: []string{"1975-09"}, nat: []string{"UKR", "RUS"}, sex: "F", action: tripline.ActionRefuseEntry, reason: "sanctions"},
		{id: "NK-5gHj2KlPo8Ui", primary: "Dragan Petrović", orig: []string{"Драган Петровић"},
			dob: []string{"1965"}, nat: []string{"SRB"}, sex: "M", action: tripline.ActionDetain, reason: "wanted person"},
		{id: "NK-0oIu8YtRe5Wq", primary: "Aleksandr Viktorovich Grin", aliases: []string{"Alexander Green", "Aleksandr Viktorovich Grinberg"},
			dob: []string{"1959-07-14"}, nat: []string{"BLR"}, sex: "M", action: tripline.ActionInfo, reason: "politically exposed person"},
		{id: "NK-1qWe4RtYu7Io", primary: "María Fernanda Ospina Restrepo", given: "María Fernanda", family: "Ospina Restrepo",
			dob: []string{"1986-11-03"}, nat: []string{"COL"}, sex: "F", docs: []string{"P AR1188345", "I 43876512"},
			action: tripline.ActionRefuseEntry, reason: "sanctions"},
		{id: "NK-2wSx5EdCr9Tg", primary: "Fatima Zahra Benali", orig: []string{"فاطمة الزهراء بن علي"},
			dob: []string{"1992-01-17"}, nat: []string{"MAR", "FRA"}, sex: "F", action: tripline.ActionSecondaryCheck, reason: "trafficking"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			l := m["opensanctions:"+tc.id]
			if l == nil {
				t.Fatalf("%s missing", tc.id)
			}
			p := l.Names[0]
			if p.Kind != tripline.NamePrimary || p.Full != tc.primary || p.Given != tc.given || p.Family != tc.family {
				t.Errorf("primary = %+v, want %q (%q / %q)", p, tc.primary, tc.given, tc.family)
			}
			var docs []string
			for _, d := range l.Documents {
				docs = append(docs, d.Type+" "+d.Number)
			}
			for _, c := range []struct {
				field     string
				got, want []string
			}{
				{"original", names(l, tripline.NameOriginal), tc.orig},
				{"aliases", names(l, tripline.NameAlias), tc.aliases},
				{"weak", names(l, tripline.NameWeakAlias), tc.weak},
				{"dob", dates(l), tc.dob},
				{"nationalities", l.Nationalities, tc.nat},
				{"documents", docs, tc.docs},
			} {
				if !slices.Equal(c.got, c.want) {
					t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
				}
			}
			if l.Sex != tc.sex || l.Action != tc.action || string(l.Reason) != tc.reason || l.Provenance.SourceRef != tc.id {
				t.Errorf("sex %q action %q reason %q source_ref %q", l.Sex, l.Action, l.Reason, l.Provenance.SourceRef)
			}
		})
	}
	if n := m["opensanctions:NK-0oIu8YtRe5Wq"].Narrative; !strings.Contains(n, "nationality: suhh") {
		t.Errorf("narrative %q lost the unknown nationality", n)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestReadFTMDefaultSource(t *testing.T) {
	ls, err := importer.ReadFTM(strings.NewReader(`{"id":"x1","schema":"Person","properties":{"name":["Anna Smith"]}}`), "a.json", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 1 || ls[0].ID != "ftm:x1" || ls[0].Action != tripline.ActionInfo {
		t.Errorf("got %+v", ls)
	}
}

func TestReadFTMErrors(t *testing.T) {
	const ok = `{"id":"a","schema":"Person","properties":{"name":["Anna Smith"]}}` + "\n"
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"broken line", ok + "\n" + `{"id":"b","schema":"Person","properties":{"name":["Bo"]` + "\n", []string{"f.json: line 3: malformed JSON"}},
		{"bad birth date", ok + `{"id":"b","schema":"Person","properties":{"name":["Bo"],"birthDate":["1975-13-01"]}}`, []string{`f.json: line 2: properties.birthDate: "1975-13-01": month 13 out of range`}},
		{"no id", ok + `{"schema":"Person","properties":{"name":["Bo"]}}`, []string{"f.json: line 2: id: missing"}},
		{"no name", ok + `{"id":"b","schema":"Person","properties":{"birthDate":["1975"]}}`, []string{"line 2: properties.name: missing"}},
		{"no schema", ok + `{"id":"b","properties":{"name":["Bo"]}}`, []string{"line 2: schema: missing"}},
		{"wrong type", ok + `{"id":"b","schema":"Person","properties":{"name":"Bo"}}`, []string{"line 2: properties: got a JSON string, want a list of strings"}},
		{"duplicate id", ok + ok, []string{`f.json: line 2: id: duplicate id "ftm:a" (first on line 1)`}},
		{"empty", "\n\n", []string{"f.json: no listings found"}},
		{"endless line", ok + `{"id":"b","schema":"Person","properties":{"name":["` + strings.Repeat("x", importer.MaxFTMLineBytes) + `"]}}`,
			[]string{fmt.Sprintf("f.json: line 2: the line is longer than %d bytes", importer.MaxFTMLineBytes)}},
		{"no persons", `{"id":"c","schema":"Company","properties":{"name":["Acme"]}}`, []string{"f.json: no listings found"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls, err := importer.ReadFTM(strings.NewReader(tc.in), "f.json", "")
			checkErr(t, ls, err, tc.want...)
		})
	}
}

// Stream hands a FollowTheMoney file over entity by entity, the same
// listings Read returns, in the file's order.
func TestStreamFTMMatchesRead(t *testing.T) {
	path := "testdata/persons.ftm.json"
	want, err := importer.Read(t.Context(), "ftm", path, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	src, ls, err := importer.Stream(t.Context(), "ftm", path, "", nil)
	if err != nil || src != importer.SourceFTM {
		t.Fatalf("Stream = %q, %v", src, err)
	}
	var got []*tripline.Listing
	for l, err := range ls {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, l)
	}
	if len(got) != 14 || len(want) != 14 {
		t.Fatalf("streamed %d listings, read %d; the file holds 14 persons", len(got), len(want))
	}
	for i := range got {
		if got[i].ID != want[i].ID || got[i].ContentHash() != want[i].ContentHash() {
			t.Fatalf("listing %d: streamed %s, read %s", i, got[i].ID, want[i].ID)
		}
	}
}

// TestReadFTMDropsProtectedAttributes: FollowTheMoney's Person schema has
// religion, ethnicity and political properties; a listing never holds
// them (tripline.ProtectedAttribute), whatever the source published.
func TestReadFTMDropsProtectedAttributes(t *testing.T) {
	in := `{"id":"NK-x1","schema":"Person","properties":{"name":["Karim Haddad"],"birthDate":["1979-04-02"],` +
		`"religion":["SENTINEL-RELIGION"],"ethnicity":["SENTINEL-ETHNICITY"],"political":["SENTINEL-POLITICAL"],"nationality":["tr"]},"datasets":["x"]}` + "\n"
	ls, err := importer.ReadFTM(strings.NewReader(in), "p.ftm.json", "opensanctions")
	if err != nil || len(ls) != 1 {
		t.Fatalf("ReadFTM = %d listings, %v", len(ls), err)
	}
	b, _ := json.Marshal(ls[0])
	if strings.Contains(string(b), "SENTINEL") || ls[0].Names[0].Full != "Karim Haddad" {
		t.Fatalf("listing = %s", b)
	}
}
