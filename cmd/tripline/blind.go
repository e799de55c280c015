package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"tripline"
	"tripline/blind"
	"tripline/federation"
	"tripline/httpapi"
)

// serveBlind sets up blind screening (issue 20, docs/blind.md) on a serving
// node: as an originator it serves its partners the tables of the listings
// they may screen against blind and evaluates their batches; as a partner
// it screens every traveller against its partners' blind tables too.
// $TRIPLINE_BLIND_EPOCH sets the epoch (default 24h): a rotation makes
// every table of the last one useless.
func (n *Node) serveBlind(ctx context.Context, env *Env, srv *httpapi.Server, data string) error {
	epoch, err := time.ParseDuration(envOr(env, "TRIPLINE_BLIND_EPOCH", blind.DefaultEpoch.String()))
	if err != nil || epoch < time.Minute {
		return usagef("TRIPLINE_BLIND_EPOCH: %q is not a duration of a minute or more", env.Getenv("TRIPLINE_BLIND_EPOCH"))
	}
	sec, err := blind.NewSecrets(n.Peer.Priv.Seed())
	if err != nil {
		return err
	}
	dir := filepath.Join(data, "blind")
	alpha3 := func(c string) string { a, _ := n.Screener.Countries.Alpha3(c); return a }
	origin := &blind.Originator{Node: n.DB.Origin, Agency: n.Agency, Priv: n.Peer.Priv, Secret: sec, Listings: n.blindListings,
		Groups: n.groups, Alpha3: alpha3, Epoch: epoch, Now: n.Now, Logger: n.Logger,
		Quota: &blind.Quota{Path: filepath.Join(dir, "quota.json"), Volumes: &blind.Volumes{Path: filepath.Join(dir, "volumes.json")}, Now: n.Now}}
	srv.Blind = origin
	client := &blind.Client{Alpha3: alpha3, Dir: filepath.Join(dir, "held"), Now: n.Now, Logger: n.Logger,
		// The peer re-reads the partners every second: a suspension or
		// removal stops the partner's list at the next screening.
		Active: func(origin string) bool { x, ok := n.Peer.Partner(origin); return ok && !x.Suspended() }}
	n.blindRemotes(ctx, client)
	n.Go(func(ctx context.Context) { // the first tables, before the first officer needs them
		client.RefreshTables(ctx)
	})
	n.Every(30*time.Second, func(ctx context.Context) {
		n.blindRemotes(ctx, client)
		client.RefreshTables(ctx) // screening never waits for a table it holds
	})
	// A partner's new events (placeholders, for its blind listings) say
	// its blind table may have changed: checked before the next screening.
	seen := map[string]int64{}
	n.Every(2*time.Second, func(ctx context.Context) {
		for _, r := range client.Remotes() {
			if seq, err := n.Events.LastSeq(ctx, r.Origin); err == nil && seq != seen[r.Origin] {
				seen[r.Origin] = seq
				client.Stale(r.Origin)
			}
		}
	})
	srv.Screener = &blind.Screener{Inner: n.Screener, Client: client, Encounters: n.Encounters, Agency: n.Agency, Now: n.Now, Logger: n.Logger,
		Report: n.reportBlind}
	create := n.FedService.Create
	n.FedService.Create = func(ctx context.Context, e *tripline.Encounter) error {
		resolveBlind(origin, n.DB.Origin, e)
		return create(ctx, e)
	}
	return nil
}

// blindRemotes points the client at every partner with an address.
func (n *Node) blindRemotes(ctx context.Context, c *blind.Client) {
	ps, err := n.Fed.Partners(ctx)
	if err != nil {
		n.Logger.Error("blind screening: load partners", "err", err)
		return
	}
	var rs []*blind.Remote
	for _, p := range ps {
		key, err := federation.ParsePublicKey(p.PublicKey)
		if p.URL == "" || err != nil || p.Suspended() {
			continue
		}
		hc, err := n.Peer.HTTPClient(p) // the federation's TLS rules and pins
		if err != nil {
			n.Logger.Warn("blind screening: partner not reachable as configured", "partner", p.ID, "err", err)
			continue
		}
		rs = append(rs, &blind.Remote{Origin: p.ID, Agency: p.Agency, Key: key,
			T: &blind.HTTPTransport{Base: p.URL, Self: n.DB.Origin, Priv: n.Peer.Priv, Client: hc, Now: n.Now}})
	}
	c.SetRemotes(rs)
}

// reportBlind queues the report of a blind hit or review to its
// originating node: the alert reference, when and by whom — not the
// traveller (tripline.BlindReport).
func (n *Node) reportBlind(ctx context.Context, e *tripline.Encounter, origin string) {
	if err := n.Peer.QueueEncounter(ctx, tripline.BlindReport(e), origin, origin); err != nil {
		n.Logger.Error("queue blind encounter report", "encounter", e.ID, "err", err)
	}
}

// resolveBlind files a partner's report of a blind hit on this node's list
// under the listing its alert reference names, in the originator's queue.
func resolveBlind(o *blind.Originator, self string, e *tripline.Encounter) {
	origin, ref, ok := tripline.ParseBlindMatchID(e.Listing)
	if !ok || origin != self {
		return
	}
	if id, ok := o.Resolve(ref); ok {
		e.Listing = id
	}
	e.Note = "blind screening: possible match reported by " + e.Agency + " (alert " + ref + "); the traveller's identity stays with " + e.Agency + ": contact it"
}

// blindCommands manage blind screening as an originator.
var blindCommands = []*command{{
	name: "blind volume", args: "PARTNER TRAVELLERS", usage: "",
	summary: "Declare a partner node's travellers a day: its blind quota.\n" +
		"The partner may have that many travellers' keys evaluated a day (times 12 keys each);\n" +
		"past it its batches are refused (docs/blind.md). Undeclared: 10,000 a day.",
	examples: []string{"tripline blind volume B 20000"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		return onNode(fs, env, func(ctx context.Context, n *Node, args []string) error {
			v, err := strconv.ParseInt(args[1], 10, 64)
			if err != nil {
				return usagef("%q is not a whole number of travellers a day", args[1])
			}
			vols := &blind.Volumes{Path: filepath.Join(filepath.Dir(n.DB.DSN), "blind", "volumes.json")}
			if err := vols.Set(args[0], v); err != nil {
				return err
			}
			if err := n.audited(ctx, "blind.volume", args[0], fmt.Sprintf("%d travellers a day", v)); err != nil {
				return err
			}
			_, err = fmt.Fprintf(env.Stdout, "partner %s: %d travellers a day, %d blind evaluations a day\n", args[0], v, v*blind.MaxTravellerKeys)
			return err
		})
	},
}}

// blindListings returns the listings some partner may screen against
// blind: the originator looks at no other, and an index mapped from its
// snapshot decodes only these.
func (n *Node) blindListings() []*tripline.Listing {
	return n.Index.ListingsWhere(func(l *tripline.Listing) bool { return len(l.Handling.Blind) > 0 })
}
