package main

import (
	"context"
	"iter"
	"time"

	"tripline"
	"tripline/importer"
)

// published is how `tripline import` treats a published list: its
// publication date when the file states none (--list-version), and
// whether an older copy than held is imported anyway (--force).
type published struct {
	version string
	force   bool
}

// importList imports a file's listings into src. A published list (UN,
// OFAC) is versioned by its publication time (listVersion): an older copy
// than the one held is refused unless force, and then changes this node
// only, as every import of a published list does.
func (n *Node) importList(ctx context.Context, format, path, src, given string, force bool,
	ls iter.Seq2[*tripline.Listing, error]) (*tripline.ImportSummary, error) {
	if !tripline.IsPublishedSource(src) {
		return n.Listings.ImportListings(ctx, src, ls)
	}
	v, err := listVersion(format, path, given)
	if err != nil {
		return nil, err
	}
	return n.Listings.ImportPublished(ctx, src, v, force, ls)
}

// listVersion is the publication time of the list in path: given
// (--list-version) when set, else what the file states of itself (the UN
// list's dateGenerated); zero when nothing tells. OFAC's legacy CSV export
// dates nothing, and a file's modification time says when it was copied,
// not published: an OFAC copy is dated with --list-version.
func listVersion(format, path, given string) (time.Time, error) {
	if given != "" {
		return tripline.ParseListVersion(given)
	}
	t, _, err := importer.ListVersion(format, path)
	return t, err
}
