package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"tripline"
	"tripline/natsbus"
)

// publishEvents announces every event of this data directory (committed
// here, or found in the log by tail) on the JetStream stream at url until
// ctx ends, for screening replicas and other followers (design.md §6),
// which read the events from the log. A commit never waits on NATS: batches queue, and one the queue
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
	n.SetPublish(publish)
	n.Go(func(ctx context.Context) {
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
	})
	return nil
}

// followEvents applies this node's events from the store's log each time
// the JetStream stream announces some (a replica: its writer announces
// every event of the log, those the replicas write included). A message's
// body is never applied. The tail still reads the store's log every 300
// ms, so a stream that loses or delays an announcement only slows a change.
func (n *Node) followEvents(ctx context.Context, url, stream, creds string) error {
	bus, err := natsbus.Connect(ctx, url, stream, creds)
	if err != nil {
		return err
	}
	n.Go(func(ctx context.Context) {
		defer bus.Close()
		for ctx.Err() == nil {
			err := bus.FollowOnly(ctx, n.Events, map[string]int64{n.DB.Origin: n.Applied()}, func(evs []*tripline.Event) error {
				n.Apply(evs)
				return nil
			})
			if ctx.Err() == nil {
				n.Logger.Warn("follow the event stream: retrying; the store's log is read meanwhile", "err", err)
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
		}
	})
	return nil
}

var eventCommands = []*command{{
	name: "events follow", usage: "[--nats URL] [--origin ORIGIN] [--after SEQ]",
	summary: "Print the event log as JSON Lines, until interrupted.\n" +
		"First the events the log holds after SEQ, then each new one, in order. With --nats the log is read each time the JetStream stream\n" +
		"announces new events (never printed from the stream itself); without, the data directory's log is read every --poll. Outside tools (a replica,\n" +
		"an analytics feed) read this rather than the stream itself.",
	examples: []string{"tripline events follow --after 0", "tripline events follow --nats nats://127.0.0.1:4222 --origin B"},
	flags: func(fs *flag.FlagSet, env *Env) runFunc {
		natsURL := fs.String("nats", envOr(env, "TRIPLINE_NATS", ""), "the NATS server `URL` of the stream ($TRIPLINE_NATS; none: read the log)")
		origin := fs.String("origin", "", "whose events: a node id (default: this node's)")
		after := fs.Int64("after", 0, "start after sequence number `SEQ`")
		poll := fs.Duration("poll", 500*time.Millisecond, "without --nats: look for new events in the log every `DURATION`")
		return onNode(fs, env, func(ctx context.Context, n *Node, _ []string) error {
			return followEvents(ctx, env, n, *natsURL, *origin, *after, *poll)
		})
	},
}}

// followEvents is `tripline events follow`: origin's events (default this
// node's) after seq, from the NATS stream at natsURL or from the log alone.
func followEvents(ctx context.Context, env *Env, n *Node, natsURL, origin string, after int64, poll time.Duration) error {
	if origin == "" {
		origin = n.DB.Origin
	}
	out := json.NewEncoder(env.Stdout)
	emit := func(evs []*tripline.Event) error {
		for _, ev := range evs {
			// The copy a partner would get of the whole event: its
			// fields' salts, never the origin's key, so that a reader
			// recomputes the digests and the chain.
			c, err := ev.Trim(nil)
			if err != nil {
				return err
			}
			if err := out.Encode(c); err != nil {
				return err
			}
		}
		return nil
	}
	if natsURL == "" {
		n.Policy.Record(n.cliContext(ctx), "events.follow", origin, fmt.Sprintf("after %d (log)", after))
		err := followLog(ctx, n.Events, origin, after, poll, emit)
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	bus, err := natsbus.Connect(ctx, natsURL, envOr(env, "TRIPLINE_NATS_STREAM", "TRIPLINE_EVENTS"), envOr(env, "TRIPLINE_NATS_CREDS", ""))
	if err != nil {
		return err
	}
	defer bus.Close()
	n.Policy.Record(n.cliContext(ctx), "events.follow", origin, fmt.Sprintf("after %d", after))
	err = bus.FollowOnly(ctx, n.Events, map[string]int64{origin: after}, emit)
	if ctx.Err() != nil {
		return nil // interrupted: the normal end
	}
	return err
}

// followLog hands origin's events after seq to emit, in order, from the log
// alone: each page as it is found, then a look every poll until ctx ends.
func followLog(ctx context.Context, log tripline.EventService, origin string, seq int64, poll time.Duration, emit func([]*tripline.Event) error) error {
	t := time.NewTicker(max(poll, 10*time.Millisecond))
	defer t.Stop()
	for {
		evs, err := log.Events(ctx, origin, seq, 1000)
		if err != nil {
			return err
		}
		if len(evs) > 0 {
			if err := emit(evs); err != nil {
				return err
			}
			seq = evs[len(evs)-1].Seq
			continue // maybe more at once
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
