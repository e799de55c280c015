package node

import (
	"context"
	"time"

	"tripline"
)

// Retro-screening: a listing that arrives or changes is screened against
// the travellers seen before it (the retention window).

// retroLoop screens each new or changed listing against the travellers of
// the retention window; each match becomes a retro-encounter.
func (n *Node) retroLoop(ctx context.Context) {
	defer n.bg.Done()
	select { // a listing screened against part of the window would miss the rest
	case <-n.window:
	case <-ctx.Done():
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case l := <-n.retroq:
			if err := n.retroScreen(ctx, l); err != nil {
				n.Logger.Error("retro-screen", "listing", l.ID, "err", err)
			}
		case <-n.bulkWake:
			n.bulkRetro(ctx)
		}
	}
}

// markBulk notes a changed listing the retro queue has no room for: a
// burst (a large import) is retro-screened the other way round.
func (n *Node) markBulk(id string) {
	n.bulkMu.Lock()
	if n.bulk == nil {
		n.bulk, n.bulkSince = map[string]struct{}{}, n.Now()
	}
	n.bulk[id] = struct{}{}
	n.bulkMu.Unlock()
	select {
	case n.bulkWake <- struct{}{}:
	default:
	}
}

// bulkRetro retro-screens a burst of listings: one listing against the
// stored travellers costs tens of milliseconds, so a million new listings
// would take hours one by one; instead every traveller seen before the
// burst is screened against the index, counting only the burst's listings.
func (n *Node) bulkRetro(ctx context.Context) {
	n.bulkMu.Lock()
	ids, since := n.bulk, n.bulkSince
	n.bulk = nil
	n.bulkMu.Unlock()
	if len(ids) == 0 {
		return
	}
	n.bulkRuns.Add(1)
	now, found := n.Now(), 0
	allow := func(l *tripline.Listing) bool { _, ok := ids[l.ID]; return ok }
	n.Retro.Each(now, since, func(t tripline.Traveller, seen time.Time) bool {
		for _, m := range n.Index.Screen(&t, now, allow) {
			l := n.Index.Listing(m.Listing)
			if l == nil || m.Decision == tripline.DecisionClear {
				continue
			}
			if err := n.recordRetro(ctx, l, t, seen, m.Score, m.Explain); err != nil {
				n.Logger.Error("retro-screen", "listing", l.ID, "err", err)
				return false
			}
			found++
		}
		return ctx.Err() == nil
	})
	n.Logger.Info("retro-screened a burst of listings", "listings", len(ids), "encounters", found)
}

func (n *Node) retroScreen(ctx context.Context, l *tripline.Listing) error {
	for _, h := range n.Retro.Screen(l, n.Now()) {
		if err := n.recordRetro(ctx, l, h.Traveller, h.Seen, h.Score, h.Explain); err != nil {
			return err
		}
	}
	return nil
}

// recordRetro records a retro-encounter: traveller t, seen at seen before
// l arrived, matches it. A traveller an analyst cleared against l is left
// alone; an encounter the busy store cannot take goes to the pending queue.
func (n *Node) recordRetro(ctx context.Context, l *tripline.Listing, t tripline.Traveller, seen time.Time, score float64, explain []tripline.Feature) error {
	agency := screeningAgency(&t)
	cleared := agency
	if cleared == "" {
		cleared = n.Agency // a traveller stored before travellers named their agency
	}
	if c := n.Screener.Redress.Clearance(&t, l, cleared); c != nil {
		return nil // the screening agency already found this traveller is not this person
	}
	e := &tripline.Encounter{
		Listing: l.ID, Originator: l.Provenance.Originator, Decision: n.Index.Thresholds().Decide(score), Score: score, Action: l.Action,
		Traveller: t, Retro: true, Explain: explain, At: seen, Agency: agency,
		Note: "retro-screening: seen " + seen.Format("2006-01-02 15:04") + " UTC, before the listing arrived",
	}
	if _, err := n.Encounters.CreateEncounter(ctx, e); err != nil {
		if ctx.Err() != nil || n.Screener.Pending == nil {
			return err
		}
		n.Screener.Pending(e) // the store is busy: recorded later, as a screening's encounter would be
	}
	return nil
}

// screeningAgency is the agency whose border post screened t (kept with
// it for retro-screening): a retro-encounter is that agency's too.
func screeningAgency(t *tripline.Traveller) string {
	if t.Travel == nil {
		return ""
	}
	return t.Travel.Agency
}
