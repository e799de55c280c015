package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"tripline"
	"tripline/importer"
	"tripline/sqlite"
	"tripline/sqlstore"
)

// TestServeKilledKeepsAnsweredAudit kills a serving node with SIGKILL the
// moment its last answer arrives: every request that was answered has its
// audit entry on disk, and the chain verifies; every hit that was answered
// has its encounter once the node starts again (the screening journal is
// applied at start), and so does every answered review (its answer waits
// for the journal's write, not its fsync).
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
	un := filepath.Join("sample", "un_sc_consolidated_2024-09-26.xml")
	if out, err := exec.Command(bin, "import", "--format", "un-xml", "--data", data, un).CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	f, err := os.Open(un)
	if err != nil {
		t.Fatal(err)
	}
	listed, err := importer.ReadUN(f, un)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}

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

	// Another process (an import, say) holds the store's write lock the
	// whole time: screenings must not wait for it, nor lose their hits.
	lockDB := sqlite.NewDB(filepath.Join(data, "tripline.db"))
	if err := lockDB.Open(); err != nil {
		t.Fatal(err)
	}
	defer lockDB.Close()
	lock, err := lockDB.SQL().BeginTx(context.Background(), nil) // _txlock=immediate: the write lock now
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback()

	// Four officers screen at once, every other traveller a listed person
	// (one in three of them by two words of the name: many a review); each
	// answered traveller and each encounter of an answered hit or review
	// is noted.
	var mu sync.Mutex
	var answered, encounters []string
	reviews := 0
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 15 {
				ref := fmt.Sprintf("kill-%d-%d", w, i)
				name := "Astrid Lindqvist"
				if i%2 == 1 {
					name = listed[(w*15+i)%len(listed)].PrimaryName()
					if words := strings.Fields(name); i%3 == 0 && len(words) > 2 {
						name = words[0] + " " + words[1]
					}
				}
				body, _ := json.Marshal(map[string]string{"ref": ref, "name": name})
				req, _ := http.NewRequest("POST", base+"/v1/screen", strings.NewReader(string(body)))
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				var res tripline.Result
				err = json.NewDecoder(resp.Body).Decode(&res)
				resp.Body.Close()
				if resp.StatusCode != 200 || err != nil {
					t.Errorf("screen %s = %d, %v", ref, resp.StatusCode, err)
					return
				}
				if res.Decision == tripline.DecisionHit && len(res.Encounters) == 0 {
					t.Errorf("screen %s: a hit without its encounter", ref)
				}
				mu.Lock()
				if res.Decision == tripline.DecisionReview && len(res.Encounters) > 0 {
					reviews++
				}
				answered = append(answered, ref)
				encounters = append(encounters, res.Encounters...)
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
	lock.Rollback()
	if t.Failed() {
		return
	}

	db := sqlite.NewDB(filepath.Join(data, "tripline.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	audit, err := sqlstore.NewAuditLog(db)
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
	audit.Close()
	db.Close()

	// The node starts again: every answered hit's encounter is stored.
	if len(encounters) < 10 || reviews < 3 {
		t.Fatalf("only %d encounters answered, %d reviews: the listed names did not hit or review", len(encounters), reviews)
	}
	env := &Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	n, err := openNode(context.Background(), env, data, true, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	for _, id := range encounters {
		if _, err := n.Encounters.Encounter(context.Background(), id); err != nil {
			t.Errorf("answered encounter %s after the kill: %v", id, err)
		}
	}
}
