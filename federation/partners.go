package federation

import (
	"context"

	"tripline"
)

// PartnerStore is what managing partners at run time needs of the store.
type PartnerStore interface {
	PutPartner(ctx context.Context, p *tripline.Partner) error
	SetPartnerStatus(ctx context.Context, id, status string) error
	RemovePartner(ctx context.Context, id string) error
}

// NodeAgency returns the agency running this node.
func (s *Service) NodeAgency() string { return s.Agency }

// PartnerHealth returns every partner, as stored now, with how following
// it goes.
func (s *Service) PartnerHealth(ctx context.Context) ([]*tripline.PartnerView, error) {
	if _, err := s.Peer.Reload(ctx); err != nil {
		return nil, err
	}
	return s.Peer.Health(), nil
}

// PutPartner adds or updates a partner; its key must be an Ed25519 public
// key and its address fit tripline.CheckTransport (EINVALID). The node
// follows it, or stops, at once.
func (s *Service) PutPartner(ctx context.Context, p *tripline.Partner) error {
	if _, err := ParsePublicKey(p.PublicKey); err != nil {
		return err
	}
	if err := p.CheckTransport(); err != nil {
		return err
	}
	return s.changed(ctx, s.PartnerStore.PutPartner(ctx, p))
}

// SetPartnerStatus suspends or resumes partner id, at once.
func (s *Service) SetPartnerStatus(ctx context.Context, id, status string) error {
	return s.changed(ctx, s.PartnerStore.SetPartnerStatus(ctx, id, status))
}

// RemovePartner forgets partner id, at once.
func (s *Service) RemovePartner(ctx context.Context, id string) error {
	return s.changed(ctx, s.PartnerStore.RemovePartner(ctx, id))
}

// RotatePartnerKey gives partner id a new public key: its requests and
// events verify with that key from now on. ENOTFOUND for no such partner.
func (s *Service) RotatePartnerKey(ctx context.Context, id, key string) error {
	if _, err := s.Peer.Reload(ctx); err != nil {
		return err
	}
	x, ok := s.Peer.Partner(id)
	if !ok {
		return tripline.Errorf(tripline.ENOTFOUND, "partner %q not found", id)
	}
	c := *x
	c.PublicKey = key
	return s.PutPartner(ctx, &c)
}

// changed reloads the partners after a change that succeeded and wakes the
// followers (Peer.Run).
func (s *Service) changed(ctx context.Context, err error) error {
	if err != nil {
		return err
	}
	if _, err := s.Peer.Reload(ctx); err != nil {
		return err
	}
	s.Peer.PartnersChanged()
	return nil
}
