package tripline_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestRootImportsStdlibOnly keeps the domain package free of dependencies so
// that every adapter stays swappable (tailscale's deptest idea).
func TestRootImportsStdlibOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if p != "tripline" {
			t.Errorf("root package depends on non-standard package %s", p)
		}
	}
}
