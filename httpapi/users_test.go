package httpapi_test

import (
	"context"
	"strings"
	"testing"

	"tripline"
)

// TestUserIDsChecked: a user id names its user in every audit entry and
// in the paths of the user routes, and it was taken as sent. An admin
// made "u-officer" followed by a zero-width space, which reads in the
// audit log as another user, an id with a bidi override, one with a
// slash (no /v1/users/{id}/... route could reach it again) and one of
// 100,000 bytes. User ids now keep to a listing id's rules.
func TestUserIDsChecked(t *testing.T) {
	w := newSecWorld(t)
	admin := w.test.tokens[tripline.RoleAdmin]
	bad := []string{"u-officer\u200b", "ana\u202egnp", "a/b", `a\\b`, "with space", "tab\\tid", strings.Repeat("x", 100000)}
	for _, id := range bad {
		st, text := rawAs(t, admin, "POST", w.ts.URL+"/v1/users", `{"id":"`+id+`","role":"officer"}`)
		if st != 400 || !strings.Contains(text, `"id: `) {
			t.Errorf("user id %.40q: %d %.200s, want 400 naming the id", id, st, text)
		}
	}
	us, err := w.srv.Identity.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		for _, id := range bad {
			if u.ID == strings.ReplaceAll(strings.ReplaceAll(id, `\\`, `\`), `\t`, "\t") {
				t.Errorf("user %.40q was created", u.ID)
			}
		}
	}
	// A plain id still makes a user.
	if st, text := rawAs(t, admin, "POST", w.ts.URL+"/v1/users", `{"id":"s-officer-2","role":"officer"}`); st != 200 {
		t.Errorf("a plain id: %d %s", st, text)
	}
}
