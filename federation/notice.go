package federation

import (
	"context"

	"tripline"
)

// QueueNotice queues a copy of encounter e for partner node to: not the
// originator's report but a notice to an agency that may see the listing
// and can still act (the partner of a pre-departure hit's departure
// country). It travels like a report (signed end to end, through relays,
// retried until the receiver takes it) under its own id, so that it and
// the originator's report are acknowledged apart.
func (p *Peer) QueueNotice(ctx context.Context, e *tripline.Encounter, id, to, toAgency string) error {
	hop, err := p.route(ctx, to)
	if err != nil {
		return err
	}
	c := *e
	c.ID, c.NoticeTo = id, toAgency
	return p.QueueEncounter(ctx, &c, to, hop)
}
