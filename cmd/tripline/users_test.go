package main

import (
	"strings"
	"testing"
)

// TestUsersAddRefusesNodeAndScopesSuperuser (issue 13, item 4): `users add
// --role node` made a bearer user that pulled the feed unsigned. Role node
// is refused; a node-wide superuser is made only by --superuser, and only
// an admin may be one.
func TestUsersAddRefusesNodeAndScopesSuperuser(t *testing.T) {
	dir := t.TempDir()
	if code, out, errs := run(t, dir, "", "users", "add", "fake-node", "--role", "node"); code != 1 || !strings.Contains(errs, "node") || out != "" {
		t.Errorf("users add --role node = %d %q %q, want exit 1 naming the role", code, out, errs)
	}
	if code, _, errs := run(t, dir, "", "users", "add", "o-1", "--role", "officer", "--superuser"); code != 1 || !strings.Contains(errs, "superuser") {
		t.Errorf("an officer superuser = %d %q, want exit 1", code, errs)
	}
	if code, out, errs := run(t, dir, "", "users", "add", "root", "--role", "admin", "--superuser"); code != 0 || !strings.HasPrefix(out, "tl_") {
		t.Fatalf("users add --superuser = %d %q %q", code, out, errs)
	}
	if code, _, errs := run(t, dir, "", "users", "add", "a-1", "--role", "admin"); code != 0 {
		t.Fatalf("users add admin = %d %q", code, errs)
	}
	_, list, _ := run(t, dir, "", "users", "list")
	lines := map[string]string{}
	for _, l := range strings.Split(list, "\n") {
		if f := strings.Fields(l); len(f) == 5 {
			lines[f[0]] = f[3]
		}
	}
	if lines["root"] != "true" || lines["a-1"] != "false" {
		t.Errorf("superuser column: root %q, a-1 %q\n%s", lines["root"], lines["a-1"], list)
	}
	if strings.Contains(list, "fake-node") || strings.Contains(list, "o-1") {
		t.Errorf("a refused user was stored:\n%s", list)
	}
}
