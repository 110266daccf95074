package analyze

import (
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Kind is what an exchange is in the OAuth flow, read from its URL.
type Kind int

// The kinds of exchange the analyzer reads; the rest it ignores.
const (
	KindNone      Kind = iota
	KindAuthorize      // a request to /authorize (any locale form)
	KindToken          // a request to /api/token
	KindAPI            // a Web API call, /v1/...
	KindCallback       // a redirect back to the app: code= or error= in the query
)

// KindOf classifies a URL. u may be nil.
func KindOf(u *url.URL) Kind {
	switch {
	case u == nil:
		return KindNone
	case strings.TrimSuffix(u.Path, "/") == "/api/token":
		return KindToken
	case wire.IsAuthorizePath(u.Path):
		return KindAuthorize
	case strings.HasPrefix(u.Path, "/v1/"):
		return KindAPI
	}
	q := u.Query()
	if q.Has("code") || q.Has("error") {
		return KindCallback
	}
	return KindNone
}

// CallbackParams reads a redirect back to the app: the parameters of the
// query or, for the implicit grant, of the fragment. ok is false when the
// URL carries none of code, error and access_token.
func CallbackParams(u *url.URL) (params url.Values, fromFragment, ok bool) {
	params = u.Query()
	if u.Fragment != "" {
		if fp, err := url.ParseQuery(u.Fragment); err == nil && (fp.Has("error") || fp.Has("access_token") || fp.Has("code")) {
			params, fromFragment = fp, true
		}
	}
	if !params.Has("error") && !params.Has("code") && !params.Has("access_token") {
		return nil, false, false
	}
	return params, fromFragment, true
}

// Authorize is a request to /authorize.
type Authorize struct {
	X                                       int // index of the exchange
	At                                      time.Time
	ClientID, RedirectURI, State, Scope     string
	Challenge, Method, ResponseType, RawURL string
}

// Callback is a redirect back to the app: the app's own request for it, or
// a Location header when that request is missing.
type Callback struct {
	X                  int // index of the exchange that carried it
	At                 time.Time
	Raw                string // the URL; CallbackParams reads the rest
	FromHeader         bool   // seen only in a Location header
	HasError, HasState bool
	Code, State        string
}

func newCallback(i int, at time.Time, raw string, params url.Values, fromHeader bool) *Callback {
	return &Callback{X: i, At: at, Raw: raw, FromHeader: fromHeader, HasError: params.Has("error"), HasState: params.Has("state"),
		Code: params.Get("code"), State: params.Get("state")}
}

// Token is a request to /api/token and its answer.
type Token struct {
	X                             int
	At                            time.Time
	Status                        int
	RawBody                       string
	BodySecretValue               string // client_secret in the body
	Grant, Code, RedirectURI      string
	ClientID                      string // from Basic or the body
	BasicRaw, BasicID, BasicSec   string
	HasBasic, BasicOK, BodySecret bool
	Verifier, RefreshToken        string
	// the answer
	RetryAfter              string // its Retry-After header
	Error, Description      string
	AccessToken, NewRefresh string
	ExpiresIn               int
	GrantedScope            string
	HasScope                bool
}

// Failed reports whether the token request was refused.
func (t *Token) Failed() bool { return t.Status >= 400 || t.Error != "" }

// Call is a Web API call.
type Call struct {
	X      int
	At     time.Time
	Status int
	Method string
	Path   string // path and query
	Bearer string
	Auth   string // the Authorization header as sent
	// RetryAfter is the answer's Retry-After header, Body the answer's
	// body when the call failed (status 400 or more).
	RetryAfter, Body string
	// Token is the access token presented: the Bearer, or else (wrongly)
	// an access_token in the query.
	Token string
}

// Flow is a sequence of exchanges read into the steps of OAuth flows, with
// indexes by code, token, state and redirect URI, so that every question
// the rules ask is a map lookup, not a scan: time stays linear in the
// number of exchanges.
type Flow struct {
	Exchanges []wire.Exchange // in time order; nil for a Builder's flow
	Auths     []*Authorize
	Callbacks []*Callback
	Tokens    []*Token
	Calls     []*Call

	authsByRedirect  map[string][]*Authorize // by redirect_uri, in time order
	authsByState     map[string][]*Authorize
	authsByChallenge map[string][]*Authorize
	callbackByCode   map[string]*Callback // the first callback with the code
	callbacksByCode  map[string]int
	codeCallbacks    map[string][]time.Time // callbacks with a code, by URL without query: when they came
	tokenByAccess    map[string]*Token      // the token answer that issued an access token
}

// Read sorts xs by start time (stably) and reads the flow in it. The flow
// keeps xs; the exchanges must not change afterwards.
func Read(xs []wire.Exchange) *Flow {
	slices.SortStableFunc(xs, func(a, b wire.Exchange) int { return a.Started.Compare(b.Started) })
	var b Builder
	for i := range xs {
		b.Add(&xs[i])
	}
	f := b.Flow()
	f.Exchanges = xs
	return f
}

// Builder reads a flow one exchange at a time, for a caller that cannot
// hold every exchange of a large capture as a wire.Exchange (explain
// --har keeps slimmer records): each exchange is read into its step when
// added and not kept, so the steps keep only the strings they quote. The
// caller adds exchanges in time order (a callback loaded twice at one
// instant counts once only when the two are added together); the steps'
// X fields count the Add calls, and the flow's Exchanges field is nil.
type Builder struct {
	f       Flow
	n       int
	words   map[string]string
	seenCB  map[string]bool // the callbacks loaded at instant cbAt
	cbAt    time.Time
	answers map[string]answer // see readToken
}

// share returns one copy of each of the short values that repeat across a
// capture's requests (client id, redirect URI, scope, grant type, the
// decoded Basic pair, error descriptions): unescaping and decoding make a
// new string each time, which a capture of thousands of flows would keep.
// It holds at most 4096 of them.
func (b *Builder) share(ss ...*string) {
	for _, p := range ss {
		s := *p
		if s == "" || len(s) > 256 {
			continue
		}
		if shared, ok := b.words[s]; ok {
			*p = shared
			continue
		}
		if b.words == nil {
			b.words = map[string]string{}
		}
		if len(b.words) < 4096 {
			b.words[s] = s
		}
	}
}

// Add reads the next exchange. x may be reused by the caller afterwards;
// the strings it holds must not change.
func (b *Builder) Add(x *wire.Exchange) {
	i := b.n
	b.n++
	f := &b.f
	u, err := url.Parse(x.URL)
	if err != nil {
		return
	}
	switch KindOf(u) {
	case KindAuthorize:
		q := u.Query()
		a := &Authorize{X: i, At: x.Started, ClientID: q.Get("client_id"), RedirectURI: q.Get("redirect_uri"),
			State: q.Get("state"), Scope: q.Get("scope"), Challenge: q.Get("code_challenge"), Method: q.Get("code_challenge_method"),
			ResponseType: q.Get("response_type"), RawURL: x.URL}
		b.share(&a.ClientID, &a.RedirectURI, &a.Scope, &a.Method, &a.ResponseType)
		f.Auths = append(f.Auths, a)
	case KindToken:
		if b.answers == nil {
			b.answers = map[string]answer{}
		}
		t := readToken(i, x, b.answers)
		t.AccessToken, t.NewRefresh = within(x.ResponseBody, t.AccessToken), within(x.ResponseBody, t.NewRefresh)
		b.share(&t.BodySecretValue, &t.Grant, &t.RedirectURI, &t.ClientID, &t.BasicID, &t.BasicSec, &t.Error, &t.Description, &t.GrantedScope)
		f.Tokens = append(f.Tokens, t)
	case KindAPI:
		cl := &Call{X: i, At: x.Started, Status: x.Status, Method: x.Method, Path: pathQuery(u), Auth: x.RequestHeaders.Get("Authorization"),
			RetryAfter: x.ResponseHeaders.Get("Retry-After")}
		if x.Status >= 400 {
			cl.Body = x.ResponseBody
		}
		if scheme, cred, ok := strings.Cut(strings.TrimSpace(cl.Auth), " "); ok && strings.EqualFold(scheme, "Bearer") {
			cl.Bearer = strings.TrimSpace(cred)
		}
		if cl.Token = cl.Bearer; cl.Token == "" && u.RawQuery != "" {
			cl.Token = u.Query().Get("access_token")
		}
		f.Calls = append(f.Calls, cl)
	case KindCallback:
		// One load of a callback per URL and start time: the exchanges come
		// in time order, so only those of the current instant are kept.
		if b.seenCB == nil || !x.Started.Equal(b.cbAt) {
			b.seenCB, b.cbAt = map[string]bool{}, x.Started
		}
		key := x.URL + x.Started.String()
		if params, _, ok := CallbackParams(u); ok && !b.seenCB[key] {
			b.seenCB[key] = true
			f.Callbacks = append(f.Callbacks, newCallback(i, x.Started, x.URL, params, false))
			b.dropHeaderCallback(x.URL)
		}
	}
	// A redirect to the app may be in a Location header only (the
	// fragment is never sent, and the app's request may be missing).
	if loc := x.ResponseHeaders.Get("Location"); loc != "" && x.Status >= 300 && x.Status < 400 {
		lu, err := u.Parse(loc)
		if err != nil || KindOf(lu) == KindAuthorize || strings.HasPrefix(lu.Path, "/login") {
			return
		}
		if params, _, ok := CallbackParams(lu); ok {
			raw := lu.String()
			if raw == loc {
				raw = loc // the exchange's own string, not a second copy
			}
			f.Callbacks = append(f.Callbacks, newCallback(i, x.Started.Add(time.Millisecond), raw, params, true))
		}
	}
}

// dropHeaderCallback drops a callback seen a moment ago in a Location
// header only, now that the app loaded it (raw); dedupeCallbacks would drop
// it at the end, and a capture of thousands of logins would hold them all
// until then.
func (b *Builder) dropHeaderCallback(raw string) {
	cbs := b.f.Callbacks
	for k := len(cbs) - 2; k >= 0 && k >= len(cbs)-8; k-- {
		if cbs[k].FromHeader && cbs[k].Raw == raw {
			b.f.Callbacks = slices.Delete(cbs, k, k+1)
			return
		}
	}
}

// within returns v as a substring of s when s holds it (a token in the
// response body it was decoded from), so the two share memory.
func within(s, v string) string {
	if v == "" {
		return v
	}
	if i := strings.Index(s, v); i >= 0 {
		return s[i : i+len(v)]
	}
	return v
}

// Flow indexes the steps read so far and returns the flow; the Builder is
// spent.
func (b *Builder) Flow() *Flow {
	f := &b.f
	b.seenCB, b.answers = nil, nil
	// The app's own request for the callback repeats the Location; keep
	// one of each unless the app really loaded it twice.
	f.Callbacks = dedupeCallbacks(f.Callbacks)
	f.index()
	return f
}

func (f *Flow) index() {
	f.authsByRedirect = map[string][]*Authorize{}
	f.authsByState = map[string][]*Authorize{}
	f.authsByChallenge = map[string][]*Authorize{}
	for _, a := range f.Auths {
		f.authsByRedirect[a.RedirectURI] = append(f.authsByRedirect[a.RedirectURI], a)
		f.authsByState[a.State] = append(f.authsByState[a.State], a)
		if a.Challenge != "" {
			f.authsByChallenge[a.Challenge] = append(f.authsByChallenge[a.Challenge], a)
		}
	}
	f.callbackByCode = map[string]*Callback{}
	f.callbacksByCode = map[string]int{}
	f.codeCallbacks = map[string][]time.Time{}
	for _, cb := range f.Callbacks {
		if cb.Code == "" {
			continue
		}
		if _, ok := f.callbackByCode[cb.Code]; !ok {
			f.callbackByCode[cb.Code] = cb
		}
		f.callbacksByCode[cb.Code]++
		base, _, _ := strings.Cut(cb.Raw, "?")
		f.codeCallbacks[base] = append(f.codeCallbacks[base], cb.At)
	}
	f.tokenByAccess = map[string]*Token{}
	for _, t := range f.Tokens {
		if _, ok := f.tokenByAccess[t.AccessToken]; !ok && t.AccessToken != "" {
			f.tokenByAccess[t.AccessToken] = t
		}
	}
}

// dedupeCallbacks keeps the app's own loads of a callback, and a redirect
// seen only in a Location header when the app's load of it is missing (a
// fragment is never sent, so the implicit grant's error shows only there).
func dedupeCallbacks(cbs []*Callback) []*Callback {
	slices.SortStableFunc(cbs, func(a, b *Callback) int { return a.At.Compare(b.At) })
	loaded := map[string]bool{}
	for _, cb := range cbs {
		if !cb.FromHeader {
			loaded[cb.Raw] = true
		}
	}
	var out []*Callback
	for _, cb := range cbs {
		if cb.FromHeader && loaded[cb.Raw] {
			continue
		}
		out = append(out, cb)
	}
	return out
}

// answer is what readToken reads of a token response body.
type answer struct {
	err, description, access, refresh, scope string
	expiresIn                                int
	hasScope                                 bool
}

func readAnswer(body string) answer {
	var a answer
	b := []byte(body)
	// An error answer names its "error" member; looking for it first
	// spares a success answer a second JSON decoding.
	if strings.Contains(body, `"error"`) {
		if e, _, ok := wire.ParseOAuthError(b); ok {
			a.err, a.description = e.Code, e.Description
		}
	}
	if tr, err := wire.ParseTokenResponse(b); err == nil {
		a.access, a.refresh, a.expiresIn = tr.AccessToken, tr.RefreshToken, tr.ExpiresIn
		a.scope, a.hasScope = tr.Scope, tr.HasScope
	}
	return a
}

// readToken reads a token request and its answer. answers, when not nil,
// holds the answers to failed requests already read, by body: a client
// that fails the same way thousands of times gets one error body parsed
// once.
func readToken(i int, x *wire.Exchange, answers map[string]answer) *Token {
	t := &Token{X: i, At: x.Started, Status: x.Status, RawBody: x.RequestBody, RetryAfter: x.ResponseHeaders.Get("Retry-After")}
	form, _ := url.ParseQuery(x.RequestBody)
	t.BodySecretValue = form.Get("client_secret")
	t.Grant = form.Get("grant_type")
	t.Code = form.Get("code")
	t.RedirectURI = form.Get("redirect_uri")
	t.Verifier = form.Get("code_verifier")
	t.RefreshToken = form.Get("refresh_token")
	t.BodySecret = form.Has("client_secret")
	t.ClientID = form.Get("client_id")
	if auth := x.RequestHeaders.Get("Authorization"); auth != "" {
		t.HasBasic = true
		if b, ok := wire.ParseBasic(auth); ok {
			t.BasicRaw = b.Credentials
			if b.Decoded {
				id, sec := b.ClientID, b.ClientSecret
				t.BasicOK, t.BasicID, t.BasicSec = true, id, sec
				if uid, err := url.QueryUnescape(id); err == nil {
					t.BasicID = uid // golang.org/x/oauth2 query-escapes both halves
				}
				if us, err := url.QueryUnescape(sec); err == nil {
					t.BasicSec = us
				}
				if t.ClientID == "" {
					t.ClientID = t.BasicID
				}
			}
		}
	}
	a, ok := answers[x.ResponseBody]
	if !ok {
		a = readAnswer(x.ResponseBody)
		if answers != nil && x.Status >= 400 && len(x.ResponseBody) <= 1024 && len(answers) < 1024 {
			answers[x.ResponseBody] = a
		}
	}
	t.Error, t.Description, t.AccessToken, t.NewRefresh, t.ExpiresIn = a.err, a.description, a.access, a.refresh, a.expiresIn
	t.GrantedScope, t.HasScope = a.scope, a.hasScope
	return t
}

// AuthFor finds the authorize request that led to a callback: the last one
// at or before at (any time when at is zero), preferring one whose
// redirect_uri the callback URL starts with.
func (f *Flow) AuthFor(at time.Time, cbURL string) *Authorize {
	// The redirect_uri a callback URL starts with is, but for a query or a
	// trailing slash, the URL itself.
	base, _, _ := strings.Cut(cbURL, "?")
	var matching *Authorize
	for _, key := range []string{base, cbURL, strings.TrimSuffix(base, "/")} {
		if key == "" || !strings.HasPrefix(cbURL, key) {
			continue
		}
		if a := lastAt(f.authsByRedirect[key], at); a != nil && (matching == nil || a.X > matching.X) {
			matching = a
		}
	}
	if matching != nil {
		return matching
	}
	return lastAt(f.Auths, at)
}

// lastAt is the last of as (in time order) not after at; with a zero at,
// the last.
func lastAt(as []*Authorize, at time.Time) *Authorize {
	if at.IsZero() {
		if len(as) == 0 {
			return nil
		}
		return as[len(as)-1]
	}
	n := sort.Search(len(as), func(i int) bool { return as[i].At.After(at) })
	if n == 0 {
		return nil
	}
	return as[n-1]
}

// Succeeded reports whether an authorize request was followed by a
// callback with a code to its redirect_uri.
func (f *Flow) Succeeded(a *Authorize) bool {
	if a.RedirectURI == "" {
		return false
	}
	ts := f.codeCallbacks[a.RedirectURI]
	n := sort.Search(len(ts), func(i int) bool { return !ts[i].Before(a.At) })
	return n < len(ts)
}

// CallbackFor is the first callback that carried code.
func (f *Flow) CallbackFor(code string) *Callback {
	if code == "" {
		return nil
	}
	return f.callbackByCode[code]
}

// TokenIssuing finds the token answer that issued an access token.
func (f *Flow) TokenIssuing(access string) *Token {
	if access == "" {
		return nil
	}
	return f.tokenByAccess[access]
}

// AuthForToken finds the authorize request behind a code exchange.
func (f *Flow) AuthForToken(t *Token) *Authorize {
	if cb := f.CallbackFor(t.Code); cb != nil {
		return f.AuthFor(cb.At, cb.Raw)
	}
	if t.Grant == "authorization_code" {
		return f.AuthFor(t.At, t.RedirectURI)
	}
	return nil
}

// AuthsWithChallenge are the authorize requests that sent a code_challenge.
func (f *Flow) AuthsWithChallenge(challenge string) []*Authorize {
	return f.authsByChallenge[challenge]
}

func pathQuery(u *url.URL) string {
	if u.RawQuery != "" {
		return u.Path + "?" + u.RawQuery
	}
	return u.Path
}

func pathOnly(p string) string {
	p, _, _ = strings.Cut(p, "?")
	return p
}
