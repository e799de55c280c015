package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"tripline"
)

// The lean client (-client lean, the default) spends as little of the
// shared processors as it can, so that the node gets them: each client
// keeps one keep-alive connection, writes a request prepared in full
// before the run (request line, headers and body in one write), and reads
// the answer with a small scanner for its status, length, decision and
// encounters instead of net/http's client and a reflective JSON decode.
// It still checks what the std client checks: status 200, a decision, the
// encounters counted.

// leanRequests prepares, once, the raw HTTP/1.1 request of every query.
func leanRequests(host, token string, qs [][]byte) [][]byte {
	out := make([][]byte, len(qs))
	for i, q := range qs {
		var b bytes.Buffer
		fmt.Fprintf(&b, "POST /v1/screen HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", host, token, len(q))
		b.Write(q)
		out[i] = b.Bytes()
	}
	return out
}

// leanAnswer is what the lean client reads of one answer.
type leanAnswer struct {
	status     int
	decision   tripline.Decision
	encounters int
	close      bool // the server closes the connection after it
}

// readAnswer reads one HTTP/1.1 response from br into body (reused).
func readAnswer(br *bufio.Reader, body []byte) (leanAnswer, []byte, error) {
	var a leanAnswer
	line, err := br.ReadSlice('\n')
	if err != nil {
		return a, body, err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return a, body, fmt.Errorf("status line %q", line)
	}
	a.status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return a, body, fmt.Errorf("status line %q", line)
	}
	length, chunked := -1, false
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return a, body, err
		}
		h := bytes.TrimRight(line, "\r\n")
		if len(h) == 0 {
			break
		}
		name, v, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			return a, body, fmt.Errorf("header line %q", h)
		}
		v = bytes.TrimSpace(v)
		switch {
		case asciiEqualFold(name, "Content-Length"):
			if length, err = strconv.Atoi(string(v)); err != nil {
				return a, body, fmt.Errorf("content-length %q", v)
			}
		case asciiEqualFold(name, "Transfer-Encoding"):
			chunked = asciiEqualFold(v, "chunked")
		case asciiEqualFold(name, "Connection"):
			a.close = asciiEqualFold(v, "close")
		}
	}
	body = body[:0]
	switch {
	case chunked:
		for {
			line, err = br.ReadSlice('\n')
			if err != nil {
				return a, body, err
			}
			n, err := strconv.ParseInt(string(bytes.TrimSpace(bytes.SplitN(line, []byte(";"), 2)[0])), 16, 32)
			if err != nil {
				return a, body, fmt.Errorf("chunk size %q", line)
			}
			if n == 0 {
				for { // trailers, then the empty line
					line, err = br.ReadSlice('\n')
					if err != nil {
						return a, body, err
					}
					if len(bytes.TrimRight(line, "\r\n")) == 0 {
						break
					}
				}
				break
			}
			if body, err = readN(br, body, int(n)); err != nil {
				return a, body, err
			}
			if _, err = br.Discard(2); err != nil {
				return a, body, err
			}
		}
	case length >= 0:
		if body, err = readN(br, body, length); err != nil {
			return a, body, err
		}
	default:
		return a, body, errors.New("answer with neither a length nor chunks")
	}
	a.decision, a.encounters = scanResult(body)
	return a, body, nil
}

func readN(br *bufio.Reader, b []byte, n int) ([]byte, error) {
	k := len(b)
	b = append(b, make([]byte, n)...)
	_, err := io.ReadFull(br, b[k:])
	return b, err
}

func asciiEqualFold(b []byte, s string) bool {
	return len(b) == len(s) && strings.EqualFold(string(b), s)
}

var (
	decisionKey   = []byte(`"decision":"`)
	encountersKey = []byte(`"encounters":[`)
)

// scanResult finds a screening answer's decision (the first "decision"
// key: the result's own comes before its matches') and counts the ids in
// its encounters list. Neither key can occur inside a JSON string (a
// quote there is escaped).
func scanResult(body []byte) (tripline.Decision, int) {
	var d tripline.Decision
	if i := bytes.Index(body, decisionKey); i >= 0 {
		rest := body[i+len(decisionKey):]
		if j := bytes.IndexByte(rest, '"'); j >= 0 {
			d = tripline.Decision(rest[:j])
		}
	}
	n := 0
	if i := bytes.LastIndex(body, encountersKey); i >= 0 {
		rest := body[i+len(encountersKey):]
		if j := bytes.IndexByte(rest, ']'); j >= 0 {
			n = bytes.Count(rest[:j], []byte{'"'}) / 2 // encounter ids carry no escapes
		}
	}
	return d, n
}

// leanClient is one lean client's kept connection.
type leanClient struct {
	addr string
	reqs [][]byte
	conn net.Conn
	br   *bufio.Reader
	body []byte
}

func (c *leanClient) screen(i int64) (int, tripline.Decision, int, error) {
	if c.conn == nil {
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			return 0, "", 0, err
		}
		c.conn, c.br = conn, bufio.NewReaderSize(conn, 16<<10)
	}
	_, err := c.conn.Write(c.reqs[i%int64(len(c.reqs))])
	var a leanAnswer
	if err == nil {
		a, c.body, err = readAnswer(c.br, c.body)
	}
	if err != nil || a.close {
		c.close()
	}
	return a.status, a.decision, a.encounters, err
}

func (c *leanClient) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// selfCPU returns this process's user+system CPU time so far: the load
// client's share of the processors it shares with the node.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
