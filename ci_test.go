package tripline_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every fuzz target runs in CI for a bounded time (issue 13): .ci/run
// lists each "./pkg FuzzName", and this test fails when a Fuzz function is
// added without being listed there.
func TestEveryFuzzTargetRunsInCI(t *testing.T) {
	run, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Skipf("no .ci/run: %v", err)
	}
	fuzzFunc := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(f \*testing\.F\)`)
	found := 0
	err = filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != "." || d.Name() == "node_modules" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range fuzzFunc.FindAllSubmatch(src, -1) {
			found++
			want := `"./` + filepath.ToSlash(filepath.Dir(path)) + " " + string(m[1]) + `"`
			if !strings.Contains(string(run), want) {
				t.Errorf("%s: %s is not run by .ci/run (add %s to fuzz_targets)", path, m[1], want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 10 {
		t.Errorf("found %d fuzz targets, want at least 10", found)
	}
}
