package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while a command writes to it,
// and for a command's background work (a node's log) to write beside it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestDemo runs `tripline demo` as a newcomer would and follows what it
// prints: the listed person hits with the printed officer token.
func TestDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	addrc := make(chan string, 1)
	env := &Env{Stdin: strings.NewReader(""), Stdout: out, Stderr: &syncBuffer{}, Getenv: func(string) string { return "" },
		Ready: func(a string) { addrc <- a }}
	done := make(chan int, 1)
	go func() { done <- Run(ctx, env, []string{"demo", "--addr", "127.0.0.1:0"}) }()
	select {
	case <-addrc:
	case code := <-done:
		t.Fatalf("demo exited %d: %s", code, out.String())
	case <-time.After(60 * time.Second):
		t.Fatal("demo did not start")
	}
	text := out.String()
	if !strings.Contains(text, "imported: 682 UN Security Council listings") {
		t.Fatalf("demo output:\n%s", text)
	}
	dm := regexp.MustCompile(`data: +(\S+)`).FindStringSubmatch(text)
	if dm == nil {
		t.Fatalf("no data directory in:\n%s", text)
	}
	// The printed tokens paste into a shell as the README uses them.
	if !regexp.MustCompile(`(?m)^ +export OFFICER_TOKEN=tl_`).MatchString(text) {
		t.Errorf("no export OFFICER_TOKEN line in:\n%s", text)
	}
	m := regexp.MustCompile(`curl -s -H 'Authorization: Bearer (tl_[A-Za-z0-9_-]+)' (http://[^ ]+) -d '([^']+)'`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no curl line in:\n%s", text)
	}
	req, _ := http.NewRequest("POST", m[2], strings.NewReader(m[3]))
	req.Header.Set("Authorization", "Bearer "+m[1])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(b.String(), `"decision":"hit"`) || !strings.Contains(b.String(), "un-sc:TAi.005") {
		t.Fatalf("the printed example = %d %s", resp.StatusCode, b.String())
	}
	cancel()
	<-done
	// A demo without --data leaves nothing behind.
	if _, err := os.Stat(dm[1]); !os.IsNotExist(err) {
		t.Errorf("demo data directory %s still there after the demo stopped (%v)", dm[1], err)
	}
	if !strings.Contains(out.String(), "Removed the demo's data directory") {
		t.Errorf("the demo did not say it removed its data:\n%s", out.String())
	}
}
