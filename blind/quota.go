package blind

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"tripline"
)

// DefaultVolume is the traveller volume a day assumed of a partner that
// declared none.
const DefaultVolume = 10000

// Quota holds each partner's daily evaluation quota: the travellers a day
// it declared (Volumes) times MaxTravellerKeys, per UTC day. A partner
// screening its declared traffic stays within it; one enumerating names
// and birth dates runs out at once. Counts persist in Path, so that a
// restart does not hand out a fresh quota.
type Quota struct {
	// Path is where the day's counts are kept ("" = memory only).
	Path string
	// Volumes says what each partner node declared (nil: DefaultVolume).
	Volumes *Volumes
	Now     func() time.Time

	mu     sync.Mutex
	loaded bool
	state  quotaState
}

type quotaState struct {
	Day  string           `json:"day"`
	Used map[string]int64 `json:"used"`
}

// Limit returns node's quota of evaluations a day.
func (q *Quota) Limit(node string) int64 {
	v := int64(DefaultVolume)
	if q.Volumes != nil {
		v = q.Volumes.Of(node)
	}
	return v * MaxTravellerKeys
}

// Take charges n evaluations to node's quota of today and returns what it
// has used and may use. Past the quota nothing is charged and the error
// is ERATELIMIT; a count that cannot be saved fails the batch (an
// unrecorded evaluation must not be free).
func (q *Quota) Take(ctx context.Context, node string, n int64) (used, limit int64, err error) {
	return q.take(node, n, true)
}

// Check is Take without charging: ERATELIMIT when n more would pass the
// quota. Evaluate asks it before the work of checking a batch, so that a
// partner past its quota costs this node nothing but the refusal.
func (q *Quota) Check(ctx context.Context, node string, n int64) (used, limit int64, err error) {
	return q.take(node, n, false)
}

func (q *Quota) take(node string, n int64, charge bool) (used, limit int64, err error) {
	now := time.Now
	if q.Now != nil {
		now = q.Now
	}
	day := now().UTC().Format(time.DateOnly)
	limit = q.Limit(node)
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.loaded {
		if err := readJSON(q.Path, &q.state); err != nil {
			return 0, limit, fmt.Errorf("blind quota: %w", err)
		}
		q.loaded = true
	}
	if q.state.Day != day || q.state.Used == nil {
		q.state = quotaState{Day: day, Used: map[string]int64{}}
	}
	used = q.state.Used[node]
	if used+n > limit {
		return used, limit, tripline.Errorf(tripline.ERATELIMIT,
			"blind evaluation quota: %d asked, %d of today's %d used by node %s (its declared traffic, %d travellers a day, times %d keys)",
			n, used, limit, node, limit/MaxTravellerKeys, MaxTravellerKeys)
	}
	if !charge {
		return used, limit, nil
	}
	q.state.Used[node] = used + n
	if err := writeJSON(q.Path, &q.state); err != nil {
		q.state.Used[node] = used
		return used, limit, fmt.Errorf("blind quota: %w", err)
	}
	return used + n, limit, nil
}

// Volumes are the travellers a day each partner node declared, kept in a
// file the command line writes (tripline blind volume) and a serving node
// re-reads when it changes.
type Volumes struct {
	Path string

	mu    sync.Mutex
	mod   time.Time
	byKey map[string]int64
}

// Of returns node's declared volume, DefaultVolume when it declared none.
func (v *Volumes) Of(node string) int64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	if st, err := os.Stat(v.Path); err == nil && !st.ModTime().Equal(v.mod) {
		m := map[string]int64{}
		if readJSON(v.Path, &m) == nil {
			v.byKey, v.mod = m, st.ModTime()
		}
	}
	if n, ok := v.byKey[node]; ok {
		return n
	}
	return DefaultVolume
}

// Set records node's declared volume; n must be positive.
func (v *Volumes) Set(node string, n int64) error {
	if n <= 0 || n > 100_000_000 {
		return tripline.Errorf(tripline.EINVALID, "travellers a day: %d, want 1 to 100,000,000", n)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	m := map[string]int64{}
	if err := readJSON(v.Path, &m); err != nil {
		return err
	}
	m[node] = n
	if err := writeJSON(v.Path, m); err != nil {
		return err
	}
	v.byKey, v.mod = m, time.Time{}
	return nil
}

// readJSON reads v from path; a missing file leaves v as it is.
func readJSON(path string, v any) error {
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeJSON writes v to path durably: a temporary file, synced, renamed.
func writeJSON(path string, v any) error {
	if path == "" {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeFile(path, b)
}

func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
