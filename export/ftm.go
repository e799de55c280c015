// Package export writes what a caller may see in the formats other tools
// read: listings as FollowTheMoney JSON lines (OpenSanctions, Aleph,
// yente) and as STIX 2.1 bundles (threat-intelligence platforms),
// encounters as CSV for reporting. It formats; it never decides what is
// disclosed: every listing given to it has been through the policy layer
// (policy.Listings), so a field the caller may not see is already empty.
package export

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/language"

	"tripline"
)

// ftmEntity is a FollowTheMoney entity as OpenSanctions publishes it.
type ftmEntity struct {
	ID         string              `json:"id"`
	Schema     string              `json:"schema"`
	Properties map[string][]string `json:"properties"`
	Datasets   []string            `json:"datasets,omitempty"`
}

// ftmTopic is the OpenSanctions topic of a reason, else of an action: what
// an FtM reader (Tripline's own importer among them) maps back to an
// action.
func ftmTopic(l *tripline.Listing) string {
	switch r := strings.ToLower(string(l.Reason)); {
	case strings.Contains(r, "terror"):
		return "crime.terror"
	case strings.Contains(r, "sanction"):
		return "sanction"
	case strings.Contains(r, "wanted"):
		return "wanted"
	case strings.Contains(r, "traffick"):
		return "crime.traffick"
	}
	switch l.Action {
	case tripline.ActionRefuseEntry:
		return "sanction"
	case tripline.ActionDetain:
		return "wanted"
	case tripline.ActionSecondaryCheck, tripline.ActionReport:
		return "crime"
	}
	return "poi"
}

// WriteFTM writes each listing as one FollowTheMoney Person entity per
// line. Names keep their kinds (name, alias, weakAlias; original-script
// names as further names), nationalities become FtM's lower-case alpha-2
// codes, documents passportNumber or idNumber; reason, narrative and
// contact details only when the listing as given holds them. The entity
// id is the listing's id, the dataset its source. A listing disclosed at
// hit/no-hit level only (no names) is left out: a Person without a name
// is nothing a reader can match, and its id alone says the partner holds
// someone.
func WriteFTM(w io.Writer, ls []*tripline.Listing) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, l := range ls {
		if len(l.Names) == 0 {
			continue
		}
		if err := enc.Encode(ftmOf(l)); err != nil {
			return fmt.Errorf("write FtM entity %s: %w", l.ID, err)
		}
	}
	return nil
}

func ftmOf(l *tripline.Listing) *ftmEntity {
	p := map[string][]string{}
	add := func(k string, vs ...string) {
		for _, v := range vs {
			if v = strings.TrimSpace(v); v != "" {
				p[k] = append(p[k], v)
			}
		}
	}
	// The primary name first: a reader takes the first Latin-script name.
	for _, kind := range []tripline.NameKind{tripline.NamePrimary, tripline.NameOriginal} {
		for _, n := range l.Names {
			if n.Kind == kind {
				add("name", n.Full)
				if kind == tripline.NamePrimary && n.Given != "" && n.Family != "" && len(p["firstName"]) == 0 {
					add("firstName", n.Given)
					add("lastName", n.Family)
				}
			}
		}
	}
	for _, n := range l.Names {
		switch n.Kind {
		case tripline.NameAlias:
			add("alias", n.Full)
		case tripline.NameWeakAlias:
			add("weakAlias", n.Full)
		}
	}
	for _, d := range l.BirthDates {
		add("birthDate", d.String())
	}
	add("birthPlace", l.BirthPlaces...)
	for _, c := range l.Nationalities {
		add("nationality", alpha2(c))
	}
	switch l.Sex {
	case "M":
		add("gender", "male")
	case "F":
		add("gender", "female")
	case "X":
		add("gender", "other")
	}
	for _, d := range l.Documents {
		if d.Type == "P" {
			add("passportNumber", d.Number)
		} else {
			add("idNumber", d.Number)
		}
	}
	add("address", l.Addresses...)
	add("email", l.Emails...)
	add("phone", l.Phones...)
	add("notes", l.Narrative)
	if l.Action != "" {
		add("topics", ftmTopic(l)) // hit/no-hit level: no action shown, no topic either
	}
	add("createdAt", l.Provenance.ListedOn)
	return &ftmEntity{ID: l.ID, Schema: "Person", Properties: p, Datasets: []string{l.Source}}
}

// alpha2 returns FtM's form of a country: lower-case ISO alpha-2 where
// there is one, the code as held otherwise (an ICAO code like "UNO").
func alpha2(a3 string) string {
	if r, err := language.ParseRegion(a3); err == nil && r.IsCountry() {
		return strings.ToLower(r.String())
	}
	return strings.ToLower(a3)
}
