package httpapi_test

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/blind"
	"tripline/federation"
	"tripline/httpapi"
)

// signedNodes authenticates signed requests of the partner nodes it knows.
type signedNodes struct {
	httpapi.Federation
	keys map[string]ed25519.PublicKey // node → key; its agency is "agency-" + node
}

func (s signedNodes) NodeHeaders(r *http.Request) error {
	_, err := federation.CheckRequestHeaders(r, func(n string) bool { _, ok := s.keys[n]; return ok }, time.Now())
	return err
}

func (s signedNodes) NodeActive(node string) error {
	if _, ok := s.keys[node]; !ok {
		return tripline.Errorf(tripline.EFORBIDDEN, "node request: %q is no longer a partner", node)
	}
	return nil
}

func (s signedNodes) NodeIdentity(r *http.Request, body []byte) (*tripline.Identity, error) {
	node, err := federation.VerifyRequest(r, body, func(n string) (ed25519.PublicKey, bool) { k, ok := s.keys[n]; return k, ok }, time.Now())
	if err != nil {
		return nil, err
	}
	return &tripline.Identity{User: "node:" + node, Agency: "agency-" + strings.ToLower(node), Role: tripline.RoleNode}, nil
}

// TestBlindRoutes: a partner node fetches its table and has batches
// evaluated over signed requests; each is audited with the partner, the
// epoch and counts (never a traveller); past its quota it gets 429, also
// audited; an unchanged table answers 304; a bearer token is refused.
func TestBlindRoutes(t *testing.T) {
	ts := newServer(t)
	w := serverOf(ts.URL + "/")
	bPub, bPriv, _ := ed25519.GenerateKey(nil)
	aPub, aPriv, _ := ed25519.GenerateKey(nil)
	w.srv.Federation = signedNodes{keys: map[string]ed25519.PublicKey{"B": bPub}}
	sec, _ := blind.NewSecrets(aPriv.Seed())
	l := &tripline.Listing{ID: "s:b1", Source: "s", Names: []tripline.Name{{Full: "Blind Listed", Kind: tripline.NamePrimary}},
		BirthDates: []tripline.PartialDate{{Year: 1970, Month: 1, Day: 2}}, Action: tripline.ActionDetain, Status: tripline.StatusActive,
		Handling: tripline.Handling{Blind: []string{"agency-b"}}, Provenance: tripline.Provenance{Originator: "s"}}
	dir := t.TempDir()
	vols := &blind.Volumes{Path: dir + "/volumes.json"}
	if err := vols.Set("B", 1); err != nil {
		t.Fatal(err)
	}
	w.srv.Blind = &blind.Originator{Node: "A", Agency: "s", Priv: aPriv, Secret: sec, MinEntries: 16,
		Listings: func() []*tripline.Listing { return []*tripline.Listing{l} },
		Quota:    &blind.Quota{Path: dir + "/quota.json", Volumes: vols}}
	tr := &blind.HTTPTransport{Base: ts.URL, Self: "B", Priv: bPriv}
	c := &blind.Client{}
	c.SetRemotes([]*blind.Remote{{Origin: "A", Agency: "s", Key: aPub, T: tr}})
	traveller := &tripline.Traveller{Ref: "t", Name: "Blind Listed", DOB: tripline.PartialDate{Year: 1970, Month: 1, Day: 2}}
	fs := c.Screen(context.Background(), []*tripline.Traveller{traveller})
	if len(fs[0].Matches) != 1 || fs[0].Matches[0].Action != tripline.ActionDetain {
		t.Fatalf("over HTTP: %+v", fs[0])
	}
	// A second screening of someone else: over the quota of 12 keys a day.
	fs = c.Screen(context.Background(), []*tripline.Traveller{{Ref: "u", Name: "Somebody Else", DOB: tripline.PartialDate{Year: 1980, Month: 3, Day: 4}}})
	if len(fs[0].Notes) != 1 || !strings.Contains(fs[0].Notes[0], "quota") {
		t.Errorf("past the quota: %+v", fs[0])
	}
	body, notModified, err := tr.FetchTable(context.Background(), "")
	if err != nil || notModified {
		t.Fatal(err, notModified)
	}
	tab, err := blind.ReadTable(body, aPub, 1<<20)
	body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, notModified, err := tr.FetchTable(context.Background(), etagOf(tab)); err != nil || !notModified {
		t.Errorf("unchanged table: notModified %v, %v", notModified, err)
	}
	entries, err := w.srv.Audit.Entries(context.Background(), tripline.AuditFilter{User: "node:B", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, e := range entries {
		seen[e.Action] = e.Detail
		if e.Agency != "agency-b" || e.Role != tripline.RoleNode {
			t.Errorf("entry %+v: want agency-b, node", e)
		}
		for _, secret := range []string{"Blind", "Listed", "Somebody", "1970", "1980"} {
			if strings.Contains(e.Subject+e.Detail, secret) {
				t.Errorf("audit entry %+v names %q", e, secret)
			}
		}
	}
	for _, action := range []string{"blind.table", "blind.evaluate", "blind.evaluate.refused"} {
		if _, ok := seen[action]; !ok {
			t.Errorf("no %s entry among %v", action, seen)
		}
	}
	if d := seen["blind.evaluate"]; !strings.Contains(d, "keys evaluated in epoch") || !strings.Contains(d, "of today's 12 used") {
		t.Errorf("blind.evaluate detail %q", d)
	}
	for _, path := range []string{blind.TablePath, blind.EvaluatePath} {
		method := "GET"
		if path == blind.EvaluatePath {
			method = "POST"
		}
		for role, tok := range w.tokens {
			if st, _ := rawAs(t, tok, method, ts.URL+path, `{"elements":[]}`); st/100 == 2 {
				t.Errorf("%s %s as %s with a bearer token: %d", method, path, role, st)
			}
		}
	}
	req, _ := http.NewRequest("POST", ts.URL+blind.EvaluatePath, strings.NewReader(`{"elements":["AAAA"]}`))
	federation.SignRequest(req, "B", bPriv, []byte(`{"elements":["AAAA"]}`), time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an element that is no group element: %d, want 400", resp.StatusCode)
	}
}

func etagOf(t *blind.Table) string { return hex.EncodeToString(t.Header.Digest) }
