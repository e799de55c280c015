package match

import (
	"encoding/xml"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"tripline"
)

// The UN list is read here with a minimal loader of its own so that the
// matcher's tests do not depend on the importer package.

const unPath = "../../shared/data/names/un_sc_consolidated_2024-09-26.xml"

type unXML struct {
	Individuals []struct {
		DataID   string   `xml:"DATAID"`
		First    string   `xml:"FIRST_NAME"`
		Second   string   `xml:"SECOND_NAME"`
		Third    string   `xml:"THIRD_NAME"`
		Fourth   string   `xml:"FOURTH_NAME"`
		Ref      string   `xml:"REFERENCE_NUMBER"`
		Original string   `xml:"NAME_ORIGINAL_SCRIPT"`
		Gender   string   `xml:"GENDER"`
		Nation   []string `xml:"NATIONALITY>VALUE"`
		Aliases  []struct {
			Quality string `xml:"QUALITY"`
			Name    string `xml:"ALIAS_NAME"`
		} `xml:"INDIVIDUAL_ALIAS"`
		DOBs []struct {
			Date string `xml:"DATE"`
			Year string `xml:"YEAR"`
			From string `xml:"FROM_YEAR"`
			To   string `xml:"TO_YEAR"`
		} `xml:"INDIVIDUAL_DATE_OF_BIRTH"`
		Docs []struct {
			Type    string `xml:"TYPE_OF_DOCUMENT"`
			Number  string `xml:"NUMBER"`
			Country string `xml:"ISSUING_COUNTRY"`
		} `xml:"INDIVIDUAL_DOCUMENT"`
	} `xml:"INDIVIDUALS>INDIVIDUAL"`
}

var (
	unOnce     sync.Once
	unListings []*tripline.Listing
	unErr      error
)

// loadUN returns the UN list's individuals as listings, read once.
func loadUN(tb testing.TB) []*tripline.Listing {
	tb.Helper()
	unOnce.Do(func() {
		b, err := os.ReadFile(unPath)
		if err != nil {
			unErr = err
			return
		}
		var doc unXML
		if unErr = xml.Unmarshal(b, &doc); unErr != nil {
			return
		}
		for _, in := range doc.Individuals {
			l := &tripline.Listing{ID: "un-sc:" + strings.TrimSpace(in.Ref), Source: "un-sc", Action: tripline.ActionRefuseEntry, Status: tripline.StatusActive}
			var parts []string
			for _, p := range []string{in.First, in.Second, in.Third, in.Fourth} {
				if p = strings.TrimSpace(p); p != "" {
					parts = append(parts, p)
				}
			}
			l.Names = append(l.Names, tripline.Name{Full: strings.Join(parts, " "), Kind: tripline.NamePrimary})
			for _, a := range in.Aliases {
				if strings.TrimSpace(a.Name) == "" {
					continue
				}
				k := tripline.NameAlias
				if a.Quality == "Low" {
					k = tripline.NameWeakAlias
				}
				l.Names = append(l.Names, tripline.Name{Full: a.Name, Kind: k, Quality: a.Quality})
			}
			if o := strings.TrimSpace(in.Original); o != "" {
				l.Names = append(l.Names, tripline.Name{Full: o, Kind: tripline.NameOriginal, Script: "Arab"})
			}
			for _, d := range in.DOBs {
				switch {
				case d.Date != "":
					if pd, err := tripline.ParsePartialDate(d.Date[:min(10, len(d.Date))]); err == nil {
						l.BirthDates = append(l.BirthDates, pd)
					}
				case d.Year != "":
					y, _ := strconv.Atoi(d.Year)
					l.BirthDates = append(l.BirthDates, tripline.PartialDate{Year: y})
				case d.From != "":
					from, _ := strconv.Atoi(d.From)
					to, _ := strconv.Atoi(d.To)
					for y := from; y <= to && y-from < 10; y++ {
						l.BirthDates = append(l.BirthDates, tripline.PartialDate{Year: y})
					}
				}
			}
			switch in.Gender {
			case "Male":
				l.Sex = "M"
			case "Female":
				l.Sex = "F"
			}
			for _, n := range in.Nation {
				if n = strings.TrimSpace(n); n != "" {
					l.Nationalities = append(l.Nationalities, alpha3(n))
				}
			}
			for _, d := range in.Docs {
				if strings.TrimSpace(d.Number) != "" {
					l.Documents = append(l.Documents, tripline.Document{Type: d.Type, Number: d.Number, Country: alpha3(d.Country)})
				}
			}
			unListings = append(unListings, l)
		}
	})
	if unErr != nil {
		tb.Skipf("UN list not available: %v", unErr)
	}
	return unListings
}
