package policy

import (
	"context"
	"fmt"

	"tripline"
)

// Diffusions (issue 19) are seen by the sending agency (with every
// recipient and its acknowledgement) and by each recipient agency (with
// its own entry only: whom else the sender told is the sender's to know).
// Analysts and supervisors send, acknowledge and cancel them.

func (p *Policy) diffusionRole(ctx context.Context, action, subject string) (*tripline.Identity, error) {
	id, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if id.Role != tripline.RoleAnalyst && id.Role != tripline.RoleSupervisor {
		p.record(ctx, id, action+".refused", subject, "role "+string(id.Role))
		return nil, tripline.Errorf(tripline.EFORBIDDEN, "role %s may not %s diffusions", id.Role, action)
	}
	return id, nil
}

// SendDiffusion checks that the caller may send a diffusion for its agency.
func (p *Policy) SendDiffusion(ctx context.Context) error {
	_, err := p.diffusionRole(ctx, "send", "")
	return err
}

// Diffusion returns d as the caller may see it: ENOTFOUND unless the
// caller's agency sent or received it.
func (p *Policy) Diffusion(ctx context.Context, d *tripline.Diffusion) (*tripline.Diffusion, error) {
	id, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	out := p.discloseDiffusion(id, d)
	if out == nil {
		p.record(ctx, id, "diffusion.read.refused", d.ID, "neither sender nor recipient")
		return nil, tripline.Errorf(tripline.ENOTFOUND, "diffusion %q not found", d.ID)
	}
	p.record(ctx, id, "diffusion.read", d.ID, "")
	return out, nil
}

// Diffusions returns those of ds the caller may see, each as Diffusion
// shows it, and records the list in one entry: an entry a diffusion made
// every look at the list (the console's) up to 1000 entries, kept for good.
func (p *Policy) Diffusions(ctx context.Context, ds []*tripline.Diffusion) ([]*tripline.Diffusion, error) {
	id, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	out := []*tripline.Diffusion{}
	for _, d := range ds {
		if shown := p.discloseDiffusion(id, d); shown != nil {
			out = append(out, shown)
		}
	}
	first, last := "", ""
	if len(out) > 0 {
		first, last = out[0].ID, out[len(out)-1].ID
	}
	p.record(ctx, id, "diffusion.list", first+".."+last, fmt.Sprintf("%d diffusions shown", len(out)))
	return out, nil
}

// discloseDiffusion returns d as id may see it, nil unless id's agency
// sent or received it.
func (p *Policy) discloseDiffusion(id *tripline.Identity, d *tripline.Diffusion) *tripline.Diffusion {
	out := *d
	out.MarkOverdue(p.now())
	if id.Agency != d.Sender {
		out.Recipients = nil
		for _, r := range d.Recipients {
			if r.Agency == id.Agency {
				out.Recipients = append(out.Recipients, r)
			}
		}
		if len(out.Recipients) == 0 {
			return nil
		}
		out.MarkOverdue(p.now())
	}
	return &out
}

// AckDiffusion checks that the caller may acknowledge d: an analyst or
// supervisor of one of its recipient agencies.
func (p *Policy) AckDiffusion(ctx context.Context, d *tripline.Diffusion) error {
	id, err := p.diffusionRole(ctx, "acknowledge", d.ID)
	if err != nil {
		return err
	}
	for _, r := range d.Recipients {
		if r.Agency == id.Agency {
			p.record(ctx, id, "diffusion.ack", d.ID, "")
			return nil
		}
	}
	p.record(ctx, id, "diffusion.ack.refused", d.ID, "not a recipient")
	return tripline.Errorf(tripline.ENOTFOUND, "diffusion %q not found", d.ID)
}

// CancelDiffusion checks that the caller may cancel d: an analyst or
// supervisor of the sending agency.
func (p *Policy) CancelDiffusion(ctx context.Context, d *tripline.Diffusion) error {
	id, err := p.diffusionRole(ctx, "cancel", d.ID)
	if err != nil {
		return err
	}
	if id.Agency != d.Sender {
		p.record(ctx, id, "diffusion.cancel.refused", d.ID, "not the sender")
		if _, err := p.Diffusion(ctx, d); err != nil {
			return err
		}
		return tripline.Errorf(tripline.EFORBIDDEN, "only the sender %q cancels diffusion %q", d.Sender, d.ID)
	}
	p.record(ctx, id, "diffusion.cancel", d.ID, "")
	return nil
}
