package doctor

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/fakespotify/webapi"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// scopeState is the requested scopes and what the checks made of them.
type scopeState struct {
	raw    string // as configured
	source string
	list   []string // split on spaces and commas, duplicates dropped
	valid  []string // the ones Spotify accepts, in order
	bad    map[string]ID
}

func (r *runner) scopeInputs() scopeState {
	st := scopeState{bad: map[string]ID{}}
	cr := r.o.Credentials
	switch {
	case cr.Scopes.IsSet():
		st.raw, st.source = cr.Scopes.Value, cr.Scopes.Source.String()
	case r.authURL != nil && r.authURL.hasScope:
		st.raw, st.source = r.authURL.scope, "--authorize-url"
	}
	for _, s := range strings.FieldsFunc(st.raw, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' || r == '\r' || r == '+' }) {
		if !slices.Contains(st.list, s) {
			st.list = append(st.list, s)
		}
	}
	return st
}

// Scopes Spotify rejects, by why.
var (
	openIDScopes   = map[string]bool{"openid": true, "profile": true, "email": true, "offline_access": true, "address": true, "phone": true}
	internalScopes = map[string]bool{"playlist-modify": true, "user-personalized": true, "user-read-play-history": true,
		"user-manage-entitlements": true, "user-manage-partner": true, "user-create-partner": true}
	removedScopes = map[string]string{"user-read-birthdate": "removed around August 2019"}
	// renamedScopes are names people reach for that mean a documented scope.
	renamedScopes = map[string]string{
		"user-read-profile": "user-read-private", "user-library-write": "user-library-modify",
		"playlist-write-private": "playlist-modify-private", "playlist-write-public": "playlist-modify-public",
		"user-read-playback": "user-read-playback-state", "user-top-artists": "user-top-read", "user-top-tracks": "user-top-read",
		"user-follow-write": "user-follow-modify", "user-read-history": "user-read-recently-played",
	}
	// writeScopes let an app change the user's data or playback.
	writeScopes = []string{"ugc-image-upload", "user-modify-playback-state", "playlist-modify-private", "playlist-modify-public",
		"user-follow-modify", "user-library-modify"}
)

// didYouMean is the documented scope closest to s, or "".
func didYouMean(s string) string {
	if r, ok := renamedScopes[s]; ok {
		return r
	}
	best, bestD := "", len(s)/3+1
	if bestD > 4 {
		bestD = 4
	}
	for _, sc := range wire.Scopes {
		if d := levenshtein(strings.ToLower(s), sc.Name); d < bestD || (d == bestD && best == "" && d <= 2) {
			best, bestD = sc.Name, d
		}
	}
	return best
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func (c *checkRun) scopeNames() {
	r := c.r
	st := &r.scopes
	if len(st.list) == 0 {
		c.skip("no scopes requested (--scopes, %s)", checks.EnvScopes)
		return
	}
	if strings.Contains(st.raw, ",") {
		c.add(ScopeCommaSeparated, "scope:comma",
			fmt.Sprintf("%s: %q — Spotify splits the scope parameter on spaces only, so it reads %d scope(s): %s", st.source, st.raw,
				len(strings.Fields(st.raw)), strings.Join(quoteAll(strings.Fields(st.raw)), ", ")))
	}
	for _, s := range st.list {
		subject := "scope:" + s
		if _, ok := wire.LookupScope(s); ok {
			st.valid = append(st.valid, s)
			continue
		}
		at := fmt.Sprintf("%s: %q", st.source, s)
		switch {
		case openIDScopes[s]:
			st.bad[s] = ScopeOpenid
			c.add(ScopeOpenid, subject, at+" is an OpenID Connect scope; Spotify answers \"Illegal scope\"")
		case internalScopes[s]:
			st.bad[s] = ScopeInternal
			c.add(ScopeInternal, subject, at+" works only with Spotify's own client ids")
		default:
			st.bad[s] = ScopeIllegal
			ev := at + " is not on Spotify's list of scopes"
			if why, ok := removedScopes[s]; ok {
				ev = at + " was " + why
			}
			f := c.add(ScopeIllegal, subject, ev)
			if m := didYouMean(s); m != "" {
				f.Evidence = append(f.Evidence, fmt.Sprintf("did you mean %q?", m))
				f.Fix = fmt.Sprintf("Replace %q with %q. %s", s, m, f.Fix)
			} else {
				f.Fix = fmt.Sprintf("Remove %q. %s", s, f.Fix)
			}
		}
	}
	if len(c.added) == 0 {
		c.note("%d scope(s), all on Spotify's list", len(st.valid))
	}
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

// scopeAccepted asks /authorize about the scope list: Spotify's list can
// be stricter than the documented one (partner-only scopes).
func (c *checkRun) scopeAccepted() {
	r := c.r
	if !c.needOnline() {
		return
	}
	uri := r.registeredURI()
	switch {
	case len(r.scopes.list) == 0:
		c.skip("no scopes requested")
		return
	case r.cred.idKnown == no:
		c.skip("Spotify does not know the client id")
		return
	case uri == "":
		c.skip("no redirect URI that /authorize accepts to probe with")
		return
	}
	if len(r.scopes.bad) > 0 || strings.Contains(r.scopes.raw, ",") {
		// Show that the list as configured is refused, on the findings
		// that explain why.
		ans, ok := c.authorize("scopes as configured", r.authorizeParams(uri, r.scopes.raw))
		if !ok {
			return
		}
		if ans.entry == ScopeIllegal {
			ev := "as configured, /authorize answers: " + ans.quote()
			for _, s := range append([]string{"comma"}, slices.Sorted(maps.Keys(r.scopes.bad))...) {
				r.fold("scope:"+s, ans.exchanges, ev)
			}
		}
	}
	if len(r.scopes.valid) == 0 {
		c.note("no valid scope left to probe")
		return
	}
	ans, ok := c.authorize("scopes", r.authorizeParams(uri, strings.Join(r.scopes.valid, " ")))
	if !ok {
		return
	}
	switch {
	case ans.ok:
		c.note("/authorize accepts %s", strings.Join(r.scopes.valid, " "))
		return
	case ans.entry != ScopeIllegal:
		c.fail("unexpected answer: %s", ans.quote())
		return
	}
	// Find the culprits one by one.
	for _, s := range r.scopes.valid {
		one, ok := c.authorize("scope "+s, r.authorizeParams(uri, s))
		if !ok {
			return
		}
		if one.entry == ScopeIllegal {
			f := c.add(ScopeIllegal, "scope:"+s, fmt.Sprintf("%s: %q is documented, but /authorize refuses it for this app: %s", r.scopes.source, s, one.quote()),
				"Open Access scopes (user-soa-*, soa-*) are for approved partners only")
			f.Fix = fmt.Sprintf("Remove %q. %s", s, f.Fix)
			f.Exchanges = one.exchanges
		}
	}
}

// usedEndpoint is one --uses entry and the scopes it needs.
type usedEndpoint struct {
	raw, method, path string
	needs             [][]string // all groups needed; any one scope per group
	user, restricted  bool
	known             bool
}

// parseUses reads --uses entries: "GET /v1/me/top/artists", "/v1/me",
// "me/player" or a full api.spotify.com URL.
func parseUses(uses []string) ([]usedEndpoint, error) {
	var out []usedEndpoint
	for _, raw := range uses {
		for _, one := range strings.Split(raw, ",") {
			one = strings.TrimSpace(one)
			if one == "" {
				continue
			}
			e, err := parseUse(one)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
	}
	return out, nil
}

func parseUse(s string) (usedEndpoint, error) {
	e := usedEndpoint{raw: s, method: http.MethodGet}
	rest := s
	if m, p, ok := strings.Cut(s, " "); ok {
		e.method, rest = strings.ToUpper(m), strings.TrimSpace(p)
		switch e.method {
		case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch:
		default:
			return e, &InputError{File: "--uses", Msg: fmt.Sprintf("%q: %q is not an HTTP method (GET, POST, PUT, DELETE)", s, m)}
		}
	}
	if strings.Contains(rest, "://") {
		u, err := url.Parse(rest)
		if err != nil {
			return e, &InputError{File: "--uses", Msg: fmt.Sprintf("%q is not a URL", s)}
		}
		rest = u.Path
	}
	rest, _, _ = strings.Cut(rest, "?")
	p := strings.Trim(rest, "/")
	if p == "v1" || strings.HasPrefix(p, "v1/") {
		p = strings.Trim(strings.TrimPrefix(p, "v1"), "/")
	}
	rest = "/v1/" + p
	if p == "" || strings.ContainsAny(rest, " \t") {
		return e, &InputError{File: "--uses", Msg: fmt.Sprintf("%q: want an endpoint such as \"GET /v1/me/top/artists\"", s)}
	}
	e.path = rest
	if ep, ok := webapi.Lookup(e.method, e.path); ok {
		e.known, e.user, e.restricted = true, ep.User, ep.Restricted
		e.needs = ep.Needs
		return e, nil
	}
	if needs, ok := wire.ScopesFor(e.method, e.path); ok {
		e.known, e.needs = true, needs
	}
	e.user = strings.HasPrefix(e.path, "/v1/me") || strings.HasPrefix(e.path, "/v1/users/")
	return e, nil
}

func (c *checkRun) scopeEndpoints() {
	r := c.r
	if len(r.uses) == 0 {
		c.skip("no --uses given: name the endpoints the app calls to check the scopes against them")
		return
	}
	if !r.o.Flow.hasUser() {
		c.skip("--flow client-credentials carries no user scopes (see app-token-endpoints)")
		return
	}
	requested := r.scopes.valid
	needed := map[string]bool{}
	for _, e := range r.uses {
		for _, g := range e.needs {
			for _, s := range g {
				needed[s] = true
			}
		}
		var missing [][]string
		for _, g := range e.needs {
			if !slices.ContainsFunc(g, func(s string) bool { return slices.Contains(requested, s) }) {
				missing = append(missing, g)
			}
		}
		if len(missing) > 0 {
			f := c.add(ScopeMissingForEndpoint, "uses:"+e.raw,
				fmt.Sprintf("%s %s needs %s; requested: %s", e.method, e.path, wire.DescribeNeeds(missing), orNone(strings.Join(requested, " "))))
			var add []string
			for _, g := range missing {
				add = append(add, g[0])
			}
			f.Fix = fmt.Sprintf("Add %s to the scopes the authorize request asks for, then authorize again (show_dialog=true shows the consent page again): refreshing never adds a scope, and the call gets 403 \"Insufficient client scope\" until then.", strings.Join(add, " "))
		}
		if e.restricted {
			c.add(EndpointRestricted, "restricted:"+e.raw,
				fmt.Sprintf("%s %s is one of the endpoints closed on 2024-11-27 to new and development-mode apps: they get 403", e.method, e.path))
		}
		if !e.known {
			c.note("%s %s: no scope known to be needed", e.method, e.path)
		}
	}
	var unused []string
	for _, s := range requested {
		if slices.Contains(writeScopes, s) && !needed[s] {
			unused = append(unused, s)
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
		f := c.add(ScopeWriteUnused, "scope:write-unused",
			fmt.Sprintf("requested %s; none of the %d endpoint(s) given with --uses needs it", strings.Join(unused, " "), len(r.uses)))
		f.Fix = fmt.Sprintf("Drop %s unless the app writes with it (then name that endpoint with --uses). %s", strings.Join(unused, " "), f.Fix)
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
