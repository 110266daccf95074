package explain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/httpserve"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// codeLifetime is how long an authorization code lives (about 10 minutes;
// wire reference §4 and Appendix B.9).
const codeLifetime = 10 * time.Minute

// exchangeWhere says which endpoint an exchange went to.
func exchangeWhere(u *url.URL) Where {
	switch {
	case u == nil:
		return ""
	case strings.TrimSuffix(u.Path, "/") == "/api/token":
		return WhereToken
	case wire.IsAuthorizePath(u.Path):
		return WhereAuthorizePage
	case strings.HasPrefix(u.Path, "/v1/"):
		return WhereWebAPI
	}
	q := u.Query()
	if q.Has("code") || q.Has("error") {
		return WhereRedirect
	}
	return ""
}

func pathQuery(u *url.URL) string {
	if u.RawQuery != "" {
		return u.Path + "?" + u.RawQuery
	}
	return u.Path
}

// MatchExchange explains one exchange's response. where may be "" to infer
// it from the URL. It returns matches at confidence Recognised or above,
// best first.
func (c *Catalog) MatchExchange(x wire.Exchange, where Where) []Match {
	set := &redact.Set{}
	collectExchangeSecrets(set, &x)
	ms, _ := rank(c.exchangeCandidates(&x, where, set))
	return ms
}

// exchangeCandidates matches one exchange's response against the rules.
func (c *Catalog) exchangeCandidates(x *wire.Exchange, where Where, set *redact.Set) []candidate {
	var u *url.URL
	if x.URL != "" {
		u, _ = url.Parse(x.URL)
	}
	if where == "" {
		where = exchangeWhere(u)
	}
	path := ""
	if u != nil {
		path = pathQuery(u)
	}
	ct := x.ResponseHeaders.Get("Content-Type")
	body := strings.TrimSpace(x.ResponseBody)
	ev := exchangeEvidence(x, set)
	var cands []candidate
	matchObs := func(o *observation) {
		o.where, o.status, o.path, o.evidence, o.span = where, x.Status, path, ev, [2]int{-1, -1}
		if o.strength == 0 {
			o.strength = 1
		}
		for _, cd := range c.matchObservation(o) {
			cd.evidence = ev
			cands = append(cands, cd)
		}
	}
	if wa := x.ResponseHeaders.Get("WWW-Authenticate"); wa != "" {
		if code, desc, ok := parseWWWAuthenticate(wa); ok {
			matchObs(&observation{hasOAuth: true, oauthErr: code, oauthDesc: desc, descAbsent: desc == "", source: "WWW-Authenticate header"})
		}
	}
	switch {
	case x.Status == 0:
	case body == "" || body == "{}":
		if x.Status >= 400 {
			matchObs(&observation{emptyBody: true, source: "empty body"})
		}
	case strings.HasPrefix(body, "{") && json.Valid([]byte(body)):
		if e, described, ok := wire.ParseOAuthError([]byte(body)); ok {
			o := &observation{hasOAuth: knownOAuthCodes[e.Code], oauthErr: e.Code, source: "JSON body"}
			if described {
				o.oauthDesc = e.Description
			} else {
				o.descAbsent = true
			}
			if !o.hasOAuth {
				o.hasBody, o.body = true, e.Code
			}
			matchObs(o)
		} else if e, ok := wire.ParseAPIError([]byte(body)); ok {
			matchObs(&observation{hasAPI: true, apiMsg: e.Message, apiReason: e.Reason, source: "Web API error object"})
		} else if x.Status >= 400 {
			matchObs(&observation{source: "JSON body"})
		}
	case where == WhereAuthorizePage || strings.Contains(ct, "html") || looksHTML(body):
		text := htmlText(body)
		if text == "" {
			break
		}
		res := &Result{}
		for _, cd := range c.scanText(text, whereOr(where, WhereAuthorizePage), "", set, res) {
			cd.evidence = ev
			cd.source = "page text"
			cands = append(cands, cd)
		}
	default:
		matchObs(&observation{hasBody: true, body: body, source: "plain-text body"})
		if x.Status >= 400 && len(cands) == 0 && len(body) > 40 {
			res := &Result{}
			for _, cd := range c.scanText(body, where, "", set, res) {
				cd.evidence = ev
				cands = append(cands, cd)
			}
		}
	}
	return cands
}

func whereOr(w, def Where) Where {
	if w == "" {
		return def
	}
	return w
}

// parseWWWAuthenticate reads error and error_description from a Bearer
// challenge (RFC 6750 §3).
func parseWWWAuthenticate(v string) (code, desc string, ok bool) {
	get := func(key string) string {
		i := strings.Index(v, key+"=")
		if i < 0 {
			return ""
		}
		rest := v[i+len(key)+1:]
		if strings.HasPrefix(rest, `"`) {
			if j := strings.IndexByte(rest[1:], '"'); j >= 0 {
				return rest[1 : j+1]
			}
			return rest[1:]
		}
		if j := strings.IndexAny(rest, ", "); j >= 0 {
			return rest[:j]
		}
		return rest
	}
	code = get("error")
	if code == "" || !knownOAuthCodes[code] {
		return "", "", false
	}
	return code, get("error_description"), true
}

// exchangeEvidence is the one-line summary of an exchange: method, path,
// status and the start of the response body, redacted.
func exchangeEvidence(x *wire.Exchange, set *redact.Set) string {
	var b strings.Builder
	if x.Method != "" || x.URL != "" {
		u := x.URL
		if pu, err := url.Parse(x.URL); err == nil && pu.Host != "" {
			u = pu.Scheme + "://" + pu.Host + pathQuery(pu)
		}
		fmt.Fprintf(&b, "%s %s → ", x.Method, set.URL(u))
	}
	if x.Status != 0 {
		b.WriteString(strconv.Itoa(x.Status))
	} else {
		b.WriteString("(no response)")
	}
	if body := strings.TrimSpace(x.ResponseBody); body != "" {
		ct := x.ResponseHeaders.Get("Content-Type")
		if strings.Contains(ct, "html") || looksHTML(body) {
			body = htmlText(body)
		}
		if json.Valid([]byte(body)) {
			var c bytes.Buffer
			if json.Compact(&c, []byte(body)) == nil {
				body = c.String()
			}
		}
		b.WriteString(" ")
		b.WriteString(clip(set.Body(ct, body), 200))
	}
	if ra := x.ResponseHeaders.Get("Retry-After"); ra != "" {
		b.WriteString(" (Retry-After: " + ra + ")")
	}
	return evidence(set, b.String())
}

// collectExchangeSecrets registers every secret an exchange carries.
func collectExchangeSecrets(set *redact.Set, x *wire.Exchange) {
	collectHeaderSecrets(set, x.RequestHeaders)
	collectHeaderSecrets(set, x.ResponseHeaders)
	collectSecrets(set, x.URL)
	collectSecrets(set, x.RequestBody)
	collectSecrets(set, x.ResponseBody)
	if loc := x.ResponseHeaders.Get("Location"); loc != "" {
		collectSecrets(set, loc)
	}
	if form, err := url.ParseQuery(x.RequestBody); err == nil {
		for k, vs := range form {
			if redact.SensitiveFields[k] {
				for _, v := range vs {
					if !isPlaceholder(v) {
						set.Add(v)
					}
				}
			}
		}
	}
	var m map[string]any
	if json.Unmarshal([]byte(x.ResponseBody), &m) == nil {
		for k, v := range m {
			if s, ok := v.(string); ok && redact.SensitiveFields[k] {
				set.Add(s)
			}
		}
	}
}

// ---- the flow: what happened across the exchanges

type authReq struct {
	x                                       *wire.Exchange
	at                                      time.Time
	clientID, redirectURI, state, scope     string
	challenge, method, responseType, rawURL string
}

type callback struct {
	at          time.Time
	raw         string
	u           *url.URL
	params      url.Values
	fromHeader  bool // seen only in a Location header
	code, state string
}

type tokenReq struct {
	x                             *wire.Exchange
	at                            time.Time
	form                          url.Values
	rawBody                       string
	grant, code, redirectURI      string
	clientID                      string // from Basic or body
	basicRaw, basicID, basicSec   string
	hasBasic, basicOK, bodySecret bool
	verifier, refreshToken        string
	// response
	oauthErr, desc          string
	accessToken, newRefresh string
	expiresIn               int
	grantedScope            string
	hasScope                bool
}

type apiCall struct {
	x      *wire.Exchange
	at     time.Time
	method string
	path   string
	bearer string
	auth   string
}

type flow struct {
	auths []*authReq
	cbs   []*callback
	toks  []*tokenReq
	calls []*apiCall
}

// readFlow classifies exchanges into authorize requests, callbacks, token
// requests and Web API calls.
func readFlow(xs []wire.Exchange) *flow {
	f := &flow{}
	seenCB := map[string]bool{}
	for i := range xs {
		x := &xs[i]
		u, err := url.Parse(x.URL)
		if err != nil {
			continue
		}
		switch exchangeWhere(u) {
		case WhereAuthorizePage:
			q := u.Query()
			f.auths = append(f.auths, &authReq{x: x, at: x.Started, clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"),
				state: q.Get("state"), scope: q.Get("scope"), challenge: q.Get("code_challenge"), method: q.Get("code_challenge_method"),
				responseType: q.Get("response_type"), rawURL: x.URL})
		case WhereToken:
			f.toks = append(f.toks, readToken(x))
		case WhereWebAPI:
			cl := &apiCall{x: x, at: x.Started, method: x.Method, path: pathQuery(u), auth: x.RequestHeaders.Get("Authorization")}
			if scheme, cred, ok := strings.Cut(strings.TrimSpace(cl.auth), " "); ok && strings.EqualFold(scheme, "Bearer") {
				cl.bearer = strings.TrimSpace(cred)
			}
			f.calls = append(f.calls, cl)
		case WhereRedirect:
			if o, ok := callbackObservation(u); ok && !seenCB[x.URL+x.Started.String()] {
				seenCB[x.URL+x.Started.String()] = true
				f.cbs = append(f.cbs, &callback{at: x.Started, raw: x.URL, u: u, params: o.params, code: o.params.Get("code"), state: o.params.Get("state")})
			}
		}
		// A redirect to the app may be in a Location header only (the
		// fragment is never sent, and the app's request may be missing).
		if loc := x.ResponseHeaders.Get("Location"); loc != "" && x.Status >= 300 && x.Status < 400 {
			lu, err := u.Parse(loc)
			if err != nil || exchangeWhere(lu) == WhereAuthorizePage || strings.HasPrefix(lu.Path, "/login") {
				continue
			}
			if o, ok := callbackObservation(lu); ok {
				f.cbs = append(f.cbs, &callback{at: x.Started.Add(time.Millisecond), raw: lu.String(), u: lu, params: o.params, fromHeader: true, code: o.params.Get("code"), state: o.params.Get("state")})
			}
		}
	}
	// The app's own request for the callback repeats the Location; keep
	// one of each unless the app really loaded it twice.
	f.cbs = dedupeCallbacks(f.cbs)
	return f
}

// dedupeCallbacks keeps the app's own loads of a callback, and a redirect
// seen only in a Location header when the app's load of it is missing (a
// fragment is never sent, so the implicit grant's error shows only there).
func dedupeCallbacks(cbs []*callback) []*callback {
	slices.SortStableFunc(cbs, func(a, b *callback) int { return a.at.Compare(b.at) })
	loaded := map[string]bool{}
	for _, cb := range cbs {
		if !cb.fromHeader {
			loaded[cb.raw] = true
		}
	}
	var out []*callback
	for _, cb := range cbs {
		if cb.fromHeader && loaded[cb.raw] {
			continue
		}
		out = append(out, cb)
	}
	return out
}

func readToken(x *wire.Exchange) *tokenReq {
	t := &tokenReq{x: x, at: x.Started, rawBody: x.RequestBody}
	form, _ := url.ParseQuery(x.RequestBody)
	t.form = form
	t.grant = form.Get("grant_type")
	t.code = form.Get("code")
	t.redirectURI = form.Get("redirect_uri")
	t.verifier = form.Get("code_verifier")
	t.refreshToken = form.Get("refresh_token")
	t.bodySecret = form.Has("client_secret")
	t.clientID = form.Get("client_id")
	if auth := x.RequestHeaders.Get("Authorization"); auth != "" {
		t.hasBasic = true
		if b, ok := wire.ParseBasic(auth); ok {
			t.basicRaw = b.Credentials
			if b.Decoded {
				id, sec := b.ClientID, b.ClientSecret
				t.basicOK, t.basicID, t.basicSec = true, id, sec
				if uid, err := url.QueryUnescape(id); err == nil {
					t.basicID = uid // golang.org/x/oauth2 query-escapes both halves
				}
				if us, err := url.QueryUnescape(sec); err == nil {
					t.basicSec = us
				}
				if t.clientID == "" {
					t.clientID = t.basicID
				}
			}
		}
	}
	body := []byte(x.ResponseBody)
	if e, _, ok := wire.ParseOAuthError(body); ok {
		t.oauthErr, t.desc = e.Code, e.Description
	}
	if tr, err := wire.ParseTokenResponse(body); err == nil {
		t.accessToken, t.newRefresh, t.expiresIn = tr.AccessToken, tr.RefreshToken, tr.ExpiresIn
		t.grantedScope, t.hasScope = tr.Scope, tr.HasScope
	}
	return t
}

func (t *tokenReq) failed() bool { return t.x.Status >= 400 || t.oauthErr != "" }

// authFor finds the authorize request that led to a callback: the last one
// before it, preferring one whose redirect_uri the callback URL starts with.
func (f *flow) authFor(at time.Time, cbURL string) *authReq {
	var last, matching *authReq
	for _, a := range f.auths {
		if !at.IsZero() && a.at.After(at) {
			continue
		}
		last = a
		if a.redirectURI != "" && strings.HasPrefix(cbURL, a.redirectURI) {
			matching = a
		}
	}
	if matching != nil {
		return matching
	}
	return last
}

// succeeded reports whether an authorize request was followed by a
// callback with a code to its redirect_uri.
func (f *flow) succeeded(a *authReq) bool {
	for _, cb := range f.cbs {
		if cb.code != "" && !cb.at.Before(a.at) && a.redirectURI != "" && strings.HasPrefix(cb.raw, a.redirectURI) {
			return true
		}
	}
	return false
}

func (f *flow) callbackFor(code string) *callback {
	for _, cb := range f.cbs {
		if code != "" && cb.code == code {
			return cb
		}
	}
	return nil
}

// tokenIssuing finds the token response that issued an access token.
func (f *flow) tokenIssuing(access string) *tokenReq {
	if access == "" {
		return nil
	}
	for _, t := range f.toks {
		if t.accessToken == access {
			return t
		}
	}
	return nil
}

// authForToken finds the authorize request behind a code exchange.
func (f *flow) authForToken(t *tokenReq) *authReq {
	if cb := f.callbackFor(t.code); cb != nil {
		return f.authFor(cb.at, cb.raw)
	}
	if t.grant == "authorization_code" {
		return f.authFor(t.at, t.redirectURI)
	}
	return nil
}

// ExplainExchanges reasons across a sequence of exchanges (a HAR, a run's
// transcript): each failing response is matched on its own, and the
// requests are compared with each other (redirect_uri at /authorize versus
// /api/token, a code sent twice, code age, client ids, Basic credentials,
// PKCE, scopes, token age, Retry-After).
func (c *Catalog) ExplainExchanges(xs []wire.Exchange, opts Options) *Result {
	res := &Result{Input: Input{Name: opts.Name, Kind: KindHAR}}
	c.explainExchanges(xs, opts, res)
	return res
}

func (c *Catalog) explainExchanges(xs []wire.Exchange, opts Options, res *Result) {
	slices.SortStableFunc(xs, func(a, b wire.Exchange) int { return a.Started.Compare(b.Started) })
	set := &redact.Set{}
	for i := range xs {
		collectExchangeSecrets(set, &xs[i])
	}
	f := readFlow(xs)
	var cands []candidate
	failed := 0
	for i := range xs {
		x := &xs[i]
		if x.Status < 400 && !(x.Status == 200 && isAuthorizeURL(x.URL)) {
			continue
		}
		cs := c.exchangeCandidates(x, "", set)
		if x.Status >= 400 {
			failed++
		}
		cands = append(cands, cs...)
	}
	for _, a := range f.auths {
		// An authorize request that led to a code worked, whatever the
		// lint would say about it (a legacy app may still use localhost).
		if f.succeeded(a) {
			continue
		}
		u, err := url.Parse(a.rawURL)
		if err == nil {
			for _, cd := range c.lintAuthorize(u, set, true) {
				cd.score *= 0.95
				cands = append(cands, cd)
			}
		}
	}
	for _, cb := range f.cbs {
		if !cb.params.Has("error") {
			continue
		}
		o, _ := callbackObservation(cb.u)
		o.evidence = "callback at " + clock(cb.at) + ": " + set.URL(cb.raw)
		o.span = [2]int{-1, -1}
		cands = append(cands, c.matchObservation(o)...)
	}
	d := &diagnoser{c: c, f: f, set: set, state: opts.State}
	cands = append(cands, d.all()...)
	for i := range cands {
		cands[i].evidence = evidence(set, cands[i].evidence)
		for k, s := range cands[i].findings {
			cands[i].findings[k] = evidence(set, s)
		}
	}
	res.Notes = append(res.Notes, fmt.Sprintf("Read %s: %d to /authorize, %s, %d to /api/token, %d to the Web API; %d failed.",
		plural(len(xs), "request"), len(f.auths), plural(len(f.cbs), "callback"), len(f.toks), len(f.calls), failed))
	c.finish(res, cands, "")
	if !res.Recognised() && failed == 0 {
		res.Notes = append(res.Notes, "No request in the file failed with an error the catalog knows.")
	}
}

func isAuthorizeURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && wire.IsAuthorizePath(u.Path)
}

// diagnoser holds the cross-request reasoning.
type diagnoser struct {
	c     *Catalog
	f     *flow
	set   *redact.Set
	state string
	out   []candidate
}

func (d *diagnoser) add(id, cause string, score float64, ev string, findings ...string) {
	e, ok := d.c.byID[id]
	if !ok {
		return
	}
	d.out = append(d.out, candidate{entry: e, score: score, cause: cause, evidence: ev, findings: findings, source: "HAR (across requests)", span: [2]int{-1, -1}})
}

func (d *diagnoser) ev(x *wire.Exchange) string { return exchangeEvidence(x, d.set) }

func (d *diagnoser) all() []candidate {
	d.callbacks()
	d.codeExchanges()
	d.codeReuse()
	d.refreshes()
	d.apiCalls()
	return d.out
}

func clock(t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return t.UTC().Format("15:04:05.000")
}

// callbacks: the state came back different from the one the app is
// waiting for (the latest authorize request before the callback, or
// --state).
func (d *diagnoser) callbacks() {
	for _, cb := range d.f.cbs {
		a := d.f.authFor(cb.at, cb.raw)
		sent := d.state
		if sent == "" && a != nil {
			sent = a.state
		}
		if sent == "" || cb.params.Has("state") && cb.state == sent {
			continue
		}
		ev := "callback at " + clock(cb.at) + ": " + d.set.URL(cb.raw)
		if !cb.params.Has("state") {
			d.add("state-mismatch", "lost-session", 0.9, ev, fmt.Sprintf("The authorize request sent state %q; the callback carries none.", sent))
			continue
		}
		var earlier *authReq
		for _, o := range d.f.auths {
			if o != a && o.state == cb.state && !o.at.After(cb.at) {
				earlier = o
			}
		}
		if earlier != nil && a != nil && d.state == "" {
			d.add("state-mismatch", "two-attempts", 0.88, ev,
				fmt.Sprintf("The callback's state %q belongs to the authorize request at %s, but a newer one at %s sent %q: two logins ran at once (two tabs, a double click).",
					cb.state, clock(earlier.at), clock(a.at), a.state))
			continue
		}
		d.add("state-mismatch", "", 0.93, ev, fmt.Sprintf("The app sent state %q; the callback came back with %q%s.", sent, cb.state, firstDiff(sent, cb.state)))
	}
}

// codeExchanges compares each code exchange with its authorize request.
func (d *diagnoser) codeExchanges() {
	for _, t := range d.f.toks {
		if !t.failed() {
			continue
		}
		ev := d.ev(t.x)
		a := d.f.authForToken(t)
		d.clientAuth(t, ev)
		if t.grant != "authorization_code" {
			continue
		}
		cb := d.f.callbackFor(t.code)
		if a != nil && t.redirectURI != a.redirectURI {
			cause := "two-places"
			switch {
			case t.redirectURI == "":
				cause = "missing"
			case strings.Contains(t.rawBody, "%25"):
				if u, err := url.QueryUnescape(t.redirectURI); err == nil && u == a.redirectURI {
					cause = "double-encoded"
				}
			default:
				au, e1 := url.Parse(a.redirectURI)
				tu, e2 := url.Parse(t.redirectURI)
				if e1 == nil && e2 == nil && au.Path == tu.Path && (au.Scheme != tu.Scheme || au.Host != tu.Host) && !httpserve.IsLoopbackHost(au.Hostname()) && !httpserve.IsLoopbackHost(tu.Hostname()) {
					cause = "proxy"
				}
			}
			score := 0.9
			if t.desc == "Invalid redirect URI" {
				score = 0.98
			}
			d.add("token-redirect-uri-mismatch", cause, score, ev,
				fmt.Sprintf("redirect_uri at /authorize (%s): %s", clock(a.at), a.redirectURI),
				fmt.Sprintf("redirect_uri at /api/token (%s): %s", clock(t.at), orNone(t.redirectURI)),
				"They differ"+firstDiff(a.redirectURI, t.redirectURI)+".")
		}
		if cb != nil && !t.at.IsZero() && !cb.at.IsZero() && t.at.Sub(cb.at) > codeLifetime {
			score := 0.8
			if t.desc == "Authorization code expired" {
				score = 0.98
			}
			d.add("code-expired", "slow", score, ev, fmt.Sprintf("The code arrived at the callback at %s and was exchanged at %s, %s later; codes live about 10 minutes.",
				clock(cb.at), clock(t.at), t.at.Sub(cb.at).Round(time.Second)))
		}
		if a != nil && t.clientID != "" && a.clientID != "" && t.clientID != a.clientID {
			d.add("client-id-mismatch", "", 0.97, ev, fmt.Sprintf("client_id at /authorize: %s; at /api/token: %s%s.", a.clientID, t.clientID, firstDiff(a.clientID, t.clientID)))
		}
		if a != nil && a.challenge != "" {
			switch {
			case t.verifier == "":
				score := 0.85
				if t.desc == "code_verifier required" {
					score = 0.98
				}
				d.add("pkce-verifier-missing", "dropped", score, ev, "The authorize request carried a code_challenge; the token request has no code_verifier.")
			case redact.IsFingerprint(t.verifier) || redact.IsFingerprint(a.challenge):
			default:
				if cause, why, bad := diagnosePKCE(a.challenge, a.method, t.verifier); bad {
					if cause == "regenerated" {
						for _, other := range d.f.auths {
							if other != a && other.challenge == challengeS256(t.verifier) {
								why += fmt.Sprintf(" It does hash to the challenge of the authorize request at %s.", clock(other.at))
							}
						}
					}
					score := 0.9
					if strings.HasPrefix(t.desc, "code_verifier") {
						score = 0.98
					}
					d.add("pkce-verifier-mismatch", cause, score, ev, why)
				}
			}
		}
	}
}

// clientAuth looks at how a failed token request authenticated the client.
func (d *diagnoser) clientAuth(t *tokenReq, ev string) {
	if t.oauthErr != "invalid_client" && t.oauthErr != "" {
		return
	}
	switch {
	case t.hasBasic && t.basicRaw != "" && redact.IsFingerprint(strings.TrimSpace(t.basicRaw)):
	case t.hasBasic && strings.ContainsAny(strings.TrimSpace(t.basicRaw), " \t\r\n"):
		d.add("client-auth-missing", "basic-malformed", 0.95, ev, "The Basic credentials contain a line break or space inside the base64 (wrapped output of `base64`); Spotify cannot read them.")
	case t.hasBasic && !t.basicOK:
		d.add("client-auth-missing", "basic-malformed", 0.9, ev, "The Authorization header does not decode as Basic base64(client_id:client_secret).")
	case t.hasBasic && t.basicOK:
		if w := whitespaceNote(t.basicSec); w != "" {
			d.add("client-secret-invalid", "whitespace", 0.97, ev, "The secret decoded from the Basic header "+w+".")
		}
		if w := whitespaceNote(t.basicID); w != "" {
			d.add("client-id-invalid", "typo", 0.9, ev, "The client id decoded from the Basic header "+w+".")
		}
	case !t.hasBasic && !t.bodySecret && t.verifier == "" && t.clientID == "":
		d.add("client-auth-missing", "none", 0.95, ev, "The token request has no Authorization header and no client_id or client_secret in the body.")
	case !t.hasBasic && t.bodySecret:
		if w := whitespaceNote(t.form.Get("client_secret")); w != "" {
			d.add("client-secret-invalid", "whitespace", 0.97, ev, "The client_secret in the body "+w+".")
		}
	}
}

// whitespaceNote says what whitespace a credential carries, or "".
func whitespaceNote(s string) string {
	switch {
	case strings.HasSuffix(s, "\r\n"):
		return `ends with a CR LF ("\r\n")`
	case strings.HasSuffix(s, "\n"):
		return `ends with a newline ("\n")`
	case strings.TrimSpace(s) != s:
		return "has leading or trailing whitespace"
	case strings.ContainsAny(s, " \t\r\n"):
		return "contains whitespace"
	case strings.HasPrefix(s, `"`) || strings.HasPrefix(s, `'`):
		return "starts with a quote character"
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// codeReuse finds one code sent to /api/token more than once.
func (d *diagnoser) codeReuse() {
	byCode := map[string][]*tokenReq{}
	var order []string
	for _, t := range d.f.toks {
		if t.grant != "authorization_code" || t.code == "" {
			continue
		}
		if _, ok := byCode[t.code]; !ok {
			order = append(order, t.code)
		}
		byCode[t.code] = append(byCode[t.code], t)
	}
	for _, code := range order {
		ts := byCode[code]
		if len(ts) < 2 {
			continue
		}
		first, second := ts[0], ts[1]
		fp := redact.Fingerprint(code)
		ev := d.ev(second.x)
		retry := first.hasBasic && !first.bodySecret && !second.hasBasic && second.bodySecret
		switch {
		case retry && first.failed():
			d.add("code-invalid", "auth-style-retry", 0.9, ev,
				fmt.Sprintf("The same code %s went to /api/token twice: at %s with an Authorization: Basic header, then at %s with client_id and client_secret in the body.", fp, clock(first.at), clock(second.at)),
				"That is golang.org/x/oauth2 auto-detecting the auth style: it retries after any failure and reports only the second error.",
				"The first answer is the real error: "+d.ev(first.x))
			// The first failure is the one to explain: lift it above the rest.
			for _, cd := range d.c.exchangeCandidates(first.x, WhereToken, d.set) {
				cd.score = max(cd.score, 0.98)
				cd.findings = append(cd.findings, "This is the first of two attempts with the same code (golang.org/x/oauth2's auth-style retry); the program printed only the second error.")
				cd.source = "HAR (across requests)"
				d.out = append(d.out, cd)
			}
		case !first.failed() && second.failed():
			cbs := 0
			for _, cb := range d.f.cbs {
				if cb.code == code {
					cbs++
				}
			}
			f := fmt.Sprintf("The code %s was exchanged successfully at %s and sent again at %s; a code is single use.", fp, clock(first.at), clock(second.at))
			more := "The callback was handled twice (a double-run effect or handler)."
			if cbs > 1 {
				more = fmt.Sprintf("The callback with this code was loaded %d times (a reload of the callback page).", cbs)
			}
			d.add("code-invalid", "reused", 0.97, ev, f, more)
		default:
			d.add("code-invalid", "reused", 0.9, ev, fmt.Sprintf("The same code %s went to /api/token %d times (first at %s).", fp, len(ts), clock(first.at)))
		}
	}
}

// refreshes finds a rotated refresh token used again, and client ids that
// change between refreshes.
func (d *diagnoser) refreshes() {
	var prev []*tokenReq
	for _, t := range d.f.toks {
		if t.grant != "refresh_token" {
			continue
		}
		for _, p := range prev {
			if p.refreshToken == t.refreshToken && t.refreshToken != "" && !p.failed() && p.newRefresh != "" && p.newRefresh != p.refreshToken && t.failed() {
				d.add("refresh-token-revoked", "rotated", 0.97, d.ev(t.x),
					fmt.Sprintf("The refresh token %s was used at %s and the answer carried a new one (%s); using the old one again at %s fails: PKCE refresh tokens were single use until mid-2026.",
						redact.Fingerprint(t.refreshToken), clock(p.at), redact.Fingerprint(p.newRefresh), clock(t.at)))
				break
			}
		}
		prev = append(prev, t)
	}
}

// apiCalls reasons about failing Web API calls with the token they used.
func (d *diagnoser) apiCalls() {
	for i, cl := range d.f.calls {
		st := cl.x.Status
		if st < 400 {
			continue
		}
		ev := d.ev(cl.x)
		iss := d.f.tokenIssuing(cl.bearer)
		if iss != nil && iss.grant == "client_credentials" && isUserPath(cl.path) && (st == 400 || st == 401 || st == 403) {
			d.add("app-token-user-endpoint", "client-credentials", 0.96, ev, fmt.Sprintf("The token used was issued at %s by grant_type=client_credentials (an app-only token); %s needs a user token.", clock(iss.at), strings.SplitN(cl.path, "?", 2)[0]))
		}
		switch st {
		case 401:
			switch {
			case cl.auth == "":
				d.add("access-token-missing", "not-set", 0.9, ev, "The request carried no Authorization header.")
			case iss != nil && !iss.at.IsZero() && !cl.at.IsZero() && iss.expiresIn > 0:
				age := cl.at.Sub(iss.at)
				life := time.Duration(iss.expiresIn) * time.Second
				if age > life {
					d.add("access-token-expired", "expired", 0.98, ev, fmt.Sprintf("The token was issued at %s with expires_in %d and used at %s, %s later.", clock(iss.at), iss.expiresIn, clock(cl.at), age.Round(time.Second)))
				} else {
					d.add("access-token-invalid", "", 0.7, ev, fmt.Sprintf("The token was issued at %s with expires_in %d and was only %s old: not expiry. It was damaged, revoked or sent to the wrong service.", clock(iss.at), iss.expiresIn, age.Round(time.Second)))
				}
			}
		case 403:
			if !strings.Contains(cl.x.ResponseBody, "Insufficient client scope") {
				break
			}
			needs, ok := wire.ScopesFor(cl.method, strings.SplitN(cl.path, "?", 2)[0])
			var findings []string
			cause := ""
			if ok {
				findings = append(findings, fmt.Sprintf("%s %s needs %s.", cl.method, strings.SplitN(cl.path, "?", 2)[0], wire.DescribeNeeds(needs)))
			}
			var requested []string
			if iss != nil {
				granted := wire.ParseScope(iss.grantedScope)
				if a := d.f.authForToken(iss); a != nil {
					requested = wire.ParseScope(a.scope)
					findings = append(findings, "Requested at /authorize ("+clock(a.at)+"): "+scopeList(requested)+".")
				}
				if iss.hasScope {
					findings = append(findings, "Granted in the token response ("+clock(iss.at)+"): "+scopeList(granted)+".")
				}
				if ok {
					switch {
					case len(wire.MissingScopes(needs, requested)) > 0 && len(d.f.auths) > 0:
						cause = "not-requested"
						findings = append(findings, "The authorize request never asked for "+wire.DescribeNeeds(wire.MissingScopes(needs, requested))+".")
					case iss.hasScope && len(wire.MissingScopes(needs, granted)) > 0:
						cause = "stale-token"
						findings = append(findings, "It was requested but the token used does not carry it: the token predates the scope change (refreshing keeps the original scopes).")
					}
				}
			} else {
				for _, a := range d.f.auths {
					requested = wire.ParseScope(a.scope)
				}
				if ok && len(d.f.auths) > 0 {
					if m := wire.MissingScopes(needs, requested); len(m) > 0 {
						cause = "not-requested"
						findings = append(findings, "The last authorize request asked for "+scopeList(requested)+", not "+wire.DescribeNeeds(m)+".")
					} else {
						cause = "stale-token"
						findings = append(findings, "The scope is requested now, but the token used is not from this file's login: an older token without it.")
					}
				}
			}
			d.add("scope-insufficient", cause, 0.98, ev, findings...)
		case 429:
			ra := cl.x.ResponseHeaders.Get("Retry-After")
			secs, err := strconv.Atoi(strings.TrimSpace(ra))
			var findings []string
			cause := "burst"
			if ra == "" {
				findings = append(findings, "The 429 carries no Retry-After header; back off exponentially.")
			} else if err == nil {
				wait := fmt.Sprintf("Retry-After: %d seconds.", secs)
				if secs >= 120 {
					wait = fmt.Sprintf("Retry-After: %d seconds (%s).", secs, time.Duration(secs)*time.Second)
				}
				findings = append(findings, wait)
				if secs >= 3600 {
					cause = "quota"
					findings = append(findings, "A wait of an hour or more points at a quota block rather than a burst.")
				}
				for _, next := range d.f.calls[i+1:] {
					if strings.SplitN(next.path, "?", 2)[0] != strings.SplitN(cl.path, "?", 2)[0] || next.at.IsZero() || cl.at.IsZero() {
						continue
					}
					if gap := next.at.Sub(cl.at); gap < time.Duration(secs)*time.Second {
						cause = "ignores-retry-after"
						findings = append(findings, fmt.Sprintf("The client called %s again %s later, before Retry-After had passed.", strings.SplitN(cl.path, "?", 2)[0], gap.Round(time.Millisecond)))
					}
					break
				}
			}
			if strings.Contains(cl.x.ResponseBody, "QUOTA_EXCEEDED") {
				cause = "quota"
			}
			d.add("rate-limited", cause, 0.97, ev, findings...)
		}
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func isUserPath(p string) bool {
	return p == "/v1/me" || strings.HasPrefix(p, "/v1/me/") || strings.HasPrefix(p, "/v1/me?")
}
