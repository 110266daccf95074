// Package analyze finds client mistakes in a sequence of exchanges: a code
// sent twice (golang.org/x/oauth2's auth-style retry among them), a
// redirect_uri that changed between /authorize and /api/token, a code
// exchanged after it expired, a rotated refresh token used again, an
// expired access token, a 429 not waited out. It is the one place these
// judgements are made: `spotcheck explain --har`, the runner's
// explanations and the fake's grader ask it, and the error catalog
// (checks/explain) supplies the words a user reads for each ID.
//
// It imports only package wire and the standard library, so the fake can
// use it. It reads exchanges with clear values (a HAR, the fake's log
// before redaction) and never prints a secret: codes and tokens appear in
// its facts only through Options.Fingerprint.
package analyze

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// CodeLifetime is how long an authorization code lives (about 10 minutes;
// wire reference §4 and Appendix B.9).
const CodeLifetime = 10 * time.Minute

// Finding is one mistake seen in the exchanges.
type Finding struct {
	ID ID
	// Cause is the id of the catalog entry's cause the exchanges point at,
	// or "".
	Cause string
	// Confidence is how sure the reasoning is, 0 to 1.
	Confidence float64
	// Exchanges are indexes into Flow.Exchanges: first the one the mistake
	// showed in, then others the facts cite.
	Exchanges []int
	// Facts say what the exchanges show, in sentences, secrets as
	// fingerprints.
	Facts []string
	// Expiry is when the code or access token of a code-expired or
	// access-token-expired finding expired, when that is known.
	Expiry time.Time
}

// Options tune what Analyze reports.
type Options struct {
	// State is the state the app is known to have sent (explain --state);
	// "" takes each callback's authorize request's.
	State string
	// Fingerprint stands in for a secret in facts; nil uses "[secret]".
	Fingerprint func(string) string

	// The rest is for a server grading its own clients (the fake's
	// grader): it knows more than a HAR shows, and judges what a client
	// sent, not only what failed. explain leaves them zero.

	// Issuer is the server's account of what it issued; nil when there is
	// none. With one, the exchanges are all the server saw since some
	// moment (a window).
	Issuer Issuer
	// Injected reports whether the server answered Flow.Exchanges[i] with
	// an injected fault: such an answer issues no token and says nothing
	// about the client. nil: none was.
	Injected func(i int) bool
	// Accepted judges the requests the server accepted as well as those
	// it refused: a lenient policy (or a fault that answered first) does
	// not make a client's mistake right. Timing is then judged on the
	// first exchange of each code only; a later one is code reuse.
	Accepted bool
	// LateExchange, above zero, also reports a code exchanged longer than
	// this after its callback, though before it expired: CodeExpired with
	// cause "late", a warning for a grader. Zero (explain) turns it off.
	LateExchange time.Duration
	// CodeLifetime is how long the server's codes live; zero is
	// CodeLifetime.
	CodeLifetime time.Duration
	// SentAfter reports whether Flow exchange j was sent after exchange i
	// had been answered (the fake knows, by its request counter); nil
	// takes every later exchange for one, as a HAR must. A request
	// already in flight when a 429 came could not have waited for it.
	SentAfter func(i, j int) bool
}

// Issuer answers from the server's store what the exchanges may not show,
// for codes and tokens issued before the first of them.
type Issuer interface {
	// CodeIssuedBefore reports whether a code came from before the
	// exchanges: it is then judged against no authorize request, where a
	// HAR (which may simply miss the callback) guesses the nearest one.
	CodeIssuedBefore(code string) bool
	// AccessExpiry is when an access token expires.
	AccessExpiry(token string) (time.Time, bool)
	// RefreshRotated reports whether a refresh token was replaced by a
	// rotated one.
	RefreshRotated(token string) bool
}

// injected reports whether exchange i was answered by an injected fault.
func (a *analysis) injected(i int) bool { return a.o.Injected != nil && a.o.Injected(i) }

// Analyze finds the mistakes in a flow, in the order of the exchanges
// they concern within each kind of mistake.
func Analyze(f *Flow, o Options) []Finding {
	var out []Finding
	Walk(f, o, func(fd Finding) { out = append(out, fd) })
	return out
}

// Walk is Analyze handing each finding to fn as it is found, for a caller
// that keeps only some of them (a large HAR repeats one mistake
// thousands of times).
func Walk(f *Flow, o Options, fn func(Finding)) {
	if o.Fingerprint == nil {
		o.Fingerprint = func(string) string { return "[secret]" }
	}
	if o.CodeLifetime <= 0 {
		o.CodeLifetime = CodeLifetime
	}
	a := &analysis{f: f, o: o, emit: fn}
	a.callbacks()
	a.codeExchanges()
	a.codeReuse()
	a.refreshes()
	a.apiCalls()
	a.rateLimits()
}

type analysis struct {
	f    *Flow
	o    Options
	emit func(Finding)
}

func (a *analysis) add(id ID, cause string, score float64, xs []int, facts ...string) {
	a.emit(Finding{ID: id, Cause: cause, Confidence: score, Exchanges: xs, Facts: facts})
}

// judged reports whether a request is one to judge: a refused one, or
// any with Options.Accepted.
func (a *analysis) judged(failed bool) bool { return failed || a.o.Accepted }

// Clock is a time as facts show it: UTC with milliseconds, "?" if unknown.
func Clock(t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return t.UTC().Format("15:04:05.000")
}

// FirstDiff describes where two strings first differ: " (first difference
// at character 23: "/" versus end of text)".
func FirstDiff(a, b string) string {
	ra, rb := []rune(a), []rune(b)
	i := 0
	for i < len(ra) && i < len(rb) && ra[i] == rb[i] {
		i++
	}
	show := func(r []rune) string {
		if i >= len(r) {
			return "end of text"
		}
		return fmt.Sprintf("%q", string(r[i]))
	}
	return fmt.Sprintf(" (first difference at character %d: %s versus %s)", i+1, show(ra), show(rb))
}

// callbacks: the state came back different from the one the app is
// waiting for (the latest authorize request before the callback, or
// Options.State).
func (a *analysis) callbacks() {
	for _, cb := range a.f.Callbacks {
		auth := a.f.AuthFor(cb.At, cb.Raw)
		sent := a.o.State
		if sent == "" && auth != nil {
			sent = auth.State
		}
		if sent == "" || cb.HasState && cb.State == sent {
			continue
		}
		xs := []int{cb.X}
		if !cb.HasState {
			a.add(StateMismatch, "lost-session", 0.9, xs, fmt.Sprintf("The authorize request sent state %q; the callback carries none.", sent))
			continue
		}
		var earlier *Authorize
		for _, o := range a.f.authsByState[cb.State] {
			if o != auth && !o.At.After(cb.At) {
				earlier = o
			}
		}
		if earlier != nil && auth != nil && a.o.State == "" {
			a.add(StateMismatch, "two-attempts", 0.88, xs,
				fmt.Sprintf("The callback's state %q belongs to the authorize request at %s, but a newer one at %s sent %q: two logins ran at once (two tabs, a double click).",
					cb.State, Clock(earlier.At), Clock(auth.At), auth.State))
			continue
		}
		a.add(StateMismatch, "", 0.93, xs, fmt.Sprintf("The app sent state %q; the callback came back with %q%s.", sent, cb.State, FirstDiff(sent, cb.State)))
	}
}

// codeExchanges compares each failed code exchange with its authorize
// request.
func (a *analysis) codeExchanges() {
	firstUse := map[string]bool{}
	for _, t := range a.f.Tokens {
		first := t.Grant == "authorization_code" && !firstUse[t.Code]
		firstUse[t.Code] = true
		if !a.judged(t.Failed()) {
			continue
		}
		if t.Failed() {
			a.clientAuth(t)
		}
		if t.Grant != "authorization_code" {
			continue
		}
		auth := a.authForCode(t)
		xs := []int{t.X}
		cb := a.f.CallbackFor(t.Code)
		if auth != nil && t.RedirectURI != auth.RedirectURI {
			score := 0.9
			if t.Description == "Invalid redirect URI" {
				score = 0.98
			}
			a.add(TokenRedirectURIMismatch, redirectCause(auth.RedirectURI, t), score, []int{t.X, auth.X},
				fmt.Sprintf("redirect_uri at /authorize (%s): %s", Clock(auth.At), auth.RedirectURI),
				fmt.Sprintf("redirect_uri at /api/token (%s): %s", Clock(t.At), orNone(t.RedirectURI)),
				"They differ"+FirstDiff(auth.RedirectURI, t.RedirectURI)+".")
		}
		if cb != nil && !t.At.IsZero() && !cb.At.IsZero() && (first || !a.o.Accepted) {
			a.codeTiming(t, cb)
		}
		if auth != nil && t.ClientID != "" && auth.ClientID != "" && t.ClientID != auth.ClientID {
			a.add(ClientIDMismatch, "", 0.97, xs, fmt.Sprintf("client_id at /authorize: %s; at /api/token: %s%s.", auth.ClientID, t.ClientID, FirstDiff(auth.ClientID, t.ClientID)))
		}
	}
}

// authForCode finds the authorize request behind a code exchange; none
// for a code the Issuer says came from before the exchanges.
func (a *analysis) authForCode(t *Token) *Authorize {
	if a.o.Issuer != nil && a.f.CallbackFor(t.Code) == nil && a.o.Issuer.CodeIssuedBefore(t.Code) {
		return nil
	}
	return a.f.AuthForToken(t)
}

// codeTiming finds a code exchanged after it expired (and, with
// Options.LateExchange, one exchanged late).
func (a *analysis) codeTiming(t *Token, cb *Callback) {
	d := t.At.Sub(cb.At)
	xs := []int{t.X, cb.X}
	switch {
	case d > a.o.CodeLifetime:
		score := 0.8
		if t.Description == "Authorization code expired" {
			score = 0.98
		}
		a.emit(Finding{ID: CodeExpired, Cause: "slow", Confidence: score, Exchanges: xs, Expiry: cb.At.Add(a.o.CodeLifetime),
			Facts: []string{fmt.Sprintf("The code arrived at the callback at %s and was exchanged at %s, %s later; codes live about 10 minutes.",
				Clock(cb.At), Clock(t.At), d.Round(time.Second))}})
	case a.o.LateExchange > 0 && d > a.o.LateExchange:
		a.add(CodeExpired, "late", 0.5, xs, fmt.Sprintf("The code arrived at the callback at %s and was exchanged at %s, %s later: not expired yet, but late.",
			Clock(cb.At), Clock(t.At), d.Round(time.Second)))
	}
}

// redirectCause says why the token request's redirect_uri differs from
// the authorize request's: a cause id of token-redirect-uri-mismatch.
func redirectCause(authorized string, t *Token) string {
	switch {
	case t.RedirectURI == "":
		return "missing"
	case strings.Contains(t.RawBody, "%25"):
		if u, err := url.QueryUnescape(t.RedirectURI); err == nil && u == authorized {
			return "double-encoded"
		}
	default:
		au, e1 := url.Parse(authorized)
		tu, e2 := url.Parse(t.RedirectURI)
		if e1 == nil && e2 == nil && au.Path == tu.Path && (au.Scheme != tu.Scheme || au.Host != tu.Host) && !isLoopback(au.Hostname()) && !isLoopback(tu.Hostname()) {
			return "proxy"
		}
	}
	return "two-places"
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// clientAuth looks at how a failed token request authenticated the client.
func (a *analysis) clientAuth(t *Token) {
	if t.Error != "invalid_client" && t.Error != "" {
		return
	}
	xs := []int{t.X}
	switch {
	case t.HasBasic && t.BasicRaw != "" && isFingerprint(strings.TrimSpace(t.BasicRaw)):
	case t.HasBasic && strings.ContainsAny(strings.TrimSpace(t.BasicRaw), " \t\r\n"):
		a.add(ClientAuthMissing, "basic-malformed", 0.95, xs, "The Basic credentials contain a line break or space inside the base64 (wrapped output of `base64`); Spotify cannot read them.")
	case t.HasBasic && !t.BasicOK:
		a.add(ClientAuthMissing, "basic-malformed", 0.9, xs, "The Authorization header does not decode as Basic base64(client_id:client_secret).")
	case t.HasBasic && t.BasicOK:
		if w := whitespaceNote(t.BasicSec); w != "" {
			a.add(ClientSecretInvalid, "whitespace", 0.97, xs, "The secret decoded from the Basic header "+w+".")
		}
		if w := whitespaceNote(t.BasicID); w != "" {
			a.add(ClientIDInvalid, "typo", 0.9, xs, "The client id decoded from the Basic header "+w+".")
		}
	case !t.HasBasic && !t.BodySecret && t.Verifier == "" && t.ClientID == "":
		a.add(ClientAuthMissing, "none", 0.95, xs, "The token request has no Authorization header and no client_id or client_secret in the body.")
	case !t.HasBasic && t.BodySecret:
		if w := whitespaceNote(t.BodySecretValue); w != "" {
			a.add(ClientSecretInvalid, "whitespace", 0.97, xs, "The client_secret in the body "+w+".")
		}
	}
}

// isFingerprint reports whether s is a redacted stand-in (spotcheck's own
// recordings hold those, not credentials): "[redacted 32ch #1a2b3c4d]".
func isFingerprint(s string) bool {
	return strings.HasPrefix(s, "[redacted ") && strings.HasSuffix(s, "]") && strings.Contains(s, "ch #")
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

// AuthStyleRetry recognises golang.org/x/oauth2's AuthStyleAutoDetect: a
// token request with Basic client credentials that failed, repeated with
// the client_id (and the secret, if there is one) in the body instead
// (golang/oauth2 PR 803). Once Spotify has consumed the code, the retry
// can only fail, and its error is the one x/oauth2 reports.
func AuthStyleRetry(first, second *Token) bool {
	return first.HasBasic && first.Failed() && !first.BodySecret && !second.HasBasic && second.ClientID != ""
}

// TokenOf reads one exchange as a token request, for callers that hold
// exchanges one at a time.
func TokenOf(x *wire.Exchange) *Token { return readToken(-1, x, nil) }

// codeReuse finds one code sent to /api/token more than once.
func (a *analysis) codeReuse() {
	byCode := map[string][]*Token{}
	var order []string
	for _, t := range a.f.Tokens {
		if t.Grant != "authorization_code" || t.Code == "" {
			continue
		}
		if _, ok := byCode[t.Code]; !ok {
			order = append(order, t.Code)
		}
		byCode[t.Code] = append(byCode[t.Code], t)
	}
	fp := a.o.Fingerprint
	for _, code := range order {
		ts := byCode[code]
		if len(ts) < 2 {
			continue
		}
		first, second := ts[0], ts[1]
		// For the auth-style retry, the first answer is the real error:
		// Exchanges[1] is it. Any further uses follow.
		xs := []int{second.X, first.X}
		for _, t := range ts[2:] {
			xs = append(xs, t.X)
		}
		switch {
		case AuthStyleRetry(first, second):
			a.add(CodeInvalid, "auth-style-retry", 0.9, xs,
				fmt.Sprintf("The same code %s went to /api/token twice: at %s with an Authorization: Basic header, then at %s with the client credentials in the body.", fp(code), Clock(first.At), Clock(second.At)),
				"That is golang.org/x/oauth2 auto-detecting the auth style: it retries after any failure and reports only the second error.")
		case !first.Failed() && second.Failed():
			f := fmt.Sprintf("The code %s was exchanged successfully at %s and sent again at %s; a code is single use.", fp(code), Clock(first.At), Clock(second.At))
			more := "The callback was handled twice (a double-run effect or handler)."
			if n := a.f.callbacksByCode[code]; n > 1 {
				more = fmt.Sprintf("The callback with this code was loaded %d times (a reload of the callback page).", n)
			}
			a.add(CodeInvalid, "reused", 0.97, xs, f, more)
		default:
			a.add(CodeInvalid, "reused", 0.9, xs, fmt.Sprintf("The same code %s went to /api/token %d times (first at %s).", fp(code), len(ts), Clock(first.At)))
		}
	}
}

// refreshes finds a rotated refresh token used again.
func (a *analysis) refreshes() {
	// rotatedBy is the first refresh that used a token and got a new one.
	rotatedBy := map[string]*Token{}
	for _, t := range a.f.Tokens {
		if t.Grant != "refresh_token" {
			continue
		}
		p := rotatedBy[t.RefreshToken]
		switch {
		case p != nil && t.RefreshToken != "" && a.judged(t.Failed()):
			a.add(RefreshTokenRevoked, "rotated", 0.97, []int{t.X, p.X},
				fmt.Sprintf("The refresh token %s was used at %s and the answer carried a new one (%s); using the old one again at %s fails: PKCE refresh tokens were single use until mid-2026.",
					a.o.Fingerprint(t.RefreshToken), Clock(p.At), a.o.Fingerprint(p.NewRefresh), Clock(t.At)))
		case p == nil && t.RefreshToken != "" && t.Description == "Refresh token revoked" && a.o.Issuer != nil && a.o.Issuer.RefreshRotated(t.RefreshToken):
			// Rotated before the exchanges, or by a refresh still in
			// flight: only Exchanges[0].
			a.add(RefreshTokenRevoked, "rotated", 0.95, []int{t.X},
				fmt.Sprintf("The refresh token %s used at %s had already been rotated into a newer one (before these exchanges, or by a refresh running at the same time).",
					a.o.Fingerprint(t.RefreshToken), Clock(t.At)))
		}
		if _, ok := rotatedBy[t.RefreshToken]; !ok && !t.Failed() && !a.injected(t.X) && t.NewRefresh != "" && t.NewRefresh != t.RefreshToken {
			rotatedBy[t.RefreshToken] = t
		}
	}
}

// apiCalls reasons about failing Web API calls with the token they used.
func (a *analysis) apiCalls() {
	for _, cl := range a.f.Calls {
		st := cl.Status
		if a.o.Accepted {
			a.expiredAccess(cl)
		}
		if st < 400 {
			continue
		}
		xs := []int{cl.X}
		path := pathOnly(cl.Path)
		iss := a.tokenIssuing(cl.Bearer)
		if iss != nil && iss.Grant == "client_credentials" && isUserPath(cl.Path) && (st == 400 || st == 401 || st == 403) {
			a.add(AppTokenUserEndpoint, "client-credentials", 0.96, []int{cl.X, iss.X}, fmt.Sprintf("The token used was issued at %s by grant_type=client_credentials (an app-only token); %s needs a user token.", Clock(iss.At), path))
		}
		switch st {
		case 401:
			switch {
			case cl.Auth == "":
				a.add(AccessTokenMissing, "not-set", 0.9, xs, "The request carried no Authorization header.")
			case a.o.Accepted:
				// expiredAccess judged it; a 401 that is not expiry is
				// the server's word, not a fact about the client.
			case iss != nil && !iss.At.IsZero() && !cl.At.IsZero() && iss.ExpiresIn > 0:
				age := cl.At.Sub(iss.At)
				life := time.Duration(iss.ExpiresIn) * time.Second
				if age > life {
					a.add(AccessTokenExpired, "expired", 0.98, []int{cl.X, iss.X}, fmt.Sprintf("The token was issued at %s with expires_in %d and used at %s, %s later.", Clock(iss.At), iss.ExpiresIn, Clock(cl.At), age.Round(time.Second)))
				} else {
					a.add(AccessTokenInvalid, "", 0.7, []int{cl.X, iss.X}, fmt.Sprintf("The token was issued at %s with expires_in %d and was only %s old: not expiry. It was damaged, revoked or sent to the wrong service.", Clock(iss.At), iss.ExpiresIn, age.Round(time.Second)))
				}
			}
		case 403:
			if strings.Contains(cl.Body, "Insufficient client scope") {
				a.scope(cl, iss)
			}
		}
	}
}

// tokenIssuing is the token answer that issued an access token, unless
// that answer was an injected fault's.
func (a *analysis) tokenIssuing(access string) *Token {
	if t := a.f.TokenIssuing(access); t != nil && !a.injected(t.X) {
		return t
	}
	return nil
}

// expiredAccess judges any call, whatever its answer, that presented an
// access token past its expiry: the Issuer's, else the issuing answer's
// expires_in (Options.Accepted).
func (a *analysis) expiredAccess(cl *Call) {
	if cl.Token == "" || cl.At.IsZero() {
		return
	}
	iss := a.tokenIssuing(cl.Token)
	var exp time.Time
	if a.o.Issuer != nil {
		exp, _ = a.o.Issuer.AccessExpiry(cl.Token)
	}
	if exp.IsZero() && iss != nil && !iss.At.IsZero() && iss.ExpiresIn > 0 {
		exp = iss.At.Add(time.Duration(iss.ExpiresIn) * time.Second)
	}
	if exp.IsZero() || cl.At.Before(exp) {
		return
	}
	xs, issued := []int{cl.X}, "before these exchanges"
	if iss != nil {
		xs, issued = append(xs, iss.X), "at "+Clock(iss.At)
	}
	a.emit(Finding{ID: AccessTokenExpired, Cause: "expired", Confidence: 0.98, Exchanges: xs, Expiry: exp,
		Facts: []string{fmt.Sprintf("The token was issued %s, expired at %s and was used at %s, %s later.", issued, Clock(exp), Clock(cl.At), cl.At.Sub(exp).Round(time.Second))}})
}

func (a *analysis) scope(cl *Call, iss *Token) {
	path := pathOnly(cl.Path)
	needs, ok := wire.ScopesFor(cl.Method, path)
	var facts []string
	cause := ""
	if ok {
		facts = append(facts, fmt.Sprintf("%s %s needs %s.", cl.Method, path, wire.DescribeNeeds(needs)))
	}
	var requested []string
	xs := []int{cl.X}
	if iss != nil {
		xs = append(xs, iss.X)
		granted := wire.ParseScope(iss.GrantedScope)
		if auth := a.f.AuthForToken(iss); auth != nil {
			requested = wire.ParseScope(auth.Scope)
			facts = append(facts, "Requested at /authorize ("+Clock(auth.At)+"): "+scopeList(requested)+".")
		}
		if iss.HasScope {
			facts = append(facts, "Granted in the token response ("+Clock(iss.At)+"): "+scopeList(granted)+".")
		}
		if ok {
			switch {
			case len(wire.MissingScopes(needs, requested)) > 0 && len(a.f.Auths) > 0:
				cause = "not-requested"
				facts = append(facts, "The authorize request never asked for "+wire.DescribeNeeds(wire.MissingScopes(needs, requested))+".")
			case iss.HasScope && len(wire.MissingScopes(needs, granted)) > 0:
				cause = "stale-token"
				facts = append(facts, "It was requested but the token used does not carry it: the token predates the scope change (refreshing keeps the original scopes).")
			}
		}
	} else if ok && len(a.f.Auths) > 0 {
		requested = wire.ParseScope(a.f.Auths[len(a.f.Auths)-1].Scope)
		if m := wire.MissingScopes(needs, requested); len(m) > 0 {
			cause = "not-requested"
			facts = append(facts, "The last authorize request asked for "+scopeList(requested)+", not "+wire.DescribeNeeds(m)+".")
		} else {
			cause = "stale-token"
			facts = append(facts, "The scope is requested now, but the token used is not from this file's login: an older token without it.")
		}
	}
	a.add(ScopeInsufficient, cause, 0.98, xs, facts...)
}

func scopeList(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	return strings.Join(s, " ")
}

// limited is one request of a bucket; for a 429, early are the requests
// of its bucket sent after it was answered but before its Retry-After had
// passed.
type limited struct {
	x              int
	at             time.Time
	is429, token   bool // token: the token endpoint's bucket
	ra, body, path string
	until          time.Time
	early          []*limited
}

// rateLimits reads each 429: its Retry-After (delta-seconds or an
// HTTP-date), and whether a request of the same bucket was sent after it
// was answered and before Retry-After had passed. Spotify's Web API limit
// is per app, a rolling window over all of its calls (wire reference), so
// a 429 holds every Web API call, not only the path refused; the token
// endpoint is a bucket of its own. A 429 without a usable Retry-After
// leaves the one before it in force.
func (a *analysis) rateLimits() {
	api := make([]limited, 0, len(a.f.Calls))
	for _, cl := range a.f.Calls {
		api = append(api, limited{x: cl.X, at: cl.At, is429: cl.Status == 429, ra: cl.RetryAfter, body: cl.Body, path: pathOnly(cl.Path)})
	}
	var tok []limited
	for _, t := range a.f.Tokens {
		tok = append(tok, limited{x: t.X, at: t.At, is429: t.Status == 429, ra: t.RetryAfter, path: "/api/token", token: true})
	}
	var found []*limited
	for _, bucket := range [][]limited{api, tok} {
		var active *limited
		for k := range bucket {
			r := &bucket[k]
			if active != nil && !r.at.IsZero() && r.at.Before(active.until) && a.sentAfter(active.x, r.x) {
				active.early = append(active.early, r)
			}
			if !r.is429 {
				continue
			}
			found = append(found, r)
			if d, ok := wire.ParseRetryAfter(r.ra, r.at); ok && !r.at.IsZero() {
				r.until, active = r.at.Add(d), r
			}
		}
	}
	slices.SortStableFunc(found, func(p, q *limited) int { return p.x - q.x })
	for _, r := range found {
		a.rateLimited(r)
	}
}

// sentAfter reports whether exchange j was sent after exchange i had been
// answered (Options.SentAfter; without it, whenever j comes after i).
func (a *analysis) sentAfter(i, j int) bool {
	if a.o.SentAfter != nil {
		return a.o.SentAfter(i, j)
	}
	return j > i
}

// rateLimited words one 429.
func (a *analysis) rateLimited(r *limited) {
	var facts []string
	cause := "burst"
	xs := []int{r.x}
	secs, err := strconv.Atoi(strings.TrimSpace(r.ra))
	switch {
	case r.ra == "":
		facts = append(facts, "The 429 carries no Retry-After header; back off exponentially.")
	case err == nil:
		wait := fmt.Sprintf("Retry-After: %d seconds.", secs)
		if secs >= 120 {
			wait = fmt.Sprintf("Retry-After: %d seconds (%s).", secs, time.Duration(secs)*time.Second)
		}
		facts = append(facts, wait)
		if secs >= 3600 {
			cause = "quota"
			facts = append(facts, "A wait of an hour or more points at a quota block rather than a burst.")
		}
	case !r.until.IsZero():
		facts = append(facts, fmt.Sprintf("Retry-After: %s (%s from the answer).", strings.TrimSpace(r.ra), r.until.Sub(r.at).Round(time.Second)))
	}
	if len(r.early) > 0 {
		cause = "ignores-retry-after"
		first := r.early[0]
		what := fmt.Sprintf("The client called %s %s later, before Retry-After had passed: the limit holds all of the app's Web API calls.", first.path, first.at.Sub(r.at).Round(time.Millisecond))
		if r.token {
			what = fmt.Sprintf("The client sent another token request %s later, before Retry-After had passed.", first.at.Sub(r.at).Round(time.Millisecond))
		}
		facts = append(facts, what)
		if n := len(r.early) - 1; n > 0 {
			facts = append(facts, fmt.Sprintf("%d more followed before it had passed.", n))
		}
		for _, e := range r.early {
			xs = append(xs, e.x)
		}
	}
	if strings.Contains(r.body, "QUOTA_EXCEEDED") {
		cause = "quota"
	}
	a.add(RateLimited, cause, 0.97, xs, facts...)
}

func isUserPath(p string) bool {
	return p == "/v1/me" || strings.HasPrefix(p, "/v1/me/") || strings.HasPrefix(p, "/v1/me?")
}
