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
	return s.Peer.Receive(ctx, from, r, func(e *tripline.Encounter) error { return s.Create(ctx, e) },
		func(u *tripline.EncounterUpdate, sender string) error {
			if s.Update == nil {
				return tripline.Errorf(tripline.EUNAVAILABLE, "encounter updates are not taken here")
			}
			return s.Update(ctx, u, sender)
		})
}

// Reports returns the encounter-report outbox.
func (s *Service) Reports(ctx context.Context, status string) ([]*tripline.Report, error) {
	return s.Store.Reports(ctx, status)
}

// NodeIdentity authenticates a request signed by a partner node.
func (s *Service) NodeIdentity(r *http.Request, body []byte) (*tripline.Identity, error) {
	return s.Peer.NodeIdentity(r, body)
}
