package grade

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/spotcheck/spotcheck/fakespotify/analyze"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// NoRequests is the id of the rule that fails an empty window. Skipping it
// allows one (spotcheck's --allow-empty).
const NoRequests = "no-requests"

// rules run in this order; reports list them so. Each id is stable: CI
// configurations and skip lists name them. Where a rule judges a mistake
// the error catalog and the doctor also name, it has their id (package
// analyze's); Alias is the rule's own earlier spelling, which skip lists
// and JSON output keep for one release.
var rules = []Rule{
	{ID: NoRequests, Group: "window", Severity: SeverityError,
		Title: "The app's requests reached the fake (an empty window is not a pass)",
		Fix:   "point the app at the fake (SPOTIFY_ACCOUNTS_URL and SPOTIFY_API_URL, HTTPS_PROXY with the fake's CA, or spotcheck fake -- CMD); when an empty window is expected, allow it (--allow-empty, skip=no-requests)",
		check: checkNoRequests, judgesEmpty: true},
	{ID: "state-missing", Group: "authorize", Severity: SeverityError,
		Title: "Every authorization request carries a state",
		Fix:   "send a fresh random state on every /authorize request and compare it on the callback",
		check: checkStateMissing},
	{ID: string(analyze.PKCEMethodNotS256), Alias: "pkce-plain", Group: "authorize", Severity: SeverityError,
		Title: "PKCE uses code_challenge_method=S256, never plain",
		Fix:   "code_challenge=base64url(SHA-256(verifier)) without padding, code_challenge_method=S256",
		check: checkPKCEPlain},
	{ID: string(analyze.ImplicitGrantRemoved), Alias: "implicit-grant-used", Group: "authorize", Severity: SeverityError,
		Title: "No implicit grant (response_type=token, removed by Spotify on 2025-11-27)",
		Fix:   "use the authorization code flow with PKCE",
		check: checkImplicitGrant},
	{ID: string(analyze.RedirectURILocalhost), Alias: "localhost-redirect-uri", Group: "authorize", Severity: SeverityError,
		Title: "Redirect URIs use a loopback IP literal, not localhost",
		Fix:   "use http://127.0.0.1:PORT/callback (or [::1]) and register it",
		check: checkLocalhostRedirect},
	{ID: "client-secret-in-query", Group: "credentials", Severity: SeverityError,
		Title: "The client secret never appears in a URL query string",
		Fix:   "send the secret as Authorization: Basic, or in the POST body of /api/token",
		check: checkSecretInQuery},
	{ID: "token-endpoint-from-browser", Group: "credentials", Severity: SeverityError,
		Title: "The client secret is not sent to /api/token from a browser (Origin header)",
		Fix:   "exchange codes on the server, or make the browser app a PKCE public client without a secret",
		check: checkTokenFromBrowser},
	{ID: "public-client-without-pkce", Group: "token", Severity: SeverityError,
		Title: "A client without a secret uses PKCE (code_challenge and code_verifier)",
		Fix:   "S256 code_challenge at /authorize, code_verifier with client_id at /api/token",
		check: checkPublicWithoutPKCE},
	{ID: string(analyze.CodeInvalid), Alias: "code-reused", Group: "token", Severity: SeverityError,
		Title: "Each authorization code is sent to /api/token once",
		Fix:   "exchange once; never retry an exchange with the same code (set oauth2.AuthStyleInHeader)",
		check: checkCodeReused},
	{ID: "code-exchanged-late", Group: "token", Severity: SeverityError,
		Title: "Codes are exchanged promptly after the callback (60 s warns, expiry is an error)",
		Fix:   "exchange the code in the callback handler, right away",
		check: checkCodeLate},
	{ID: string(analyze.TokenRedirectURIMismatch), Alias: "redirect-uri-mismatch-at-token", Group: "token", Severity: SeverityError,
		Title: "The token request repeats the authorize request's redirect_uri byte for byte",
		Fix:   "use one constant redirect_uri for /authorize and /api/token",
		check: checkRedirectMismatch},
	{ID: string(analyze.RefreshTokenRevoked), Alias: "stale-refresh-token-after-rotation", Group: "refresh", Severity: SeverityError,
		Title: "A rotated refresh token is replaced by the new one and not used again",
		Fix:   "store the refresh_token of every refresh answer; one refresh at a time",
		check: checkStaleRefresh},
	{ID: "refresh-storm", Group: "refresh", Severity: SeverityWarning,
		Title: "Access tokens are refreshed near expiry, not early or in bursts",
		Fix:   "refresh shortly before expiry or after a 401; share one token source",
		check: checkRefreshStorm},
	{ID: string(analyze.AccessTokenExpired), Alias: "expired-access-token-used", Group: "refresh", Severity: SeverityError,
		Title: "An expired access token is refreshed, not used again and again",
		Fix:   "refresh before expiry (oauth2.TokenSource); on a 401 refresh once and retry once",
		check: checkExpiredAccess},
	{ID: "access-token-in-query", Group: "api", Severity: SeverityError,
		Title: "Web API calls send the access token in the Authorization header, not the URL",
		Fix:   "Authorization: Bearer <token>",
		check: checkAccessInQuery},
	{ID: "retry-after-ignored", Group: "api", Severity: SeverityError,
		Title: "After a 429 the client waits Retry-After before the next request",
		Fix:   "pause that kind of request for Retry-After seconds",
		check: checkRetryAfter},
	{ID: "scope-requested-unused", Group: "scopes", Severity: SeverityInfo,
		Title: "Every granted scope is needed by some Web API call",
		Fix:   "drop scopes no call needs from the scope parameter",
		check: checkScopeUnused},
}

// oauthError reads an error answer: the token endpoint's
// {"error","error_description"}, or the Web API's {"error":{"message"}}.
func oauthError(r *req) (code, description string) {
	if !r.errParsed {
		r.errParsed = true
		if r.Status >= 400 {
			r.errCode, r.errDesc = parseError(r.ResponseBody)
		}
	}
	return r.errCode, r.errDesc
}

func parseError(body []byte) (code, description string) {
	if e, _, ok := wire.ParseOAuthError(body); ok {
		return e.Code, e.Description
	}
	if e, ok := wire.ParseAPIError(body); ok && !e.PlainText {
		return "", e.Message
	}
	return "", ""
}

// ordinal is "second", "third", … as evidence counts uses.
func ordinal(n int) string {
	words := []string{"", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"}
	if n < len(words) {
		return words[n]
	}
	return strconv.Itoa(n) + "th"
}

// param shows one parameter in evidence: secrets as fingerprints, other
// values quoted.
func param(name, value string) string {
	switch name {
	case "client_secret", "code", "code_verifier", "refresh_token", "access_token", "id_token", "password", "token":
		return name + " " + fp(value)
	}
	return name + "=" + strconv.Quote(value)
}

// group is a distinct authorization request with the requests that
// repeated it (the login page sends the browser back to the same URL).
type group struct {
	first   *req
	repeats []*req
}

func (g group) again() string {
	if len(g.repeats) == 0 {
		return ""
	}
	seqs := make([]string, len(g.repeats))
	for i, r := range g.repeats {
		seqs[i] = strconv.FormatUint(r.Seq, 10)
	}
	return " (sent again at seq " + strings.Join(seqs, ", ") + ")"
}

func (g group) all() []*req { return append([]*req{g.first}, g.repeats...) }

// authorizeRequests are the OAuth authorization requests in the window,
// one per distinct query.
func (s *session) authorizeRequests() []group {
	var out []group
	index := map[string]int{}
	for _, r := range s.reqs {
		if r.Endpoint != wire.EndpointAuthorize || !r.q.Has("response_type") && !r.q.Has("client_id") {
			continue
		}
		if i, ok := index[r.RawQuery]; ok {
			out[i].repeats = append(out[i].repeats, r)
			continue
		}
		index[r.RawQuery] = len(out)
		out = append(out, group{first: r})
	}
	return out
}

// codeUses are the authorization-code token requests in order, by code.
func (s *session) codeUses() (order []string, uses map[string][]*req) {
	uses = map[string][]*req{}
	for _, r := range s.reqs {
		if r.grant() != "authorization_code" {
			continue
		}
		c := r.form.Get("code")
		if c == "" {
			continue
		}
		if _, ok := uses[c]; !ok {
			order = append(order, c)
		}
		uses[c] = append(uses[c], r)
	}
	return order, uses
}

// how says how a token request authenticated its client.
func how(r *req) string {
	switch {
	case r.basicAuth():
		return "with Basic client credentials"
	case r.hasBasic():
		return "with a Basic header but no secret in it"
	case r.form.Get("client_secret") != "":
		return "with client_id and client_secret in the body"
	case r.form.Get("client_id") != "":
		return "with client_id only (no secret)"
	}
	return "without client authentication"
}

// hostOf returns the lower-case host of a URI, or "".
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// checkNoRequests fails an empty window: an app that still calls real
// Spotify sends the fake nothing, and every other rule would pass it.
func checkNoRequests(s *session) result {
	if n := len(s.reqs); n > 0 {
		return result{note: fmt.Sprintf("%d request(s) in the window", n)}
	}
	f := s.finding(SeverityError, "No request reached the fake: the app may still be calling real Spotify",
		ruleByID[NoRequests].Fix, []string{s.emptyReason}, nil)
	return result{findings: []Finding{f}}
}
