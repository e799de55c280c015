package importer

import (
	"context"
	"io"

	"tripline"
)

// Placeholders until the readers land; they fail loudly rather than return
// an empty list, which an import would take as "withdraw everything".

func readOFAC(ctx context.Context, path, source string, progress func(done, total int64)) ([]*tripline.Listing, error) {
	return nil, errAt(path, 0, "", "ofac-sdn reader not implemented yet")
}

// ReadFTM reads FollowTheMoney JSON lines (not implemented yet).
func ReadFTM(r io.Reader, name, source string) ([]*tripline.Listing, error) {
	return nil, errAt(name, 0, "", "ftm reader not implemented yet")
}

// ReadOFAC reads the OFAC SDN legacy CSV export (not implemented yet).
func ReadOFAC(sdnPath string) ([]*tripline.Listing, error) {
	return readOFAC(context.Background(), sdnPath, "", nil)
}
