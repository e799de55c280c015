//go:build linux

package match

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// adviseRare tells the kernel that data[off:off+n], a range of the mapping
// of f read only for a match (the listings' JSON), is read at random and
// rarely: its pages leave the page cache the checksum pass filled, and a
// read brings in its own page, not its neighbours'. Otherwise every page
// of the file ends up counted in the node's memory, mapped by the
// kernel's fault-around when a neighbour is touched.
func adviseRare(f *os.File, data []byte, off, n uint64) {
	page := uint64(os.Getpagesize())
	start := (off + page - 1) / page * page // whole pages inside the range
	end := (off + n) / page * page
	if end <= start || end > uint64(len(data)) {
		return
	}
	_ = syscall.Madvise(data[start:end], syscall.MADV_RANDOM)
	_ = unix.Fadvise(int(f.Fd()), int64(start), int64(end-start), unix.FADV_DONTNEED)
}
