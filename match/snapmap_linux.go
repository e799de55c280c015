//go:build linux

package match

import (
	"bytes"
	"os"
	"syscall"
	"unsafe"

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

// hugeBlock returns n bytes of anonymous memory the kernel is asked to
// back with huge pages (pinHot), nil when transparent huge pages are
// switched off or the memory cannot be had: small pages would only
// duplicate what the mapping holds.
func hugeBlock(n int) []byte {
	if n == 0 {
		return nil
	}
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !bytes.Contains(mode, []byte("[always]")) && !bytes.Contains(mode, []byte("[madvise]")) {
		return nil
	}
	const huge = 2 << 20
	b, err := syscall.Mmap(-1, 0, (n+huge-1)&^(huge-1), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	_ = syscall.Madvise(b, unix.MADV_HUGEPAGE)
	return b[:n]
}

// dropMapped tells the kernel that r, a range of the mapping data, is no
// longer read (pinHot copied it): the process's pages of it go, and a
// read would fault them in again from the file.
func dropMapped(data, r []byte) {
	if len(r) == 0 || len(data) == 0 {
		return
	}
	page := uintptr(os.Getpagesize())
	base, p := uintptr(unsafe.Pointer(&data[0])), uintptr(unsafe.Pointer(&r[0]))
	if p < base || p+uintptr(len(r)) > base+uintptr(len(data)) {
		return // not in the mapping
	}
	start := (p - base + page - 1) / page * page // whole pages inside r
	end := (p - base + uintptr(len(r))) / page * page
	if end > start {
		_ = syscall.Madvise(data[start:end], syscall.MADV_DONTNEED)
	}
}
