// Package natsbus tells whatever follows a node's events (screening
// replicas, `tripline events follow`, design.md §6) over NATS JetStream
// that the node committed some. A message is only a wake-up: it names an
// origin and a sequence number, and the follower reads the events from
// the store's log, the system of record. Nothing that arrives over the
// bus is believed: a message anyone could publish (a forged event, a
// replay, a made-up sequence) costs at most one read of the log, and the
// stream holds no personal data. A lost or repeated message costs
// nothing either: a follower also re-reads the log every Recheck.
package natsbus

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tripline"
)

// Bus is a connection to one JetStream stream of wake-ups.
type Bus struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	stream string
	// Recheck is how often a follower reads the log without being woken
	// (Connect sets 2s): what a lost message, or one whose id a forger
	// took, would have announced is late by at most this.
	Recheck time.Duration
}

// wakeup is a message's body: which origin committed up to which
// sequence number. It is a hint to read the log, never an event.
type wakeup struct {
	Origin string `json:"origin"`
	Seq    int64  `json:"seq"`
}

// Connect connects to the NATS server at url and makes sure the stream
// exists: subjects "<stream>.<origin>", kept on disk for a day, with a
// duplicate window so that a resent event is stored once. The stream
// carries wake-ups only (origin and sequence number); credentials (a NATS
// .creds file, "" for none) and a tls:// url keep even those to the
// agency's own processes (docs/security.md: the publish permissions).
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
	if err := ensureStream(ctx, js, jetstream.StreamConfig{
		Name: stream, Subjects: []string{stream + ".>"}, Storage: jetstream.FileStorage,
		Duplicates: 2 * time.Minute, MaxAge: 24 * time.Hour,
	}); err != nil {
		nc.Close()
		return nil, fmt.Errorf("natsbus: stream %s: %w", stream, err)
	}
	return &Bus{nc: nc, js: js, stream: stream, Recheck: 2 * time.Second}, nil
}

// ensureStream creates the stream, or updates one that differs from want.
// It looks first, so that a follower whose NATS user may only read the
// stream's info (docs/security.md) connects to a stream the writer made.
func ensureStream(ctx context.Context, js jetstream.JetStream, want jetstream.StreamConfig) error {
	s, err := js.Stream(ctx, want.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		_, err = js.CreateStream(ctx, want)
		return err
	}
	if err != nil {
		return err
	}
	have := s.CachedInfo().Config
	if slices.Equal(have.Subjects, want.Subjects) && have.Duplicates == want.Duplicates && have.MaxAge == want.MaxAge {
		return nil
	}
	_, err = js.UpdateStream(ctx, want)
	return err
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

// Publish announces evs, in order, and waits until the stream holds the
// wake-ups. Each message's id is the event's origin, sequence and a digest
// of the whole event: the stream stores a resend once, and a forger, who
// cannot know an event before it is published, cannot take its id first
// and have the real announcement dropped as a duplicate.
func (b *Bus) Publish(ctx context.Context, evs []*tripline.Event) error {
	var acks []jetstream.PubAckFuture
	for _, ev := range evs {
		whole, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("natsbus: encode event %s/%d: %w", ev.Origin, ev.Seq, err)
		}
		data, err := json.Marshal(wakeup{Origin: ev.Origin, Seq: ev.Seq})
		if err != nil {
			return fmt.Errorf("natsbus: encode event %s/%d: %w", ev.Origin, ev.Seq, err)
		}
		sum := sha256.Sum256(whole)
		id := fmt.Sprintf("%s/%d/%s", ev.Origin, ev.Seq, hex.EncodeToString(sum[:16]))
		f, err := b.js.PublishAsync(b.subject(ev.Origin), data, jetstream.WithMsgID(id))
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

// Follow applies origin's events from the log, in order per origin,
// starting after from[origin] (what the follower already holds; an origin
// not in from starts at 0): first all the log holds of every origin in
// from, then what it holds each time a message announces a sequence
// number past an origin's position, and every Recheck. A message's body
// is never applied: only the log's events reach apply. It returns when
// ctx ends, or with the first error of apply.
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
	wakes, errc := make(chan wakeup, 256), make(chan error, 1)
	go func() {
		for {
			m, err := msgs.Next()
			if err != nil {
				errc <- err
				return
			}
			var w wakeup
			if json.Unmarshal(m.Data(), &w) != nil || w.Origin == "" || w.Seq <= 0 || m.Subject() != b.subject(w.Origin) {
				continue // not a wake-up (or for another subject's origin): the log has every real event
			}
			select {
			case wakes <- w:
			case <-ctx.Done():
				return
			}
		}
	}()
	f := &follower{log: log, apply: apply, pos: map[string]int64{}}
	for origin, seq := range from {
		f.pos[origin] = seq
		// Subscribed first, then caught up: nothing falls between the two.
		if err := f.fill(ctx, origin); err != nil {
			return err
		}
	}
	recheck := time.NewTicker(max(b.Recheck, 10*time.Millisecond))
	defer recheck.Stop()
	for {
		select {
		case w := <-wakes:
			if w.Seq <= f.pos[w.Origin] {
				continue // a duplicate, or read from the log already
			}
			if err := f.fill(ctx, w.Origin); err != nil {
				return err
			}
		case <-recheck.C:
			for origin := range f.pos {
				if err := f.fill(ctx, origin); err != nil {
					return err
				}
			}
		case err := <-errc:
			if ctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return ctx.Err()
			}
			return fmt.Errorf("natsbus: follow %s: %w", b.stream, err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// follower keeps each origin's position: the last sequence applied.
type follower struct {
	log   tripline.EventService
	apply func([]*tripline.Event) error
	pos   map[string]int64
}

// page is how many events one read of the log takes.
const page = 1000

// fill applies all the log holds of origin after its position.
func (f *follower) fill(ctx context.Context, origin string) error {
	for {
		after := f.pos[origin]
		evs, err := f.log.Events(ctx, origin, after, page)
		if err != nil {
			return fmt.Errorf("natsbus: read the log of %s after %d: %w", origin, after, err)
		}
		if len(evs) == 0 {
			return nil
		}
		if err := f.apply(evs); err != nil {
			return err
		}
		f.pos[origin] = evs[len(evs)-1].Seq
		if len(evs) < page {
			return nil
		}
	}
}
