// Package policy is the one layer every read path asks what a caller may
// see: the HTTP API, the console, the CLI, exports, the federation feed and
// network queries. It applies the originator's handling rules and the
// caller's role ceiling, and writes each access and disclosure decision to
// the audit log. Stores never decide disclosure.
package policy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"tripline"
)

// Policy decides disclosure.
type Policy struct {
	// Groups knows the sharing groups of each agency.
	Groups tripline.Groups
	// Audit records accesses; nil records nothing (benchmarks compare).
	Audit tripline.Auditor
	// Alert returns the document alert with an id, nil when there is none:
	// Result trims alert matches by the alert's handling as it does
	// listing matches. Nil leaves alert matches as screening made them.
	Alert func(id string) *tripline.DocumentAlert
	// Now is the clock deciding whether a listing is still in force;
	// nil is time.Now.
	Now func() time.Time
	// Agency is the agency running the node: the outbox's encounter
	// updates and receipts (Reports) are its own. "" shows them to no one.
	Agency string
}

func (p *Policy) now() time.Time {
	if p.Now == nil {
		return time.Now()
	}
	return p.Now()
}

// New returns a Policy.
func New(g tripline.Groups, a tripline.Auditor) *Policy { return &Policy{Groups: g, Audit: a} }

func (p *Policy) record(ctx context.Context, id *tripline.Identity, action, subject, detail string) {
	if p.Audit == nil {
		return
	}
	e := tripline.AuditEntry{Action: action, Subject: subject, Detail: detail}
	if id != nil {
		e.User, e.Agency, e.Role = id.User, id.Agency, id.Role
	}
	p.Audit.Record(ctx, e)
}

// caller returns the identity in ctx; without one nothing is disclosed.
func caller(ctx context.Context) (*tripline.Identity, error) {
	id := tripline.IdentityFrom(ctx)
	if id == nil {
		return nil, tripline.Errorf(tripline.EUNAUTHORIZED, "no caller identity")
	}
	return id, nil
}

// Level returns what the caller in ctx may see of l: the agency's grant
// capped by the role's ceiling.
func (p *Policy) Level(id *tripline.Identity, l *tripline.Listing) tripline.Level {
	if id == nil {
		return tripline.LevelNone
	}
	return min(l.LevelFor(id.Agency, p.Groups), tripline.RoleCeiling(id.Role))
}

// Listing returns l as the caller may see it. A listing the caller may not
// see at all is reported as not found: its existence is itself protected.
func (p *Policy) Listing(ctx context.Context, l *tripline.Listing) (*tripline.Listing, error) {
	id, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	lvl := p.Level(id, l)
	p.record(ctx, id, "listing.read", l.ID, "disclosed at level "+lvl.String())
	if lvl == tripline.LevelNone {
		return nil, tripline.Errorf(tripline.ENOTFOUND, "listing %q not found", l.ID)
	}
	return l.Disclose(lvl), nil
}

// Listings returns the listings the caller may see, each trimmed to its
// level; one audit entry records the page.
func (p *Policy) Listings(ctx context.Context, ls []*tripline.Listing) ([]*tripline.Listing, error) {
	out, err := p.DiscloseListings(ctx, ls)
	if err == nil {
		p.RecordListings(ctx, out)
	}
	return out, err
}

// DiscloseListings is Listings without its audit entry, for a page read
// from the store in batches (past records hidden from the caller): its
// caller records the page once with RecordListings, where an entry per
// batch made up to 20 a request.
func (p *Policy) DiscloseListings(ctx context.Context, ls []*tripline.Listing) ([]*tripline.Listing, error) {
	id, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*tripline.Listing, 0, len(ls))
	for _, l := range ls {
		if lvl := p.Level(id, l); lvl > tripline.LevelNone {
			out = append(out, l.Disclose(lvl))
		}
	}
	return out, nil
}

// RecordListings records that the caller in ctx was shown the listings
// shown (disclosed by DiscloseListings).
func (p *Policy) RecordListings(ctx context.Context, shown []*tripline.Listing) {
	first, last := "", ""
	if len(shown) > 0 {
		first, last = shown[0].ID, shown[len(shown)-1].ID
	}
	p.record(ctx, tripline.IdentityFrom(ctx), "listing.list", first+".."+last, fmt.Sprintf("%d listings disclosed", len(shown)))
}

// CanScreen returns the filter a screening uses: the listings the caller's
// agency may screen against.
func (p *Policy) CanScreen(ctx context.Context) func(*tripline.Listing) bool {
	id := tripline.IdentityFrom(ctx)
	return func(l *tripline.Listing) bool {
		return id != nil && l.LevelFor(id.Agency, p.Groups) >= tripline.LevelScreen
	}
}

// Result trims a screening result to what the caller may see of each
// matched listing or document alert (lookup returns the listing, nil for
// what is not one; Alert finds the alerts; refusals are this node's own
// findings) and records the screening and each disclosure decision.
func (p *Policy) Result(ctx context.Context, r *tripline.Result, lookup func(id string) *tripline.Listing) (*tripline.Result, error) {
	id, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	out := *r
	out.Matches = make([]tripline.Match, 0, len(r.Matches))
	for _, m := range r.Matches {
		if tripline.IsBlindMatch(m.Listing) {
			out.Matches = append(out.Matches, p.blindMatch(ctx, id, m))
			continue
		}
		l := lookup(m.Listing)
		if l == nil {
			if a := p.alert(m.Listing); a != nil {
				lvl := p.AlertLevel(id, a)
				if lvl == tripline.LevelNone {
					continue // screening with CanScreenAlert never matches it
				}
				m = tripline.DiscloseMatch(m, a.Contact, lvl)
			} else if !strings.HasPrefix(m.Listing, tripline.RefusalPrefix) {
				// The listing went (withdrawn or expired) between matching
				// and shaping: what it was is no longer known, so least
				// disclosure — hit/no-hit, no action, no listed name.
				p.record(ctx, id, "disclose", m.Listing, "hit/no-hit only (listing no longer held)")
				m = tripline.DiscloseMatch(m, "", tripline.LevelScreen)
			}
			out.Matches = append(out.Matches, m)
			continue
		}
		lvl := p.Level(id, l)
		if lvl == tripline.LevelNone {
			continue // cannot happen when screening used CanScreen; never leak it
		}
		if lvl < tripline.LevelAction && m.Decision != tripline.DecisionClear {
			p.record(ctx, id, "disclose", m.Listing, "hit/no-hit only (level "+lvl.String()+")")
		}
		out.Matches = append(out.Matches, tripline.DiscloseMatch(m, l.Contact, lvl))
	}
	out.Summarise()
	out.Notes, out.Encounters, out.Error = r.Notes, r.Encounters, r.Error
	out.Minor = out.Minor || r.Minor
	if r.Decision == tripline.DecisionReview && out.Decision == tripline.DecisionClear {
		out.Decision, out.Instruction = r.Decision, r.Instruction // an MRZ that fails its checks stays review
	}
	p.record(ctx, id, "screen", r.Ref, fmt.Sprintf("decision %s, %d matches", out.Decision, len(out.Matches)))
	return &out, nil
}

// Encounter trims an encounter's explanation to what the caller may see of
// its listing; lookup as for Result. A listing lookup no longer finds
// (withdrawn, expired, never held), or finds no longer active, means least
// disclosure: hit/no-hit only, without the action or an explanation
// quoting the listed person, for every agency but the originator (whose
// own listing it is, seen at its role's ceiling).
func (p *Policy) Encounter(ctx context.Context, e *tripline.Encounter, lookup func(id string) *tripline.Listing) (*tripline.Encounter, error) {
	id, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	lvl, ok := p.encounterLevel(id, e, lookup)
	if !ok {
		p.record(ctx, id, "encounter.read.refused", e.ID, "not the originator's or reporter's")
		return nil, tripline.Errorf(tripline.ENOTFOUND, "encounter %q not found", e.ID)
	}
	p.record(ctx, id, "encounter.read", e.ID, "disclosed at level "+lvl.String())
	return p.discloseEncounter(e, lvl), nil
}

// DiscloseEncounter is Encounter without its audit entries, nil for an
// encounter the caller in ctx may not see: for a page read from the store
// in batches, whose caller records the encounters it shows with
// RecordEncounters (an entry for every encounter a batch read made a
// page of one write up to 500).
func (p *Policy) DiscloseEncounter(ctx context.Context, e *tripline.Encounter, lookup func(id string) *tripline.Listing) *tripline.Encounter {
	id := tripline.IdentityFrom(ctx)
	if id == nil {
		return nil
	}
	lvl, ok := p.encounterLevel(id, e, lookup)
	if !ok {
		return nil
	}
	return p.discloseEncounter(e, lvl)
}

// RecordEncounters records that the caller in ctx was shown each of shown,
// as Encounter records one.
func (p *Policy) RecordEncounters(ctx context.Context, shown []*tripline.Encounter, lookup func(id string) *tripline.Listing) {
	id := tripline.IdentityFrom(ctx)
	for _, e := range shown {
		if lvl, ok := p.encounterLevel(id, e, lookup); ok {
			p.record(ctx, id, "encounter.read", e.ID, "disclosed at level "+lvl.String())
		}
	}
}

// encounterLevel is what id may see of e's listing; false when id may not
// see e at all.
func (p *Policy) encounterLevel(id *tripline.Identity, e *tripline.Encounter, lookup func(id string) *tripline.Listing) (tripline.Level, bool) {
	if id == nil {
		return tripline.LevelNone, false
	}
	lvl := tripline.LevelNone
	if l := lookup(e.Listing); l != nil && l.ActiveAt(p.now()) {
		lvl = p.Level(id, l)
	}
	// The originator sees its own listing; a diffusion's sender, the
	// subject it described itself (the notice of a hit on it).
	if id.Agency == e.Originator || (e.Diffusion != "" && id.Agency == e.NoticeTo) {
		lvl = max(lvl, min(tripline.LevelDetails, tripline.RoleCeiling(id.Role)))
	}
	// The originator's queue and the reporting agency see their own
	// encounters; anyone else, nothing of them. A notice's recipient
	// (NoticeTo) was granted the listing by its originator: if that grant
	// is gone here, so is the notice (a diffusion's sender needs none).
	if lvl == tripline.LevelNone && id.Agency != e.Originator && id.Agency != e.Agency {
		return lvl, false
	}
	return lvl, true
}

// discloseEncounter trims e to lvl.
func (p *Policy) discloseEncounter(e *tripline.Encounter, lvl tripline.Level) *tripline.Encounter {
	out := *e
	if lvl < tripline.LevelAction {
		out.Explain = tripline.DiscloseMatch(tripline.Match{Explain: e.Explain}, "", lvl).Explain
		out.Action = ""
	}
	out.MarkOverdue(p.now()) // unacknowledged past its action's escalation period, at either end
	return &out
}

// Write checks that the caller may create or change listing l: only the
// originating agency's analysts, supervisors and admins write its data.
func (p *Policy) Write(ctx context.Context, l *tripline.Listing) error {
	id, err := caller(ctx)
	if err != nil {
		return err
	}
	if id.Agency != l.Provenance.Originator {
		p.record(ctx, id, "listing.write.refused", l.ID, "not the originator")
		return tripline.Errorf(tripline.EFORBIDDEN, "only the originator %q may change listing %q", l.Provenance.Originator, l.ID)
	}
	// A source is one agency's list: an import of it withdraws whatever
	// its file leaves out, so no other agency may write into it.
	if l.Source != id.Agency {
		p.record(ctx, id, "listing.write.refused", l.ID, "another agency's source")
		return tripline.Errorf(tripline.EFORBIDDEN, "agency %q writes listings of its own source %q, not %q", id.Agency, id.Agency, l.Source)
	}
	switch id.Role {
	case tripline.RoleAnalyst, tripline.RoleSupervisor, tripline.RoleAdmin:
	default:
		return tripline.Errorf(tripline.EFORBIDDEN, "role %s may not change listings", id.Role)
	}
	p.record(ctx, id, "listing.write", l.ID, "")
	return nil
}

// Change checks that the caller may change the stored listing l (withdraw,
// confirm, replace), as Write does. A listing the caller's agency may not
// even screen against is answered exactly as a missing one (ENOTFOUND,
// the store's message), so that withdraw and confirm are no existence
// oracle; one it may see but not change is EFORBIDDEN, naming the
// originator it can see anyway.
func (p *Policy) Change(ctx context.Context, l *tripline.Listing) error {
	id, err := caller(ctx)
	if err != nil {
		return err
	}
	if id.Agency != l.Provenance.Originator && l.LevelFor(id.Agency, p.Groups) < tripline.LevelScreen {
		p.record(ctx, id, "listing.write.refused", l.ID, "hidden from the caller")
		return tripline.Errorf(tripline.ENOTFOUND, "listing %q not found", l.ID)
	}
	// A tip's provisional listing changes with the supervisor's decision,
	// a diffusion's with its sender's: a listing route would step around
	// both (an analyst turning an accusation into a shared detain, or
	// bringing back a rejected one).
	if l.Erasable() {
		p.record(ctx, id, "listing.write.refused", l.ID, "made from a tip or a diffusion")
		return tripline.Errorf(tripline.EFORBIDDEN, "listing %q was made from a tip or a received diffusion: decide the tip (/v1/tips), or the diffusion's sender cancels it", l.ID)
	}
	return p.Write(ctx, l)
}

// Record writes an audit entry for the caller in ctx: logins, changes and
// other accesses outside the read paths above.
func (p *Policy) Record(ctx context.Context, action, subject, detail string) {
	p.record(ctx, tripline.IdentityFrom(ctx), action, subject, detail)
}

// Import checks that the caller may replace the whole list of source: an
// analyst, supervisor or admin of the agency the source belongs to (an
// import makes the agency the originator of every listing in it, and
// withdraws what its file leaves out).
func (p *Policy) Import(ctx context.Context, source string) error {
	id, err := caller(ctx)
	if err != nil {
		return err
	}
	if id.Agency != source {
		p.record(ctx, id, "listing.import.refused", source, "not the agency's own source")
		return tripline.Errorf(tripline.EFORBIDDEN, "agency %q may import only its own list (source %q), not %q", id.Agency, id.Agency, source)
	}
	switch id.Role {
	case tripline.RoleAnalyst, tripline.RoleSupervisor, tripline.RoleAdmin:
	default:
		return tripline.Errorf(tripline.EFORBIDDEN, "role %s may not import listings", id.Role)
	}
	return nil
}
