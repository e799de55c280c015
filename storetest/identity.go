package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
)

// TestSessionBoundToItsToken (issue 13, item 7): a session lives only as
// long as the API token it was made from, and never longer than its own
// absolute lifetime; a session cannot make another session; a session
// stored without its token (before sessions were bound) is refused.
func testSessionBoundToItsToken(t *testing.T, e Engine) {
	db := e.Open(t)
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	s := sqlstore.NewIdentityService(db)
	ctx := context.Background()
	if err := s.CreateUser(ctx, &tripline.User{ID: "a", Agency: "s", Role: tripline.RoleAnalyst}); err != nil {
		t.Fatal(err)
	}
	refused := func(what, tok string) {
		t.Helper()
		if id, err := s.Authenticate(ctx, tok); tripline.ErrorCode(err) != tripline.EUNAUTHORIZED {
			t.Errorf("%s: %v %v, want unauthorized", what, id, err)
		}
	}
	short, err := s.IssueToken(ctx, "a", "api", "", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	sess, err := s.IssueSession(ctx, short, "console", now.Add(12*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if id, err := s.Authenticate(ctx, sess); err != nil || !id.Session || id.User != "a" {
		t.Fatalf("session = %+v %v", id, err)
	}
	if _, err := s.IssueSession(ctx, sess, "console", now.Add(12*time.Hour)); tripline.ErrorCode(err) != tripline.EUNAUTHORIZED {
		t.Errorf("a session made from a session: %v", err)
	}
	if _, err := s.IssueToken(ctx, "a", "session", "", now.Add(time.Hour)); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Errorf("a session made without a token: %v", err)
	}
	now = now.Add(2 * time.Hour)
	refused("session past its token's expiry", sess)

	long, _ := s.IssueToken(ctx, "a", "api", "", time.Time{})
	sess, _ = s.IssueSession(ctx, long, "console", now.Add(12*time.Hour))
	now = now.Add(11 * time.Hour)
	if _, err := s.Authenticate(ctx, sess); err != nil {
		t.Fatalf("session within its lifetime: %v", err)
	}
	now = now.Add(2 * time.Hour)
	refused("session past its own lifetime", sess)

	sess, _ = s.IssueSession(ctx, long, "console", now.Add(12*time.Hour))
	if err := s.DisableToken(ctx, long); err != nil {
		t.Fatal(err)
	}
	refused("session of a revoked token", sess)

	legacy := "tl_legacy-session"
	sum := sha256.Sum256([]byte(legacy))
	if _, err := db.SQL().Exec(`INSERT INTO tokens (hash, user_id, kind, label, created) VALUES (?, 'a', 'session', 'console', '2026-11-25T10:00:00Z')`,
		hex.EncodeToString(sum[:])); err != nil {
		t.Fatal(err)
	}
	refused("session stored without its token", legacy)
}

// TestUsersNodeAndSuperuser (issue 13, item 4): no user has role node,
// and one stored before that rule authenticates nowhere; only an admin
// may be a superuser, and its identity says so.
func testUsersNodeAndSuperuser(t *testing.T, e Engine) {
	db := e.Open(t)
	s := sqlstore.NewIdentityService(db)
	ctx := context.Background()
	for _, u := range []*tripline.User{
		{ID: "n", Agency: "s", Role: tripline.RoleNode},
		{ID: "o", Agency: "s", Role: tripline.RoleOfficer, Superuser: true},
	} {
		if err := s.CreateUser(ctx, u); tripline.ErrorCode(err) != tripline.EINVALID {
			t.Errorf("CreateUser(%s, superuser %v) = %v, want invalid", u.Role, u.Superuser, err)
		}
	}
	if _, err := db.SQL().Exec(`INSERT INTO users (id, agency, role, created) VALUES ('old-node', 's', 'node', '2026-01-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	tok, err := s.IssueToken(ctx, "old-node", "api", "", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if id, err := s.Authenticate(ctx, tok); tripline.ErrorCode(err) != tripline.EUNAUTHORIZED {
		t.Errorf("stored node user's token: %v %v, want unauthorized", id, err)
	}
	if err := s.CreateUser(ctx, &tripline.User{ID: "root", Agency: "s", Role: tripline.RoleAdmin, Superuser: true}); err != nil {
		t.Fatal(err)
	}
	if u, err := s.User(ctx, "root"); err != nil || !u.Superuser {
		t.Fatalf("User(root) = %+v %v", u, err)
	}
	tok, _ = s.IssueToken(ctx, "root", "api", "", time.Time{})
	if id, err := s.Authenticate(ctx, tok); err != nil || !id.Superuser {
		t.Fatalf("root's identity = %+v %v", id, err)
	}
	if u, err := s.TokenUser(ctx, tok); err != nil || u.ID != "root" {
		t.Fatalf("TokenUser = %+v %v", u, err)
	}
	if _, err := s.User(ctx, "nobody"); tripline.ErrorCode(err) != tripline.ENOTFOUND {
		t.Fatalf("User(nobody) = %v", err)
	}
}

// A node keeps the tokens it verified (issue 17): a token revoked, a user
// disabled or a session's token expired is still refused at the next
// request, when another process on the same store made the change.
func testTokenRevokedElsewhere(t *testing.T, e Engine) {
	db := e.Open(t)
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	node := sqlstore.NewIdentityService(db)
	cli := sqlstore.NewIdentityService(Reopen(t, db))
	ctx := context.Background()
	for _, u := range []string{"a", "b"} {
		if err := cli.CreateUser(ctx, &tripline.User{ID: u, Agency: "s", Role: tripline.RoleOfficer}); err != nil {
			t.Fatal(err)
		}
	}
	issue := func(user string, expires time.Time) string {
		t.Helper()
		tok, err := cli.IssueToken(ctx, user, "api", "", expires)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	revoked, disabled, expiring := issue("a", time.Time{}), issue("b", time.Time{}), issue("a", now.Add(time.Hour))
	sess, err := node.IssueSession(ctx, expiring, "console", now.Add(12*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	check := func(what, tok string, want bool) {
		t.Helper()
		for range 2 { // the second answer comes from what the node kept
			id, err := node.Authenticate(ctx, tok)
			if got := err == nil; got != want {
				t.Fatalf("%s: authenticate = %v, %v; want accepted %v", what, id, err, want)
			}
		}
	}
	for _, tok := range []string{revoked, disabled, expiring, sess} {
		check("before", tok, true)
	}
	if err := cli.DisableToken(ctx, revoked); err != nil {
		t.Fatal(err)
	}
	check("revoked by another process", revoked, false)
	check("another token after a revocation", disabled, true)
	if err := cli.SetUserDisabled(ctx, "b", true); err != nil {
		t.Fatal(err)
	}
	check("user disabled by another process", disabled, false)
	check("session before its token expires", sess, true)
	now = now.Add(2 * time.Hour)
	check("expired token", expiring, false)
	check("session of an expired token", sess, false)
	if err := cli.SetUserDisabled(ctx, "b", false); err != nil {
		t.Fatal(err)
	}
	check("user enabled again", disabled, true)
}
