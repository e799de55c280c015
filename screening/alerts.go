package screening

import (
	"fmt"
	"strings"
	"sync"

	"tripline"
)

// DocumentAlerts answers "is this document revoked, stolen, lost or
// invalidated?" by exact lookup on issuing state and number, and on the
// number with OCR confusions folded, so a misread O/0, I/1, S/5 or B/8
// still finds the alert.
type DocumentAlerts struct {
	mu    sync.RWMutex
	byID  map[string]*tripline.DocumentAlert
	byKey map[string][]*tripline.DocumentAlert // country + ":" + folded number
}

// NewDocumentAlerts returns an empty alert index.
func NewDocumentAlerts() *DocumentAlerts {
	return &DocumentAlerts{byID: map[string]*tripline.DocumentAlert{}, byKey: map[string][]*tripline.DocumentAlert{}}
}

// ocrFold maps the characters OCR confuses (ICAO 9303 OCR-B) onto one form.
var ocrFold = strings.NewReplacer("O", "0", "I", "1", "S", "5", "B", "8", "Z", "2")

func alertKey(country, number string) string {
	return strings.ToUpper(country) + ":" + ocrFold.Replace(tripline.NormaliseDocNumber(number))
}

// Upsert adds or replaces an alert; a non-active alert is removed.
func (d *DocumentAlerts) Upsert(a *tripline.DocumentAlert) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if old, ok := d.byID[a.ID]; ok {
		if old.Version > a.Version {
			return // an older event replayed after a newer one
		}
		d.remove(old)
	}
	if a.Status != tripline.StatusActive && a.Status != "" {
		return
	}
	d.byID[a.ID] = a
	k := alertKey(a.Country, a.Number)
	d.byKey[k] = append(d.byKey[k], a)
}

// Remove drops the alert with id, if held (a partner may no longer show it).
func (d *DocumentAlerts) Remove(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if a, ok := d.byID[id]; ok {
		d.remove(a)
	}
}

func (d *DocumentAlerts) remove(a *tripline.DocumentAlert) {
	delete(d.byID, a.ID)
	k := alertKey(a.Country, a.Number)
	list := d.byKey[k]
	for i, x := range list {
		if x.ID == a.ID {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(d.byKey, k)
	} else {
		d.byKey[k] = list
	}
}

// Get returns the active alert with id, or nil.
func (d *DocumentAlerts) Get(id string) *tripline.DocumentAlert {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.byID[id]
}

// Len returns the number of active alerts.
func (d *DocumentAlerts) Len() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.byID)
}

// Check returns a hit match for each active alert on the traveller's
// document. An exact number scores 1.0; an OCR-folded equal number 0.97,
// still a hit: the officer compares the printed number.
func (d *DocumentAlerts) Check(doc *tripline.Document, countries func(string) string, allow func(*tripline.DocumentAlert) bool) []tripline.Match {
	if doc == nil || doc.Number == "" {
		return nil
	}
	country := countries(doc.Country)
	d.mu.RLock()
	cands := d.byKey[alertKey(country, doc.Number)]
	d.mu.RUnlock()
	var out []tripline.Match
	num := tripline.NormaliseDocNumber(doc.Number)
	for _, a := range cands {
		if allow != nil && !allow(a) {
			continue
		}
		score, how := 1.0, "exact"
		if tripline.NormaliseDocNumber(a.Number) != num {
			score, how = 0.97, fmt.Sprintf("reads as %s allowing OCR confusions", tripline.NormaliseDocNumber(a.Number))
		}
		instr := a.Instruction
		if instr == "" {
			instr = a.Action.Instruction() + " Retain the document."
		}
		out = append(out, tripline.Match{
			Listing: a.ID, Score: score, Decision: tripline.DecisionHit, Action: a.Action, Instruction: instr,
			Contact: a.Contact,
			Explain: []tripline.Feature{{Feature: "document_alert", Score: score, Weight: 1,
				Detail: fmt.Sprintf("document %s %s reported %s (%s)", a.Country, num, a.Kind, how)}},
		})
	}
	return out
}
