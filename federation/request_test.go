package federation_test

import (
	"crypto/ed25519"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/federation"
	"tripline/sqlstore"
)

// TestSignedRequests: a node request is accepted only from a known partner,
// signed with that partner's key, over this method, path, query and body,
// and dated within the allowed window (a captured request cannot be
// replayed later or sent elsewhere).
func TestSignedRequests(t *testing.T) {
	pubA, privA, _ := ed25519.GenerateKey(nil)
	_, privX, _ := ed25519.GenerateKey(nil)
	keys := func(node string) (ed25519.PublicKey, bool) {
		if node == "A" {
			return pubA, true
		}
		return nil, false
	}
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	body := []byte(`{"id":"e1"}`)
	for _, tc := range []struct {
		name    string
		node    string
		priv    ed25519.PrivateKey
		at      time.Time
		method  string // of the request as received
		uri     string
		body    string
		wantErr string
	}{
		{"valid", "A", privA, now, "POST", "/v1/reports?x=1", string(body), ""},
		{"unknown node", "Z", privA, now, "POST", "/v1/reports?x=1", string(body), "unknown node"},
		{"another key", "A", privX, now, "POST", "/v1/reports?x=1", string(body), "bad signature"},
		{"body changed", "A", privA, now, "POST", "/v1/reports?x=1", `{"id":"e2"}`, "bad signature"},
		{"query changed", "A", privA, now, "POST", "/v1/reports?x=2", string(body), "bad signature"},
		{"method changed", "A", privA, now, "PUT", "/v1/reports?x=1", string(body), "bad signature"},
		{"replayed later", "A", privA, now.Add(-federation.MaxClockSkew - time.Second), "POST", "/v1/reports?x=1", string(body), "window"},
		{"dated ahead", "A", privA, now.Add(federation.MaxClockSkew + time.Second), "POST", "/v1/reports?x=1", string(body), "window"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			orig := httptest.NewRequest("POST", "/v1/reports?x=1", nil)
			federation.SignRequest(orig, tc.node, tc.priv, body, tc.at)
			got := httptest.NewRequest(tc.method, tc.uri, nil)
			got.Header = orig.Header.Clone()
			node, err := federation.VerifyRequest(got, []byte(tc.body), keys, now)
			if tc.wantErr == "" {
				if err != nil || node != "A" {
					t.Fatalf("VerifyRequest = %q, %v", node, err)
				}
				return
			}
			if err == nil || tripline.ErrorCode(err) != tripline.EUNAUTHORIZED || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("VerifyRequest err = %v, want unauthorized %q", err, tc.wantErr)
			}
		})
	}
	// A request without the headers names them.
	if _, err := federation.VerifyRequest(httptest.NewRequest("GET", "/v1/feed", nil), nil, keys, now); err == nil || !strings.Contains(err.Error(), federation.HeaderSignature) {
		t.Fatalf("unsigned request: %v", err)
	}
}

// TestNodeRequestsLimited: each partner node's signed requests are
// bounded (a burst, then a rate): past them, ERATELIMIT naming the
// partner; another partner is not held back, and time refills the bucket.
func TestNodeRequestsLimited(t *testing.T) {
	ctx := t.Context()
	store := sqlstore.NewFederationStore(mustDB(t, "B"))
	keys := map[string]ed25519.PrivateKey{}
	for _, id := range []string{"A", "C"} {
		pub, priv, _ := ed25519.GenerateKey(nil)
		keys[id] = priv
		if err := store.PutPartner(ctx, &tripline.Partner{ID: id, Agency: "agency-" + id, PublicKey: federation.PublicKeyString(pub)}); err != nil {
			t.Fatal(err)
		}
	}
	_, privB, _ := ed25519.GenerateKey(nil)
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	p := federation.NewPeer("B", privB, store, quiet())
	p.Now = func() time.Time { return now }
	p.RequestRate, p.RequestBurst = 2, 5
	if _, err := p.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	call := func(node string) error {
		r := httptest.NewRequest("GET", "/v1/audit/checkpoint", nil)
		federation.SignRequest(r, node, keys[node], nil, now)
		_, err := p.NodeIdentity(r, nil)
		return err
	}
	for i := range 5 {
		if err := call("A"); err != nil {
			t.Fatalf("A's request %d within its burst: %v", i+1, err)
		}
	}
	if err := call("A"); tripline.ErrorCode(err) != tripline.ERATELIMIT || !strings.Contains(err.Error(), `"A"`) {
		t.Fatalf("A's request past its burst: %v, want rate_limited naming A", err)
	}
	if err := call("C"); err != nil {
		t.Fatalf("C held back by A's requests: %v", err)
	}
	now = now.Add(time.Second) // two more
	for i := range 2 {
		if err := call("A"); err != nil {
			t.Fatalf("A's request %d a second later: %v", i+1, err)
		}
	}
	if err := call("A"); tripline.ErrorCode(err) != tripline.ERATELIMIT {
		t.Fatalf("A past its rate: %v", err)
	}
}
