package importer

import (
	"io"

	"tripline"
)

// ReadFTM reads FollowTheMoney JSON lines (not implemented yet).
func ReadFTM(r io.Reader, name, source string) ([]*tripline.Listing, error) {
	return nil, errAt(name, 0, "", "ftm reader not implemented yet")
}
