package httpapi_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

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

// A slow upload does not hold the store: while a client is still sending
// its list, another write goes through at once.
func TestSlowUploadDoesNotBlockWrites(t *testing.T) {
	ts := newServer(t)
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.CloseWithError(io.ErrUnexpectedEOF) }) // before the server's close, which waits for the upload
	req, _ := http.NewRequest("POST", ts.URL+"/v1/imports", pr)
	req.Header.Set("Authorization", "Bearer "+serverOf(ts.URL + "/").tokens[tripline.RoleAnalyst])
	done := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	pw.Write([]byte("id,primary_name,action,screen_agencies\n1,Ali Hassan,report,*\n"))
	time.Sleep(100 * time.Millisecond) // the import has begun and waits for more
	start := time.Now()
	if code, body := do(t, "POST", ts.URL+"/v1/listings", listingJSON(t, "9", "Omar Khan")); code != http.StatusOK {
		t.Fatalf("write during the upload = %d %v", code, body)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("a write waited %v behind a slow upload", took)
	}
	pw.Write([]byte("2,Sara Haddad,report,*\n"))
	pw.Close()
	if code := <-done; code != http.StatusOK {
		t.Fatalf("upload = %d", code)
	}
}
