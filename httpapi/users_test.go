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
	bad := []string{"s:u-officer\u200b", "s:ana\u202egnp", "s:a/b", `s:a\\b`, "s:with space", "s:tab\\tid", "s:" + strings.Repeat("x", 100000)}
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
	if st, text := rawAs(t, admin, "POST", w.ts.URL+"/v1/users", `{"id":"s:officer-2","role":"officer"}`); st != 200 {
		t.Errorf("a plain id: %d %s", st, text)
	}
}

// TestUserIDsTellNothingOfOtherAgencies: user ids were one namespace for
// the whole node, so an admin of agency y creating "u-officer" was
// answered 409 "already exists" when agency s had such a user, and 200
// otherwise: y's admin could try names until it knew s's users. A plain
// admin now names its users AGENCY:NAME, a namespace no other agency
// writes in: a bare id or another agency's prefix is refused the same way
// whether or not it exists.
func TestUserIDsTellNothingOfOtherAgencies(t *testing.T) {
	w := newSecWorld(t)
	yAdmin := w.user(t, "y-admin", "y", tripline.RoleAdmin)
	if err := w.srv.Identity.CreateUser(context.Background(), &tripline.User{ID: "s:ana", Agency: "s", Role: tripline.RoleAnalyst}); err != nil {
		t.Fatal(err)
	}
	var answers []string
	for _, id := range []string{"u-officer", "nobody-here", "s:ana", "s:nobody"} {
		st, text := rawAs(t, yAdmin, "POST", w.ts.URL+"/v1/users", `{"id":"`+id+`","role":"officer"}`)
		if st != 400 {
			t.Errorf("y's admin creating %q: %d %s, want 400", id, st, text)
		}
		answers = append(answers, strings.NewReplacer("u-officer", "NAME", "nobody-here", "NAME", "s:ana", "NAME", "s:nobody", "NAME", "ana", "NAME", "nobody", "NAME").Replace(text))
	}
	for i := range answers {
		if answers[i] != answers[0] {
			t.Errorf("answers differ with what exists:\n%s\n%s", answers[0], answers[i])
		}
	}
	// Its own namespace works, and a name s holds as "s:ana" is free in it.
	for _, id := range []string{"y:u-officer", "y:ana"} {
		if st, text := rawAs(t, yAdmin, "POST", w.ts.URL+"/v1/users", `{"id":"`+id+`","role":"officer"}`); st != 200 {
			t.Errorf("y's admin creating %q: %d %s", id, st, text)
		}
	}
	// Taken in its own namespace: 409, which names only y's own user.
	if st, text := rawAs(t, yAdmin, "POST", w.ts.URL+"/v1/users", `{"id":"y:ana","role":"officer"}`); st != 409 {
		t.Errorf("y's admin creating y:ana again: %d %s, want 409", st, text)
	}
	// No store path makes an id in another agency's namespace.
	if err := w.srv.Identity.CreateUser(context.Background(), &tripline.User{ID: "y:planted", Agency: "s", Role: tripline.RoleOfficer}); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Errorf("store: user y:planted of agency s = %v, want invalid", err)
	}
}
