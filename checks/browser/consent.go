package browser

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/proto"
)

// Selectors of Spotify's login and consent pages (reference §1.5); the
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
// scenario's login never leaks into another's.
type Session struct {
	b *rod.Browser
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
func (s *Session) Close() error { return s.b.Close() }

// Consent drives the pages: it logs in when the login page shows, approves
// or denies on the consent page, and stops at the redirect to the app or at
// an error page. It never waits longer than the timeout.
func (s *Session) Consent(ctx context.Context, o ConsentOptions) (*Consent, error) {
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	page, err := s.b.Context(ctx).Page(proto.TargetCreateTarget{URL: "about:blank"})
	if err != nil {
		return nil, fmt.Errorf("open page: %w", err)
	}
	defer func() { _ = page.Close() }()

	callback := make(chan string, 1)
	router := page.HijackRequests()
	if err := router.Add(hijackPattern(o.RedirectURI), "", func(h *rod.Hijack) {
		select {
		case callback <- h.Request.URL().String():
		default:
		}
		h.Response.SetHeader("Content-Type", "text/html; charset=utf-8")
		h.Response.SetBody("<!DOCTYPE html><title>callback</title><p>spotcheck caught the redirect to the app.</p>")
	}); err != nil {
		return nil, fmt.Errorf("hijack %s: %w", o.RedirectURI, err)
	}
	go router.Run()
	defer func() { _ = router.Stop() }()

	res := &Consent{}
	if err := page.Navigate(o.AuthorizeURL); err != nil {
		return res, fmt.Errorf("open %s: %w", o.AuthorizeURL, err)
	}
	d := &driver{page: page, opts: o, res: res}
	return res, d.run(ctx, callback)
}

// hijackPattern matches the redirect URI with any query: the callback
// carries code and state after it.
func hijackPattern(redirectURI string) string {
	base, _, _ := strings.Cut(redirectURI, "#")
	base, _, _ = strings.Cut(base, "?")
	return base + "*"
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
	return &TimeoutError{Waiting: waiting, URL: redactQuery(d.currentURL()), Shot: d.shot("timeout")}
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
