package main

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDiffusionThreeNodes is issue 19's diffusion story on three
// processes: A sends "prevent departure" about a person to B and C; B
// acknowledges and A sees who and when; C does not, and past the deadline
// A shows it overdue and counts it in its metrics; A cancels, and the
// cancellation reaches B and C. C relays nothing it may not: it never sees
// B's entry.
func TestDiffusionThreeNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three tripline processes")
	}
	t.Parallel() // processes of its own, no PostgreSQL: runs beside the other such tests
	tmp := t.TempDir()
	bin := tripBinary(t)
	mk := func(id string) *fedNode {
		return newFedNode(t, bin, tmp, id, "officer", "analyst", "supervisor", "admin")
	}
	a, b, c := mk("A"), mk("B"), mk("C")
	add := func(on, p *fedNode) {
		on.cli("partners", "add", p.id, "--agency", p.agency, "--key", p.key, "--url", "http://"+p.addr)
	}
	add(a, b)
	add(a, c)
	add(b, a)
	add(c, a)
	for _, n := range []*fedNode{a, b, c} {
		n.start()
		t.Cleanup(func() { n.stop(syscall.SIGTERM) })
	}
	defer func() {
		if t.Failed() {
			for _, n := range []*fedNode{a, b, c} {
				t.Logf("---- %s log (tail) ----\n%s", n.id, tail(n.log(), 3000))
			}
		}
	}()

	d := a.must("supervisor", "POST", "/v1/diffusions", `{"kind":"prevent_departure","subject":{"name":"Karim Benali Haddad","dob":"2009-04-02"},
		"text":"Minor believed to be travelling to join an armed group; stop and call.","contact":"A duty desk","recipients":["agency-b","agency-c"],"ack_within":"4s"}`)
	id := d["id"].(string)
	if rs := d["recipients"].([]any); len(rs) != 2 {
		t.Fatalf("recipients %v", rs)
	}
	for _, n := range []*fedNode{b, c} {
		within(t, 20*time.Second, "diffusion at "+n.id, func() bool {
			st, got := n.call("analyst", "GET", "/v1/diffusions/"+id, "")
			return st == 200 && got["status"] == "active" && got["kind"] == "prevent_departure"
		})
	}
	// At a recipient's border the diffusion screens: the person leaving
	// is held (prevent departure), arriving sent to secondary, each with
	// the sender as contact; at A, the sender, nothing changes.
	for _, n := range []*fedNode{b, c} {
		within(t, 20*time.Second, "the diffusion screens at "+n.id, func() bool {
			return decisionOf(n, "Karim Benali Haddad", "2009-04-02") != "clear"
		})
		for dir, want := range map[string]string{"out": "prevent_departure", "in": "secondary_check"} {
			st, r := n.call("officer", "POST", "/v1/screen", `{"ref":"d-`+dir+`","name":"Karim Benali Haddad","dob":"2009-04-02","travel":{"direction":"`+dir+`"}}`)
			if st != 200 || r["decision"] == "clear" || r["action"] != want || !strings.Contains(fmt.Sprint(r["instruction"]), "from agency-a; contact: A duty desk") {
				t.Errorf("%s screening the subject going %s: %d %v; want %s naming A's contact", n.id, dir, st, r, want)
			}
		}
	}
	if got := decisionOf(a, "Karim Benali Haddad", "2009-04-02"); got != "clear" {
		t.Errorf("at A, the sender, the subject screens %s", got)
	}
	// A recipient sees its own entry only.
	_, atC := c.call("analyst", "GET", "/v1/diffusions/"+id, "")
	if rs := atC["recipients"].([]any); len(rs) != 1 || rs[0].(map[string]any)["agency"] != "agency-c" {
		t.Fatalf("C sees recipients %v", rs)
	}
	// B acknowledges; A sees who and when.
	b.must("analyst", "POST", "/v1/diffusions/"+id+"/ack", "")
	within(t, 20*time.Second, "B's acknowledgement at A", func() bool {
		_, got := a.call("analyst", "GET", "/v1/diffusions/"+id, "")
		for _, r := range got["recipients"].([]any) {
			r := r.(map[string]any)
			if r["agency"] == "agency-b" && r["acked_at"] != nil && r["acked_by"] == "B-analyst" {
				return true
			}
		}
		return false
	})
	// C never acknowledges: past the deadline it is overdue at A, and counted.
	within(t, 20*time.Second, "C overdue at A", func() bool {
		_, got := a.call("analyst", "GET", "/v1/diffusions/"+id, "")
		for _, r := range got["recipients"].([]any) {
			r := r.(map[string]any)
			if r["agency"] == "agency-c" && r["overdue"] == true {
				return true
			}
		}
		return false
	})
	within(t, 30*time.Second, "the escalation in A's log", func() bool {
		return strings.Contains(a.log(), "ALERT: diffusion not acknowledged by its deadline") && strings.Contains(a.log(), `"recipient":"agency-c"`)
	})
	if m := a.scrape(); !strings.Contains(m, "tripline_diffusions_overdue 1") {
		t.Errorf("A's metrics lack one overdue diffusion:\n%s", grepLines(m, "diffusion"))
	}
	// Each recipient's hit reaches the sender's queue as a notice, with
	// where and when: A learns its subject was found without a phone call.
	for _, n := range []*fedNode{b, c} {
		within(t, 30*time.Second, n.id+"'s hit in A's queue", func() bool {
			_, got := a.call("analyst", "GET", "/v1/encounters", "")
			es, _ := got["encounters"].([]any)
			for _, e := range es {
				e := e.(map[string]any)
				if e["agency"] == n.agency && e["notice_to"] == "agency-a" && e["listing"] == n.agency+":"+id {
					return true
				}
			}
			return false
		})
	}
	// Only the sender cancels; the cancellation reaches both.
	if st, _ := b.call("analyst", "POST", "/v1/diffusions/"+id+"/cancel", ""); st != 403 {
		t.Errorf("B cancels A's diffusion: %d", st)
	}
	a.must("supervisor", "POST", "/v1/diffusions/"+id+"/cancel", "")
	for _, n := range []*fedNode{b, c} {
		within(t, 20*time.Second, "cancellation at "+n.id, func() bool {
			_, got := n.call("analyst", "GET", "/v1/diffusions/"+id, "")
			return got["status"] == "cancelled"
		})
	}
	for _, n := range []*fedNode{b, c} {
		within(t, 20*time.Second, "the cancelled diffusion stops screening at "+n.id, func() bool {
			return decisionOf(n, "Karim Benali Haddad", "2009-04-02") == "clear"
		})
	}
	if m := a.scrape(); !strings.Contains(m, "tripline_diffusions_overdue 0") {
		t.Errorf("a cancelled diffusion still counts overdue:\n%s", grepLines(m, "diffusion"))
	}
	// Hostile input: no recipient, an unknown agency, a bad kind.
	for _, body := range []string{
		`{"kind":"prevent_departure","subject":{"name":"X Y"},"recipients":[]}`,
		`{"kind":"prevent_departure","subject":{"name":"X Y"},"recipients":["agency-zz"]}`,
		`{"kind":"shoot","subject":{"name":"X Y"},"recipients":["agency-b"]}`,
		`{"kind":"detain","subject":{"name":"X Y"},"recipients":["*"]}`,
	} {
		if st, got := a.call("supervisor", "POST", "/v1/diffusions", body); st != 400 {
			t.Errorf("%s: %d %v", body, st, got)
		}
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return fmt.Sprint(out)
}
