package main

import (
	"context"

	"tripline"
	"tripline/natsbus"
)

// publishEvents sends every event of this data directory (committed here,
// or found in the log by tail) to the JetStream stream at url until ctx
// ends, for screening replicas and other followers (design.md
// §6). A commit never waits on NATS: batches queue, and one the queue
// cannot take is dropped with a warning; followers read it from the log
// at the next gap, as they would a message NATS lost.
func (n *Node) publishEvents(ctx context.Context, url, stream string) error {
	bus, err := natsbus.Connect(ctx, url, stream)
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
