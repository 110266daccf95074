package webapi

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// API serves the Web API subset: every path under /v1/. Build it with New.
type API struct {
	b       Backend
	routes  []route
	library library
	catalog catalogCache
	limits  rateLimits
}

// New returns the Web API subset reading tokens, apps, users, the catalog,
// the clock and the policies from b. The per-user state it changes (saved
// tracks, created playlists) lives in the API and starts as b.User says.
func New(b Backend) *API {
	a := &API{b: b}
	for _, e := range Endpoints {
		if e.serve == nil {
			continue // a row added from outside has no handler to run
		}
		a.routes = append(a.routes, route{Endpoint: e, segs: strings.Split(strings.Trim(e.Pattern, "/"), "/")})
	}
	a.library.users = map[string]*userLibrary{}
	a.limits.apps = map[string]*rateRing{}
	return a
}

// ForgetUser drops the state the API keeps for a user (library,
// playlists, playback), for a fake that deletes the user.
func (a *API) ForgetUser(id string) { a.library.forget(id) }

// ForgetApp drops the state the API keeps for an app (its rate-limit
// window), for a fake that deletes the app.
func (a *API) ForgetApp(clientID string) { a.limits.forget(clientID) }

type route struct {
	Endpoint
	segs []string
}

// match returns the path parameters when path (already split into
// unescaped segments) fits the route.
func (rt *route) match(segs []string) (map[string]string, bool) {
	if len(segs) != len(rt.segs) {
		return nil, false
	}
	var params map[string]string
	for i, s := range rt.segs {
		if strings.HasPrefix(s, "{") {
			if segs[i] == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[s[1:len(s)-1]] = segs[i]
			continue
		}
		if segs[i] != s {
			return nil, false
		}
	}
	return params, true
}

// Lookup finds the endpoint that would serve method and path (e.g. "GET",
// "/v1/artists/0OdUWJ0sBjDrqHygGUXeCF/top-tracks"), matching exactly as
// ServeHTTP routes requests, so tools reason about the same table.
func Lookup(method, path string) (Endpoint, bool) {
	segs, ok := splitPath(&url.URL{Path: path})
	if !ok {
		return Endpoint{}, false
	}
	for _, e := range Endpoints {
		rt := route{Endpoint: e, segs: strings.Split(strings.Trim(e.Pattern, "/"), "/")}
		if _, ok := rt.match(segs); ok && e.Method == method {
			return e, true
		}
	}
	return Endpoint{}, false
}

// call is one request on its way through the checks.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	ep     *route
	params map[string]string
	query  url.Values
	base   string // scheme://host the request came to, for href and next

	token Token
	app   config.App
	user  config.User // zero for an app-only token
	pol   config.Policies
	now   time.Time
}

func (c *call) fail(status int, message string) {
	(&failure{Status: status, Message: message}).write(c.w)
}

func (c *call) json(status int, v any) { writeJSON(c.w, status, v) }

func (c *call) has(scope string) bool { return slices.Contains(c.token.Scopes, scope) }

// devMode reports whether the token's app is in development mode, where
// the Feb-2026 rules trim /v1/me and cap /v1/search.
func (c *call) devMode() bool { return c.app.Mode == config.ModeDevelopment }

// ServeHTTP answers one Web API request. Checks run in this order, and
// the first that refuses answers:
//
//  1. routing: an unknown path is 404 "Service not found" and a known path
//     with another method 405, before any token is looked at (the gateway
//     knows its services before it authenticates); OPTIONS on a known path
//     is a CORS preflight and needs no token;
//  2. authentication (wire reference §5.2): 401 No token provided, 400 for a
//     non-Bearer scheme, 401 for an unknown, empty, revoked or expired token;
//  3. the rate limit (§5.4, policy rate_limit): 429 with Retry-After once
//     the app's calls in the rolling window reach its limit;
//  4. development mode (wire reference §8): 403 plain text for an owner without
//     Premium, then for a user not on the allowlist;
//  5. app-only tokens on user endpoints: 401 Unauthorized;
//  6. scopes: 403 Insufficient client scope;
//  7. the 2024-11-27 restriction: 403 (404 for recommendations) with no
//     message; then the February 2026 removals for development-mode apps:
//     403 Forbidden;
//  8. parameters: 400 with the message of the parameter at fault;
//  9. the handler itself (404 Non existing id and the like).
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs, ok := splitPath(r.URL)
	if !ok {
		(&failure{Status: http.StatusNotFound, Message: "Service not found"}).write(w)
		return
	}
	var (
		rt     *route
		params map[string]string
		room   [8]string // the methods of one path, on the stack
	)
	methods := room[:0]
	for i := range a.routes {
		p, ok := a.routes[i].match(segs)
		if !ok {
			continue
		}
		methods = append(methods, a.routes[i].Method)
		if a.routes[i].Method == r.Method {
			rt, params = &a.routes[i], p
		}
	}
	switch {
	case len(methods) == 0:
		(&failure{Status: http.StatusNotFound, Message: "Service not found"}).write(w)
		return
	case r.Method == http.MethodOptions && rt == nil:
		// A browser's preflight carries no Authorization header.
		w.Header().Set("Allow", strings.Join(append(methods, "OPTIONS"), ", "))
		writeBody(w, http.StatusOK, "", nil)
		return
	case rt == nil:
		// [inferred] No capture of Spotify's 405 exists; the body follows
		// its error object and Allow names the methods the path has.
		w.Header().Set("Allow", strings.Join(methods, ", "))
		(&failure{Status: http.StatusMethodNotAllowed, Message: "Method not allowed"}).write(w)
		return
	}

	c := &call{w: w, r: r, ep: rt, params: params, base: baseURL(r)}
	if r.URL.RawQuery != "" { // handlers only read c.query, and a nil map reads as empty
		c.query = r.URL.Query()
	}
	if f := a.authenticate(c); f != nil {
		f.write(w)
		return
	}
	if f := a.limits.admit(c); f != nil {
		f.write(w)
		return
	}
	if f := developmentMode(c); f != nil {
		f.write(w)
		return
	}
	if rt.User && c.token.AppOnly() {
		// Reference §5.8: Spotify has answered 401 "Unauthorized", 400
		// "invalid id" and an empty 403. 401 Unauthorized is the most
		// reported and the one Spotify staff explained (web-api#806), so
		// the fake always gives it. [inferred] No WWW-Authenticate value was
		// captured; a 401 must carry one (RFC 7235), so it is the bare
		// challenge that "No token provided" uses.
		(&failure{Status: http.StatusUnauthorized, Message: wire.MsgAppOnly, WWWAuthenticate: `Bearer realm="spotify"`}).write(w)
		return
	}
	if !c.scoped(rt.Needs) {
		c.fail(http.StatusForbidden, wire.MsgNoScope)
		return
	}
	if rt.Restricted && restricted(c.app) {
		// Captured on audio-features after 2024-11-27
		// (jwilsson/spotify-web-api-php#281): a 403 whose error object has
		// no message at all, `{"error":{"status":403}}`. Clients print it
		// as "403 due to None" (spotipy). Recommendations answer 404 the
		// same way ("404 due to None", spotipy#1181; spotatui#28). §8.1.
		// [inferred] that the other restricted endpoints answer 403 like
		// audio-features.
		status := rt.RestrictedStatus
		if status == 0 {
			status = http.StatusForbidden
		}
		c.fail(status, "")
		return
	}
	if rt.DevRemoved && c.devMode() {
		// The February 2026 removals (§8.1): `{"error": {"status": 403,
		// "message": "Forbidden" } }` on /playlists/{id}/tracks for a
		// development-mode app (cliamp#54); [inferred] the same for the
		// other removed endpoints.
		c.fail(http.StatusForbidden, wire.MsgRemoved)
		return
	}
	rt.serve(a, c)
}

// scoped reports whether the token carries one scope of every group.
func (c *call) scoped(needs [][]string) bool {
	for _, group := range needs {
		if !slices.ContainsFunc(group, c.has) {
			return false
		}
	}
	return true
}

// restrictedSince is the day of Spotify's "changes to the Web API" blog
// post (wire reference §8.1).
var restrictedSince = time.Date(2024, 11, 27, 0, 0, 0, 0, time.UTC)

// restricted reports whether the 2024-11-27 restriction applies to the
// app: every development-mode app, and every app created on or after that
// day. [inferred] An app with no creation date counts as new, because the
// fake implements today's behaviour by default.
func restricted(app config.App) bool {
	return app.Mode == config.ModeDevelopment || app.Created.IsZero() || !app.Created.Before(restrictedSince)
}

// splitPath splits the escaped path into unescaped segments, so that an
// id containing %2F stays one segment. [inferred] One trailing slash is
// ignored: clients call "/v1/me/" (SoulSync#158 in the reference got a
// dev-mode 403, not a 404, from it).
func splitPath(u *url.URL) ([]string, bool) {
	p := u.EscapedPath()
	if !strings.HasPrefix(p, "/v1/") {
		return nil, false
	}
	p = strings.TrimSuffix(p[1:], "/")
	segs := strings.Split(p, "/")
	for i, s := range segs {
		v, err := url.PathUnescape(s)
		if err != nil {
			return nil, false
		}
		segs[i] = v
	}
	return segs, true
}

// baseURL is where links in answers (href, next) point: the fake itself,
// so that a client following "next" stays on the fake.
func baseURL(r *http.Request) string {
	host := r.Host
	if host == "" {
		host = "api.spotify.com"
	}
	if r.TLS != nil || host == "api.spotify.com" {
		return "https://" + host
	}
	return "http://" + host
}
