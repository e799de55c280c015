//go:build !linux

package match

import "os"

// adviseRare does nothing where the kernel takes no such advice.
func adviseRare(*os.File, []byte, uint64, uint64) {}
