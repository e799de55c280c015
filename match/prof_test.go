package match

import (
	"os"
	"runtime/pprof"
	"testing"
)

func TestProf1M(t *testing.T) {
	if os.Getenv("PROF1M") == "" {
		t.Skip()
	}
	ix, ls := bigIndex(t)
	qs := benchQueries(ls, 5000)
	f, _ := os.Create("/tmp/screen1m.out")
	pprof.StartCPUProfile(f)
	for k := 0; k < 2; k++ {
		for _, q := range qs {
			ix.Screen(q, benchNow, nil)
		}
	}
	pprof.StopCPUProfile()
}
