// Package ready waits until a fake Spotify, or any HTTP server, answers:
// the readiness check behind `spotcheck wait`, the container image's health
// check and the GitHub Action. It needs no shell, no curl and no secret.
package ready

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify"
)

// DefaultURL is where `spotcheck fake` listens unless told otherwise.
const DefaultURL = "http://127.0.0.1:8787"

// HealthPath is what a fake's base URL is probed at: the control API's
// health endpoint, which the fake answers without logging the request, so
// a health check every few seconds does not fill the request log that
// grading reads.
const HealthPath = fakespotify.ControlPrefix + "health"

// ErrBadURL is a URL that cannot be probed: malformed, without a host, or
// not http(s).
var ErrBadURL = errors.New("bad URL")

// TimeoutError says that nothing answered before the deadline, with the
// last reason an attempt failed.
type TimeoutError struct {
	URL    string
	Waited time.Duration
	Last   error
}

func (e *TimeoutError) Error() string {
	msg := fmt.Sprintf("%s did not answer within %s", e.URL, e.Waited)
	if e.Last != nil {
		msg += ": last error: " + e.Last.Error()
	}
	return msg
}

func (e *TimeoutError) Unwrap() error { return e.Last }

// ProbeURL is the URL that Wait polls for raw: a base URL (no path, or
// "/") is taken to be a fake's and probed at HealthPath; any other URL is
// probed as it is.
func ProbeURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrBadURL, raw, errors.Unwrap(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: %q: want an http:// or https:// URL, e.g. %s", ErrBadURL, raw, DefaultURL)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("%w: %q has no host", ErrBadURL, raw)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = HealthPath
		u.RawPath = ""
	}
	u.Fragment = ""
	return u, nil
}

// Answered tells whether an HTTP status means the server is up. Any answer
// counts — 404 from a fake without control endpoints, 401 from one that
// wants a control token, 500 from an app's broken root page — except 502,
// 503 and 504, with which proxies and starting servers say "not yet".
func Answered(status int) bool {
	switch status {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return false
	}
	return true
}

// Options shape Wait. The zero value waits DefaultTimeout.
type Options struct {
	// Timeout bounds the whole wait (default DefaultTimeout).
	Timeout time.Duration
	// Client makes the attempts (default: no redirects followed, no
	// connection reused, the proxy settings of the environment).
	Client *http.Client
	// Attempt is printed before each attempt when set (for debug logs).
	Attempt func(n int, u string)
}

// DefaultTimeout is how long Wait waits unless told otherwise.
const DefaultTimeout = 30 * time.Second

// Backoff between attempts: short at first, because a local server is
// usually up within milliseconds, and never above backoffMax so that a
// server that comes up late is noticed soon. attemptMax bounds one
// attempt, so that a server that accepts but never answers does not use
// up the whole wait on one connection.
const (
	backoffMin = 25 * time.Millisecond
	backoffMax = 500 * time.Millisecond
	attemptMax = 2 * time.Second
)

// Wait polls raw (see ProbeURL) until it answers (see Answered), the
// timeout passes (a *TimeoutError) or ctx ends. It returns the status of
// the answer.
func Wait(ctx context.Context, raw string, o Options) (int, error) {
	u, err := ProbeURL(raw)
	if err != nil {
		return 0, err
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	hc := o.Client
	if hc == nil {
		hc = defaultClient()
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	probe := u.String()
	var last error
	delay := backoffMin
	for n := 1; ; n++ {
		if o.Attempt != nil {
			o.Attempt(n, probe)
		}
		status, err := attempt(ctx, hc, probe)
		if err == nil && Answered(status) {
			return status, nil
		}
		if err == nil {
			err = fmt.Errorf("answered %d %s", status, http.StatusText(status))
		}
		if ctx.Err() == nil || last == nil {
			last = err
		}
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return 0, &TimeoutError{URL: raw, Waited: timeout, Last: last}
			}
			return 0, fmt.Errorf("waiting for %s after %s: %w", raw, time.Since(start).Round(time.Millisecond), ctx.Err())
		case <-timer.C:
		}
		delay = min(2*delay, backoffMax)
	}
}

// attempt sends one GET, bounded by attemptMax and ctx.
func attempt(ctx context.Context, hc *http.Client, u string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, attemptMax)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("User-Agent", "spotcheck-wait")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, unwrapURLError(err)
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// unwrapURLError drops *url.Error's `Get "URL":` prefix: the timeout line
// already names the URL once.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func defaultClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
