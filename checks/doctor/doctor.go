// Package doctor examines a Spotify app's configuration — client id and
// secret, redirect URIs, scopes, the OAuth flow, a token cache and the
// repository around it — and reports every problem it finds once, with the
// evidence it saw and the exact fix. Online checks go through the
// recording client (checks.Client) to real Spotify or to a fake; offline
// checks read only the configuration and the files.
//
// Checks depend on each other on purpose: a value with a fixable defect
// (whitespace, quotes, a Basic prefix, id and secret swapped) is repaired
// before the online checks use it, and an online answer that confirms an
// offline finding is added to that finding's evidence instead of being
// reported again. So one root cause gives one finding.
package doctor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/browser"
	"github.com/spotcheck/spotcheck/checks/explain"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Flow is the OAuth flow the app uses.
type Flow string

const (
	// FlowCode is the authorization code flow of a confidential client
	// (a server that keeps the secret).
	FlowCode Flow = "code"
	// FlowPKCE is the authorization code flow with PKCE of a public client.
	FlowPKCE Flow = "pkce"
	// FlowClientCredentials is app-only access, no user.
	FlowClientCredentials Flow = "client-credentials"
	// FlowImplicit is the implicit grant (response_type=token), which
	// Spotify removed on 2025-11-27; accepted so it can be diagnosed.
	FlowImplicit Flow = "implicit"
)

// ParseFlow reads --flow. "token" is taken for the implicit grant, as its
// response_type spells it.
func ParseFlow(s string) (Flow, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "code", "authorization-code", "authorization_code":
		return FlowCode, nil
	case "pkce":
		return FlowPKCE, nil
	case "client-credentials", "client_credentials":
		return FlowClientCredentials, nil
	case "implicit", "token":
		return FlowImplicit, nil
	}
	return "", fmt.Errorf("%q: want code, pkce or client-credentials", s)
}

func (f Flow) needsSecret() bool { return f == FlowCode || f == FlowClientCredentials }
func (f Flow) hasUser() bool     { return f != FlowClientCredentials }

// Options are everything a doctor run looks at.
type Options struct {
	// Credentials are the resolved client id, secret, redirect URIs,
	// scopes and test account (checks.ResolveCredentials).
	Credentials *checks.Credentials
	Flow        Flow
	// AuthorizeURL is an authorize URL the app built, as its log or the
	// browser's address bar shows it: its response_type, code_challenge
	// and, when not configured otherwise, client_id, redirect_uri and
	// scope are checked too.
	AuthorizeURL string
	// CodeVerifier and CodeChallenge are a PKCE pair the app produced.
	CodeVerifier, CodeChallenge string
	// Uses are the Web API endpoints the app calls ("GET /v1/me/top/artists"
	// or just the path), for the scope checks.
	Uses []string
	// TokenCache is the path of a spotipy or spotcheck token cache.
	TokenCache string
	// NoScan says the user turned the scan off (--no-scan), which the
	// skipped checks say instead of guessing why there is no ScanDir.
	NoScan bool
	// ScanDir is the directory to scan for committed secrets ("" = none);
	// ScanExclude are slash-separated globs of files to leave out;
	// ScanHistory is how many commits of history to scan too.
	ScanDir     string
	ScanExclude []string
	ScanHistory int
	// Full runs a complete authorization through the browser.
	Full bool

	// Target is where online checks go; nil runs the offline checks only.
	Target *checks.Target
	// Client tunes the recording client (TLS roots, proxy, timeout); its
	// base URLs and redaction set are filled in from the target.
	Client checks.ClientConfig
	// Now is the local clock (time.Now if nil): clock skew is measured
	// against it.
	Now func() time.Time
	// Log receives debug lines (redacted exchanges, check outcomes).
	Log zerolog.Logger
	// Git is the git command (default "git").
	Git string
	// Browser starts Chromium for --full (default browser.LaunchWith).
	Browser func(ctx context.Context, o browser.LaunchOptions) (*browser.Browser, error)
	// Version is recorded in the result.
	Version string
}

// InputError is bad input: a token cache that cannot be read, an
// endpoint that is not one, an authorize URL that does not parse. It
// names the file (with line and column) or the flag, never a value that
// could be secret. Commands exit 2 on it.
type InputError struct {
	File      string // file or flag
	Line, Col int
	Field     string
	Msg       string
	Err       error
}

func (e *InputError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e *InputError) Unwrap() error { return e.Err }

// Run runs every check that the options allow and returns the findings.
// The error is an *InputError (bad input), an error matching
// checks.ErrUnreachable (the target cannot be reached; the cause is in
// the message), or browser.ErrNoChromium for --full without Chromium.
//
// When ctx is cancelled (the user pressed Ctrl-C), Run stops at once and
// returns what ran with an error matching context.Canceled: the check
// that was running and every later one are skipped as NotRun, since a
// check cut short has no answer.
func Run(ctx context.Context, o Options) (*checks.FindingsResult, error) {
	r, err := newRunner(ctx, o)
	if err != nil {
		return nil, err
	}
	defer r.close()
	for _, c := range r.plan() {
		if r.fatal != nil {
			break
		}
		if ctx.Err() != nil {
			r.outcomes = append(r.outcomes, checks.CheckOutcome{ID: c.id, Group: c.group, Title: c.title, Status: checks.StatusSkip, Message: NotRun})
			continue
		}
		r.run(c)
	}
	if r.fatal != nil {
		return nil, r.fatal
	}
	if err := ctx.Err(); err != nil {
		return r.result(), fmt.Errorf("doctor interrupted: %w", err)
	}
	return r.result(), nil
}

// NotRun is the message of a check that an interruption skipped.
const NotRun = "not run: interrupted"

// check is one step of the plan.
type check struct {
	id, group, title string
	fn               func(*checkRun)
}

func (r *runner) plan() []check {
	return []check{
		{"reachability", GroupEnvironment, "the accounts service and the Web API answer", (*checkRun).reachability},
		{"clock-skew", GroupEnvironment, "the local clock agrees with the server's Date header", (*checkRun).clockSkew},
		{"credentials-present", GroupCredentials, "a client id (and, for the flow, a secret) is configured", (*checkRun).credentialsPresent},
		{"credential-format", GroupCredentials, "client id and secret are bare 32-hex values", (*checkRun).credentialFormat},
		{"client-authentication", GroupClientAuth, "Spotify accepts the client id and secret (client-credentials grant)", (*checkRun).clientAuthentication},
		{"client-id-known", GroupClientAuth, "Spotify knows the client id (public clients, at /authorize)", (*checkRun).clientIDKnown},
		{"app-token-api", GroupClientAuth, "the Web API accepts an app token (owner Premium for development mode)", (*checkRun).appTokenAPI},
		{"redirect-uri-rules", GroupRedirects, "redirect URIs follow Spotify's 2025 rules", (*checkRun).redirectRules},
		{"redirect-uri-registered", GroupRedirects, "every redirect URI is registered for the app", (*checkRun).redirectRegistered},
		{"scope-names", GroupScopes, "every scope is one Spotify accepts", (*checkRun).scopeNames},
		{"scope-accepted", GroupScopes, "/authorize accepts the scope list", (*checkRun).scopeAccepted},
		{"scope-endpoints", GroupScopes, "the scopes cover the endpoints the app uses (--uses)", (*checkRun).scopeEndpoints},
		{"response-type", GroupFlow, "the flow is one Spotify still supports", (*checkRun).responseType},
		{"pkce-pair", GroupFlow, "the PKCE challenge is base64url(SHA-256(verifier)) without padding", (*checkRun).pkcePair},
		{"public-client-secret", GroupFlow, "a public (PKCE) client holds no secret", (*checkRun).publicClientSecret},
		{"app-token-endpoints", GroupFlow, "an app-only flow calls no user endpoint", (*checkRun).appTokenEndpoints},
		{"token-cache-client", GroupTokenCache, "the token cache belongs to this client id", (*checkRun).tokenCacheClient},
		{"access-token-expiry", GroupTokenCache, "the cached access token is still valid", (*checkRun).accessTokenExpiry},
		{"refresh-token-present", GroupTokenCache, "the cache keeps its refresh token", (*checkRun).refreshTokenPresent},
		{"refresh-token-age", GroupTokenCache, "the refresh token is within its 6-month lifetime", (*checkRun).refreshTokenAge},
		{"refresh-token", GroupTokenCache, "the refresh token refreshes", (*checkRun).refreshToken},
		{"cached-scope", GroupTokenCache, "the token was granted every scope the app requests", (*checkRun).cachedScope},
		{"web-api-user", GroupUserToken, "GET /v1/me works with the user's token", (*checkRun).webAPIUser},
		{"me-fields", GroupUserToken, "GET /v1/me has the fields the scopes promise", (*checkRun).meFields},
		{"token-cache-storage", GroupStorage, "the token cache is private, not committed and not served", (*checkRun).tokenCacheStorage},
		{"secret-scan", GroupSecrets, "no secret in the files git tracks or would commit", (*checkRun).secretScan},
		{"secret-history", GroupSecrets, "no secret in recent git history", (*checkRun).secretHistory},
		{"full-flow", GroupFull, "a browser authorization ends at /v1/me (--full)", (*checkRun).fullFlow},
	}
}

// runner holds one doctor run: its inputs, the recording client, the
// findings so far and what checks learned for later ones.
type runner struct {
	ctx    context.Context
	o      Options
	now    func() time.Time
	set    *redact.Set
	cat    *explain.Catalog
	client *checks.Client
	log    zerolog.Logger
	git    string
	start  time.Time

	outcomes []checks.CheckOutcome
	findings []*checks.Finding
	subjects map[string]*checks.Finding
	fatal    error

	cred      creds
	uris      []redirectState
	probeURI  string // a registered spelling found by probing variants
	scopes    scopeState
	uses      []usedEndpoint
	authURL   *authorizeURL
	cache     *TokenCache
	user      userState
	skew      *time.Duration
	date      *dateSample
	scanHits  map[string]*checks.Finding // file + secret → tree finding, for history folding
	scanTotal int
}

func newRunner(ctx context.Context, o Options) (*runner, error) {
	if o.Credentials == nil {
		o.Credentials = &checks.Credentials{}
	}
	if o.Flow == "" {
		o.Flow = FlowCode
	}
	r := &runner{ctx: ctx, o: o, now: o.Now, set: o.Client.Redact, cat: explain.Default(), log: o.Log,
		git: o.Git, subjects: map[string]*checks.Finding{}}
	if r.now == nil {
		r.now = time.Now
	}
	if r.set == nil {
		r.set = &redact.Set{}
	}
	if r.git == "" {
		r.git = "git"
	}
	r.start = r.now()
	o.Credentials.RegisterSecrets(r.set)
	r.set.Add(o.CodeVerifier)

	// Bad input stops the run before anything is sent.
	if o.AuthorizeURL != "" {
		a, err := parseAuthorizeURL(o.AuthorizeURL)
		if err != nil {
			return nil, err
		}
		r.authURL = a
	}
	uses, err := parseUses(o.Uses)
	if err != nil {
		return nil, err
	}
	r.uses = uses
	if o.TokenCache != "" {
		tc, err := ReadTokenCache(o.TokenCache)
		if err != nil {
			return nil, err
		}
		r.cache = tc
		r.set.Add(tc.AccessToken, tc.RefreshToken)
	}
	if o.Full && o.Target != nil && o.Target.Kind == checks.TargetSpotify && !o.Credentials.TestUsername.IsSet() {
		return nil, &InputError{File: "--full", Msg: "against real Spotify it needs a test account: set " + checks.EnvTestUsername + " and " + checks.EnvTestPassword}
	}
	r.cred = analyzeCredentials(o.Credentials, o.Flow, r.set)
	r.uris = r.redirectInputs()
	r.scopes = r.scopeInputs()

	if o.Target != nil {
		cfg := o.Client
		cfg.AccountsURL = o.Target.AccountsURL
		cfg.APIURL = o.Target.APIBase()
		cfg.Redact = r.set
		if cfg.Now == nil {
			cfg.Now = r.now
		}
		var valid []string
		for _, u := range r.uris {
			if u.parsed != nil && u.parsed.Host != "" {
				valid = append(valid, u.raw)
			}
		}
		cfg.RedirectURIs = valid
		c, err := checks.NewClient(cfg)
		if err != nil {
			return nil, &InputError{File: "--target", Msg: err.Error()}
		}
		r.client = c
	}
	return r, nil
}

func (r *runner) close() {
	if r.client != nil {
		r.client.Close()
	}
}

func (r *runner) online() bool { return r.client != nil }

// run executes one check and records its outcome.
func (r *runner) run(c check) {
	cr := &checkRun{r: r, check: c}
	t0 := time.Now()
	c.fn(cr)
	out := checks.CheckOutcome{ID: c.id, Group: c.group, Title: c.title, Details: cr.details, Duration: time.Since(t0)}
	switch {
	case r.ctx.Err() != nil:
		// Cut short: what it found so far is kept, its verdict is not
		// (an "unreachable" target may only be the cancelled request).
		r.fatal = nil
		out.Status, out.Message = checks.StatusSkip, NotRun
	case r.fatal != nil:
		return
	case cr.errMsg != "":
		out.Status, out.Message = checks.StatusError, cr.errMsg
	case cr.skipped != "":
		out.Status, out.Message = checks.StatusSkip, cr.skipped
	default:
		out.Status = checks.StatusPass
		for _, f := range cr.added {
			if f.Severity.AtLeast(checks.SeverityWarning) {
				out.Status = checks.StatusFail
			}
		}
		out.Message = strings.Join(cr.notes, "; ")
	}
	r.outcomes = append(r.outcomes, out)
}

// result finishes the run: every text is scrubbed once more with the final
// secret set, because a value can turn out to be secret after it was
// written down (a client id that is really the secret).
func (r *runner) result() *checks.FindingsResult {
	res := &checks.FindingsResult{Kind: "doctor", Version: r.o.Version, Started: r.start,
		Duration: r.now().Sub(r.start), Checks: r.outcomes, Findings: []checks.Finding{}}
	if r.o.Target != nil {
		res.Target = r.o.Target.Info()
	}
	res.Subject = r.set.String(subject(r.cred.id.clean, r.o.Credentials.ClientID))
	for i := range res.Checks {
		res.Checks[i].Message = r.set.String(res.Checks[i].Message)
		for j, d := range res.Checks[i].Details {
			res.Checks[i].Details[j] = r.set.String(d)
		}
	}
	for _, f := range r.findings {
		g := *f
		g.Title, g.Fix = r.set.String(g.Title), r.set.String(nameSources(g.Fix, r.o.Credentials))
		g.Evidence = make([]string, len(f.Evidence))
		for i, e := range f.Evidence {
			g.Evidence[i] = r.set.String(e)
		}
		g.Exchanges = make([]wire.Exchange, len(f.Exchanges))
		for i, x := range f.Exchanges {
			g.Exchanges[i] = r.scrubExchange(x)
		}
		res.Findings = append(res.Findings, g)
	}
	for _, c := range res.Checks {
		r.log.Debug().Str("check", c.ID).Str("status", string(c.Status)).Str("message", c.Message).Msg("doctor check")
	}
	return res
}

func (r *runner) scrubExchange(x wire.Exchange) wire.Exchange {
	x.URL = r.set.URL(x.URL)
	x.RequestHeaders = r.set.Header(x.RequestHeaders)
	x.ResponseHeaders = r.set.Header(x.ResponseHeaders)
	x.RequestBody = r.set.Body(x.RequestHeaders.Get("Content-Type"), x.RequestBody)
	x.ResponseBody = r.set.Body(x.ResponseHeaders.Get("Content-Type"), x.ResponseBody)
	x.Error = r.set.String(x.Error)
	return x
}

// checkRun is one check while it runs.
type checkRun struct {
	r *runner
	check
	skipped string
	errMsg  string
	notes   []string
	details []string // one line each, for verbose output and JSON
	added   []*checks.Finding
}

func (c *checkRun) skip(format string, args ...any) { c.skipped = fmt.Sprintf(format, args...) }
func (c *checkRun) fail(format string, args ...any) { c.errMsg = fmt.Sprintf(format, args...) }
func (c *checkRun) note(format string, args ...any) {
	c.notes = append(c.notes, fmt.Sprintf(format, args...))
}

// needOnline skips the check in an offline run.
func (c *checkRun) needOnline() bool {
	if !c.r.online() {
		c.skip("offline: no --target to ask")
		return false
	}
	return true
}

// add records a finding. subject names what it is about ("cred:secret",
// "redirect:2", "scope:openid"); a later check that sees the same problem
// from another angle folds its evidence into it by subject.
func (c *checkRun) add(id ID, subject string, evidence ...string) *checks.Finding {
	d := lookup(id)
	f := &checks.Finding{ID: string(id), Severity: d.Severity, Group: c.group, Check: c.id, Title: d.Title, Fix: d.Fix, Evidence: evidence}
	c.r.findings = append(c.r.findings, f)
	if subject != "" {
		if _, taken := c.r.subjects[subject]; !taken {
			c.r.subjects[subject] = f
		}
	}
	c.added = append(c.added, f)
	return f
}

// fold adds evidence (and exchanges) to the finding already reported for
// subject and reports whether there was one.
func (r *runner) fold(subject string, ex []wire.Exchange, evidence ...string) bool {
	f, ok := r.subjects[subject]
	if !ok {
		return false
	}
	f.Evidence = append(f.Evidence, evidence...)
	f.Exchanges = append(f.Exchanges, ex...)
	return true
}

// has reports whether a finding exists for subject.
func (r *runner) has(subject string) (*checks.Finding, bool) {
	f, ok := r.subjects[subject]
	return f, ok
}

// upgrade folds into subject's finding and, when id is more severe,
// turns the finding into id: the server's verdict beats a local estimate.
func (r *runner) upgrade(subject string, id ID, ex []wire.Exchange, evidence ...string) bool {
	f, ok := r.subjects[subject]
	if !ok {
		return false
	}
	d := lookup(id)
	if !f.Severity.AtLeast(d.Severity) {
		f.ID, f.Severity, f.Title, f.Fix = string(d.ID), d.Severity, d.Title, d.Fix
	}
	f.Evidence = append(f.Evidence, evidence...)
	f.Exchanges = append(f.Exchanges, ex...)
	return true
}

// do sends a request. A target that cannot be reached ends the whole run
// (exit 3); another transport failure makes this check an error.
func (c *checkRun) do(req checks.Request) (*checks.Response, bool) {
	resp, err := c.r.client.Do(c.r.ctx, req)
	return c.r.handle(c, resp, err)
}

func (c *checkRun) token(t checks.TokenRequest) (*checks.Response, bool) {
	resp, err := c.r.client.Token(c.r.ctx, t)
	return c.r.handle(c, resp, err)
}

func (r *runner) handle(c *checkRun, resp *checks.Response, err error) (*checks.Response, bool) {
	if err != nil {
		var te *checks.TransportError
		if errors.As(err, &te) && errors.Is(err, checks.ErrUnreachable) {
			r.fatal = r.unreachable(te)
		} else {
			c.fail("%s", r.set.String(err.Error()))
		}
		return nil, false
	}
	ex := resp.Exchange
	r.log.Debug().Int("seq", ex.Seq).Str("step", ex.Step).Str("method", ex.Method).Str("url", ex.URL).
		Int("status", ex.Status).Str("body", clip(oneLine(ex.ResponseBody), 400)).Msg("doctor exchange")
	r.noteDate(resp)
	return resp, true
}

// quote shows a redacted exchange in one line: method, path, status and
// the body (an HTML page as its text).
func quote(x wire.Exchange) string {
	target := x.URL
	if i := strings.Index(target, "://"); i >= 0 {
		if j := strings.IndexByte(target[i+3:], '/'); j >= 0 {
			target = target[i+3+j:]
		}
	}
	body := x.ResponseBody
	if strings.Contains(strings.ToLower(x.ResponseHeaders.Get("Content-Type")), "html") {
		body = pageText(body)
	}
	s := fmt.Sprintf("%s %s → HTTP %d", x.Method, clip(target, 160), x.Status)
	if loc := x.ResponseHeaders.Get("Location"); loc != "" && x.Status >= 300 && x.Status < 400 {
		s += " Location: " + clip(loc, 160)
	}
	if b := oneLine(body); b != "" {
		s += " " + clip(b, 300)
	}
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// fp is a value shown as its fingerprint.
func fp(v string) string { return redact.Fingerprint(v) }

// statusText is "HTTP 400" for evidence lines.
func statusText(code int) string { return fmt.Sprintf("HTTP %d %s", code, http.StatusText(code)) }
