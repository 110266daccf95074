package wire

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// APIError is a Web API error (§5.1): the JSON object
// {"error":{"status":403,"message":"...","reason":"..."}}, or a plain-text
// body (the development-mode and Premium 403s, §5.5) with PlainText set
// and Message holding the body exactly as sent.
type APIError struct {
	Status int `json:"status"`
	// Message is left out when empty: the endpoints restricted on
	// 2024-11-27 answer a bare {"error":{"status":403}} (§8.1).
	Message   string `json:"message,omitempty"`
	Reason    string `json:"reason,omitempty"` // player and quota errors, e.g. PREMIUM_REQUIRED
	PlainText bool   `json:"-"`
}

func (e APIError) Error() string {
	s := "HTTP " + strconv.Itoa(e.Status)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s
}

// Body is the compact body: the JSON object, or the plain text. Spotify's
// serializer leaves <, > and & alone, and so does Body.
func (e APIError) Body() []byte {
	if e.PlainText {
		return []byte(e.Message)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(struct {
		Error APIError `json:"error"`
	}{e}) // our own type always encodes
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// ParseAPIError reads a Web API error body: a body that does not start
// like JSON is plain text; JSON must be the error object. It reports false
// for an empty body, `{}`, and any other JSON. A status sent as a string
// ("429") still reads as a status.
func ParseAPIError(body []byte) (APIError, bool) {
	t := bytes.TrimSpace(body)
	if len(t) == 0 {
		return APIError{}, false
	}
	if t[0] != '{' && t[0] != '[' {
		return APIError{Message: string(body), PlainText: true}, true
	}
	var raw struct {
		Error *struct {
			Status  json.RawMessage `json:"status"`
			Message json.RawMessage `json:"message"`
			Reason  json.RawMessage `json:"reason"`
		} `json:"error"`
	}
	if json.Unmarshal(t, &raw) != nil || raw.Error == nil {
		return APIError{}, false
	}
	var e APIError
	var n json.Number
	if json.Unmarshal(raw.Error.Status, &n) == nil {
		e.Status, _ = strconv.Atoi(n.String())
	} else {
		var s string
		if json.Unmarshal(raw.Error.Status, &s) == nil {
			e.Status, _ = strconv.Atoi(s)
		}
	}
	_ = json.Unmarshal(raw.Error.Message, &e.Message)
	_ = json.Unmarshal(raw.Error.Reason, &e.Reason)
	return e, true
}

// Messages of the Web API's token checks (§5.2), all observed.
const (
	MsgNoToken       = "No token provided"
	MsgBadScheme     = "Only valid bearer authentication supported"
	MsgBadToken2026  = "Missing/invalid/expired access token"
	MsgExpiredLegacy = "The access token expired"
	MsgInvalidLegacy = "Invalid access token"
	MsgNoScope       = "Insufficient client scope" // §5.3
	MsgAppOnly       = "Unauthorized"              // an app-only token on a user endpoint, §5.8
	MsgRateLimited   = "API rate limit exceeded"   // 429, §5.4
	// MsgRemoved is the 403 of an endpoint removed for development-mode
	// apps in February 2026 (§8.1, cliamp#54).
	MsgRemoved = "Forbidden"
)

// The player's refusals (§5.9): the message and the reason field.
const (
	MsgPremiumRequired    = "Player command failed: Premium required"
	ReasonPremiumRequired = "PREMIUM_REQUIRED"
	MsgNoActiveDevice     = "Player command failed: No active device found"
	ReasonNoActiveDevice  = "NO_ACTIVE_DEVICE"
	MsgDeviceNotFound     = "Device not found"
	MsgNoDeviceIDs        = "Required field device_ids missing"
)

// Plain-text bodies of the development-mode 403s (§8.2, §8.3), all
// observed.
const (
	MsgOwnerNotPremium = "Active premium subscription required for the owner of the app. When the subscription status changes, it can take a few hours before requests are allowed again."
	MsgNotAllowed2024  = "Check settings on developer.spotify.com/dashboard, the user may not be registered."
	MsgNotAllowed2021  = "User not registered in the Developer Dashboard"
	MsgNotAllowed2021J = "User not approved for app"
)

// ParseRetryAfter reads a 429's Retry-After (the Web API's and the token
// endpoint's): delta-seconds, or an HTTP-date taken relative to at, when
// the 429 was answered (RFC 9110 §10.2.3). ok is false for none, zero, a
// date not after at, or anything else.
func ParseRetryAfter(v string, at time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0, false
		}
		if n > 1<<31 {
			n = 1 << 31
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil && t.After(at) {
		return t.Sub(at), true
	}
	return 0, false
}
