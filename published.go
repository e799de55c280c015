package tripline

import (
	"fmt"
	"time"
)

// ListVersion is a published list (IsPublishedSource) as a node holds it:
// the publication time of the copy it imported last. A published list is
// keyed by its source and this version, never by which node imported it:
// every node imports the list itself, and an older copy never overrides a
// newer one (design.md §6a).
type ListVersion struct {
	Source     string    `json:"source"`
	Version    time.Time `json:"version"`
	ImportedAt time.Time `json:"imported_at"`
	// Forced is set when an operator imported a copy older than the one
	// held (tripline import --force): it changed this node only.
	Forced bool `json:"forced,omitempty"`
}

// CheckListImport decides whether an import of source's list published at
// version may replace the copy held (nil: none held yet). Sources that are
// not published lists are not versioned: always nil. An older copy would
// bring back people delisted since, so it is ECONFLICT unless force; so is
// a copy whose publication time is unknown (zero) while a dated one is
// held. The errors name the source and both versions.
func CheckListImport(source string, version time.Time, held *ListVersion, force bool) error {
	if !IsPublishedSource(source) || held == nil || held.Version.IsZero() || force {
		return nil
	}
	if version.IsZero() {
		return Errorf(ECONFLICT, "%s: the file's publication date is unknown and this node holds the list of %s: give it (--list-version DATE), "+
			"or --force to import it anyway (this node only)", source, held.Version.UTC().Format(time.RFC3339))
	}
	if version.Before(held.Version) {
		return Errorf(ECONFLICT, "%s: this file is the list of %s, older than the list of %s this node holds: "+
			"a stale copy would bring back people delisted since; --force imports it anyway (this node only)",
			source, version.UTC().Format(time.RFC3339), held.Version.UTC().Format(time.RFC3339))
	}
	return nil
}

// ParseListVersion reads a list's publication time as an operator gives it:
// RFC 3339, or a date (YYYY-MM-DD, midnight UTC).
func ParseListVersion(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, Errorf(EINVALID, "list version: %q: want YYYY-MM-DD or an RFC 3339 time", s)
}

// String shows a list version as the CLI prints it.
func (v *ListVersion) String() string {
	s := fmt.Sprintf("%s of %s", v.Source, v.Version.UTC().Format(time.RFC3339))
	if v.Forced {
		s += " (forced)"
	}
	return s
}
