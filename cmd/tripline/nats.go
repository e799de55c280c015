package main

import (
	"context"
	"encoding/json"
	"fmt"

	"tripline"
	"tripline/natsbus"
)

// publishEvents sends every event of this data directory (committed here,
// or found in the log by tail) to the JetStream stream at url until ctx
// ends, for screening replicas and other followers (design.md
// §6). A commit never waits on NATS: batches queue, and one the queue
// cannot take is dropped with a warning; followers read it from the log
// at the next gap, as they would a message NATS lost.
func (n *Node) publishEvents(ctx context.Context, url, stream, creds string) error {
	bus, err := natsbus.Connect(ctx, url, stream, creds)
	if err != nil {
		return err
	}
	q := make(chan []*tripline.Event, 1024)
	publish := func(evs []*tripline.Event) {
		select {
		case q <- evs:
		default:
			n.Logger.Warn("event stream queue full: followers will read these events from the log", "events", len(evs))
		}
	}
	// This process's commits, and (in tail) those of other processes on
	// the same data directory, such as a command-line import.
	n.DB.Subscribe(publish)
	n.publish.Store(&publish)
	n.bg.Add(1)
	go func() {
		defer n.bg.Done()
		for {
			select {
			case evs := <-q:
				if err := bus.Publish(ctx, evs); err != nil && ctx.Err() == nil {
					n.Logger.Warn("publish events to NATS: followers will read them from the log", "events", len(evs), "err", err)
				}
			case <-ctx.Done():
				bus.Close()
				return
			}
		}
	}()
	return nil
}

// runEvents follows the event stream:
//
//	tripline events follow [--data DIR] [--nats URL] [--origin O] [--after N]
//
// prints, as JSON lines and in order, the events of origin (default this
// node) after N: first those the log already holds, then each one as the
// JetStream stream carries it, reading any gap from the log. Outside tools
// (a replica, an analytics feed) read this rather than the stream itself.
// It runs until interrupted.
func runEvents(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "follow" {
		return usagef("want: events follow")
	}
	fs := newFlags(env, "events follow")
	data := fs.String("data", dataDirDefault(env), "data directory ($TRIPLINE_DATA)")
	natsURL := fs.String("nats", envOr(env, "TRIPLINE_NATS", ""), "NATS server of the stream ($TRIPLINE_NATS)")
	origin := fs.String("origin", "", "whose events (default: this node's)")
	after := fs.Int64("after", 0, "start after this sequence number")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *natsURL == "" {
		return usagef("events follow: --nats (or TRIPLINE_NATS) is required")
	}
	n, err := openNode(ctx, env, *data, false, newLogger(env))
	if err != nil {
		return err
	}
	defer n.Close()
	if *origin == "" {
		*origin = n.DB.Origin
	}
	bus, err := natsbus.Connect(ctx, *natsURL, envOr(env, "TRIPLINE_NATS_STREAM", "TRIPLINE_EVENTS"), envOr(env, "TRIPLINE_NATS_CREDS", ""))
	if err != nil {
		return err
	}
	defer bus.Close()
	n.Policy.Record(n.cliContext(ctx), "events.follow", *origin, fmt.Sprintf("after %d", *after))
	out := json.NewEncoder(env.Stdout)
	err = bus.FollowOnly(ctx, n.Events, map[string]int64{*origin: *after}, func(evs []*tripline.Event) error {
		for _, ev := range evs {
			if err := out.Encode(ev); err != nil {
				return err
			}
		}
		return nil
	})
	if ctx.Err() != nil {
		return nil // interrupted: the normal end
	}
	return err
}
