package network

import (
	"context"
	"sync"
	"time"
)

// LinkLog is a persistent link store that several processes may share —
// a server and command-line imports on one data directory. Besides
// persisting, it logs which sources each write changed, so that a
// process can follow the others' writes. sqlite.LinkStore implements it.
type LinkLog interface {
	Persister
	// Links calls fn for every stored link.
	Links(ctx context.Context, fn func(Link)) error
	// SourceLinks calls fn for every stored link of source.
	SourceLinks(ctx context.Context, source string, fn func(Link)) error
	// LinkHead returns the sequence number of the newest change.
	LinkHead(ctx context.Context) (int64, error)
	// LinkChanges returns the sources other writers changed after
	// sequence number after, each once, and the newest number read.
	LinkChanges(ctx context.Context, after int64) (sources []string, last int64, err error)
}

// follower is where a Service stands in its LinkLog.
type follower struct {
	mu  sync.Mutex
	log LinkLog
	at  int64
}

// Open makes log the service's persistence and loads its links, noting
// the log's head first: a change committed while loading is applied again
// by CatchUp, which is harmless, and none is missed.
func (s *Service) Open(ctx context.Context, log LinkLog) error {
	head, err := log.LinkHead(ctx)
	if err != nil {
		return err
	}
	s.Persist = log
	s.follow.mu.Lock()
	s.follow.log, s.follow.at = log, head
	s.follow.mu.Unlock()
	return s.Load(ctx, log.Links)
}

// CatchUp reloads, in memory, every source another process changed in
// the log since the last catch-up (or Open), and returns how many. A
// service without a log has nothing to catch up.
func (s *Service) CatchUp(ctx context.Context) (int, error) {
	s.follow.mu.Lock()
	defer s.follow.mu.Unlock()
	if s.follow.log == nil {
		return 0, nil
	}
	sources, last, err := s.follow.log.LinkChanges(ctx, s.follow.at)
	if err != nil {
		return 0, err
	}
	for _, src := range sources {
		var links []Link
		if err := s.follow.log.SourceLinks(ctx, src, func(l Link) { links = append(links, l) }); err != nil {
			return 0, err
		}
		if _, err := s.Store.RemoveSource(ctx, src); err != nil {
			return 0, err
		}
		if _, err := s.Store.AddLinks(ctx, s.canonLinks(links)); err != nil {
			return 0, err
		}
	}
	if len(sources) > 0 {
		s.version.Add(1)
	}
	s.follow.at = last
	return len(sources), nil
}

// Follow calls CatchUp every interval until ctx ends, telling onErr (if
// set) of failures.
func (s *Service) Follow(ctx context.Context, every time.Duration, onErr func(error)) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if _, err := s.CatchUp(ctx); err != nil && ctx.Err() == nil && onErr != nil {
			onErr(err)
		}
	}
}
