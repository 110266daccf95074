package control

import (
	"net/http"
	"net/url"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Prefix is where the control endpoints live. Spotify has nothing there,
// so they cannot shadow a real path.
const Prefix = "/_spotcheck/"

// Health is the answer of GET /_spotcheck/health.
type Health struct {
	OK  bool      `json:"ok"`
	Now time.Time `json:"now"` // the fake-wide clock
}

// AppInfo is an app as the control API shows it.
type AppInfo struct {
	Name         string          `json:"name"`
	Description  string          `json:"description,omitempty"`
	ClientID     string          `json:"client_id"`
	ClientSecret string          `json:"client_secret,omitempty"` // only in the answer to the request that created the app
	RedirectURIs []string        `json:"redirect_uris"`
	Mode         string          `json:"mode"`
	Allowlist    []string        `json:"allowlist,omitempty"`
	OwnerPremium bool            `json:"owner_premium"`
	Created      string          `json:"created,omitempty"`
	Consent      string          `json:"consent,omitempty"`
	AutoUser     string          `json:"auto_user,omitempty"`
	Policies     config.Policies `json:"policies"`
}

// AppOverrides changes a cloned app. Empty fields keep the template's value.
type AppOverrides struct {
	Name         string          `json:"name,omitempty"`
	ClientID     string          `json:"client_id,omitempty"`
	ClientSecret string          `json:"client_secret,omitempty"`
	RedirectURIs []string        `json:"redirect_uris,omitempty"`
	Mode         string          `json:"mode,omitempty"`
	Allowlist    []string        `json:"allowlist,omitempty"`
	OwnerPremium *bool           `json:"owner_premium,omitempty"`
	Created      string          `json:"created,omitempty"` // 2006-01-02
	Consent      string          `json:"consent,omitempty"`
	AutoUser     string          `json:"auto_user,omitempty"`
	Policies     config.Policies `json:"policies,omitempty"`
}

// CloneRequest is the body of POST /_spotcheck/apps: the app to copy, by
// name or client id, and what to change.
type CloneRequest struct {
	From string `json:"from"`
	AppOverrides
}

// Secret is the answer of POST /_spotcheck/apps/{client_id}/secret: the
// app's new client secret, shown to this caller only.
type Secret struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

// CloneUserRequest is the body of POST /_spotcheck/users: the user to
// copy, by id.
type CloneUserRequest struct {
	From string `json:"from"`
}

// UserInfo is a user as the control API shows it. Password is set only in
// the answer to the request that cloned the user (it is the template's,
// and the login page needs it).
type UserInfo struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name,omitempty"`
	Email       string `json:"email,omitempty"`
	Product     string `json:"product,omitempty"`
	Password    string `json:"password,omitempty"`
}

// ClockRequest is the body of POST /_spotcheck/clock.
type ClockRequest struct {
	Advance  string `json:"advance"`             // a Go duration, like 10m
	ClientID string `json:"client_id,omitempty"` // "" = the fake-wide clock
}

// Clock is the answer of GET and POST /_spotcheck/clock.
type Clock struct {
	Now time.Time `json:"now"`
}

// PolicyRequest is the body of POST /_spotcheck/policy.
type PolicyRequest struct {
	ClientID string          `json:"client_id,omitempty"` // "" = fake-wide
	Policies config.Policies `json:"policies"`
}

// PolicyAnswer is the answer of GET and POST /_spotcheck/policy: the
// policies in force.
type PolicyAnswer struct {
	Policies config.Policies `json:"policies"`
}

// RevokeRequest is the body of POST /_spotcheck/revoke.
type RevokeRequest struct {
	User     string `json:"user"`
	ClientID string `json:"client_id,omitempty"` // "" = every app
}

// Revoked is the answer of POST /_spotcheck/revoke.
type Revoked struct {
	Revoked int `json:"revoked"`
}

// Apps is the answer of GET /_spotcheck/apps.
type Apps struct {
	Apps []AppInfo `json:"apps"`
}

// Requests is the answer of GET /_spotcheck/requests.
type Requests struct {
	Requests []Request `json:"requests"`
}

// ErrorBody is every refusal's body.
type ErrorBody struct {
	Error string `json:"error"`
}

// Fault is a canned answer for the next Count requests that match it, to
// reproduce what the fake would not do by itself: a 429 with Retry-After,
// a 500, a body Spotify once sent. Faults are checked before the real
// handler, oldest first.
type Fault struct {
	Method      string            `json:"method,omitempty"`    // "" = any
	Path        string            `json:"path"`                // exact, or a prefix ending in "*"
	ClientID    string            `json:"client_id,omitempty"` // "" = any app
	Count       int               `json:"count,omitempty"`     // 0 = once; negative = until cleared
	Status      int               `json:"status"`
	Body        string            `json:"body,omitempty"`
	ContentType string            `json:"content_type,omitempty"` // default: JSON when the body looks like JSON, else text/plain
	Headers     map[string]string `json:"headers,omitempty"`
}

// Request is one request the fake received, as a test or a grader reads
// it back. Every secret in it (client secrets, codes, tokens, verifiers,
// passwords) is replaced by its redact.Fingerprint, so equal values still
// compare equal.
type Request struct {
	// Seq numbers requests in the order they arrived, across all apps.
	Seq uint64 `json:"seq"`
	// Time is when the request arrived, on the app's clock: a response
	// large enough to be flushed while the handler still runs reaches the
	// client before the handler returns, so only the arrival is sure to
	// come before whatever the client does next.
	Time           time.Time     `json:"time"`
	Duration       time.Duration `json:"duration_ns"`
	ClientID       string        `json:"client_id,omitempty"`
	UserID         string        `json:"user_id,omitempty"`
	Endpoint       wire.Endpoint `json:"endpoint"`
	Method         string        `json:"method"`
	Path           string        `json:"path"`
	Query          url.Values    `json:"query,omitempty"`
	Header         http.Header   `json:"header,omitempty"`
	Form           url.Values    `json:"form,omitempty"` // a form body, parsed
	Body           string        `json:"body,omitempty"`
	Status         int           `json:"status"`
	ResponseHeader http.Header   `json:"response_header,omitempty"`
	ResponseBody   string        `json:"response_body,omitempty"`
	Injected       bool          `json:"injected,omitempty"` // answered by an injected fault
	// Truncated names the parts the log did not keep whole ("query",
	// "header", "body", "response_header", "response_body"): each entry
	// keeps at most 8 KiB of query and of each header set (whole
	// parameters and values only) and 16 KiB of each body.
	Truncated []string `json:"truncated,omitempty"`
}
