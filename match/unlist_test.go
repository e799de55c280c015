package match

import (
	"os"
	"sync"
	"testing"

	"tripline"
	"tripline/importer"
)

// unPath is the UN list the tests screen against, read with the importer
// as the product reads it.
const unPath = "../../shared/data/names/un_sc_consolidated_2024-09-26.xml"

var (
	unOnce     sync.Once
	unListings []*tripline.Listing
	unErr      error
)

// loadUN returns the UN list's individuals as listings, read once.
func loadUN(tb testing.TB) []*tripline.Listing {
	tb.Helper()
	unOnce.Do(func() {
		f, err := os.Open(unPath)
		if err != nil {
			unErr = err
			return
		}
		defer f.Close()
		unListings, unErr = importer.ReadUN(f, unPath)
	})
	if unErr != nil {
		tb.Skipf("UN list not available: %v", unErr)
	}
	return unListings
}
