package federation_test

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/federation"
	"tripline/sqlite"
	"tripline/sqlstore"
	"tripline/tlsconf"
)

// tlsPartner serves handler over TLS with a certificate from a CA of its
// own, and returns the server, the CA's PEM and the key's pin.
func tlsPartner(t *testing.T, handler http.HandlerFunc) (srv *httptest.Server, caPEM, pin string) {
	t.Helper()
	caCert, pair, err := tlsconf.SelfSigned([]string{"127.0.0.1"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	srv = httptest.NewUnstartedServer(handler)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, string(caCert), tripline.TLSPin(pair.Leaf)
}

// feedOverTLS serves three events of origin A (signed with key pub) over
// TLS, as tlsPartner.
func feedOverTLS(t *testing.T) (pub ed25519.PublicKey, srv *httptest.Server, caPEM, pin string) {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(nil)
	evs := signedEvents(t, "A", priv, 1, 3)
	srv, caPEM, pin = tlsPartner(t, func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(federation.FeedPage{Origin: "A", Events: evs})
	})
	return pub, srv, caPEM, pin
}

// setPartner stores partner A (key pub) as reached by x's URL and TLS
// settings, and reloads the peer.
func setPartner(t *testing.T, p *federation.Peer, db *sqlite.DB, pub ed25519.PublicKey, x tripline.Partner) *tripline.Partner {
	t.Helper()
	x.Agency, x.PublicKey = "agency-a", federation.PublicKeyString(pub)
	if err := sqlstore.NewFederationStore(db).PutPartner(t.Context(), &x); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	got, _ := p.Partner(x.ID)
	return got
}

// Pulls go over TLS to the partner whose key is pinned, self-signed or
// not, and never to another key, even one a trusted CA signed; the error
// says so and nothing is applied.
func TestPullPinnedTLS(t *testing.T) {
	pub, srv, caPEM, pin := feedOverTLS(t)
	_, otherCA, otherPin := tlsPartner(t, func(http.ResponseWriter, *http.Request) {})
	for _, tc := range []struct {
		name    string
		pins    []string
		ca      string
		wantErr string
	}{
		{"pinned", []string{pin}, "", ""},
		{"pinned among two", []string{otherPin, pin}, "", ""},
		{"pinned and its CA", []string{pin}, caPEM, ""},
		{"its CA", nil, caPEM, ""},
		{"another key pinned", []string{otherPin}, "", "is not the pinned " + otherPin},
		{"another key pinned, CA trusted", []string{otherPin}, caPEM, "is not the pinned"},
		{"another CA", nil, otherCA, "unknown authority"},
		{"system CAs", nil, "", "unknown authority"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := mustDB(t, "C")
			p := peerFor(t, db, "A", pub, "")
			partner := setPartner(t, p, db, pub, tripline.Partner{ID: "A", URL: srv.URL, TLSPins: tc.pins, TLSCA: tc.ca})
			n, err := p.Pull(t.Context(), partner, "A", 0)
			if tc.wantErr == "" {
				if err != nil || n != 3 {
					t.Fatalf("pull = %d, %v; want 3 events", n, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || n != 0 {
				t.Fatalf("pull = %d, %v; want nothing and an error with %q", n, err, tc.wantErr)
			}
			if cur, _ := sqlstore.NewFederationStore(db).Cursor(t.Context(), "A"); cur != 0 {
				t.Fatalf("cursor %d after a refused pull", cur)
			}
		})
	}
}

// A pin changed on a partner takes effect at the next request: the peer
// does not keep a connection to the key no longer pinned.
func TestPullPinChanged(t *testing.T) {
	pub, srv, _, pin := feedOverTLS(t)
	_, _, otherPin := tlsPartner(t, func(http.ResponseWriter, *http.Request) {})
	db := mustDB(t, "C")
	p := peerFor(t, db, "A", pub, "")
	x := setPartner(t, p, db, pub, tripline.Partner{ID: "A", URL: srv.URL, TLSPins: []string{pin}})
	if _, err := p.Pull(t.Context(), x, "A", 0); err != nil {
		t.Fatal(err)
	}
	x = setPartner(t, p, db, pub, tripline.Partner{ID: "A", URL: srv.URL, TLSPins: []string{otherPin}})
	if _, err := p.Pull(t.Context(), x, "A", 0); err == nil || !strings.Contains(err.Error(), "is not the pinned") {
		t.Fatalf("pull after the pin changed = %v, want refused", err)
	}
}

// refusingTransport fails the test's request if one is sent.
type refusingTransport struct{ sent bool }

func (rt *refusingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	rt.sent = true
	return nil, errors.New("sent")
}

// Plain http:// to another machine is refused before anything is sent,
// unless the partner allows it; to this machine it is allowed.
func TestPlainHTTPToAnotherMachineRefused(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(nil)
	for _, tc := range []struct {
		name    string
		x       tripline.Partner
		refused bool
	}{
		{"another machine", tripline.Partner{ID: "A", URL: "http://192.0.2.1:8080"}, true},
		{"another machine, allowed", tripline.Partner{ID: "A", URL: "http://192.0.2.1:8080", InsecureHTTP: true}, false},
		{"this machine", tripline.Partner{ID: "A", URL: "http://127.0.0.1:8080"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := mustDB(t, "C")
			p := peerFor(t, db, "A", pub, "")
			rt := &refusingTransport{}
			p.HTTP = &http.Client{Transport: rt}
			x := setPartner(t, p, db, pub, tc.x)
			_, err := p.Pull(t.Context(), x, "A", 0)
			if tc.refused != (tripline.ErrorCode(err) == tripline.EINVALID && strings.Contains(err.Error(), "plain http://")) || tc.refused == rt.sent {
				t.Fatalf("pull = %v, request sent %v; want refused %v", err, rt.sent, tc.refused)
			}
		})
	}
}

// An encounter report goes over TLS to the pinned next hop, and is kept
// for a retry when the hop shows another key.
func TestReportPinnedTLS(t *testing.T) {
	pubB, _, _ := ed25519.GenerateKey(nil)
	srv, _, pin := tlsPartner(t, func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(federation.ReportReceipt{Status: tripline.ReportAcknowledged})
	})
	_, _, otherPin := tlsPartner(t, func(http.ResponseWriter, *http.Request) {})
	for _, tc := range []struct {
		pin, want string
	}{{otherPin, tripline.ReportPending}, {pin, tripline.ReportAcknowledged}} {
		db := mustDB(t, "C")
		p := peerFor(t, db, "B", pubB, "")
		setPartner(t, p, db, pubB, tripline.Partner{ID: "B", URL: srv.URL, TLSPins: []string{tc.pin}})
		ctx := context.Background()
		e := &tripline.Encounter{ID: "C-e1", Listing: "agency-b:1", Originator: "agency-b", Decision: tripline.DecisionHit}
		if err := p.QueueEncounter(ctx, e, "B", "B"); err != nil {
			t.Fatal(err)
		}
		p.Deliver(ctx)
		rs, _ := sqlstore.NewFederationStore(db).Reports(ctx, tripline.ReportFilter{})
		if len(rs) != 1 || rs[0].Status != tc.want {
			t.Fatalf("pinned %s: report %+v, want %s", tc.pin, rs, tc.want)
		}
	}
}
