//go:build !linux

package match

import "os"

// adviseRare does nothing where the kernel takes no such advice.
func adviseRare(*os.File, []byte, uint64, uint64) {}

// hugeBlock has no huge pages to offer here: what pinHot would copy stays
// where it is.
func hugeBlock(int) []byte { return nil }

// dropMapped has nothing to drop (hugeBlock gives no block).
func dropMapped(_, _ []byte) {}
