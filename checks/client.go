package checks

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/control"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

const (
	// DefaultRequestTimeout bounds one exchange, body included.
	DefaultRequestTimeout = 15 * time.Second
	// TranscriptBodyLimit is how much of a body the transcript keeps.
	TranscriptBodyLimit = 64 << 10
	// DefaultMaxResponseBytes is how much of a response body the client
	// reads at all, so that a runaway server cannot exhaust memory.
	DefaultMaxResponseBytes = 16 << 20
	// DefaultUserAgent is sent unless a request sets its own (raw
	// requests send only what they are given).
	DefaultUserAgent = "spotcheck"
)

// ClientConfig says where a Client's peers are and how it talks to them.
type ClientConfig struct {
	// AccountsURL and APIURL are base URLs without a trailing path, e.g.
	// https://accounts.spotify.com and https://api.spotify.com. The fake
	// serves both on one URL; requests to it are told apart by path
	// (/v1/... is the API).
	AccountsURL string
	APIURL      string
	// RedirectURIs are the app's redirect URIs: requests to their hosts are
	// classified as wire.PeerRedirect. A URI without a port matches any port,
	// as Spotify's loopback rule does.
	RedirectURIs []string
	// Timeout bounds each exchange (DefaultRequestTimeout if zero).
	Timeout time.Duration
	// MaxResponseBytes caps how much of a body is read (DefaultMaxResponseBytes if zero).
	MaxResponseBytes int64
	// TLSConfig is used for https, by net/http and by raw requests alike
	// (tests pass an httptest server's pool here).
	TLSConfig *tls.Config
	// Proxy picks the proxy for a request; nil means the environment
	// (HTTPS_PROXY, HTTP_PROXY, NO_PROXY). Raw requests tunnel through it
	// with CONNECT, so their bytes still reach the server unchanged.
	Proxy func(*http.Request) (*url.URL, error)
	// Transport replaces the net/http transport (raw requests never use it).
	Transport http.RoundTripper
	// Redact is the secret set the transcript is scrubbed with; nil gives
	// the client its own. Share one with the browser driver so screenshots
	// and exchanges agree on fingerprints.
	Redact *redact.Set
	// UserAgent replaces DefaultUserAgent.
	UserAgent string
	// Now stamps Exchange.Started (time.Now if nil); durations are always measured on the real clock.
	Now func() time.Time
}

// Client is the one HTTP client every request of the checker, the runner
// and the doctor goes through. It never follows redirects (a 302 from
// /authorize is data), bounds every exchange with a timeout, learns the
// secrets it sees (client credentials, tokens, codes, verifiers) and
// records each exchange, redacted, into a transcript that is safe to read
// while requests run concurrently.
type Client struct {
	cfg       ClientConfig
	accounts  *url.URL
	api       *url.URL
	http      *http.Client
	transport *http.Transport // nil when cfg.Transport replaced it
	secrets   *redact.Set
	seq       atomic.Int64

	mu         sync.Mutex
	transcript []wire.Exchange // ordered by Seq
	redirects  []*url.URL
}

// NewClient returns a client for the given peers. It fails only on a base
// URL or redirect URI that does not parse.
func NewClient(cfg ClientConfig) (*Client, error) {
	c := &Client{cfg: cfg, secrets: cfg.Redact}
	if c.secrets == nil {
		c.secrets = &redact.Set{}
	}
	if c.cfg.Timeout <= 0 {
		c.cfg.Timeout = DefaultRequestTimeout
	}
	if c.cfg.MaxResponseBytes <= 0 {
		c.cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if c.cfg.UserAgent == "" {
		c.cfg.UserAgent = DefaultUserAgent
	}
	if c.cfg.Now == nil {
		c.cfg.Now = time.Now
	}
	var err error
	if c.accounts, err = parseBase("accounts URL", cfg.AccountsURL); err != nil {
		return nil, err
	}
	if c.api, err = parseBase("API URL", cfg.APIURL); err != nil {
		return nil, err
	}
	if err := c.AddRedirectURIs(cfg.RedirectURIs...); err != nil {
		return nil, err
	}
	rt := cfg.Transport
	if rt == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// Compressed bodies would be decoded behind our back and the
		// transcript would not show what came over the wire.
		t.DisableCompression = true
		if cfg.TLSConfig != nil {
			t.TLSClientConfig = cfg.TLSConfig.Clone()
		}
		if cfg.Proxy != nil {
			t.Proxy = cfg.Proxy
		}
		c.transport, rt = t, t
	}
	c.http = &http.Client{
		Transport:     rt,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c, nil
}

func parseBase(what, raw string) (*url.URL, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("%s %q: want an absolute http(s) URL", what, raw)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

// Close releases idle connections.
func (c *Client) Close() {
	if c.transport != nil {
		c.transport.CloseIdleConnections()
	}
}

// Redactor is the client's secret set. Everything that shows text from an
// exchange (reports, logs, evidence) should scrub it with this set.
func (c *Client) Redactor() *redact.Set { return c.secrets }

// AddClientCredentials registers an app's secret and its Basic
// credentials so that neither reaches the transcript.
func (c *Client) AddClientCredentials(clientID, secret string) {
	c.secrets.AddClientCredentials(clientID, secret)
}

// Learn registers secret values the caller knows of (a test password, a
// token from a cache file).
func (c *Client) Learn(values ...string) { c.secrets.Add(values...) }

// LearnURL registers the secrets a URL carries in its query or fragment:
// the code of a callback URL the browser caught, a token of the implicit
// grant.
func (c *Client) LearnURL(raw string) {
	base, frag, _ := strings.Cut(raw, "#")
	_, query, _ := strings.Cut(base, "?")
	c.learnForm(query)
	c.learnForm(frag)
}

// AddRedirectURIs adds redirect URIs whose hosts count as wire.PeerRedirect.
func (c *Client) AddRedirectURIs(uris ...string) error {
	var parsed []*url.URL
	for _, raw := range uris {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return fmt.Errorf("redirect URI %q: want an absolute URL", raw)
		}
		parsed = append(parsed, u)
	}
	c.mu.Lock()
	c.redirects = append(c.redirects, parsed...)
	c.mu.Unlock()
	return nil
}

// AccountsURL returns path on the accounts service.
func (c *Client) AccountsURL(path string) string { return joinBase(c.accounts, path) }

// APIURL returns path on the Web API, e.g. APIURL("/v1/me").
func (c *Client) APIURL(path string) string { return joinBase(c.api, path) }

func joinBase(base *url.URL, path string) string {
	if base == nil {
		return path
	}
	return base.String() + path
}

// PeerOf classifies a URL as wire.PeerAccounts, wire.PeerAPI, wire.PeerRedirect or wire.PeerOther.
func (c *Client) PeerOf(raw string) wire.Peer {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return wire.PeerOther
	}
	host := authority(u)
	onAccounts := c.accounts != nil && authority(c.accounts) == host
	onAPI := c.api != nil && authority(c.api) == host
	switch {
	case (onAccounts || onAPI) && strings.HasPrefix(u.Path, control.Prefix):
		return wire.PeerOther
	case onAccounts && onAPI:
		p := strings.TrimPrefix(u.Path, c.api.Path)
		if p == "/v1" || strings.HasPrefix(p, "/v1/") {
			return wire.PeerAPI
		}
		return wire.PeerAccounts
	case onAPI:
		return wire.PeerAPI
	case onAccounts:
		return wire.PeerAccounts
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.redirects {
		if strings.EqualFold(r.Hostname(), u.Hostname()) && (r.Port() == "" || authority(r) == host) {
			return wire.PeerRedirect
		}
	}
	return wire.PeerOther
}

// authority is host:port with the scheme's default port filled in.
func authority(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}
