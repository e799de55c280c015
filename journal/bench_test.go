package journal_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"tripline/journal"
)

// BenchmarkAppendSync appends a record the size of a screening's and waits
// until it is on disk, one at a time: the cost of one group's write and
// fsync, wall (ns/op) and CPU of the whole process (cpu-ns/op). Compare
// interleaved runs on a busy machine:
//
//	go test ./journal -run '^$' -bench AppendSync -benchtime 3000x -count 6
func BenchmarkAppendSync(b *testing.B) {
	j, err := journal.Open(b.TempDir(), 0, journal.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	rec := make([]byte, 120)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cpu0 := cpuTime()
	for b.Loop() {
		seq, err := j.Append(rec)
		if err != nil {
			b.Fatal(err)
		}
		if err := j.Sync(ctx, seq); err != nil {
			b.Fatal(err)
		}
		// Applied at once, as the appliers keep up: segments are left
		// and deleted as in a node.
		j.Done(seq)
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
