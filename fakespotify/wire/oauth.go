package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
)

// OAuthError is the accounts service's error body (§3.3):
// {"error":"invalid_grant","error_description":"Invalid authorization code"}.
// Description is left out when empty: the bare {"error":"invalid_client"}
// is what Spotify sends for missing or malformed client authentication.
// Match on Code first; Description is free text that Spotify has reworded
// over time (§3.3).
type OAuthError struct {
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func (e OAuthError) Error() string {
	if e.Description == "" {
		return e.Code
	}
	return e.Code + ": " + e.Description
}

// The token endpoint's error bodies, to the letter (§3.1, §3.3).
var (
	ErrGrantTypeMissing = OAuthError{"unsupported_grant_type", "grant_type parameter is missing"}
	// ErrClientAuth is the bare answer to a request without usable client
	// authentication: none sent, a malformed Basic header, a public
	// client redeeming a code issued without PKCE.
	ErrClientAuth       = OAuthError{Code: "invalid_client"}
	ErrClientUnknown    = OAuthError{"invalid_client", "Invalid client"}
	ErrClientSecret     = OAuthError{"invalid_client", "Invalid client secret"}
	ErrCodeInvalid      = OAuthError{"invalid_grant", "Invalid authorization code"}
	ErrCodeExpired      = OAuthError{"invalid_grant", "Authorization code expired"}
	ErrRedirectURI      = OAuthError{"invalid_grant", "Invalid redirect URI"}
	ErrVerifierRequired = OAuthError{"invalid_request", "code_verifier required"}
	// ErrVerifierIncorrect and ErrVerifierInvalid are the two wordings of
	// a PKCE verifier that does not match (VerifierMessagePolicy).
	ErrVerifierIncorrect = OAuthError{"invalid_grant", "code_verifier was incorrect"}
	ErrVerifierInvalid   = OAuthError{"invalid_grant", "code_verifier was invalid"}
	ErrRefreshRevoked    = OAuthError{"invalid_grant", "Refresh token revoked"}
	ErrRefreshInvalid    = OAuthError{"invalid_grant", "Invalid refresh token"}
	// ErrRefreshExpired answers a refresh token past its 2026 lifetime
	// (§4); only the bare error was captured.
	ErrRefreshExpired = OAuthError{Code: "invalid_grant"}
	ErrRefreshMissing = OAuthError{"invalid_request", "refresh_token must be supplied"}
	// ErrJSONBody answers a JSON body sent as JSON (§3.1, web-api#321).
	ErrJSONBody = OAuthError{"server_error", "Unexpected status: 415"}
	// ErrMethod answers a method other than POST. [inferred] in the style
	// of the captured 415.
	ErrMethod = OAuthError{"server_error", "Unexpected status: 405"}
)

// ErrGrantTypeUnsupported answers a grant_type the endpoint does not
// know. The value is echoed as sent, so a trailing space shows as the
// captured double space (§3.3, Spotify-KMP#1).
func ErrGrantTypeUnsupported(grant string) OAuthError {
	return OAuthError{"unsupported_grant_type", "grant_type " + grant + " is not supported"}
}

// OAuthErrorCodes are the OAuth 2.0 error codes: those of the
// authorization and token endpoints (RFC 6749 §4.1.2.1, §5.2) and of a
// resource server's WWW-Authenticate (RFC 6750 §3.1), which the Web API
// sends (§5.2).
var OAuthErrorCodes = []string{
	"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
	"unsupported_grant_type", "invalid_scope", "access_denied", "unsupported_response_type",
	"server_error", "temporarily_unavailable", "invalid_token", "insufficient_scope",
}

// ParseOAuthError reads an OAuth error body. ok is false for anything
// else, the Web API's error object included. described is false when the
// body carries no error_description string: the bare answers of §3.3.
func ParseOAuthError(body []byte) (e OAuthError, described, ok bool) {
	var raw struct {
		Error       json.RawMessage `json:"error"`
		Description json.RawMessage `json:"error_description"`
	}
	if json.Unmarshal(body, &raw) != nil || len(raw.Error) == 0 {
		return OAuthError{}, false, false
	}
	if json.Unmarshal(raw.Error, &e.Code) != nil {
		return OAuthError{}, false, false
	}
	// A description that is not a string reads as none.
	described = len(raw.Description) > 0 && raw.Description[0] == '"' && json.Unmarshal(raw.Description, &e.Description) == nil
	return e, described, true
}

// TokenResponse is the token endpoint's success body (§3.2), in the
// order Spotify writes its members.
type TokenResponse struct {
	AccessToken string
	TokenType   string // "Bearer", capital B
	// Scope lists the granted scopes, space-separated. HasScope says the
	// member is there at all: the code and refresh answers always carry
	// it ("" when nothing was granted), the client-credentials answer no
	// longer does (§3.2).
	Scope     string
	HasScope  bool
	ExpiresIn int // seconds
	// RefreshToken is "" when the answer carries none: every refresh
	// since 2026, a confidential client's refresh before (§3.2, §4).
	RefreshToken string
}

// The body on the wire, with and without a scope member: two types
// rather than a *string, so that writing one costs a single allocation.
type (
	tokenJSON struct {
		AccessToken  string `json:"access_token"`
		TokenType    string `json:"token_type"`
		Scope        string `json:"scope"`
		ExpiresIn    int    `json:"expires_in"`
		RefreshToken string `json:"refresh_token,omitempty"`
	}
	tokenJSONNoScope struct {
		AccessToken  string `json:"access_token"`
		TokenType    string `json:"token_type"`
		ExpiresIn    int    `json:"expires_in"`
		RefreshToken string `json:"refresh_token,omitempty"`
	}
)

// MarshalJSON writes the body as Spotify does.
func (t TokenResponse) MarshalJSON() ([]byte, error) { return json.Marshal(t.wire()) }

func (t TokenResponse) wire() any {
	if t.HasScope {
		return tokenJSON{t.AccessToken, t.TokenType, t.Scope, t.ExpiresIn, t.RefreshToken}
	}
	return tokenJSONNoScope{t.AccessToken, t.TokenType, t.ExpiresIn, t.RefreshToken}
}

// String shows lengths, never the tokens, so that printing a response
// cannot leak them.
func (t TokenResponse) String() string {
	n := func(s string) string { return "(" + strconv.Itoa(len(s)) + " chars)" }
	s := "token{access_token:" + n(t.AccessToken) + " token_type:" + strconv.Quote(t.TokenType)
	if t.HasScope {
		s += " scope:" + strconv.Quote(t.Scope)
	}
	s += " expires_in:" + strconv.Itoa(t.ExpiresIn)
	if t.RefreshToken != "" {
		s += " refresh_token:" + n(t.RefreshToken)
	}
	return s + "}"
}

// GoString keeps %#v as safe as %v.
func (t TokenResponse) GoString() string { return t.String() }

// ParseTokenResponse reads a token endpoint success body. Each member is
// read on its own: one of the wrong type reads as absent, and the rest
// still count. It fails only when the body is not a JSON object.
func ParseTokenResponse(body []byte) (TokenResponse, error) {
	if t, ok := readTokenLayout(body); ok {
		return t, nil
	}
	return parseTokenMembers(body)
}

// parseTokenMembers is ParseTokenResponse for any JSON object.
func parseTokenMembers(body []byte) (TokenResponse, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return TokenResponse{}, fmt.Errorf("token response is not a JSON object: %w", err)
	}
	if members == nil {
		return TokenResponse{}, errors.New("token response is not a JSON object: null")
	}
	str := func(name string) (string, bool) {
		raw, ok := members[name]
		var s string
		if !ok || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	}
	var t TokenResponse
	t.AccessToken, _ = str("access_token")
	t.TokenType, _ = str("token_type")
	t.Scope, t.HasScope = str("scope")
	t.RefreshToken, _ = str("refresh_token")
	var n float64
	if raw, ok := members["expires_in"]; ok && json.Unmarshal(raw, &n) == nil && n > 0 && n < 1e9 {
		t.ExpiresIn = int(n)
	}
	return t, nil
}

// readTokenLayout reads a body in exactly the layout AppendJSON writes
// (Spotify's and the fake's own answers) in one pass: plain strings, the
// members in order, expires_in a JSON integer below 1e9, no whitespace.
// For such a body it gives what the general reading gives; ok is false for
// any other body, which the general reading takes.
func readTokenLayout(b []byte) (t TokenResponse, ok bool) {
	r := layoutReader{b: b}
	if !r.lit(`{"access_token":`) {
		return t, false
	}
	t.AccessToken = r.str()
	r.lit(`,"token_type":`)
	t.TokenType = r.str()
	if r.lit(`,"scope":`) {
		t.Scope, t.HasScope = r.str(), true
	}
	r.lit(`,"expires_in":`)
	t.ExpiresIn = r.int()
	if r.lit(`,"refresh_token":`) {
		t.RefreshToken = r.str()
	}
	if !r.lit("}") || r.i != len(b) || r.bad {
		return TokenResponse{}, false
	}
	return t, true
}

// layoutReader walks a body; any step that fails sets bad.
type layoutReader struct {
	b   []byte
	i   int
	bad bool
}

func (r *layoutReader) lit(s string) bool {
	if r.bad || len(r.b)-r.i < len(s) || string(r.b[r.i:r.i+len(s)]) != s {
		return false
	}
	r.i += len(s)
	return true
}

// str reads a JSON string of printable ASCII without escapes.
func (r *layoutReader) str() string {
	if r.bad || r.i >= len(r.b) || r.b[r.i] != '"' {
		r.bad = true
		return ""
	}
	for j := r.i + 1; j < len(r.b); j++ {
		switch c := r.b[j]; {
		case c == '"':
			s := string(r.b[r.i+1 : j])
			r.i = j + 1
			return s
		case c == '\\' || c < 0x20 || c >= 0x7f:
			r.bad = true
			return ""
		}
	}
	r.bad = true
	return ""
}

// int reads a JSON integer of at most 9 digits, without a sign or a
// leading zero (but 0 itself).
func (r *layoutReader) int() int {
	j, n := r.i, 0
	for j < len(r.b) && r.b[j] >= '0' && r.b[j] <= '9' && j-r.i < 10 {
		n = n*10 + int(r.b[j]-'0')
		j++
	}
	if r.bad || j == r.i || j-r.i > 9 || r.b[r.i] == '0' && j-r.i > 1 {
		r.bad = true
		return 0
	}
	r.i = j
	return n
}

// Header values of every token endpoint answer, shared: net/http only
// reads them, and a fresh []string per header per answer was measurable
// at 40k answers a second.
var (
	hdrTokenJSON = []string{"application/json;charset=UTF-8"}
	hdrNoStore   = []string{"no-store"}
	hdrNoCache   = []string{"no-cache"}
	hdrAnyOrigin = []string{"*"}
)

// WriteToken writes a token endpoint success answer (§3.2). The body is
// put together in a pooled buffer, byte for byte what json.Marshal writes
// (AppendJSON), because it is the answer a load test asks for most.
func WriteToken(w http.ResponseWriter, t TokenResponse) {
	bp := tokenBuffers.Get().(*[]byte)
	body := t.AppendJSON((*bp)[:0])
	writeTokenHeaders(w, len(body))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	if cap(body) <= 4<<10 {
		*bp = body
		tokenBuffers.Put(bp)
	}
}

var tokenBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// AppendJSON appends the body as Spotify writes it, exactly as
// json.Marshal(t) does.
func (t TokenResponse) AppendJSON(b []byte) []byte {
	b = append(b, `{"access_token":`...)
	b = appendJSONString(b, t.AccessToken)
	b = append(b, `,"token_type":`...)
	b = appendJSONString(b, t.TokenType)
	if t.HasScope {
		b = append(b, `,"scope":`...)
		b = appendJSONString(b, t.Scope)
	}
	b = append(b, `,"expires_in":`...)
	b = strconv.AppendInt(b, int64(t.ExpiresIn), 10)
	if t.RefreshToken != "" {
		b = append(b, `,"refresh_token":`...)
		b = appendJSONString(b, t.RefreshToken)
	}
	return append(b, '}')
}

// appendJSONString appends s as a JSON string the way encoding/json
// writes it: plain printable ASCII as it is, anything else (quotes,
// backslashes, HTML characters, control characters, non-ASCII) by
// encoding/json itself.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !jsonPlain[s[i]] {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// jsonPlain are the bytes encoding/json writes as they are: printable
// ASCII but the quote, the backslash and the HTML characters.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

// writeTokenHeaders sets the headers every token endpoint answer carries.
func writeTokenHeaders(w http.ResponseWriter, length int) {
	h := w.Header()
	// The error headers of the 2016 token-revoke note (§3.2); successes
	// carry them too, which clients treat the same.
	h["Content-Type"] = hdrTokenJSON
	h["Cache-Control"] = hdrNoStore
	h["Pragma"] = hdrNoCache
	// Browser PKCE apps call the token endpoint directly, which works on
	// Spotify, so CORS is open.
	h["Access-Control-Allow-Origin"] = hdrAnyOrigin
	h["Content-Length"] = ContentLength(length)
}

// ContentLength is a Content-Length header value, shared between answers
// of the same length (up to 2 KiB: token answers, most Web API objects),
// so that setting it costs no allocation. net/http only reads it.
func ContentLength(n int) []string {
	if n < 0 || n >= len(contentLengths) {
		return []string{strconv.Itoa(n)}
	}
	if p := contentLengths[n].Load(); p != nil {
		return *p
	}
	v := []string{strconv.Itoa(n)}
	contentLengths[n].Store(&v)
	return v
}

var contentLengths [2048]atomic.Pointer[[]string]

// WriteOAuthError writes a token endpoint error answer (§3.3): 400 unless
// status says otherwise.
func WriteOAuthError(w http.ResponseWriter, status int, e OAuthError) {
	writeTokenEndpoint(w, status, e)
}

func writeTokenEndpoint(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v) // our own types always encode
	writeTokenHeaders(w, len(body))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
