package importer_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"tripline/importer"
)

func TestListVersion(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, format, path string
		want               time.Time
		ok, err            bool
	}{
		{"UN list", "un-xml", write("un.xml", `<?xml version="1.0"?><CONSOLIDATED_LIST dateGenerated="2024-09-26T00:00:07.514Z"><INDIVIDUALS/></CONSOLIDATED_LIST>`),
			time.Date(2024, 9, 26, 0, 0, 7, 514e6, time.UTC), true, false},
		{"UN list, undated", "un-xml", write("undated.xml", `<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>`), time.Time{}, false, false},
		{"UN list, bad date", "un-xml", write("bad.xml", `<CONSOLIDATED_LIST dateGenerated="26/09/2024"/>`), time.Time{}, false, true},
		{"OFAC states none", "ofac-sdn", write("sdn.csv", "1,\"X\"\n"), time.Time{}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, err := importer.ListVersion(tc.format, tc.path)
			if (err != nil) != tc.err || ok != tc.ok || !got.Equal(tc.want) {
				t.Fatalf("= %v, %v, %v; want %v, %v, error %v", got, ok, err, tc.want, tc.ok, tc.err)
			}
		})
	}
}
