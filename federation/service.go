package federation

import (
	"context"
	"crypto/ed25519"
	"net/http"

	"tripline"
)

// NodeInfo is what a node says of itself to partners.
type NodeInfo struct {
	ID        string `json:"id"`
	Agency    string `json:"agency"`
	PublicKey string `json:"public_key"`
}

// Service is this node's side of the partner protocol, as the HTTP API
// serves it.
type Service struct {
	*Peer
	Feed     *Feed
	Notifier *Notifier
	Agency   string
	// PartnerStore changes the partners at run time (partners.go).
	PartnerStore PartnerStore
	// Create stores an encounter reported by a partner in this node's
	// queue; the same encounter twice is stored once.
	Create func(ctx context.Context, e *tripline.Encounter) error
	// Update applies the other end's change to an encounter held here,
	// sent by the node of agency sender (tripline.MergeUpdate).
	Update func(ctx context.Context, u *tripline.EncounterUpdate, sender string) error
	// Held returns a listing stored here, withdrawn or not (ENOTFOUND
	// when there is none): a partner's report must name one this node
	// originated (parties). Nil skips that check.
	Held func(ctx context.Context, id string) (*tripline.Listing, error)
}

// Info describes this node.
func (s *Service) Info() NodeInfo {
	return NodeInfo{ID: s.Self, Agency: s.Agency, PublicKey: PublicKeyString(s.Priv.Public().(ed25519.PublicKey))}
}

// FeedPage returns origin's events after seq, shaped for the partner.
func (s *Service) FeedPage(ctx context.Context, partnerAgency, origin string, after int64, limit int) ([]*tripline.Event, error) {
	return s.Feed.Page(ctx, partnerAgency, origin, after, limit)
}

// Changed returns a channel closed when new events are stored.
func (s *Service) Changed() <-chan struct{} { return s.Notifier.Wait() }

// ReceiveReport takes an encounter report handed over by node from.
func (s *Service) ReceiveReport(ctx context.Context, from string, r *SignedReport) (string, error) {
	return s.Peer.Receive(ctx, from, r, func(e *tripline.Encounter) error {
		if err := s.parties(ctx, r.From, e); err != nil {
			return err
		}
		return s.Create(ctx, e)
	},
		func(u *tripline.EncounterUpdate, sender string) error {
			if s.Update == nil {
				return tripline.Errorf(tripline.EUNAVAILABLE, "encounter updates are not taken here")
			}
			return s.Update(ctx, u, sender)
		})
}

// parties checks who a partner's report says took part against the node
// that signed it, so that a partner cannot speak for another agency: a
// report comes from the node that recorded the encounter (its Node; set
// when the report leaves it out) and names as reporting agency that
// node's agency or one with no node of its own, never this node's agency
// or another partner's; and it names a listing this node originated for
// the agency whose queue it enters, withdrawn or not (a report may cross
// a withdrawal), so that no partner files encounters on another node's
// listings or in another agency's queue. A notice comes from the node of
// the encounter's originator, the only one that decides who is told
// (notifyDeparture). The action is taken from the listing, never from the
// report. A blind listing's alert reference is resolved, or
// kept as it came, by Create (resolveBlind).
func (s *Service) parties(ctx context.Context, signer string, e *tripline.Encounter) error {
	p, ok := s.Peer.Partner(signer)
	if !ok {
		return tripline.Errorf(tripline.EFORBIDDEN, "report: signed by %q, not a partner", signer)
	}
	if e.NoticeTo != "" {
		if e.Originator != p.Agency {
			return tripline.Errorf(tripline.EFORBIDDEN, "report: a notice of an encounter on agency %q's listing signed by node %q of agency %q: "+
				"only the originator's node sends notices", e.Originator, signer, p.Agency)
		}
		return nil
	}
	switch {
	case e.Node == "":
		e.Node = signer
	case e.Node != signer:
		return tripline.Errorf(tripline.EFORBIDDEN, "report: an encounter recorded at node %q signed by node %q", e.Node, signer)
	}
	if e.Agency != "" && e.Agency != p.Agency {
		if e.Agency == s.Agency {
			return tripline.Errorf(tripline.EFORBIDDEN, "report: node %q reports for this node's agency %q", signer, e.Agency)
		}
		for _, x := range s.Peer.partnerList() {
			if x.Agency == e.Agency {
				return tripline.Errorf(tripline.EFORBIDDEN, "report: node %q reports for agency %q, which node %q runs", signer, e.Agency, x.ID)
			}
		}
	}
	if _, _, blind := tripline.ParseBlindMatchID(e.Listing); blind || s.Held == nil {
		return nil
	}
	l, err := s.Held(ctx, e.Listing)
	if tripline.ErrorCode(err) == tripline.ENOTFOUND {
		return tripline.Errorf(tripline.EFORBIDDEN, "report: listing %q is not held at this node", e.Listing)
	} else if err != nil {
		return err
	}
	if l.Provenance.Originator != e.Originator || len(l.Provenance.Chain) > 0 {
		return tripline.Errorf(tripline.EFORBIDDEN, "report: listing %q is not one agency %q originated at this node", e.Listing, e.Originator)
	}
	// The action is the originator's own, for the traveller's direction,
	// as the reporter's index chose it from the same listing: a reporter
	// naming a milder one would stretch how long the report may wait
	// unacknowledged (the escalation is per action).
	if l.Action != "" {
		dir := ""
		if e.Traveller.Travel != nil {
			dir = e.Traveller.Travel.Direction
		}
		e.Action, _ = l.ActionFor(dir)
	}
	return nil
}

// Reports returns the encounter-report outbox.
func (s *Service) Reports(ctx context.Context, f tripline.ReportFilter) ([]*tripline.Report, error) {
	return s.Store.Reports(ctx, f)
}

// NodeIdentity authenticates a request signed by a partner node.
func (s *Service) NodeIdentity(r *http.Request, body []byte) (*tripline.Identity, error) {
	return s.Peer.NodeIdentity(r, body)
}
