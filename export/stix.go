package export

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"tripline"
)

// stixNS makes STIX ids from listing ids (UUIDv5): the same listing gets
// the same ids in every export, so a platform updates what it imported
// before instead of duplicating it.
var stixNS = uuid.MustParse("5b1c5f3e-3c1f-4b8e-9a57-0e1f2d7c9a41")

func stixID(typ, name string) string {
	return typ + "--" + uuid.NewSHA1(stixNS, []byte(typ+"\x00"+name)).String()
}

// The TLP marking definitions STIX 2.1 defines (§7.2.1.4), by their fixed ids.
var tlpMarkings = map[string]map[string]any{}

func init() {
	for _, m := range []struct{ id, colour string }{
		{"613f2e26-407d-48c7-9eca-b8e91df99dc9", "white"},
		{"34098fce-860f-48ae-8e50-ebd3cc5e41da", "green"},
		{"f88d31f6-486f-44da-b317-01333bde0b82", "amber"},
		{"5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "red"},
	} {
		tlpMarkings[m.colour] = map[string]any{"type": "marking-definition", "spec_version": "2.1", "id": "marking-definition--" + m.id,
			"created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:" + strings.ToUpper(m.colour),
			"definition": map[string]string{"tlp": m.colour}}
	}
}

// TLP returns the Traffic Light Protocol colour of a handling use code:
// H0 (no restriction) white, H1 green, H2 amber, H3 red; none amber, as
// a listing shared with partners is not for the public.
func TLP(use string) string {
	switch use {
	case "H0":
		return "white"
	case "H1":
		return "green"
	case "H3":
		return "red"
	}
	return "amber"
}

func stixTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Bundle is a STIX 2.1 bundle.
type Bundle struct {
	Type    string           `json:"type"`
	ID      string           `json:"id"`
	Objects []map[string]any `json:"objects"`
}

// STIX returns listings as one STIX 2.1 bundle: per listing an identity of
// the listed individual and an indicator matching their names and
// documents (pattern on the custom observable x-tripline-person), related
// to each other, created by an identity of the originating agency, and
// marked with the TLP colour of the listing's use code and a statement of
// its handling rules (originator, use code, re-share rule; shown only as
// far as the caller may see them). The bundle id changes with now; the
// objects' ids do not.
func STIX(ls []*tripline.Listing, now time.Time) *Bundle {
	b := &Bundle{Type: "bundle", ID: "bundle--" + uuid.NewSHA1(stixNS, []byte(stixTime(now))).String(), Objects: []map[string]any{}}
	seen := map[string]bool{}
	add := func(o map[string]any) {
		if id := o["id"].(string); !seen[id] {
			seen[id] = true
			b.Objects = append(b.Objects, o)
		}
	}
	for _, l := range ls {
		created := l.UpdatedAt
		if created.IsZero() {
			created = now
		}
		ts := stixTime(created)
		org := stixID("identity", "agency:"+l.Provenance.Originator)
		add(map[string]any{"type": "identity", "spec_version": "2.1", "id": org, "created": "2017-01-20T00:00:00.000Z",
			"modified": "2017-01-20T00:00:00.000Z", "name": l.Provenance.Originator, "identity_class": "organization"})
		tlp := tlpMarkings[TLP(l.Handling.Use)]
		add(tlp)
		stmt := handlingStatement(l)
		stmtID := stixID("marking-definition", stmt)
		add(map[string]any{"type": "marking-definition", "spec_version": "2.1", "id": stmtID, "created": ts, "created_by_ref": org,
			"definition_type": "statement", "definition": map[string]string{"statement": stmt}})
		marks := []string{tlp["id"].(string), stmtID}
		ref := []map[string]string{{"source_name": "tripline", "external_id": l.ID}}
		person := stixID("identity", "listing:"+l.ID)
		p := map[string]any{"type": "identity", "spec_version": "2.1", "id": person, "created": ts, "modified": ts,
			"created_by_ref": org, "name": firstText(l.PrimaryName(), l.ID), "identity_class": "individual",
			"object_marking_refs": marks, "external_references": ref}
		if l.Reason != "" {
			p["description"] = "Listed for: " + string(l.Reason)
		}
		add(p)
		ind := stixID("indicator", l.ID)
		i := map[string]any{"type": "indicator", "spec_version": "2.1", "id": ind, "created": ts, "modified": ts,
			"created_by_ref": org, "name": "Watchlist: " + firstText(l.PrimaryName(), l.ID), "indicator_types": []string{"attribution"},
			"description": indicatorText(l), "pattern": personPattern(l), "pattern_type": "stix", "pattern_version": "2.1",
			"valid_from": ts, "object_marking_refs": marks, "external_references": ref}
		if l.ValidUntil != nil && l.ValidUntil.After(created) {
			i["valid_until"] = stixTime(*l.ValidUntil)
		}
		add(i)
		add(map[string]any{"type": "relationship", "spec_version": "2.1", "id": stixID("relationship", l.ID), "created": ts, "modified": ts,
			"created_by_ref": org, "relationship_type": "related-to", "source_ref": ind, "target_ref": person, "object_marking_refs": marks})
	}
	return b
}

// WriteSTIX writes STIX(ls, now) as JSON.
func WriteSTIX(w io.Writer, ls []*tripline.Listing, now time.Time) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(STIX(ls, now)); err != nil {
		return fmt.Errorf("write STIX bundle: %w", err)
	}
	return nil
}

func handlingStatement(l *tripline.Listing) string {
	s := "Tripline listing of " + l.Provenance.Originator + "; handling code " + firstText(l.Handling.Use, "none") +
		"; re-share: " + string(l.Handling.EffectiveReshare()) + ". Do not pass on beyond what these rules allow; contact the originator before acting."
	return s
}

func indicatorText(l *tripline.Listing) string {
	if l.Action == "" {
		return "Possible match on a partner's listing: contact the originator" + contactText(l) + "."
	}
	text := "Action on a hit: " + string(l.Action) + ". " + firstText(l.Instruction, l.Action.Instruction())
	dirs := make([]string, 0, len(l.Directions))
	for d := range l.Directions {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		text += " Direction " + d + ": " + string(l.Directions[d].Action) + "."
	}
	return text + contactText(l)
}

func contactText(l *tripline.Listing) string {
	if l.Contact == "" {
		return ""
	}
	return " Contact: " + l.Contact
}

// personPattern matches the listed person's names and document numbers.
func personPattern(l *tripline.Listing) string {
	var parts []string
	for _, n := range l.Names {
		parts = append(parts, "x-tripline-person:name = '"+stixString(n.Full)+"'")
	}
	for _, d := range l.Documents {
		parts = append(parts, "x-tripline-person:document_number = '"+stixString(d.Number)+"'")
	}
	if len(parts) == 0 {
		parts = append(parts, "x-tripline-person:listing = '"+stixString(l.ID)+"'")
	}
	return "[" + strings.Join(parts, " OR ") + "]"
}

// stixString escapes a value for a STIX pattern's quoted string: a name
// with a quote in it must not end the string early.
func stixString(s string) string {
	return strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s)
}

func firstText(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}
