package policy

import (
	"context"

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
			p.record(ctx, id, "diffusion.read.refused", d.ID, "neither sender nor recipient")
			return nil, tripline.Errorf(tripline.ENOTFOUND, "diffusion %q not found", d.ID)
		}
		out.MarkOverdue(p.now())
	}
	p.record(ctx, id, "diffusion.read", d.ID, "")
	return &out, nil
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
