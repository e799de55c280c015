package federation_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"tripline"
)

// countingReader counts the bytes read through it.
type countingReader struct {
	io.ReadSeeker
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	k, err := c.ReadSeeker.Read(b)
	c.n += int64(k)
	return k, err
}

// hostileBundle writes a bundle file of about size bytes from node from
// to node to: events that decode, and a trailer whose signature is not
// from's.
func hostileBundle(t *testing.T, from, to string, size int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hostile.tlb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, `{"tripline_bundle":2,"from":%q,"to":%q,"seq":1,"created":"2026-12-01T00:00:00Z"}`+"\n", from, to)
	payload, _ := json.Marshal(map[string]string{"id": "x:1", "narrative": strings.Repeat("n", 4000)})
	ev, _ := json.Marshal(&tripline.Event{Origin: from, Seq: 1, Type: tripline.EventListingUpserted, Subject: "x:1",
		Payload: payload, At: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	events := 0
	for written := 0; written < size; written += len(ev) + 1 {
		w.Write(ev)
		w.WriteByte('\n')
		events++
	}
	fmt.Fprintf(w, `{"events":%d,"reports":0,"sig":"AAAA"}`+"\n", events)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return path
}

// A large unsigned bundle is refused without being held in memory: from a
// node that is no partner, after reading its first line; from a partner,
// with a forged signature, after hashing the file, decoding none of it.
func TestBundleHostileLarge(t *testing.T) {
	a, _ := newGapped(t, "A")
	_, pubB := newGapped(t, "B")
	a.know(t, "B", "agency-b", pubB)
	const size = 48 << 20
	cases := []struct {
		name, from, want string
		maxRead          int64 // bytes read from the file, at most
	}{
		{"from a stranger", "Z", `"Z": not a partner`, 1 << 20},
		{"from a partner, unsigned", "B", `signature of "B" does not verify`, 2 * size},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := os.Open(hostileBundle(t, tc.from, "A", size))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r := &countingReader{ReadSeeker: f}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			res, err := a.peer.ReadBundle(t.Context(), r, "h.tlb", a.recv)
			runtime.ReadMemStats(&after)
			if r.n > tc.maxRead {
				t.Errorf("read %d bytes of the file, want at most %d", r.n, tc.maxRead)
			}
			// Allocated while reading: a few lines' buffers, not the file.
			if got := after.TotalAlloc - before.TotalAlloc; got > size/8 {
				t.Errorf("allocated %d bytes reading a %d-byte bundle that does not verify", got, size)
			}
			if err == nil || tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("= %+v, %v; want it refused: %s", res, err, tc.want)
			}
		})
	}
}
