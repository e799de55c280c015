package blind

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/cloudflare/circl/oprf"

	"tripline"
)

// EvaluateRequest is a partner's blinded batch: group elements that tell
// nothing of the keys they blind. Chunk splits it into runs of that many
// elements, each evaluated (on its own core) with its own proof; 0 is one
// run.
type EvaluateRequest struct {
	Elements [][]byte `json:"elements"`
	Chunk    int      `json:"chunk,omitempty"`
}

// EvaluateResponse is the evaluated batch with a proof per chunk under the
// epoch's key, and how much of the day's quota the partner has used.
type EvaluateResponse struct {
	Epoch     int64    `json:"epoch"`
	PublicKey []byte   `json:"public_key"`
	Evaluated [][]byte `json:"evaluated"`
	Proofs    [][]byte `json:"proofs"`
	Used      int64    `json:"used"`
	Limit     int64    `json:"limit"`
}

// maxChunks bounds the runs of one batch; minChunk is the smallest run a
// partner asks for (a proof costs about as much as a few evaluations).
const (
	maxChunks = 64
	minChunk  = 128
)

// runs splits n elements into runs of chunk (the whole when chunk is 0).
func runs(n, chunk int) [][2]int {
	if chunk <= 0 || chunk > n {
		chunk = n
	}
	var out [][2]int
	for lo := 0; lo < n; lo += chunk {
		out = append(out, [2]int{lo, min(lo+chunk, n)})
	}
	return out
}

// parallel runs fn(0..n-1) on every core and returns the first error.
func parallel(n int, fn func(i int) error) error {
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
				}
			}
		})
	}
	wg.Wait()
	return first
}

// Evaluate evaluates a partner's blinded batch under the current epoch's
// key, after charging it to the partner's daily quota. A batch that is
// empty, too large, split into too many chunks or holding anything but
// valid group elements is EINVALID; past the quota ERATELIMIT, and nothing
// is evaluated.
func (o *Originator) Evaluate(ctx context.Context, node string, req *EvaluateRequest) (*EvaluateResponse, error) {
	n := len(req.Elements)
	if n == 0 || n > MaxBatch {
		return nil, tripline.Errorf(tripline.EINVALID, "elements: %d, want 1 to %d", n, MaxBatch)
	}
	parts := runs(n, req.Chunk)
	if req.Chunk < 0 || len(parts) > maxChunks {
		return nil, tripline.Errorf(tripline.EINVALID, "chunk: %d makes %d runs, at most %d", req.Chunk, len(parts), maxChunks)
	}
	if o.Quota != nil {
		// Decoding a full batch costs seconds: a partner past its quota
		// is refused before it.
		if _, _, err := o.Quota.Check(ctx, node, int64(n)); err != nil {
			return nil, err
		}
	}
	g := Suite.Group()
	elems := make([]oprf.Blinded, n)
	for i, b := range req.Elements {
		e := g.NewElement()
		if len(b) != evaluatedSize || e.UnmarshalBinary(b) != nil || e.IsIdentity() {
			return nil, tripline.Errorf(tripline.EINVALID, "elements[%d]: not a %s group element", i, Suite.Identifier())
		}
		elems[i] = e
	}
	out := &EvaluateResponse{}
	if o.Quota != nil {
		var err error
		if out.Used, out.Limit, err = o.Quota.Take(ctx, node, int64(n)); err != nil {
			return nil, err
		}
	}
	epoch, key, err := o.current()
	if err != nil {
		return nil, err
	}
	out.Epoch = epoch
	if out.PublicKey, err = key.Public().MarshalBinary(); err != nil {
		return nil, err
	}
	srv := oprf.NewVerifiableServer(Suite, key)
	out.Evaluated, out.Proofs = make([][]byte, n), make([][]byte, len(parts))
	err = parallel(len(parts), func(p int) error {
		lo, hi := parts[p][0], parts[p][1]
		ev, err := srv.Evaluate(&oprf.EvaluationRequest{Elements: elems[lo:hi]})
		if err != nil {
			return err
		}
		if out.Proofs[p], err = ev.Proof.MarshalBinary(); err != nil {
			return err
		}
		for i, e := range ev.Elements {
			if out.Evaluated[lo+i], err = e.MarshalBinaryCompress(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
