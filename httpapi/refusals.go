package httpapi

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Refused requests (no or a bad token, a failed login) are audited: who
// tried what matters to oversight. The audit log is kept for good and
// chained, so whoever can reach the port must not grow it at will: each
// client address gets RefusalRate audited refusals a second (burst
// RefusalBurst); past that a refusal is answered the same and counted,
// and the client's next audited refusal says how many went unrecorded.
const (
	RefusalRate  rate.Limit = 1
	RefusalBurst int        = 60
	// maxRefusalClients bounds the table; past it, it starts afresh.
	maxRefusalClients int = 100_000
)

type refusals struct {
	mu      sync.Mutex
	clients map[string]*refusalClient
}

type refusalClient struct {
	lim     *rate.Limiter
	dropped int64
}

// take reports whether a refusal from client may be audited at now, and
// how many of its refusals were not since the last one that was.
func (f *refusals) take(client string, now time.Time) (bool, int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.clients[client]
	if c == nil {
		if f.clients == nil || len(f.clients) >= maxRefusalClients {
			f.clients = map[string]*refusalClient{}
		}
		c = &refusalClient{lim: rate.NewLimiter(RefusalRate, RefusalBurst)}
		f.clients[client] = c
	}
	if !c.lim.AllowN(now, 1) {
		c.dropped++
		return false, 0
	}
	n := c.dropped
	c.dropped = 0
	return true, n
}

// clientKey is the address a refusal is charged to: the connection's
// (a forwarded-for header is the client's say-so), an IPv6 client by its
// /64, which one holder has whole.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}
