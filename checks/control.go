package checks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Control is a client for a fake's /_spotcheck/ endpoints. The embedded
// fake is driven through the same HTTP calls as one started by `spotcheck
// fake`, so both paths are the one tested.
type Control struct {
	base string
	hc   *http.Client
}

// NewControl returns a control client for a fake at base (its root URL).
func NewControl(base string, hc *http.Client) *Control {
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	return &Control{base: base, hc: hc}
}

// ControlError is a refusal from the control API, with its message.
type ControlError struct {
	Status  int
	Message string
}

func (e *ControlError) Error() string {
	return fmt.Sprintf("fake control API: %d %s", e.Status, e.Message)
}

// Health reports whether the fake's control endpoints are on. A fake with
// --no-control answers 404 (false, nil); nothing listening is an
// unreachable-target error.
func (c *Control) Health(ctx context.Context) (bool, error) {
	err := c.call(ctx, http.MethodGet, "health", nil, nil)
	var ce *ControlError
	if errors.As(err, &ce) && ce.Status == http.StatusNotFound {
		return false, nil
	}
	return err == nil, err
}

// CloneApp registers a copy of an app (by name or client id) with its own
// state, and returns it with its secret.
func (c *Control) CloneApp(ctx context.Context, from string, o fakespotify.AppOverrides) (fakespotify.AppInfo, error) {
	req := struct {
		From string `json:"from"`
		fakespotify.AppOverrides
	}{from, o}
	var app fakespotify.AppInfo
	err := c.call(ctx, http.MethodPost, "apps", req, &app)
	return app, err
}

// DeleteApp unregisters a cloned app.
func (c *Control) DeleteApp(ctx context.Context, clientID string) error {
	return c.call(ctx, http.MethodDelete, "apps/"+url.PathEscape(clientID), nil, nil)
}

// Apps lists the registered apps (without secrets).
func (c *Control) Apps(ctx context.Context) ([]fakespotify.AppInfo, error) {
	var out struct {
		Apps []fakespotify.AppInfo `json:"apps"`
	}
	err := c.call(ctx, http.MethodGet, "apps", nil, &out)
	return out.Apps, err
}

// AdvanceClock moves an app's clock ("" = the fake-wide clock).
func (c *Control) AdvanceClock(ctx context.Context, clientID string, d time.Duration) error {
	return c.call(ctx, http.MethodPost, "clock", map[string]string{"advance": d.String(), "client_id": clientID}, nil)
}

// SetPolicy switches policies for an app ("" = fake-wide).
func (c *Control) SetPolicy(ctx context.Context, clientID string, p config.Policies) error {
	return c.call(ctx, http.MethodPost, "policy", map[string]any{"client_id": clientID, "policies": p}, nil)
}

// Inject queues a fault.
func (c *Control) Inject(ctx context.Context, f fakespotify.Fault) error {
	return c.call(ctx, http.MethodPost, "inject", f, nil)
}

// Revoke withdraws a user's grant to an app.
func (c *Control) Revoke(ctx context.Context, user, clientID string) (int, error) {
	var out struct {
		Revoked int `json:"revoked"`
	}
	err := c.call(ctx, http.MethodPost, "revoke", map[string]string{"user": user, "client_id": clientID}, &out)
	return out.Revoked, err
}

// Requests returns what the fake received for an app (redacted).
func (c *Control) Requests(ctx context.Context, clientID string) ([]fakespotify.Request, error) {
	var out struct {
		Requests []fakespotify.Request `json:"requests"`
	}
	err := c.call(ctx, http.MethodGet, "requests?client_id="+url.QueryEscape(clientID), nil, &out)
	return out.Requests, err
}

// ResetRequests clears an app's request log.
func (c *Control) ResetRequests(ctx context.Context, clientID string) error {
	return c.call(ctx, http.MethodDelete, "requests?client_id="+url.QueryEscape(clientID), nil, nil)
}

// Get fetches any control endpoint (e.g. "grade?client_id=…") into out.
func (c *Control) Get(ctx context.Context, path string, out any) error {
	return c.call(ctx, http.MethodGet, path, nil, out)
}

func (c *Control) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	target := c.base + fakespotify.ControlPrefix + path
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return &TransportError{Kind: classify(ctx, err), Method: method, URL: target, Peer: wire.PeerOther, Err: err,
			msg: fmt.Sprintf("fake control API at %s: %v", c.base, unwrapURLError(err))}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(data, &e)
		if e.Error == "" {
			e.Error = http.StatusText(resp.StatusCode)
		}
		return &ControlError{Status: resp.StatusCode, Message: e.Error}
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("fake control API %s: %w", path, err)
		}
	}
	return nil
}
