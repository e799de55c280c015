package httpapi_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"tripline"
)

// An agency hands over its whole list through the API: streamed into the
// store, all or nothing, only into its own source and only by a writer.
func TestImportUpload(t *testing.T) {
	ts := newServer(t)
	const list = "id,primary_name,birth_dates,nationalities,action,screen_agencies\n" +
		"1,Ali Hassan,1975-03,IRQ,refuse_entry,*\n" +
		"2,Omar Khan,1980,AFG,report,*\n"
	for _, tc := range []struct {
		name   string
		role   tripline.Role
		query  string
		body   string
		status int
		want   string // in the error message, or the summary's counts
	}{
		{"first upload", tripline.RoleAnalyst, "", list, http.StatusOK, "2 added"},
		{"the same again", tripline.RoleSupervisor, "?source=s", list, http.StatusOK, "2 unchanged"},
		{"a bad row", tripline.RoleAnalyst, "", list + "3,Sara Haddad,1975-13,IRQ,report,*\n", http.StatusBadRequest, "request body: line 4"},
		{"an officer", tripline.RoleOfficer, "", list, http.StatusForbidden, "may not call POST /v1/imports"},
		{"another agency's source", tripline.RoleAnalyst, "?source=un-sc", list, http.StatusForbidden, "only its own list"},
		{"one row left: the other withdrawn", tripline.RoleAnalyst, "", strings.Join(strings.Split(list, "\n")[:2], "\n") + "\n", http.StatusOK, "1 withdrawn"},
	} {
		code, body := doAs(t, tc.role, "POST", ts.URL+"/v1/imports"+tc.query, tc.body)
		if code != tc.status {
			t.Fatalf("%s: status %d, want %d: %v", tc.name, code, tc.status, body)
		}
		if code != http.StatusOK {
			if _, msg := errMsg(body); !strings.Contains(msg, tc.want) {
				t.Errorf("%s: error %q, want it to say %q", tc.name, msg, tc.want)
			}
			continue
		}
		n, kind, _ := strings.Cut(tc.want, " ")
		if want, _ := strconv.Atoi(n); body["source"] != "s" || body[kind] != float64(want) {
			t.Errorf("%s: summary %v, want %s", tc.name, body, tc.want)
		}
	}
	code, l := do(t, "GET", ts.URL+"/v1/listings/s:1", "")
	if code != http.StatusOK || l["action"] != "refuse_entry" {
		t.Fatalf("imported listing = %d %v", code, l)
	}
}
