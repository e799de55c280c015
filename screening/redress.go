package screening

import (
	"fmt"
	"sync"

	"tripline"
)

// Redress holds the analysts' clearances (known false positives) and the
// identities of refused travellers, both consulted on every screening.
type Redress struct {
	// SameName scores two names in [0,1]; match.CompareNames.
	SameName func(a, b string) float64
	// NameThreshold is the name score at which a traveller is taken to be a
	// refused person returning (default 0.85).
	NameThreshold float64

	mu         sync.RWMutex
	clearances map[string][]*tripline.Clearance // by ClearanceKey
	refusals   map[string][]*tripline.Refusal   // by birth date
}

// NewRedress returns empty redress indexes comparing names with sameName.
func NewRedress(sameName func(a, b string) float64) *Redress {
	return &Redress{SameName: sameName, NameThreshold: 0.85,
		clearances: map[string][]*tripline.Clearance{}, refusals: map[string][]*tripline.Refusal{}}
}

// AddClearance indexes a clearance.
func (r *Redress) AddClearance(c *tripline.Clearance) {
	k := tripline.ClearanceKey(c.DocCountry, c.DocNumber, c.DOB)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range r.clearances[k] {
		if x.ID == c.ID {
			return
		}
	}
	r.clearances[k] = append(r.clearances[k], c)
}

// AddRefusal indexes a refused identity.
func (r *Redress) AddRefusal(f *tripline.Refusal) {
	k := f.DOB.String()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range r.refusals[k] {
		if x.ID == f.ID {
			return
		}
	}
	r.refusals[k] = append(r.refusals[k], f)
}

// Clearance returns the clearance that suppresses the match of t, screened
// by agency, with listing l, or nil. A clearance applies only while the
// listing's content is what the analyst saw (a changed listing is matched
// afresh), and only where tripline.Clearance.AppliesTo says.
func (r *Redress) Clearance(t *tripline.Traveller, l *tripline.Listing, agency string) *tripline.Clearance {
	if t.Document == nil || t.DOB.IsZero() || l == nil {
		return nil
	}
	r.mu.RLock()
	cands := r.clearances[tripline.ClearanceKey(t.Document.Country, t.Document.Number, t.DOB)]
	r.mu.RUnlock()
	if len(cands) == 0 {
		return nil
	}
	for _, c := range cands {
		if c.Holds(l) && c.AppliesTo(agency) {
			return c
		}
	}
	return nil
}

// RemoveClearance drops clearance id (a shared clearance revoked).
func (r *Redress) RemoveClearance(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	removeID(r.clearances, id, func(c *tripline.Clearance) string { return c.ID })
}

// removeID drops the record of id from an index of records by key.
func removeID[T any](index map[string][]*T, id string, idOf func(*T) string) {
	for k, xs := range index {
		for i, x := range xs {
			if idOf(x) == id {
				if index[k] = append(xs[:i:i], xs[i+1:]...); len(index[k]) == 0 {
					delete(index, k)
				}
				return
			}
		}
	}
}

// RemoveRefusal drops refusal id (past its retention).
func (r *Redress) RemoveRefusal(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	removeID(r.refusals, id, func(f *tripline.Refusal) string { return f.ID })
}

// IDs returns the ids of the clearances and refusals held.
func (r *Redress) IDs() (clearances, refusals []string) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, cs := range r.clearances {
		for _, c := range cs {
			clearances = append(clearances, c.ID)
		}
	}
	for _, fs := range r.refusals {
		for _, f := range fs {
			refusals = append(refusals, f.ID)
		}
	}
	return clearances, refusals
}

// Returning returns an earlier refusal of the same person — same birth
// date, a name of the same person — under a different document, or nil.
func (r *Redress) Returning(t *tripline.Traveller) *tripline.Refusal {
	if t.DOB.IsZero() {
		return nil
	}
	r.mu.RLock()
	cands := r.refusals[t.DOB.String()]
	r.mu.RUnlock()
	name := t.FullName()
	num := ""
	if t.Document != nil {
		num = tripline.NormaliseDocNumber(t.Document.Number)
	}
	for _, f := range cands {
		if tripline.NormaliseDocNumber(f.Document.Number) == num {
			continue // the same document: the listing or alert catches it
		}
		if r.SameName(name, f.Name) >= r.NameThreshold {
			return f
		}
	}
	return nil
}

// suppress marks m as cleared by c and says why in its explanation.
func suppress(m *tripline.Match, c *tripline.Clearance) {
	m.Suppressed = true
	by := c.Analyst
	if by == "" {
		by = "an analyst"
	}
	m.Explain = append(m.Explain, tripline.Feature{Feature: "clearance", Score: 0,
		Detail: fmt.Sprintf("cleared as a false positive by %s on %s (%s); applies until the listing changes", by, c.At.Format("2006-01-02"), c.ID)})
}

// returningMatch is the review match for a refused identity seen again.
func returningMatch(f *tripline.Refusal) tripline.Match {
	doc := f.Document.Number
	if f.Document.Country != "" {
		doc = f.Document.Country + " " + doc
	}
	detail := fmt.Sprintf("identity previously refused under document %s on %s (encounter %s)", doc, f.At.Format("2006-01-02"), f.Encounter)
	return tripline.Match{Listing: f.ID, Score: 0.9, Decision: tripline.DecisionReview, Action: tripline.ActionSecondaryCheck,
		Instruction: "Identity previously refused under document " + doc + ": refer to secondary inspection.",
		Name:        f.Name,
		Explain:     []tripline.Feature{{Feature: "refusal", Score: 0.9, Weight: 1, Detail: detail}}}
}
