package screening

import (
	"context"
	"fmt"

	"tripline"
	"tripline/paxlst"
)

// Manifest is a whole flight presented for screening: from a PAXLST file
// or a JSON body.
type Manifest struct {
	Direction  string                `json:"direction,omitempty"` // in, out, transit
	Flight     string                `json:"flight,omitempty"`
	Port       string                `json:"port,omitempty"`
	Date       string                `json:"date,omitempty"`
	Travellers []*tripline.Traveller `json:"travellers"`
	// Incomplete, parallel to Travellers when set, says why a traveller's
	// data may be cut (a PAXLST read with partial processing); such a
	// traveller is never cleared on what arrived: a clear becomes review.
	// Never from JSON: a caller cannot mark its own travellers.
	Incomplete []string `json:"-"`
	// CoTravellers, parallel to Travellers when set, are the others on
	// each traveller's booking (a PNRGOV push); never from JSON.
	CoTravellers [][]tripline.CoTraveller `json:"-"`
}

// ManifestResult is one result per traveller, in manifest order, with a
// count per decision and the parser's warnings.
type ManifestResult struct {
	MessageRef string       `json:"message_ref,omitempty"`
	Type       string       `json:"type,omitempty"` // passenger or crew
	Legs       []paxlst.Leg `json:"legs,omitempty"`
	Warnings   []string     `json:"warnings,omitempty"`
	// Incomplete says why the manifest is not whole (read with partial
	// processing from a cut PAXLST); "" when it is.
	Incomplete string `json:"incomplete,omitempty"`
	// PNR describes the PNRGOV push screened, nil for a PAXLST or JSON
	// manifest.
	PNR     *PNRSummary        `json:"pnr,omitempty"`
	Summary map[string]int     `json:"summary"`
	Results []*tripline.Result `json:"results"`
}

// MaxManifest bounds one manifest: the largest aircraft carry under 900.
const MaxManifest = 5000

// FromPAXLST turns a parsed PAXLST manifest into travellers. Each gets the
// ref "<message ref>-<n>" unless the manifest gives none.
func FromPAXLST(m *paxlst.Manifest, direction string) (*Manifest, []string) {
	out := &Manifest{Direction: direction}
	for i, p := range m.Travellers {
		ref := fmt.Sprintf("%s-%d", m.MessageRef, i+1)
		if m.MessageRef == "" {
			ref = fmt.Sprintf("pax-%d", i+1)
		}
		dir := direction
		if p.Transit {
			// DDT/DDU: this passenger only changes planes here, whatever
			// the manifest's direction; transit actions apply.
			dir = tripline.DirectionTransit
		}
		out.Travellers = append(out.Travellers, p.Traveller(ref, dir))
		if p.Incomplete != "" {
			if out.Incomplete == nil {
				out.Incomplete = make([]string, len(m.Travellers))
			}
			out.Incomplete[i] = p.Incomplete
		}
	}
	var warns []string
	for _, w := range m.Warnings {
		warns = append(warns, w.String())
	}
	return out, warns
}

// ScreenManifest screens every traveller of m. Flight, port, date and
// direction given at manifest level fill what a traveller lacks.
func (s *Service) ScreenManifest(ctx context.Context, m *Manifest) (*ManifestResult, error) {
	if len(m.Travellers) == 0 {
		return nil, tripline.Errorf(tripline.EINVALID, "travellers: the manifest has none")
	}
	if len(m.Travellers) > MaxManifest {
		return nil, tripline.Errorf(tripline.EINVALID, "travellers: %d in one manifest, at most %d", len(m.Travellers), MaxManifest)
	}
	switch m.Direction {
	case "", "in", "out", "transit":
	default:
		return nil, tripline.Errorf(tripline.EINVALID, "direction: %q is not in, out or transit", m.Direction)
	}
	if err := tripline.CheckTravelDate(m.Date); err != nil {
		return nil, tripline.Errorf(tripline.EINVALID, "date: %s", tripline.ErrorMessage(err))
	}
	for i, t := range m.Travellers {
		if t == nil {
			return nil, tripline.Errorf(tripline.EINVALID, "travellers[%d]: null", i)
		}
		if t.Travel == nil {
			t.Travel = &tripline.Travel{}
		}
		tr := t.Travel
		tr.Direction = firstNonEmpty(tr.Direction, m.Direction)
		tr.Flight = firstNonEmpty(tr.Flight, m.Flight)
		tr.Port = firstNonEmpty(tr.Port, m.Port)
		tr.Date = firstNonEmpty(tr.Date, m.Date)
	}
	if s.OnManifest != nil {
		s.OnManifest(ctx, m)
	}
	res, err := s.ScreenBatch(ctx, m.Travellers)
	if err != nil {
		return nil, err
	}
	out := &ManifestResult{Results: res, Summary: map[string]int{"hit": 0, "review": 0, "clear": 0}}
	for i, r := range res {
		if i < len(m.Incomplete) && m.Incomplete[i] != "" {
			cutShort(r, m.Incomplete[i])
		}
		r.Booking = m.Travellers[i].Booking
		if i < len(m.CoTravellers) {
			r.CoTravellers = m.CoTravellers[i]
		}
		out.Summary[string(r.Decision)]++
	}
	return out, nil
}

// cutShort marks the result of a traveller whose data may be cut: a clear
// on partial data proves nothing, so it becomes review; a hit stays a hit.
func cutShort(r *tripline.Result, why string) {
	r.Notes = append(r.Notes, "manifest cut short: "+why)
	if r.Decision == tripline.DecisionClear {
		r.Decision = tripline.DecisionReview
		r.Instruction = "Manifest cut short: this traveller's data may be incomplete; check the traveller by hand."
	}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
