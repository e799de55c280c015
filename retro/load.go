package retro

import (
	"runtime"
	"sync"
	"time"

	"tripline"
)

// loadBatch is how many travellers one task of Load tokenizes.
const loadBatch = 512

// loading is a batch of Load: travellers, their keys once done is closed.
type loading struct {
	ts   []*tripline.Traveller
	ats  []time.Time
	keys [][]uint32
	done chan struct{}
}

// Load stores the travellers each gives, in its order, as Add would one
// by one, with their names tokenized on every processor: a node's start
// reads the whole retention window (hundreds of thousands of travellers),
// and a name's keys cost far more than storing it. Adds may go on
// meanwhile (a node screens while it loads the window). each calls add
// for every traveller and returns its error, which Load returns once what
// was given is stored, every segment but the newest packed.
func (s *Store) Load(each func(add func(t *tripline.Traveller, at time.Time)) error) error {
	workers := max(1, runtime.GOMAXPROCS(0))
	work := make(chan *loading, workers)
	order := make(chan *loading, 2*workers) // batches as given: stored in this order
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for b := range work {
				for i, t := range b.ts {
					b.keys[i] = s.travellerKeys(t.FullName())
				}
				close(b.done)
			}
		})
	}
	stored := make(chan struct{})
	go func() {
		defer close(stored)
		for b := range order {
			<-b.done
			s.mu.Lock()
			for i, t := range b.ts {
				s.addLocked(t, b.ats[i], b.keys[i])
			}
			s.mu.Unlock()
		}
	}()
	next := func() *loading {
		return &loading{ts: make([]*tripline.Traveller, 0, loadBatch), ats: make([]time.Time, 0, loadBatch), done: make(chan struct{})}
	}
	cur := next()
	flush := func() {
		if len(cur.ts) == 0 {
			return
		}
		cur.keys = make([][]uint32, len(cur.ts))
		order <- cur // before work: the batch the storer waits for is always on its way
		work <- cur
		cur = next()
	}
	err := each(func(t *tripline.Traveller, at time.Time) {
		cur.ts, cur.ats = append(cur.ts, t), append(cur.ats, at)
		if len(cur.ts) == loadBatch {
			flush()
		}
	})
	flush()
	close(work)
	close(order)
	wg.Wait()
	<-stored
	s.mu.Lock()
	s.sealOld()
	s.mu.Unlock()
	return err
}

// sealOld packs the postings of every segment but the newest: travellers
// older than the newest segment (a Load beside live screenings) left
// them unsealed. s.mu held.
func (s *Store) sealOld() {
	for i := 0; i < len(s.segs)-1; i++ {
		s.segs[i].seal()
	}
}
