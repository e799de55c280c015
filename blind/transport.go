package blind

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"tripline"
	"tripline/federation"
)

// Routes of an originator's blind-screening API (httpapi/blind.go).
const (
	TablePath    = "/v1/blind/table"
	EvaluatePath = "/v1/blind/evaluate"
)

// Transport reaches one originator's node.
type Transport interface {
	// FetchTable returns the originator's current table for this node, or
	// notModified when it is still the one whose digest is etag.
	FetchTable(ctx context.Context, etag string) (body io.ReadCloser, notModified bool, err error)
	// Evaluate sends one blinded batch.
	Evaluate(ctx context.Context, req *EvaluateRequest) (*EvaluateResponse, error)
}

// HTTPTransport is a Transport over HTTP, each request signed with the
// node key as the federation signs its requests.
type HTTPTransport struct {
	Base   string // the originator's URL
	Self   string // this node's id
	Priv   ed25519.PrivateKey
	Client *http.Client
	Now    func() time.Time
}

func (h *HTTPTransport) do(ctx context.Context, method, path string, header http.Header, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, h.Base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	federation.SignRequest(req, h.Self, h.Priv, body, now())
	c := h.Client
	if c == nil {
		c = http.DefaultClient
	}
	return c.Do(req)
}

// answerError turns an error answer into a coded error, keeping the
// originator's code (a refused quota stays ERATELIMIT).
func answerError(resp *http.Response) error {
	var e struct {
		Error tripline.ErrBody `json:"error"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if json.Unmarshal(b, &e) != nil || e.Error.Code == "" {
		return fmt.Errorf("blind: %s answered %s", resp.Request.URL.Host, resp.Status)
	}
	return tripline.Errorf(e.Error.Code, "originator: %s", e.Error.Message)
}

// FetchTable implements Transport.
func (h *HTTPTransport) FetchTable(ctx context.Context, etag string) (io.ReadCloser, bool, error) {
	hd := http.Header{}
	if etag != "" {
		hd.Set("If-None-Match", `"`+etag+`"`)
	}
	resp, err := h.do(ctx, http.MethodGet, TablePath, hd, nil)
	if err != nil {
		return nil, false, err
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return resp.Body, false, nil
	case http.StatusNotModified:
		resp.Body.Close()
		return nil, true, nil
	}
	defer resp.Body.Close()
	return nil, false, answerError(resp)
}

// Evaluate implements Transport.
func (h *HTTPTransport) Evaluate(ctx context.Context, req *EvaluateRequest) (*EvaluateResponse, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	resp, err := h.do(ctx, http.MethodPost, EvaluatePath, nil, body)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, answerError(resp)
	}
	var out EvaluateResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&out); err != nil {
		return nil, fmt.Errorf("blind: evaluation answer: %w", err)
	}
	return &out, nil
}

// Local is a Transport to an originator in the same process: for
// measurements and tools, where the HTTP hop is not what is measured.
type Local struct {
	Origin *Originator
	Node   string // the partner node asking
	Agency string // its agency
}

// FetchTable implements Transport.
func (l *Local) FetchTable(ctx context.Context, etag string) (io.ReadCloser, bool, error) {
	t, err := l.Origin.Table(ctx, l.Node, l.Agency)
	if err != nil {
		return nil, false, err
	}
	if etag == hex.EncodeToString(t.Header.Digest) {
		return nil, true, nil
	}
	return io.NopCloser(bytes.NewReader(t.Bytes())), false, nil
}

// Evaluate implements Transport.
func (l *Local) Evaluate(ctx context.Context, req *EvaluateRequest) (*EvaluateResponse, error) {
	return l.Origin.Evaluate(ctx, l.Node, req)
}
