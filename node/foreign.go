package node

import (
	"context"
	"sync"

	"tripline/sqlstore"
)

// foreignApplied tracks, for each partner's origin, the last of its events
// the indexes reflect. A node applies a partner's events as they commit
// (pulled by this process), and also those another process wrote to the
// same data directory: `tripline federation import` of a bundle while the
// node serves takes effect at once, not at the next start.
type foreignApplied struct {
	mu     sync.Mutex
	cursor map[string]int64
}

// start notes each partner origin's head before the node loads its store:
// what the load reads is not applied again, what commits after is.
func (f *foreignApplied) start(ctx context.Context, fed *sqlstore.FederationStore, evs *sqlstore.EventService) error {
	ps, err := fed.Partners(ctx)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cursor = map[string]int64{}
	for _, p := range ps {
		head, err := evs.LastSeq(ctx, p.ID)
		if err != nil {
			return err
		}
		f.cursor[p.ID] = head
	}
	return nil
}

// mark records origin's event seq as applied and reports whether it was
// new. A partner's events of one origin commit in order, so the highest
// applied is enough.
func (f *foreignApplied) mark(origin string, seq int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cursor == nil {
		f.cursor = map[string]int64{}
	}
	if seq <= f.cursor[origin] {
		return false
	}
	f.cursor[origin] = seq
	return true
}

func (f *foreignApplied) next(origin string) (int64, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cur, ok := f.cursor[origin]
	return cur, ok
}

// tailForeign applies the partners' events other processes stored.
func (n *Node) tailForeign(ctx context.Context) {
	ps, err := n.Fed.Partners(ctx)
	if err != nil {
		return
	}
	for _, p := range ps {
		for {
			cur, _ := n.foreign.next(p.ID)
			head, err := n.Events.LastSeq(ctx, p.ID)
			if err != nil || head <= cur {
				break
			}
			evs, err := n.Events.Events(ctx, p.ID, cur, 5000)
			if err != nil || len(evs) == 0 {
				if err != nil && ctx.Err() == nil {
					n.Logger.Error("tail a partner's events", "origin", p.ID, "err", err)
				}
				break
			}
			n.apply(evs)
		}
	}
}

// stillHeld reports whether the store still holds listing id: a
// placeholder or range drops a listing from the index only where the store
// dropped it, which it does only for the listing's own origin (a range
// naming another origin's listing changes nothing).
func (n *Node) stillHeld(id string) bool {
	_, err := n.Listings.Listing(context.Background(), id)
	return err == nil
}

// alertHeld is stillHeld for document alert id.
func (n *Node) alertHeld(id string) bool {
	_, err := n.Alerts.DocumentAlert(context.Background(), id)
	return err == nil
}
