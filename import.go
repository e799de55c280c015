package tripline

import (
	"iter"
	"slices"
)

// Record is what an import plans over: listings and document alerts.
type Record interface {
	RecordID() string
	RecordSource() string
	ContentHash() string
	Validate() error
}

// Records yields rs as an import stream, for callers that hold a whole
// list in memory.
func Records[T any](rs []T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, r := range rs {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// StoredState is what an import needs to know of a stored record.
type StoredState struct {
	Hash   string
	Status Status
	// Kept: the node made it, from a tip (provisional or confirmed) or a
	// diffusion, not a list did: an import of its source never withdraws
	// it.
	Kept bool
}

// ImportAction is what an import does with one incoming record.
type ImportAction int

// The actions of an import.
const (
	ImportUnchanged ImportAction = iota
	ImportAdd
	ImportUpdate
)

// ImportPlanner decides an import record by record, so a store can apply
// it while the file is still streaming in. It is the one place list-merge
// semantics live: a store only applies its decisions. A withdrawn record
// that reappears is re-activated as an update; records already withdrawn
// are not withdrawn again.
type ImportPlanner struct {
	noun     string // "listing", for messages
	source   string
	existing map[string]StoredState
	seen     *IDSet
}

// NewImportPlanner plans an import of records called noun ("listing")
// into source, which holds existing.
func NewImportPlanner(noun, source string, existing map[string]StoredState) *ImportPlanner {
	return &ImportPlanner{noun: noun, source: source, existing: existing, seen: NewIDSet()}
}

// Admit takes the id of record i, the next in input order; a repeated id
// is EINVALID. Call it from one goroutine.
func (p *ImportPlanner) Admit(i int, id string) error {
	if _, added := p.seen.Add(id); !added {
		return Errorf(EINVALID, "%s %d: duplicate id %q", p.noun, i, id)
	}
	return nil
}

// Check reports why record i, r, may not be imported (invalid, or of
// another source). It reads nothing that changes: safe from many
// goroutines.
func (p *ImportPlanner) Check(i int, r Record) error {
	if err := r.Validate(); err != nil {
		return Errorf(EINVALID, "%s %d (%s): %s", p.noun, i, r.RecordID(), ErrorMessage(err))
	}
	if r.RecordSource() != p.source {
		return Errorf(EINVALID, "%s %d (%s): source %q, want %q", p.noun, i, r.RecordID(), r.RecordSource(), p.source)
	}
	if e, ok := r.(interface{ Erasable() bool }); ok && e.Erasable() {
		return Errorf(EINVALID, "%s %d (%s): provisional, or reason diffusion naming itself: only the node makes such a listing, from a tip or a partner's diffusion", p.noun, i, r.RecordID())
	}
	if p.existing[r.RecordID()].Kept {
		return Errorf(EINVALID, "%s %d (%s): made by the node from a tip or a received diffusion, not by the list: an import may not change it", p.noun, i, r.RecordID())
	}
	return nil
}

// Decide returns what the import does with the record id whose content
// hash is hash. Like Check, it may run on many goroutines at once.
func (p *ImportPlanner) Decide(id, hash string) ImportAction {
	old, ok := p.existing[id]
	switch {
	case !ok:
		return ImportAdd
	case old.Hash != hash || old.Status != StatusActive:
		return ImportUpdate
	}
	return ImportUnchanged
}

// Withdrawals returns the active records that no admitted id named,
// sorted: what disappeared from the list. Call it after the last Admit.
func (p *ImportPlanner) Withdrawals() []string {
	var out []string
	for id, st := range p.existing {
		if st.Status == StatusActive && !st.Kept && !p.seen.Has(id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// ImportPlan is the whole decision of an import over a list held in
// memory, made by PlanImport.
type ImportPlan[T Record] struct {
	Changed                   []T // added or updated, in input order
	Added, Updated, Unchanged int
	Withdraw                  []string
}

// PlanImport decides what an import of incoming records called noun into
// source, which holds existing, does: ImportPlanner over a whole list.
func PlanImport[T Record](noun, source string, existing map[string]StoredState, incoming []T) (ImportPlan[T], error) {
	var plan ImportPlan[T]
	p := NewImportPlanner(noun, source, existing)
	for i, r := range incoming {
		if err := p.Admit(i, r.RecordID()); err != nil {
			return plan, err
		}
		if err := p.Check(i, r); err != nil {
			return plan, err
		}
		switch p.Decide(r.RecordID(), r.ContentHash()) {
		case ImportAdd:
			plan.Added++
		case ImportUpdate:
			plan.Updated++
		default:
			plan.Unchanged++
			continue
		}
		plan.Changed = append(plan.Changed, r)
	}
	plan.Withdraw = p.Withdrawals()
	return plan, nil
}
