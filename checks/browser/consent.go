package browser

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/proto"
)

// Selectors of Spotify's login and consent pages (wire reference §1.5); the
// fake serves the same ids so one driver works on both.
const (
	SelectorUsername    = "#login-username"
	SelectorPassword    = "#login-password"
	SelectorLoginButton = "#login-button"
	SelectorLoginError  = `[data-testid="login-error"], #login-error`
	SelectorAccept      = `button[data-testid="auth-accept"], #auth-accept`
	SelectorCancel      = `button[data-testid="auth-cancel"], #auth-cancel`
	SelectorErrorPage   = "#error-message"
)

// DefaultTimeout bounds one consent flow, from navigation to the callback.
const DefaultTimeout = 20 * time.Second

// Shot is a PNG of a page the driver acted on, with its visible text.
// Callers redact URL and Text before storing them.
type Shot struct {
	Name string
	URL  string
	PNG  []byte
	Text string
}

// ConsentOptions describe one trip through the authorization pages.
type ConsentOptions struct {
	AuthorizeURL string
	// RedirectURI is the app's redirect_uri as sent: the navigation to it
	// is caught by request hijacking, so no callback server is needed.
	RedirectURI        string
	Username, Password string
	Approve            bool
	Timeout            time.Duration
}

// Consent is how a trip ended: at the app's redirect URI (CallbackURL), or
// on an accounts page that did not let the browser go on (PageText, for
// example "INVALID_CLIENT: Invalid redirect URI").
type Consent struct {
	CallbackURL string
	PageText    string
	Actions     []string // what the driver did, in order: "login", "approve", "deny"
	Shots       []Shot
	// Navigations are the page loads of the trip (top-level documents),
	// in the order they started, ending with the caught redirect. They are
	// NOT redacted: the login form's body holds the password.
	Navigations []Navigation
}

// Navigation is one top-level document request the browser made, as the
// DevTools protocol reports it. Cookie headers are left out: they are the
// login session.
type Navigation struct {
	Started         time.Time
	Duration        time.Duration
	Method          string
	URL             string
	RequestHeaders  http.Header
	RequestBody     string
	Status          int // 0: no response (see Error)
	ResponseHeaders http.Header
	ResponseBody    string // only for the caught redirect: what the driver answered
	Error           string
	// Caught marks the navigation to the redirect URI, answered by the
	// driver (the app's page is never loaded).
	Caught bool
}

// TimeoutError says which page elements the driver was still waiting for,
// on which URL, with a screenshot of what was showing.
type TimeoutError struct {
	Waiting []string
	URL     string
	Shot    *Shot
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("timed out waiting for %s on %s", strings.Join(e.Waiting, " or "), e.URL)
}

// ErrLoginFailed is returned when the login page refuses the credentials.
var ErrLoginFailed = errors.New("login refused")

// Session is an incognito browser context: its own cookies, so one
// scenario's login never leaks into another's. Its trips share one tab,
// like a user who comes back to the same window (opening a tab costs
// Chromium more than a whole trip on a busy machine), so Consent calls on
// one Session must not overlap.
type Session struct {
	b *rod.Browser

	page   *rod.Page // opened on the first trip
	stop   context.CancelFunc
	router *rod.HijackRouter

	mu   sync.Mutex
	trip *trip // the Consent call in progress
}

// trip is what the tab's hijack handler and event listeners feed while
// one Consent call runs.
type trip struct {
	log      *navLog
	callback chan string
}

// NewSession opens an incognito context.
func (b *Browser) NewSession() (*Session, error) {
	inc, err := b.Browser.Incognito()
	if err != nil {
		return nil, fmt.Errorf("open incognito context: %w", err)
	}
	return &Session{b: inc}, nil
}

// Close discards the context and its cookies.
func (s *Session) Close() error {
	if s.page != nil {
		s.stop()
		_ = s.router.Stop()
		_ = s.page.Close()
	}
	return s.b.Close()
}

// open opens the session's tab with one hijack router and one set of event
// listeners for all its trips: routers and listeners set up per trip on a
// shared tab would race to switch the Fetch and Network domains off and on.
func (s *Session) open() error {
	if s.page != nil {
		return nil
	}
	p, err := s.b.Page(proto.TargetCreateTarget{URL: "about:blank"})
	if err != nil {
		return fmt.Errorf("open page: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p = p.Context(ctx)
	router := p.HijackRequests()
	if err := router.Add("*", proto.NetworkResourceTypeDocument, s.hijack); err != nil {
		cancel()
		_ = p.Close()
		return fmt.Errorf("hijack navigations: %w", err)
	}
	go router.Run()
	wait := p.EachEvent(
		func(e *proto.NetworkRequestWillBeSent) { s.withLog(func(l *navLog) { l.willBeSent(e) }) },
		func(e *proto.NetworkResponseReceived) { s.withLog(func(l *navLog) { l.responseReceived(e) }) },
		func(e *proto.NetworkLoadingFailed) { s.withLog(func(l *navLog) { l.loadingFailed(e) }) },
	)
	go wait()
	s.page, s.stop, s.router = p, cancel, router
	return nil
}

func (s *Session) current() *trip {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.trip
}

func (s *Session) withLog(f func(*navLog)) {
	if t := s.current(); t != nil {
		f(t.log)
	}
}

// hijack catches the redirect: the first top-level navigation whose URL
// without query and fragment is the redirect URI. The app's page is never
// loaded, so no callback server is needed. Every other navigation goes on.
func (s *Session) hijack(h *rod.Hijack) {
	u := h.Request.URL().String()
	t := s.current()
	if t == nil || !t.log.isRedirect(u) {
		h.ContinueRequest(&proto.FetchContinueRequest{})
		return
	}
	h.Response.SetHeader("Content-Type", caughtType)
	h.Response.SetBody(caughtBody)
	t.log.caught(h.Request.Method(), u)
	select {
	case t.callback <- u:
	default:
	}
}

// Consent drives the pages: it logs in when the login page shows, approves
// or denies on the consent page, and stops at the redirect to the app or at
// an error page. It never waits longer than the timeout.
func (s *Session) Consent(ctx context.Context, o ConsentOptions) (*Consent, error) {
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	if err := s.open(); err != nil {
		return nil, err
	}
	page := s.page.Context(ctx)

	res := &Consent{}
	t := &trip{log: newNavLog(o.RedirectURI), callback: make(chan string, 1)}
	s.mu.Lock()
	s.trip = t
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.trip = nil
		s.mu.Unlock()
		res.Navigations = t.log.list()
	}()
	callback := t.callback
	log := t.log

	d := &driver{page: page, opts: o, res: res}
	if err := page.Navigate(o.AuthorizeURL); err != nil {
		if ctx.Err() != nil {
			// The deadline passed while the first page was loading: that
			// is the timeout the caller set, not a browser failure.
			return res, d.timeout()
		}
		return res, fmt.Errorf("open %s: %w", redactQuery(o.AuthorizeURL), err)
	}
	err := d.run(ctx, callback)
	if err == nil && res.CallbackURL != "" {
		// The redirect that led here is reported on its own event; give it
		// a moment so the log shows its status.
		select {
		case <-log.settled:
		case <-time.After(time.Second):
		}
	}
	return res, err
}

// What the driver answers the caught redirect with.
const (
	caughtType = "text/html; charset=utf-8"
	caughtBody = "<!DOCTYPE html><title>callback</title><p>spotcheck caught the redirect to the app.</p>"
)

// navLog collects the top-level navigations of one trip from DevTools
// events, which arrive on their own goroutine.
type navLog struct {
	redirect string // the redirect URI without query and fragment

	mu       sync.Mutex
	navs     []Navigation
	open     map[proto.NetworkRequestID]int // request id -> index of its latest navigation
	settled  chan struct{}
	isClosed bool
}

func newNavLog(redirectURI string) *navLog {
	return &navLog{redirect: stripQuery(redirectURI), open: map[proto.NetworkRequestID]int{}, settled: make(chan struct{})}
}

func stripQuery(raw string) string {
	base, _, _ := strings.Cut(raw, "#")
	base, _, _ = strings.Cut(base, "?")
	return base
}

func (l *navLog) isRedirect(u string) bool { return stripQuery(u) == l.redirect }

func (l *navLog) list() []Navigation {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Navigation(nil), l.navs...)
}

func (l *navLog) willBeSent(e *proto.NetworkRequestWillBeSent) {
	if e.Type != proto.NetworkResourceTypeDocument || e.Request == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// A redirect reuses the request id: the response that redirected
	// comes with the next request.
	if i, ok := l.open[e.RequestID]; ok && e.RedirectResponse != nil {
		l.finish(i, e.RedirectResponse)
		delete(l.open, e.RequestID)
	}
	u := e.Request.URL + e.Request.URLFragment
	if l.isRedirect(u) {
		// The hijack handler records it, with what the driver answered.
		if !l.isClosed {
			l.isClosed = true
			close(l.settled)
		}
		return
	}
	l.navs = append(l.navs, Navigation{Started: time.Now(), Method: e.Request.Method, URL: u,
		RequestHeaders: headersOf(e.Request.Headers), RequestBody: e.Request.PostData})
	l.open[e.RequestID] = len(l.navs) - 1
}

func (l *navLog) responseReceived(e *proto.NetworkResponseReceived) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i, ok := l.open[e.RequestID]; ok && e.Response != nil {
		l.finish(i, e.Response)
		delete(l.open, e.RequestID)
	}
}

func (l *navLog) loadingFailed(e *proto.NetworkLoadingFailed) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i, ok := l.open[e.RequestID]; ok {
		l.navs[i].Error = e.ErrorText
		l.navs[i].Duration = time.Since(l.navs[i].Started)
		delete(l.open, e.RequestID)
	}
}

func (l *navLog) finish(i int, r *proto.NetworkResponse) {
	l.navs[i].Status = r.Status
	l.navs[i].ResponseHeaders = headersOf(r.Headers)
	l.navs[i].Duration = time.Since(l.navs[i].Started)
}

func (l *navLog) caught(method, u string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := http.Header{}
	h.Set("Content-Type", caughtType)
	l.navs = append(l.navs, Navigation{Started: time.Now(), Method: method, URL: u, Status: http.StatusOK,
		ResponseHeaders: h, ResponseBody: caughtBody, Caught: true})
}

// headersOf converts DevTools headers, leaving the cookies out.
func headersOf(h proto.NetworkHeaders) http.Header {
	out := http.Header{}
	for k, v := range h {
		if strings.EqualFold(k, "Cookie") || strings.EqualFold(k, "Set-Cookie") {
			continue
		}
		for _, line := range strings.Split(v.Str(), "\n") {
			out.Add(k, line)
		}
	}
	return out
}

type driver struct {
	page     *rod.Page
	opts     ConsentOptions
	res      *Consent
	loggedIn bool
	decided  bool
}

// pollInterval is how often the driver looks at the page; the pages are
// plain forms, so there is no event that says "ready" across both sites.
const pollInterval = 50 * time.Millisecond

func (d *driver) run(ctx context.Context, callback <-chan string) error {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		select {
		case u := <-callback:
			d.res.CallbackURL = u
			return nil
		case <-ctx.Done():
			return d.timeout()
		case <-tick.C:
			done, err := d.step()
			if err != nil && ctx.Err() != nil {
				// A fill or click cut short by the deadline.
				return d.timeout()
			}
			if done || err != nil {
				return err
			}
		}
	}
}

// step acts on whatever page shows; it reports done when the flow ended on
// a page (an error page or a refused login).
func (d *driver) step() (bool, error) {
	switch {
	case d.has(SelectorErrorPage) || d.isSpotifyErrorPage():
		d.shot("error-page")
		d.res.PageText = d.text()
		return true, nil
	case d.has(SelectorLoginError) && d.loggedIn:
		d.shot("login-refused")
		return true, fmt.Errorf("%w: %s", ErrLoginFailed, d.textOf(SelectorLoginError))
	case d.has(SelectorUsername) && !d.loggedIn:
		d.shot("login")
		if err := d.fill(SelectorUsername, d.opts.Username); err != nil {
			return false, err
		}
		if err := d.fill(SelectorPassword, d.opts.Password); err != nil {
			return false, err
		}
		d.loggedIn = true
		d.res.Actions = append(d.res.Actions, "login")
		return false, d.click(SelectorLoginButton)
	case d.has(SelectorAccept) && !d.decided:
		d.shot("consent")
		d.decided = true
		if d.opts.Approve {
			d.res.Actions = append(d.res.Actions, "approve")
			return false, d.click(SelectorAccept)
		}
		d.res.Actions = append(d.res.Actions, "deny")
		return false, d.click(SelectorCancel)
	}
	return false, nil
}

// isSpotifyErrorPage recognises accounts.spotify.com's one-line error
// pages, which carry no element id: "Error - Spotify" in the title.
func (d *driver) isSpotifyErrorPage() bool {
	return strings.HasPrefix(d.eval("() => document.title"), "Error") && !d.has(SelectorUsername)
}

// eval runs a JS expression on the page's own context (Page.Info would use
// the browser's, which has expired once the flow timed out).
func (d *driver) eval(js string) string {
	res, err := d.page.Eval(js)
	if err != nil {
		return ""
	}
	return res.Value.Str()
}

func (d *driver) has(selector string) bool {
	ok, _, err := d.page.Has(selector)
	return err == nil && ok
}

func (d *driver) fill(selector, value string) error {
	el, err := d.page.Element(selector)
	if err != nil {
		return fmt.Errorf("find %s: %w", selector, err)
	}
	if err := el.SelectAllText(); err == nil {
		_ = el.Input("")
	}
	if err := el.Input(value); err != nil {
		return fmt.Errorf("type into %s: %w", selector, err)
	}
	return nil
}

func (d *driver) click(selector string) error {
	el, err := d.page.Element(selector)
	if err != nil {
		return fmt.Errorf("find %s: %w", selector, err)
	}
	if err := el.Click(proto.InputMouseButtonLeft, 1); err != nil {
		return fmt.Errorf("click %s: %w", selector, err)
	}
	return nil
}

func (d *driver) text() string { return d.textOf("body") }

func (d *driver) textOf(selector string) string {
	el, err := d.page.Element(selector)
	if err != nil {
		return ""
	}
	t, err := el.Text()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(t)
}

func (d *driver) currentURL() string { return d.eval("() => location.href") }

func (d *driver) shot(name string) *Shot {
	png, err := d.page.Screenshot(true, nil)
	if err != nil {
		return nil
	}
	s := Shot{Name: name, URL: d.currentURL(), PNG: png, Text: d.text()}
	d.res.Shots = append(d.res.Shots, s)
	return &d.res.Shots[len(d.res.Shots)-1]
}

// timeout names what the driver was waiting for next, on a fresh context
// (the flow's own has expired), and keeps a screenshot.
func (d *driver) timeout() error {
	p := d.page.Context(context.Background()).Timeout(5 * time.Second)
	saved := d.page
	d.page = p
	defer func() { d.page = saved }()
	var waiting []string
	switch {
	case !d.loggedIn:
		waiting = []string{SelectorUsername, SelectorAccept, "the redirect to " + d.opts.RedirectURI}
	case !d.decided:
		waiting = []string{SelectorAccept, "the redirect to " + d.opts.RedirectURI}
	default:
		waiting = []string{"the redirect to " + d.opts.RedirectURI}
	}
	at := d.currentURL()
	if at == "" || at == "about:blank" {
		// Still loading the first page: that page is what it waited on.
		at = d.opts.AuthorizeURL
	}
	return &TimeoutError{Waiting: waiting, URL: redactQuery(at), Shot: d.shot("timeout")}
}

// redactQuery drops a URL's query from an error message: it may carry a
// code or state the caller has not redacted yet.
func redactQuery(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	if u.RawQuery != "" {
		u.RawQuery = "…"
	}
	u.Fragment = ""
	return u.String()
}
