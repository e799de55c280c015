package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// pageAll follows a paged GET to its end as token: url carries the query
// without the cursor, cursor names the cursor parameter (after, before).
// It fails on a non-200, on a page whose body names any of hidden, and
// past 20 pages; it returns the ids of the items of every page (the
// objects of its arrays, whatever the route calls them) and the number of
// pages read.
func pageAll(t *testing.T, token, url, cursor string, hidden ...string) (ids []string, pages int) {
	t.Helper()
	next := ""
	for pages = 1; ; pages++ {
		if pages > 20 {
			t.Fatalf("%s: paging does not end", url)
		}
		st, body := rawAs(t, token, "GET", url+"&"+cursor+"="+next, "")
		if st != http.StatusOK {
			t.Fatalf("%s page %d: %d %s", url, pages, st, body)
		}
		for _, h := range hidden {
			if strings.Contains(body, h) {
				t.Fatalf("%s page %d names %s, hidden from the caller: %s", url, pages, h, body)
			}
		}
		var page map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatalf("%s page %d: %v: %s", url, pages, err, body)
		}
		for key, raw := range page {
			var items []struct{ ID string }
			if key != "next" && json.Unmarshal(raw, &items) == nil {
				for _, it := range items {
					ids = append(ids, it.ID)
				}
			}
		}
		next = ""
		if raw, ok := page["next"]; ok {
			if err := json.Unmarshal(raw, &next); err != nil {
				t.Fatalf("%s page %d: next: %v", url, pages, err)
			}
		}
		if next == "" {
			return ids, pages
		}
	}
}
