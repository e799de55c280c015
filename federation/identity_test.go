package federation_test

import (
	"strings"
	"testing"

	"tripline"
	"tripline/federation"
)

func TestResolveIdentity(t *testing.T) {
	a := &federation.NodeIdentity{ID: "A", Agency: "agency-a"}
	for _, tc := range []struct {
		name           string
		fixed          *federation.NodeIdentity
		id, agency     string
		own            []string
		want           federation.NodeIdentity
		code, contains string
	}{
		{name: "new, nothing asked", want: federation.NodeIdentity{ID: "local", Agency: "local"}},
		{name: "new, id asked", id: "B", want: federation.NodeIdentity{ID: "B", Agency: "B"}},
		{name: "new, both asked", id: "B", agency: "de-bka", want: federation.NodeIdentity{ID: "B", Agency: "de-bka"}},
		{name: "fixed, nothing asked", fixed: a, want: *a},
		{name: "fixed, same asked", fixed: a, id: "A", agency: "agency-a", want: *a},
		{name: "fixed, other id", fixed: a, id: "B", code: tripline.ECONFLICT, contains: `belongs to node "A"`},
		{name: "fixed, other agency", fixed: a, agency: "x", code: tripline.ECONFLICT, contains: `belongs to agency "agency-a"`},
		{name: "log adopted", own: []string{"A"}, agency: "agency-a", want: *a},
		{name: "log adopted, same asked", own: []string{"A"}, id: "A", want: federation.NodeIdentity{ID: "A", Agency: "A"}},
		{name: "log of another", own: []string{"A"}, id: "B", code: tripline.ECONFLICT, contains: `node "A"'s`},
		{name: "log of several, one asked", own: []string{"A", "local"}, id: "A", want: federation.NodeIdentity{ID: "A", Agency: "A"}},
		{name: "log of several, none asked", own: []string{"A", "local"}, code: tripline.ECONFLICT, contains: "several origins (A, local)"},
		{name: "malformed id", id: "a b", code: tripline.EINVALID, contains: "only letters"},
		{name: "overlong id", id: strings.Repeat("x", 65), code: tripline.EINVALID, contains: "1 to 64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := federation.ResolveIdentity(tc.fixed, tc.id, tc.agency, tc.own)
			if tc.code != "" {
				if tripline.ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.contains) {
					t.Fatalf("err = %v, want %s containing %q", err, tc.code, tc.contains)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestIdentityFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if _, ok, err := federation.ReadIdentity(dir); ok || err != nil {
		t.Fatalf("empty dir: ok %v, err %v", ok, err)
	}
	want := federation.NodeIdentity{ID: "A", Agency: "agency-a"}
	if err := federation.WriteIdentity(dir, want); err != nil {
		t.Fatal(err)
	}
	got, ok, err := federation.ReadIdentity(dir)
	if !ok || err != nil || got != want {
		t.Fatalf("got %+v %v %v, want %+v", got, ok, err, want)
	}
}
