//go:build unix

package match

import (
	"os"
	"syscall"
)

// mapFile maps the first size bytes of f privately: pages are read from
// the file when first touched and never count as Go heap; a write (a
// posting marked dead) copies its page for this process only.
func mapFile(f *os.File, size int) ([]byte, error) {
	if size == 0 {
		return nil, nil
	}
	return syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
}

// unmapFile releases a mapping nothing refers to (a refused snapshot).
func unmapFile(b []byte) {
	if b != nil {
		_ = syscall.Munmap(b)
	}
}
