package federation

import (
	"context"
	"encoding/json"
	"strconv"

	"tripline"
)

// Diffusions (issue 19) travel as signed reports of their own kinds:
// the diffusion (each new version: sent, cancelled) from the sender's node
// to each recipient's, and each acknowledgement back; signed end to end,
// through relays, retried until the receiving node takes them.
const (
	KindDiffusion    = "diffusion"
	KindDiffusionAck = "diffusion-ack"
)

// KindHandler takes, at its destination, the payload of a signed report
// of a kind Receive does not know itself, with the agency and node of the
// partner that signed it.
type KindHandler func(ctx context.Context, payload json.RawMessage, senderAgency, senderNode string) error

// DiffusionMessage is a diffusion on its way to one recipient's node.
type DiffusionMessage struct {
	Key       string              `json:"key"` // the outbox key, the same at every hop
	Diffusion *tripline.Diffusion `json:"diffusion"`
}

// QueueDiffusion queues version d.Version of diffusion d for node to,
// naming only the recipients at that node: which other agencies the
// sender told, and when and by whom each acknowledged, is the sender's
// (every hop and the recipient's node would hold it otherwise).
func (p *Peer) QueueDiffusion(ctx context.Context, d *tripline.Diffusion, to string) error {
	hop, err := p.route(ctx, to)
	if err != nil {
		return err
	}
	c := *d
	c.Recipients = nil
	for _, r := range d.Recipients {
		if r.Node == to {
			c.Recipients = append(c.Recipients, r)
		}
	}
	d = &c
	key := d.ID + "@" + to + "#" + strconv.FormatInt(d.Version, 10)
	// Delivered by the acknowledgement deadline; a cancellation (after it,
	// perhaps) within the report deadline.
	deadline := d.AckDue
	if now := p.Now(); d.Status != tripline.DiffusionActive || deadline.Before(now) {
		deadline = now.Add(ReportDeadline)
	}
	return p.queueSigned(ctx, key, KindDiffusion, &DiffusionMessage{Key: key, Diffusion: d}, to, hop, deadline)
}

// QueueDiffusionAck queues a recipient's acknowledgement for the sender's
// node to.
func (p *Peer) QueueDiffusionAck(ctx context.Context, a *tripline.DiffusionAck, to string) error {
	hop, err := p.route(ctx, to)
	if err != nil {
		return err
	}
	a.Key = a.Diffusion + "@" + a.Agency + "#ack"
	return p.queueSigned(ctx, a.Key, KindDiffusionAck, a, to, hop, p.Now().Add(ReportDeadline))
}

// receiveKind handles a report of a registered kind: its outbox key from
// the payload, and at its destination the handler.
func (p *Peer) receiveKind(ctx context.Context, sr *SignedReport) (key string, done bool, err error) {
	h, ok := p.Kinds[sr.Kind]
	if !ok {
		return "", false, tripline.Errorf(tripline.EINVALID, "report: kind %q is not an encounter or an update", sr.Kind)
	}
	var m struct {
		Key string `json:"key"`
	}
	if err := json.Unmarshal(sr.Encounter, &m); err != nil || m.Key == "" {
		return "", false, tripline.Errorf(tripline.EINVALID, "report: malformed %s", sr.Kind)
	}
	if sr.ToOrigin != p.Self {
		return m.Key, false, nil
	}
	sender, _ := p.Partner(sr.From)
	if err := h(ctx, sr.Encounter, sender.Agency, sr.From); err != nil {
		return "", false, err
	}
	return m.Key, true, nil
}
