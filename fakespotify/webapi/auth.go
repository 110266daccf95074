package webapi

import (
	"net/http"
	"slices"
	"strings"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// authenticate resolves the Authorization header into c.token, c.app,
// c.user, c.pol and c.now, or says why the request is refused.
//
// [inferred] Choices where the reference is silent:
//   - the scheme is matched case-insensitively ("bearer x" is accepted), as
//     RFC 7235 §2.1 says auth schemes are; no capture shows Spotify
//     rejecting a lowercase scheme;
//   - an Authorization header that is present but empty carries no token,
//     so it is "No token provided";
//   - a token that is not RFC 6750 b64token syntax (quoted, or containing
//     spaces or commas) is a malformed header: 400 like a wrong scheme,
//     which is what Appendix A reports for a quoted token;
//   - "Bearer" with nothing after it is the "empty bearer token" of
//     php#288: 401 with the invalid-token message of the policy in force;
//   - a token whose app or user no longer exists is an invalid token.
func (a *API) authenticate(c *call) *failure {
	vals := c.r.Header.Values("Authorization")
	if len(vals) == 0 || strings.TrimSpace(vals[0]) == "" {
		return &failure{Status: http.StatusUnauthorized, Message: wire.MsgNoToken, WWWAuthenticate: `Bearer realm="spotify"`}
	}
	scheme, tok, _ := strings.Cut(strings.TrimSpace(vals[0]), " ")
	tok = strings.TrimSpace(tok)
	if !strings.EqualFold(scheme, "Bearer") || (tok != "" && !b64token(tok)) {
		return &failure{Status: http.StatusBadRequest, Message: wire.MsgBadScheme,
			WWWAuthenticate: `Bearer realm="spotify", error="invalid_request", error_description="` + wire.MsgBadScheme + `"`}
	}
	if tok == "" {
		return invalidToken(a.b.Policies(""), false)
	}
	t, ok := a.b.AccessToken(tok)
	if !ok {
		return invalidToken(a.b.Policies(""), false)
	}
	pol := a.b.Policies(t.ClientID)
	if t.Revoked {
		return invalidToken(pol, false)
	}
	now := a.b.Now(t.ClientID)
	if !now.Before(t.Expires) {
		return invalidToken(pol, true)
	}
	app, ok := a.b.App(t.ClientID)
	if !ok {
		return invalidToken(pol, false)
	}
	if !t.AppOnly() {
		u, ok := a.b.User(t.UserID)
		if !ok {
			return invalidToken(pol, false)
		}
		c.user = u
	}
	c.token, c.app, c.pol, c.now = t, app, pol, now
	return nil
}

// invalidToken is the 401 for a token that cannot be used. Policy "2026"
// (the default, and whatever else is set) gives the one merged message
// seen since mid-2026; "legacy" tells expired from invalid.
func invalidToken(pol config.Policies, expired bool) *failure {
	msg := pol.UnauthorizedMessage.Message(expired)
	return &failure{Status: http.StatusUnauthorized, Message: msg,
		WWWAuthenticate: `Bearer realm="spotify", error="invalid_token", error_description="` + msg + `"`}
}

// b64token reports whether s is RFC 6750 §2.1 b64token syntax:
// 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func b64token(s string) bool {
	s = strings.TrimRight(s, "=")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !b64tokenChar[s[i]] {
			return false
		}
	}
	return true
}

// b64tokenChar holds the characters of b64token but the padding: a table,
// because every Web API call scans its ~200-character token.
var b64tokenChar = func() (t [256]bool) {
	for c := range 256 {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			t[c] = true
		case c == '-', c == '.', c == '_', c == '~', c == '+', c == '/':
			t[c] = true
		}
	}
	return t
}()

// developmentMode applies the development-mode rules to every endpoint:
// the owner's Premium first (the 2026 rule blocks the whole app), then
// the allowlist. [inferred] An app-only token has no user, so only the
// Premium rule can refuse it.
func developmentMode(c *call) *failure {
	if c.app.Mode != config.ModeDevelopment {
		return nil
	}
	if !c.app.OwnerPremium {
		return &failure{Status: http.StatusForbidden, Message: wire.MsgOwnerNotPremium, Text: true}
	}
	if c.token.AppOnly() || slices.Contains(c.app.Allowlist, c.token.UserID) {
		return nil
	}
	msg := c.pol.AllowlistMessage.Message()
	return &failure{Status: http.StatusForbidden, Message: msg, Text: true}
}
