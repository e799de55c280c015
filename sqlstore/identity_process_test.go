package sqlstore_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/sqlite"
	"tripline/sqlstore"
)

// TestTokenRevokedByAnotherProcess: a serving node keeps the tokens it
// verified; `tripline users disable` or a revocation run by another
// process on the same data directory still takes effect at the node's
// next request.
func TestTokenRevokedByAnotherProcess(t *testing.T) {
	if path := os.Getenv("TRIPLINE_TEST_REVOKE_CHILD"); path != "" {
		db := sqlite.NewDB(path)
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ids := sqlstore.NewIdentityService(db)
		var err error
		if tok := os.Getenv("TRIPLINE_TEST_REVOKE_TOKEN"); tok != "" {
			err = ids.DisableToken(context.Background(), tok)
		} else {
			err = ids.SetUserDisabled(context.Background(), "b", true)
		}
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	path := filepath.Join(t.TempDir(), "tripline.db")
	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ids := sqlstore.NewIdentityService(db)
	ctx := context.Background()
	toks := map[string]string{}
	for _, u := range []string{"a", "b"} {
		if err := ids.CreateUser(ctx, &tripline.User{ID: u, Agency: "s", Role: tripline.RoleOfficer}); err != nil {
			t.Fatal(err)
		}
		tok, err := ids.IssueToken(ctx, u, "api", "", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		toks[u] = tok
	}
	auth := func(tok string) error {
		for range 3 {
			if _, err := ids.Authenticate(ctx, tok); err != nil {
				return err
			}
		}
		return nil
	}
	for _, tok := range toks {
		if err := auth(tok); err != nil {
			t.Fatal(err)
		}
	}
	child := func(token string) {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run", "^TestTokenRevokedByAnotherProcess$")
		cmd.Env = append(os.Environ(), "TRIPLINE_TEST_REVOKE_CHILD="+path, "TRIPLINE_TEST_REVOKE_TOKEN="+token)
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "PASS") {
			t.Fatalf("child: %v\n%s", err, out)
		}
	}
	child(toks["a"])
	if err := auth(toks["a"]); tripline.ErrorCode(err) != tripline.EUNAUTHORIZED {
		t.Fatalf("token revoked by another process: %v, want unauthorized", err)
	}
	if err := auth(toks["b"]); err != nil {
		t.Fatalf("the other token: %v", err)
	}
	child("")
	if err := auth(toks["b"]); tripline.ErrorCode(err) != tripline.EUNAUTHORIZED {
		t.Fatalf("user disabled by another process: %v, want unauthorized", err)
	}
}

// TestAuthenticateAfterCloseFails: a request still being served when the
// node closes its store (a shutdown past its grace period) gets an error
// from Authenticate, never a crash: the WAL index header it checks tokens
// against is mapped, and the mapping goes with the store.
func TestAuthenticateAfterCloseFails(t *testing.T) {
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "tripline.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	ids := sqlstore.NewIdentityService(db)
	ctx := context.Background()
	if err := ids.CreateUser(ctx, &tripline.User{ID: "a", Agency: "s", Role: tripline.RoleOfficer}); err != nil {
		t.Fatal(err)
	}
	tok, err := ids.IssueToken(ctx, "a", "api", "", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ids.Authenticate(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := ids.Authenticate(ctx, tok); err == nil {
		t.Fatal("Authenticate after the store closed: no error")
	}
}
