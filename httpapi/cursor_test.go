package httpapi

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestVisiblePageNamesNothingHidden pages with limit 1 through records
// most of which the caller may not see (a run of them longer than one
// request reads): every next is a record the caller was shown or a sealed
// cursor, never a hidden id; every visible record comes once, in order; a
// cursor says nothing of the id it holds (not even its length) and opens
// on its own route of this server only.
func TestVisiblePageNamesNothingHidden(t *testing.T) {
	var ids, want []string
	visible := map[string]bool{}
	for i := range 2*maxPageScan + 500 {
		id := fmt.Sprintf("h%06d-%s", i, strings.Repeat("x", i%7)) // hidden, of varying length
		if i%5000 == 4999 || i == 2*maxPageScan+499 {
			id = fmt.Sprintf("v%06d", i)
			visible[id], want = true, append(want, id)
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	slices.Sort(want)
	read := func(after string, n int) ([]string, error) {
		i, _ := slices.BinarySearch(ids, after)
		for i < len(ids) && ids[i] <= after {
			i++
		}
		return ids[i:min(len(ids), i+n)], nil
	}
	shape := func(rs []string) ([]string, error) {
		var out []string
		for _, r := range rs {
			if visible[r] {
				out = append(out, r)
			}
		}
		return out, nil
	}
	self := func(s string) string { return s }
	c := newCursors()
	var got []string
	cursorLens := map[int]bool{}
	after := ""
	for pages := 0; ; pages++ {
		if pages > len(ids) {
			t.Fatal("paging does not end")
		}
		shown, next, err := visiblePage(c, "listings", after, 1, read, shape, self)
		if err != nil {
			t.Fatalf("page after %q: %v", after, err)
		}
		got = append(got, shown...)
		switch {
		case next == "":
		case strings.HasPrefix(next, cursorPrefix):
			cursorLens[len(next)] = true
			pos, err := c.after("listings", next)
			raw, _ := base64.RawURLEncoding.DecodeString(next[len(cursorPrefix):])
			if err != nil || visible[pos] || strings.Contains(next, pos) || strings.Contains(string(raw), pos) {
				t.Fatalf("cursor %q holds %q (%v): shown as is, or not a hidden position", next, pos, err)
			}
			if _, _, err := visiblePage(c, "alerts", next, 1, read, shape, self); err == nil {
				t.Error("a listings cursor opens on the alerts route")
			}
			if _, _, err := visiblePage(newCursors(), "listings", next, 1, read, shape, self); err == nil {
				t.Error("a cursor opens on another server (or after a restart)")
			}
		case !visible[next]:
			t.Fatalf("next %q: a record the caller may not see", next)
		}
		if next == "" {
			break
		}
		after = next
	}
	if !slices.Equal(got, want) {
		t.Fatalf("shown %v, want %v", got, want)
	}
	if len(cursorLens) != 1 {
		t.Errorf("cursor lengths %v: they vary with the hidden id", cursorLens)
	}
	for _, bad := range []string{cursorPrefix, cursorPrefix + "AAAA", cursorPrefix + "!!"} {
		if _, _, err := visiblePage(c, "listings", bad, 1, read, shape, self); err == nil {
			t.Errorf("after %q: accepted", bad)
		}
	}
}

// TestPageOfTildeIDs: an id may start with the sealed cursor's "~" (a
// source named "~x"); a page ending on one still leads to the next page.
// Before, its next was the plain id, read back as a cursor and refused,
// so nothing after it could be paged to.
func TestPageOfTildeIDs(t *testing.T) {
	ids := []string{"a:1", "~x:1", "~x:2", "~x:3"}
	read := func(after string, n int) ([]string, error) {
		i, _ := slices.BinarySearch(ids, after)
		for i < len(ids) && ids[i] <= after {
			i++
		}
		return ids[i:min(len(ids), i+n)], nil
	}
	all := func(rs []string) ([]string, error) { return rs, nil }
	self := func(s string) string { return s }
	c := newCursors()
	var got []string
	for after, pages := "", 0; ; pages++ {
		if pages > len(ids) {
			t.Fatal("paging does not end")
		}
		shown, next, err := visiblePage(c, "listings", after, 1, read, all, self)
		if err != nil {
			t.Fatalf("page after %q: %v", after, err)
		}
		got = append(got, shown...)
		if next == "" {
			break
		}
		after = next
	}
	if !slices.Equal(got, ids) {
		t.Fatalf("paged %q, want %q", got, ids)
	}
}
