//go:build !unix

package match

import (
	"io"
	"os"
)

// mapFile reads the first size bytes of f where memory mapping is not
// available.
func mapFile(f *os.File, size int) ([]byte, error) {
	b := make([]byte, size)
	_, err := io.ReadFull(io.NewSectionReader(f, 0, int64(size)), b)
	return b, err
}

// unmapFile releases a mapping nothing refers to: here, the collector does.
func unmapFile([]byte) {}
