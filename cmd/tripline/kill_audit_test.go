package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"tripline"
	"tripline/sqlite"
)

// TestServeKilledKeepsAnsweredAudit kills a serving node with SIGKILL the
// moment its last answer arrives: every request that was answered has its
// audit entry on disk, and the chain verifies.
func TestServeKilledKeepsAnsweredAudit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it")
	}
	tmp := t.TempDir()
	bin := tripBinary(t)
	data := filepath.Join(tmp, "data")
	out, err := exec.Command(bin, "users", "add", "ofc", "--role", "officer", "--data", data).Output()
	if err != nil {
		t.Fatalf("users add: %v", err)
	}
	token := strings.TrimSpace(string(out))

	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", data)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "serving" {
				addrc <- line.Addr
			}
		}
	}()
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a
	case <-time.After(120 * time.Second):
		t.Fatal("serve did not start")
	}

	// Four officers screen at once; each answered traveller is noted.
	var mu sync.Mutex
	var answered []string
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 15 {
				ref := fmt.Sprintf("kill-%d-%d", w, i)
				req, _ := http.NewRequest("POST", base+"/v1/screen", strings.NewReader(`{"ref":"`+ref+`","name":"Astrid Lindqvist","dob":"1988-04-12"}`))
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Errorf("screen %s = %d", ref, resp.StatusCode)
					return
				}
				mu.Lock()
				answered = append(answered, ref)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	killed = true
	cmd.Wait()
	if t.Failed() {
		return
	}

	db := sqlite.NewDB(filepath.Join(data, "tripline.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	audit, err := sqlite.NewAuditLog(db)
	if err != nil {
		t.Fatal(err)
	}
	defer audit.Close()
	es, err := audit.Entries(context.Background(), tripline.AuditFilter{Action: "screen"})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, e := range es {
		stored[e.Subject] = true
	}
	var lost []string
	for _, ref := range answered {
		if !stored[ref] {
			lost = append(lost, ref)
		}
	}
	if len(lost) > 0 {
		t.Fatalf("%d of %d answered screenings have no audit entry after the kill: %v", len(lost), len(answered), lost)
	}
	if n, broken, err := audit.Verify(context.Background()); err != nil || broken != nil {
		t.Fatalf("verify after the kill: %d entries, %v, %v", n, broken, err)
	}
}
