package node

import (
	"context"

	"tripline"
)

// Redress: analysts' clearances and refusals, kept in the screener.

// clearanceAgency fills in the agency of an own clearance stored before
// clearances named one (tripline.Clearance.AppliesTo): its encounter's
// reporting agency, or the node's for an encounter naming none.
func (n *Node) clearanceAgency(ctx context.Context, c *tripline.Clearance) {
	if c.Shared || c.Agency != "" {
		return
	}
	c.Agency = n.Agency
	if c.Encounter == "" {
		return
	}
	if e, err := n.Encounters.Encounter(ctx, c.Encounter); err == nil && e.Agency != "" {
		c.Agency = e.Agency
	}
}

// syncRedress drops from the screener the clearances and refusals no
// longer in the store. A replica learns of new ones from the log, but the
// writer's retention removes them without an event (it would name the
// traveller again), so a replica would keep screening against them, and
// keep them in memory, until it restarted.
func (n *Node) syncRedress(ctx context.Context) {
	// Taken before the store is read: whatever is added meanwhile was
	// stored before its event was tailed, so it is never dropped here.
	heldC, heldR := n.Screener.Redress.IDs()
	cs, err := n.Encounters.Clearances(ctx)
	if err != nil {
		n.Logger.Error("sync clearances with the store", "err", err)
		return
	}
	fs, err := n.Encounters.Refusals(ctx)
	if err != nil {
		n.Logger.Error("sync refusals with the store", "err", err)
		return
	}
	stored := make(map[string]bool, len(cs)+len(fs))
	for _, c := range cs {
		stored[c.ID] = true
	}
	for _, f := range fs {
		stored[f.ID] = true
	}
	dropped := 0
	for _, id := range heldC {
		if !stored[id] {
			n.Screener.Redress.RemoveClearance(id)
			dropped++
		}
	}
	for _, id := range heldR {
		if !stored[id] {
			n.Screener.Redress.RemoveRefusal(id)
			dropped++
		}
	}
	if dropped > 0 {
		n.Logger.Info("dropped the clearances and refusals the writer removed", "n", dropped)
	}
}

// removeLapsedClearances removes this node's own clearances that no
// longer apply (their listing changed or left) and are older than a false
// positive's retention: they spare nobody, and hold a traveller's
// document. Shared clearances are the originator's to revoke.
func (n *Node) removeLapsedClearances(ctx context.Context) (int, error) {
	cut := tripline.Cutoff(n.EncounterRetention.FalsePositive, n.Now())
	if cut.IsZero() {
		return 0, nil
	}
	cs, err := n.Encounters.Clearances(ctx)
	if err != nil {
		return 0, err
	}
	var ids []string
	for _, c := range cs {
		if !c.Shared && c.At.Before(cut) && !c.Holds(n.Index.Listing(c.Listing)) {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	k, err := n.Encounters.RemoveClearances(ctx, ids)
	if err == nil {
		for _, id := range ids {
			n.Screener.Redress.RemoveClearance(id)
		}
	}
	return k, err
}
