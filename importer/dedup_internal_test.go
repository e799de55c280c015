package importer

import (
	"fmt"
	"testing"

	"tripline"
)

// TestDedupBounded: each alias, address or date of an entity is checked
// against those before it as it is added, so an entity of many of them
// cost the square of their number: one entity's 40,000 aliases and 40,000
// addresses (3.6 MB of OFAC alt.csv and add.csv) took 5.5 s to refuse, a
// 100 MB pair hours. Past its bound a list now stops growing (each check
// reads at most the bound), and the listing is refused naming the list.
func TestDedupBounded(t *testing.T) {
	var ns []tripline.Name
	var as []string
	var ds []tripline.PartialDate
	for i := range 20_000 {
		ns = addName(ns, tripline.Name{Full: fmt.Sprintf("Name %d", i), Kind: tripline.NameAlias})
		as = appendUnique(as, fmt.Sprintf("Street %d", i))
		ds = addDate(ds, tripline.PartialDate{Year: 1900 + i%100, Month: 1 + i/100%12, Day: 1 + i/1200%28})
	}
	if len(ns) != tripline.MaxNames+1 || len(as) != tripline.MaxDetails+1 || len(ds) != tripline.MaxDetails+1 {
		t.Fatalf("kept %d names, %d addresses, %d dates; want each list one past its bound (%d, %d)",
			len(ns), len(as), len(ds), tripline.MaxNames, tripline.MaxDetails)
	}
	l := &tripline.Listing{ID: "s:1", Source: "s", Names: ns[:1], Addresses: as, Action: tripline.ActionReport,
		Provenance: tripline.Provenance{Originator: "s"}}
	if err := l.Validate(); tripline.ErrorMessage(err) != "addresses: more than 1024" {
		t.Errorf("listing of %d addresses: %v, want refused", len(as), err)
	}
	l.Addresses, l.Names = nil, ns
	if err := l.Validate(); tripline.ErrorMessage(err) != "names: more than 256" {
		t.Errorf("listing of %d names: %v, want refused", len(ns), err)
	}
}
