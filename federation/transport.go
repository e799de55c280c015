package federation

import (
	"fmt"
	"net/http"
	"strings"

	"tripline"
	"tripline/tlsconf"
)

// partnerClient is how one partner is reached, and the settings it was
// built from: a changed pin, CA or URL builds it anew.
type partnerClient struct {
	settings string
	client   *http.Client // nil: Peer.HTTP
}

// client returns the HTTP client that reaches partner x as its settings
// say (tripline.Partner.CheckTransport, which refuses plain http:// to
// another machine unless allowed): HTTP itself for a partner trusted
// through the system's CAs or on this machine, one of its own for a
// partner whose key is pinned or who has its own CA (tlsconf.Client).
func (p *Peer) client(x *tripline.Partner) (*http.Client, error) {
	settings := fmt.Sprintf("%s\n%s\n%s\n%t", x.URL, strings.Join(x.TLSPins, ","), x.TLSCA, x.InsecureHTTP)
	p.cmu.Lock()
	defer p.cmu.Unlock()
	pc, ok := p.clients[x.ID]
	if !ok || pc.settings != settings {
		if err := x.CheckTransport(); err != nil {
			return nil, err
		}
		pc = &partnerClient{settings: settings}
		if len(x.TLSPins) > 0 || x.TLSCA != "" {
			cfg, err := tlsconf.Client(x.TLSPins, x.TLSCA)
			if err != nil {
				return nil, err
			}
			tr, _ := p.HTTP.Transport.(*http.Transport)
			if tr == nil {
				tr = http.DefaultTransport.(*http.Transport)
			}
			tr = tr.Clone()
			tr.TLSClientConfig = cfg
			pc.client = &http.Client{Transport: tr, Timeout: p.HTTP.Timeout}
		} else if x.InsecureHTTP && strings.HasPrefix(x.URL, "http:") {
			p.Logger.Warn("partner reached over plain HTTP: what it is sent travels in clear", "partner", x.ID, "url", x.URL)
		}
		if old, ok := p.clients[x.ID]; ok && old.client != nil {
			old.client.CloseIdleConnections()
		}
		if p.clients == nil {
			p.clients = map[string]*partnerClient{}
		}
		p.clients[x.ID] = pc
	}
	if pc.client == nil {
		return p.HTTP, nil
	}
	return pc.client, nil
}

// HTTPClient returns the HTTP client that reaches partner x, as the
// federation's own requests do: for other protocols between the same
// nodes (blind screening), under the same TLS rules.
func (p *Peer) HTTPClient(x *tripline.Partner) (*http.Client, error) { return p.client(x) }
