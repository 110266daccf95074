package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/grade"
)

// Client calls a fake's control API. The zero value is not usable: set
// BaseURL. It is safe for concurrent use.
type Client struct {
	// BaseURL is the fake's root URL, e.g. http://127.0.0.1:8787.
	BaseURL string
	// Token is sent as "Authorization: Bearer <Token>" when set: a fake
	// started with a control token (spotcheck fake --control-token, or
	// fakespotify.WithControlToken) refuses control requests without it.
	// It is a secret; the client never puts it in an error.
	Token string
	// HTTP sends the requests; nil is a client with a 10-second timeout.
	HTTP *http.Client
}

// Error is a refusal: its HTTP status and the control API's message, ""
// when the answer carried none (then it did not come from a control API:
// a fake with its control API off, or another server).
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("fake control API: %d %s", e.Status, msg)
}

// maxAnswer bounds what the client reads of one answer.
const maxAnswer = 64 << 20

var defaultHTTP = &http.Client{Timeout: 10 * time.Second}

// Health reports whether the fake's control API is on. A fake whose
// control API is off answers 404: (false, nil). Nothing listening, or
// any other failure, is an error (transport errors wrap a *url.Error).
func (c *Client) Health(ctx context.Context) (bool, error) {
	var h Health
	err := c.call(ctx, http.MethodGet, "health", nil, nil, &h)
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusNotFound {
		return false, nil
	}
	return err == nil && h.OK, err
}

// Apps lists the registered apps, without their secrets.
func (c *Client) Apps(ctx context.Context) ([]AppInfo, error) {
	var out Apps
	err := c.call(ctx, http.MethodGet, "apps", nil, nil, &out)
	return out.Apps, err
}

// CloneApp registers a copy of an app (by name or client id) with its own
// state, and returns it with its secret.
func (c *Client) CloneApp(ctx context.Context, from string, o AppOverrides) (AppInfo, error) {
	var app AppInfo
	err := c.call(ctx, http.MethodPost, "apps", nil, CloneRequest{From: from, AppOverrides: o}, &app)
	return app, err
}

// DeleteApp unregisters an app.
func (c *Client) DeleteApp(ctx context.Context, clientID string) error {
	return c.call(ctx, http.MethodDelete, "apps/"+url.PathEscape(clientID), nil, nil, nil)
}

// RotateSecret gives an app a new client secret, as the dashboard's
// "Rotate client secret" does, and returns it; the old secret then gets
// "Invalid client secret".
func (c *Client) RotateSecret(ctx context.Context, clientID string) (string, error) {
	var out Secret
	err := c.call(ctx, http.MethodPost, "apps/"+url.PathEscape(clientID)+"/secret", nil, nil, &out)
	return out.ClientSecret, err
}

// CloneUser registers a copy of a user under a fresh id, with a library,
// playlists and player of its own, and returns it with its password.
func (c *Client) CloneUser(ctx context.Context, from string) (UserInfo, error) {
	var u UserInfo
	err := c.call(ctx, http.MethodPost, "users", nil, CloneUserRequest{From: from}, &u)
	return u, err
}

// DeleteUser removes a user CloneUser made.
func (c *Client) DeleteUser(ctx context.Context, id string) error {
	return c.call(ctx, http.MethodDelete, "users/"+url.PathEscape(id), nil, nil, nil)
}

// Now reads an app's clock ("" = the fake-wide clock).
func (c *Client) Now(ctx context.Context, clientID string) (time.Time, error) {
	var out Clock
	err := c.call(ctx, http.MethodGet, "clock", scope(clientID), nil, &out)
	return out.Now, err
}

// AdvanceClock moves an app's clock forward ("" = the fake-wide clock)
// and returns the time on it.
func (c *Client) AdvanceClock(ctx context.Context, clientID string, d time.Duration) (time.Time, error) {
	var out Clock
	err := c.call(ctx, http.MethodPost, "clock", nil, ClockRequest{Advance: d.String(), ClientID: clientID}, &out)
	return out.Now, err
}

// Policies reads the policies in force for an app ("" = fake-wide).
func (c *Client) Policies(ctx context.Context, clientID string) (config.Policies, error) {
	var out PolicyAnswer
	err := c.call(ctx, http.MethodGet, "policy", scope(clientID), nil, &out)
	return out.Policies, err
}

// SetPolicy switches policies for an app ("" = fake-wide); empty fields
// stay as they are. It returns the policies now in force.
func (c *Client) SetPolicy(ctx context.Context, clientID string, p config.Policies) (config.Policies, error) {
	var out PolicyAnswer
	err := c.call(ctx, http.MethodPost, "policy", nil, PolicyRequest{ClientID: clientID, Policies: p}, &out)
	return out.Policies, err
}

// Inject queues a fault.
func (c *Client) Inject(ctx context.Context, f Fault) error {
	return c.call(ctx, http.MethodPost, "inject", nil, f, nil)
}

// ClearFaults drops the queued faults of an app ("" = those for any app,
// "*" = all).
func (c *Client) ClearFaults(ctx context.Context, clientID string) error {
	return c.call(ctx, http.MethodDelete, "inject", url.Values{"client_id": {clientID}}, nil, nil)
}

// Revoke withdraws a user's grant to an app ("" = every app) and returns
// how many grants it revoked.
func (c *Client) Revoke(ctx context.Context, user, clientID string) (int, error) {
	var out Revoked
	err := c.call(ctx, http.MethodPost, "revoke", nil, RevokeRequest{User: user, ClientID: clientID}, &out)
	return out.Revoked, err
}

// Requests returns what the fake received for an app, redacted: clientID
// "" for requests no app could be attributed to, "*" for every app's.
func (c *Client) Requests(ctx context.Context, clientID string) ([]Request, error) {
	var out Requests
	err := c.call(ctx, http.MethodGet, "requests", url.Values{"client_id": {clientID}}, nil, &out)
	return out.Requests, err
}

// ResetRequests clears an app's request log ("*" = every app's), which
// starts a new grading window.
func (c *Client) ResetRequests(ctx context.Context, clientID string) error {
	return c.call(ctx, http.MethodDelete, "requests", url.Values{"client_id": {clientID}}, nil, nil)
}

// Grade reads the grade of an app's client (by client id or name; "" =
// every app that sent requests) with options on top of the fake's own
// (zero fields: the fake's). With reset, a new grading window starts in
// the same step.
func (c *Client) Grade(ctx context.Context, clientID string, o grade.Options, reset bool) (grade.Report, error) {
	method := http.MethodGet
	if reset {
		method = http.MethodPost
	}
	var g grade.Report
	err := c.call(ctx, method, "grade", GradeQuery(clientID, o), nil, &g)
	if err == nil && g.Kind != "grade" {
		err = fmt.Errorf("fake control API at %s: the answer to %sgrade is no grade", c.BaseURL, Prefix)
	}
	return g, err
}

func scope(clientID string) url.Values {
	if clientID == "" {
		return nil
	}
	return url.Values{"client_id": {clientID}}
}

// call sends one control request. Every request says Content-Type:
// application/json, with a body or without one, as the fake requires of
// every request that changes something.
func (c *Client) call(ctx context.Context, method, path string, q url.Values, in, out any) error {
	var body io.Reader = http.NoBody
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	target := strings.TrimRight(c.BaseURL, "/") + Prefix + path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return fmt.Errorf("fake control API: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("fake control API at %s: %w", c.BaseURL, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("fake control API at %s: reading the answer to %s %s: %w", c.BaseURL, method, Prefix+path, err)
	}
	if resp.StatusCode >= 300 {
		var e ErrorBody
		_ = json.Unmarshal(data, &e)
		return &Error{Status: resp.StatusCode, Message: e.Error}
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("fake control API at %s: the answer to %s %s: %w", c.BaseURL, method, Prefix+path, err)
		}
	}
	return nil
}
