package policy_test

import (
	"flag"
	"os"
	"testing"
)

// TestMain runs the property tests over thousands of generated cases unless
// -rapid.checks says otherwise.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
	if !set {
		flag.Set("rapid.checks", "3000")
	}
	os.Exit(m.Run())
}
