// Package natsbus carries a node's committed events over NATS JetStream to
// whatever follows them (screening replicas, design.md §6). JetStream is
// never the only copy of anything: every event is in the node's log, and
// a follower checks each origin's sequence, drops duplicates and re-reads
// any gap from the log, so a lost or repeated message costs nothing.
package natsbus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tripline"
)

// Bus is a connection to one JetStream stream of events.
type Bus struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	stream string
}

// Connect connects to the NATS server at url and makes sure the stream
// exists: subjects "<stream>.<origin>", kept on disk for a day, with a
// duplicate window so that a resent event is stored once. The stream
// carries whole events: credentials (a NATS .creds file, "" for none) and
// a tls:// url keep it to the agency's own processes.
func Connect(ctx context.Context, url, stream, creds string) (*Bus, error) {
	opts := []nats.Option{nats.Name("tripline"), nats.Timeout(5 * time.Second), nats.MaxReconnects(-1)}
	if creds != "" {
		if _, err := os.Stat(creds); err != nil {
			return nil, tripline.Errorf(tripline.EINVALID, "natsbus: credentials file %s: %v", creds, errors.Unwrap(err))
		}
		opts = append(opts, nats.UserCredentials(creds))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("natsbus: connect %s: %w", url, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("natsbus: jetstream: %w", err)
	}
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: stream, Subjects: []string{stream + ".>"}, Storage: jetstream.FileStorage,
		Duplicates: 2 * time.Minute, MaxAge: 24 * time.Hour,
	}); err != nil {
		nc.Close()
		return nil, fmt.Errorf("natsbus: stream %s: %w", stream, err)
	}
	return &Bus{nc: nc, js: js, stream: stream}, nil
}

// Close drains and closes the connection.
func (b *Bus) Close() error { return b.nc.Drain() }

// subject is the subject of origin's events; characters NATS gives a
// meaning to are replaced.
func (b *Bus) subject(origin string) string {
	return b.stream + "." + strings.Map(func(r rune) rune {
		switch r {
		case '.', '*', '>', ' ', '\t', '\r', '\n':
			return '_'
		}
		return r
	}, origin)
}

// Publish sends evs, in order, and waits until the stream holds them. Each
// message's id is its origin and sequence: the stream stores a resend once.
func (b *Bus) Publish(ctx context.Context, evs []*tripline.Event) error {
	var acks []jetstream.PubAckFuture
	for _, ev := range evs {
		data, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("natsbus: encode event %s/%d: %w", ev.Origin, ev.Seq, err)
		}
		f, err := b.js.PublishAsync(b.subject(ev.Origin), data, jetstream.WithMsgID(fmt.Sprintf("%s/%d", ev.Origin, ev.Seq)))
		if err != nil {
			return fmt.Errorf("natsbus: publish event %s/%d: %w", ev.Origin, ev.Seq, err)
		}
		acks = append(acks, f)
	}
	for i, f := range acks {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return fmt.Errorf("natsbus: publish event %s/%d: %w", evs[i].Origin, evs[i].Seq, err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Follow applies the events the stream carries from now on, in order per
// origin, starting after from[origin] (what the follower already holds; an
// origin not in from starts at 0). It first catches up from log, the
// system of record, on every origin in from, then takes each message: one
// at or below its origin's position is a duplicate and dropped; one past
// a gap has the gap read from log first. It returns when ctx ends, or with
// the first error of apply.
func (b *Bus) Follow(ctx context.Context, log tripline.EventService, from map[string]int64, apply func([]*tripline.Event) error) error {
	return b.follow(ctx, log, from, apply, nil)
}

// FollowOnly is Follow for the origins in from alone: the stream sends
// nothing of the others.
func (b *Bus) FollowOnly(ctx context.Context, log tripline.EventService, from map[string]int64, apply func([]*tripline.Event) error) error {
	subjects := make([]string, 0, len(from))
	for origin := range from {
		subjects = append(subjects, b.subject(origin))
	}
	return b.follow(ctx, log, from, apply, subjects)
}

func (b *Bus) follow(ctx context.Context, log tripline.EventService, from map[string]int64, apply func([]*tripline.Event) error, subjects []string) error {
	ctx, cancel := context.WithCancel(ctx) // also stops the iterator when apply fails
	defer cancel()
	cons, err := b.js.OrderedConsumer(ctx, b.stream, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverNewPolicy, FilterSubjects: subjects})
	if err != nil {
		return fmt.Errorf("natsbus: follow %s: %w", b.stream, err)
	}
	msgs, err := cons.Messages()
	if err != nil {
		return fmt.Errorf("natsbus: follow %s: %w", b.stream, err)
	}
	go func() { <-ctx.Done(); msgs.Stop() }()
	f := &follower{log: log, apply: apply, pos: map[string]int64{}}
	for origin, seq := range from {
		f.pos[origin] = seq
		// Subscribed first, then caught up: nothing falls between the two.
		if err := f.fill(ctx, origin, -1); err != nil {
			return err
		}
	}
	for {
		m, err := msgs.Next()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return ctx.Err()
			}
			return fmt.Errorf("natsbus: follow %s: %w", b.stream, err)
		}
		var ev tripline.Event
		if err := json.Unmarshal(m.Data(), &ev); err != nil || ev.Origin == "" || ev.Seq <= 0 {
			continue // not an event: nothing to apply, and the log has every real one
		}
		if err := f.take(ctx, &ev); err != nil {
			return err
		}
	}
}

// follower keeps each origin's position: the last sequence applied.
type follower struct {
	log   tripline.EventService
	apply func([]*tripline.Event) error
	pos   map[string]int64
}

func (f *follower) take(ctx context.Context, ev *tripline.Event) error {
	last := f.pos[ev.Origin]
	switch {
	case ev.Seq <= last:
		return nil // a duplicate, or read from the log already
	case ev.Seq > last+1:
		if err := f.fill(ctx, ev.Origin, ev.Seq-1); err != nil {
			return err
		}
		if f.pos[ev.Origin] != ev.Seq-1 {
			// The log does not hold the gap yet: leave ev to a later
			// message, whose gap read will include it.
			return nil
		}
	}
	if err := f.apply([]*tripline.Event{ev}); err != nil {
		return err
	}
	f.pos[ev.Origin] = ev.Seq
	return nil
}

// fill applies origin's events from the log after its position, up to
// until (-1: all there are).
func (f *follower) fill(ctx context.Context, origin string, until int64) error {
	for {
		after := f.pos[origin]
		if until >= 0 && after >= until {
			return nil
		}
		evs, err := f.log.Events(ctx, origin, after, 1000)
		if err != nil {
			return fmt.Errorf("natsbus: read gap of %s after %d: %w", origin, after, err)
		}
		if until >= 0 {
			for i, ev := range evs {
				if ev.Seq > until {
					evs = evs[:i]
					break
				}
			}
		}
		if len(evs) == 0 {
			return nil
		}
		if err := f.apply(evs); err != nil {
			return err
		}
		f.pos[origin] = evs[len(evs)-1].Seq
	}
}
