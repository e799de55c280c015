package importer

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"time"

	"tripline"
)

// ListVersion returns the publication time a list file states of itself:
// the UN consolidated list's dateGenerated attribute. ok is false for a
// format or file that states none (the OFAC legacy CSV export, CSV,
// FollowTheMoney); the caller then falls back on what the operator says or
// the file's own date. A malformed dateGenerated is EINVALID naming the
// file.
func ListVersion(format, path string) (t time.Time, ok bool, err error) {
	if format != "un-xml" {
		return t, false, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return t, false, openError(path, err)
	}
	defer f.Close()
	d := xml.NewDecoder(io.LimitReader(f, 1<<20)) // the root element opens the file
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return t, false, nil
		} else if err != nil {
			return t, false, tripline.Errorf(tripline.EINVALID, "%s: %v", path, err)
		}
		se, isStart := tok.(xml.StartElement)
		if !isStart {
			continue
		}
		for _, a := range se.Attr {
			if a.Name.Local == "dateGenerated" {
				if t, err = time.Parse(time.RFC3339Nano, a.Value); err != nil {
					return t, false, tripline.Errorf(tripline.EINVALID, "%s: dateGenerated %q: not an RFC 3339 time", path, a.Value)
				}
				return t.UTC(), true, nil
			}
		}
		return t, false, nil // the root states no date
	}
}
