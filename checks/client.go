package checks

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

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

// Request is one request to send. The zero Method is GET.
//
// With Raw set, the client does not use net/http: it writes the request
// itself over a TCP (or TLS) connection, with header values exactly as
// given, even ones net/http refuses (a line break inside a Basic header).
// See Bytes for what it writes. Wire goes further: those exact bytes are
// written and Method, Header and Body are ignored; URL still says where to
// connect, and the transcript is read back from the bytes.
type Request struct {
	Step    string // transcript label, set by the caller
	Method  string
	URL     string
	Header  http.Header
	Body    []byte
	Raw     bool
	Wire    []byte
	Timeout time.Duration // replaces the client's timeout for this request
}

// Bytes returns what a Raw request writes: the request line with the
// URL's path and query as written, a Host header (unless Header has one),
// Header in sorted name order with names and values untouched, a
// Content-Length (unless Header has one, and only when there is a body or
// the method usually carries one), Connection: close (unless given), a
// blank line and Body. For a Wire request it returns Wire.
func (r Request) Bytes() []byte {
	if r.Wire != nil {
		return r.Wire
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	host, target := splitTarget(r.URL)
	var b bytes.Buffer
	b.WriteString(method + " " + target + " HTTP/1.1\r\n")
	has := func(name string) bool {
		for k := range r.Header {
			if strings.EqualFold(k, name) {
				return true
			}
		}
		return false
	}
	if !has("Host") {
		b.WriteString("Host: " + host + "\r\n")
	}
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range r.Header[k] {
			b.WriteString(k + ": " + v + "\r\n")
		}
	}
	if !has("Content-Length") && (len(r.Body) > 0 || method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch) {
		b.WriteString("Content-Length: " + strconv.Itoa(len(r.Body)) + "\r\n")
	}
	if !has("Connection") {
		b.WriteString("Connection: close\r\n")
	}
	b.WriteString("\r\n")
	b.Write(r.Body)
	return b.Bytes()
}

// splitTarget splits an absolute URL into its authority and its
// request-target, keeping the path and query exactly as written (url.URL
// would re-escape them) and dropping the fragment, which is never sent.
func splitTarget(raw string) (host, target string) {
	rest := raw
	if _, after, ok := strings.Cut(raw, "://"); ok {
		rest = after
	}
	rest, _, _ = strings.Cut(rest, "#")
	i := strings.IndexAny(rest, "/?")
	if i < 0 {
		if at := strings.LastIndexByte(rest, '@'); at >= 0 {
			rest = rest[at+1:]
		}
		return rest, "/"
	}
	host, target = rest[:i], rest[i:]
	if at := strings.LastIndexByte(host, '@'); at >= 0 {
		host = host[at+1:] // userinfo is not part of Host
	}
	if strings.HasPrefix(target, "?") {
		target = "/" + target
	}
	return host, target
}

// Response is what came back. Header and Body are NOT redacted (the
// caller needs the real tokens): never log or print them; show wire.Exchange,
// the redacted copy in the transcript, instead.
type Response struct {
	Seq       int
	Status    int
	Header    http.Header
	Body      []byte
	Truncated bool // the body exceeded MaxResponseBytes and was cut there
	Duration  time.Duration
	Exchange  wire.Exchange
}

// String describes the response without its contents, so that printing
// one by mistake shows nothing secret.
func (r *Response) String() string {
	if r == nil {
		return "<no response>"
	}
	return fmt.Sprintf("HTTP %d (exchange %d, %d bytes)", r.Status, r.Seq, len(r.Body))
}

// Location is the redirect target, as sent.
func (r *Response) Location() string { return r.Header.Get("Location") }

// JSON decodes the body into v.
func (r *Response) JSON(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("exchange %d: HTTP %d body is not the JSON expected: %w", r.Seq, r.Status, err)
	}
	return nil
}

// Token parses the body as a token endpoint success response.
func (r *Response) Token() (wire.TokenResponse, error) { return wire.ParseTokenResponse(r.Body) }

// ErrUnreachable matches (errors.Is) every TransportError that means the
// target could not be reached: DNS, refused connection, no route, TLS,
// proxy, timeout. Commands exit 3 on it.
var ErrUnreachable = errors.New("target unreachable")

// TransportErrorKind says why an exchange got no response.
type TransportErrorKind string

const (
	TransportDNS      TransportErrorKind = "dns"      // the host name does not resolve
	TransportRefused  TransportErrorKind = "refused"  // nothing listens on the port
	TransportNetwork  TransportErrorKind = "network"  // no route to the host, or another dial failure
	TransportTLS      TransportErrorKind = "tls"      // handshake or certificate failure
	TransportProxy    TransportErrorKind = "proxy"    // the proxy failed or refused the tunnel
	TransportTimeout  TransportErrorKind = "timeout"  // the exchange took longer than its timeout
	TransportClosed   TransportErrorKind = "closed"   // the peer closed the connection without a (complete) response
	TransportProtocol TransportErrorKind = "protocol" // the peer answered with something that is not HTTP
	TransportCanceled TransportErrorKind = "canceled" // the caller's context was canceled
	TransportInvalid  TransportErrorKind = "invalid"  // the request could not be built or net/http refused it (see Request.Raw)
	TransportOther    TransportErrorKind = "other"
)

// Unreachable reports whether the kind means the target could not be reached.
func (k TransportErrorKind) Unreachable() bool {
	switch k {
	case TransportDNS, TransportRefused, TransportNetwork, TransportTLS, TransportProxy, TransportTimeout:
		return true
	}
	return false
}

// TransportError is an exchange that got no HTTP response. Its message is
// redacted; it is recorded as Exchange.Error too.
type TransportError struct {
	Seq    int
	Step   string
	Kind   TransportErrorKind
	Method string
	URL    string // redacted
	Peer   wire.Peer
	Err    error // the cause, for errors.As (*net.DNSError, *tls.CertificateVerificationError ...)
	msg    string
}

func (e *TransportError) Error() string { return e.msg }
func (e *TransportError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrUnreachable) true for unreachable kinds.
func (e *TransportError) Is(target error) bool {
	return target == ErrUnreachable && e.Kind.Unreachable()
}

// proxyError marks a failure of the proxy itself in raw mode.
type proxyError struct{ err error }

func (e *proxyError) Error() string { return "proxy: " + e.err.Error() }
func (e *proxyError) Unwrap() error { return e.err }

var (
	// errRefusedByNetHTTP marks a request net/http will not send.
	errRefusedByNetHTTP = errors.New("net/http refuses this request; send it with Request.Raw")
	errInvalidRequest   = errors.New("invalid request")
)

func classify(ctx context.Context, err error) TransportErrorKind {
	var (
		pe       *proxyError
		dns      *net.DNSError
		op       *net.OpError
		ne       net.Error
		verify   *tls.CertificateVerificationError
		record   tls.RecordHeaderError
		alert    tls.AlertError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	switch {
	case errors.Is(err, errRefusedByNetHTTP), errors.Is(err, errInvalidRequest),
		strings.Contains(err.Error(), "net/http: invalid"):
		return TransportInvalid
	case errors.As(err, &pe):
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
			return TransportTimeout
		}
		return TransportProxy
	case errors.As(err, &op) && op.Op == "proxyconnect":
		return TransportProxy
	case errors.Is(ctx.Err(), context.Canceled):
		return TransportCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return TransportTimeout
	case errors.As(err, &dns):
		return TransportDNS
	case errors.Is(err, syscall.ECONNREFUSED):
		return TransportRefused
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return TransportNetwork
	case errors.As(err, &verify), errors.As(err, &record), errors.As(err, &alert),
		errors.As(err, &unknown), errors.As(err, &hostname), errors.As(err, &invalid),
		strings.Contains(err.Error(), "tls: "), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return TransportTLS
	case errors.As(err, &op) && op.Op == "dial":
		return TransportNetwork
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed):
		return TransportClosed
	case strings.Contains(err.Error(), "malformed HTTP"), strings.Contains(err.Error(), "HTTP/1.x transport connection broken"):
		return TransportProtocol
	}
	return TransportOther
}

// sent is what went out, as the transcript shows it (not yet redacted).
type sent struct {
	method string
	url    string
	header http.Header
	body   []byte
}

// received is what came back (not yet redacted).
type received struct {
	status    int
	header    http.Header
	body      []byte
	truncated bool
}

// Do sends req and records the exchange. An HTTP response of any status
// is a success (err == nil); an exchange without a response returns a
// *TransportError, also recorded.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	seq := int(c.seq.Add(1))
	started := c.cfg.Now()
	t0 := time.Now()
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = c.cfg.Timeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	out := c.describe(req)
	c.learnSent(out)
	var (
		in  received
		err error
	)
	if req.Raw || req.Wire != nil {
		in, err = c.sendRaw(ctx, req.URL, out.method, req.Bytes())
	} else {
		in, err = c.send(ctx, req)
	}
	dur := time.Since(t0)
	c.learnReceived(in) // a partial body may carry tokens too

	ex := c.redactExchange(wire.Exchange{
		Seq: seq, Step: req.Step, Actor: wire.ActorClient, Peer: c.PeerOf(out.url),
		Started: started, Duration: dur, Method: out.method, URL: out.url,
		RequestHeaders: out.header, RequestBody: string(out.body),
		Status: in.status, ResponseHeaders: in.header, ResponseBody: string(in.body),
	}, in.truncated)
	if err != nil {
		te := &TransportError{
			Seq: seq, Step: req.Step, Kind: classify(ctx, err), Method: out.method, URL: ex.URL, Peer: ex.Peer,
			Err: unwrapURLError(err),
		}
		te.msg = c.secrets.String(fmt.Sprintf("%s %s: %s: %v", te.Method, te.URL, te.Kind, te.Err))
		ex.Error = te.msg
		c.store(ex)
		return nil, te
	}
	c.store(ex)
	return &Response{
		Seq: seq, Status: in.status, Header: in.header, Body: in.body,
		Truncated: in.truncated, Duration: dur, Exchange: cloneExchange(ex),
	}, nil
}

// unwrapURLError drops net/http's *url.Error wrapper: it repeats the URL,
// codes and all, and the TransportError already names it, redacted.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// describe is what the transcript says was sent, before redaction.
func (c *Client) describe(req Request) sent {
	if req.Wire != nil {
		return parseWire(req.URL, req.Wire)
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	h := req.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if !req.Raw && h.Get("User-Agent") == "" {
		h.Set("User-Agent", c.cfg.UserAgent)
	}
	if req.Raw {
		// Show what Bytes adds, too.
		return parseWire(req.URL, req.Bytes())
	}
	return sent{method: method, url: req.URL, header: h, body: req.Body}
}

// parseWire reads a request back from its bytes, leniently: a deliberately
// broken request must still show in the transcript as it was sent.
func parseWire(base string, wire []byte) sent {
	head, body, found := bytes.Cut(wire, []byte("\r\n\r\n"))
	if !found {
		head, body, found = bytes.Cut(wire, []byte("\n\n"))
		if !found {
			head, body = wire, nil
		}
	}
	sep := "\r\n"
	if !bytes.Contains(head, []byte(sep)) && bytes.Contains(head, []byte("\n")) {
		sep = "\n"
	}
	lines := strings.Split(string(head), sep)
	s := sent{header: http.Header{}, body: body}
	parts := strings.SplitN(lines[0], " ", 3)
	s.method = parts[0]
	target := "/"
	if len(parts) > 1 {
		target = parts[1]
	}
	if strings.Contains(target, "://") {
		s.url = target
	} else {
		scheme, _, _ := strings.Cut(base, "://")
		host, _ := splitTarget(base)
		s.url = scheme + "://" + host + target
	}
	last := ""
	for _, line := range lines[1:] {
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.ContainsAny(name, " \t") && last != "" {
			// A line break inside a value: keep it in that value.
			vs := s.header[last]
			if len(vs) > 0 {
				vs[len(vs)-1] += sep + line
				continue
			}
		}
		last = name
		s.header[name] = append(s.header[name], strings.TrimLeft(value, " \t"))
	}
	return s
}

func (c *Client) send(ctx context.Context, req Request) (received, error) {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hreq, err := http.NewRequestWithContext(ctx, method, req.URL, body)
	if err != nil {
		return received{}, fmt.Errorf("%w: %v", errInvalidRequest, unwrapURLError(err))
	}
	hreq.Header = req.Header.Clone()
	if hreq.Header == nil {
		hreq.Header = http.Header{}
	}
	if hreq.Header.Get("User-Agent") == "" {
		hreq.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	if h := hreq.Header.Get("Host"); h != "" {
		hreq.Host = h
	}
	for k, vs := range hreq.Header {
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n\x00") || strings.ContainsAny(k, " :\r\n") {
				return received{}, fmt.Errorf("%w: header %q has a line break, a NUL or a bad name", errRefusedByNetHTTP, k)
			}
		}
	}
	resp, err := c.http.Do(hreq)
	if err != nil {
		return received{}, err
	}
	defer resp.Body.Close()
	return c.readBody(resp)
}

func (c *Client) readBody(resp *http.Response) (received, error) {
	b, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxResponseBytes+1))
	in := received{status: resp.StatusCode, header: resp.Header, body: b}
	if int64(len(b)) > c.cfg.MaxResponseBytes {
		in.body, in.truncated = b[:c.cfg.MaxResponseBytes], true
	}
	return in, err
}

// sendRaw writes wire to a fresh connection and reads one response.
func (c *Client) sendRaw(ctx context.Context, rawURL, method string, wire []byte) (received, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return received{}, fmt.Errorf("%w: want an absolute http(s) URL", errInvalidRequest)
	}
	conn, err := c.dialRaw(ctx, u)
	if err != nil {
		return received{}, err
	}
	defer conn.Close()
	if d, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if _, err := conn.Write(wire); err != nil {
		return received{}, ctxErr(ctx, err)
	}
	br := bufio.NewReader(conn)
	for {
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			return received{}, ctxErr(ctx, err)
		}
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
			_ = resp.Body.Close()
			continue
		}
		in, err := c.readBody(resp)
		_ = resp.Body.Close()
		return in, ctxErr(ctx, err)
	}
}

// ctxErr prefers the context's reason over the deadline the client set on
// the connection to end a canceled exchange.
func ctxErr(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

func (c *Client) dialRaw(ctx context.Context, u *url.URL) (net.Conn, error) {
	addr := authority(u)
	proxyFor := c.cfg.Proxy
	if proxyFor == nil {
		proxyFor = http.ProxyFromEnvironment
	}
	proxy, err := proxyFor(&http.Request{Method: http.MethodConnect, URL: u, Header: http.Header{}})
	if err != nil {
		return nil, &proxyError{err}
	}
	var d net.Dialer
	var conn net.Conn
	if proxy == nil {
		if conn, err = d.DialContext(ctx, "tcp", addr); err != nil {
			return nil, err
		}
	} else if conn, err = c.tunnel(ctx, &d, proxy, addr); err != nil {
		return nil, &proxyError{err}
	}
	if u.Scheme != "https" {
		return conn, nil
	}
	cfg := &tls.Config{}
	if c.cfg.TLSConfig != nil {
		cfg = c.cfg.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = u.Hostname()
	}
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return tc, nil
}

// tunnel opens a CONNECT tunnel to addr through proxy.
func (c *Client) tunnel(ctx context.Context, d *net.Dialer, proxy *url.URL, addr string) (net.Conn, error) {
	conn, err := d.DialContext(ctx, "tcp", authority(proxy))
	if err != nil {
		return nil, err
	}
	if proxy.Scheme == "https" {
		tc := tls.Client(conn, &tls.Config{ServerName: proxy.Hostname()})
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = conn.Close()
			return nil, err
		}
		conn = tc
	}
	if d, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(d)
	}
	req := "CONNECT " + addr + " HTTP/1.1\r\nHost: " + addr + "\r\n"
	if proxy.User != nil {
		pass, _ := proxy.User.Password()
		req += "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(proxy.User.Username()+":"+pass)) + "\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		_ = conn.Close()
		return nil, err
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	// Never Close the body: on a tunnel it has no end, and Close would drain
	// it until the deadline. net/http's own CONNECT code leaves it alone too.
	if resp.StatusCode != http.StatusOK {
		_ = conn.Close()
		return nil, fmt.Errorf("CONNECT %s: %s", addr, resp.Status)
	}
	_ = conn.SetDeadline(time.Time{})
	if br.Buffered() > 0 {
		return &bufferedConn{Conn: conn, r: br}, nil
	}
	return conn, nil
}

type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (b *bufferedConn) Read(p []byte) (int, error) { return b.r.Read(p) }

// Record redacts ex and adds it to the transcript with the next sequence
// number, learning the secrets it carries first. The browser driver records
// its navigations this way (Actor wire.ActorBrowser); an empty Peer is
// classified from the URL. It returns the stored copy.
func (c *Client) Record(ex wire.Exchange) wire.Exchange {
	ex.Seq = int(c.seq.Add(1))
	if ex.Actor == "" {
		ex.Actor = wire.ActorBrowser
	}
	if ex.Peer == "" {
		ex.Peer = c.PeerOf(ex.URL)
	}
	if ex.Started.IsZero() {
		ex.Started = c.cfg.Now()
	}
	c.learnSent(sent{url: ex.URL, header: ex.RequestHeaders, body: []byte(ex.RequestBody)})
	c.learnReceived(received{header: ex.ResponseHeaders, body: []byte(ex.ResponseBody)})
	ex = c.redactExchange(ex, false)
	ex.Error = c.secrets.String(ex.Error)
	c.store(ex)
	return cloneExchange(ex)
}

func (c *Client) store(ex wire.Exchange) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Exchanges finish out of order under concurrency; keep Seq order.
	i := len(c.transcript)
	for i > 0 && c.transcript[i-1].Seq > ex.Seq {
		i--
	}
	c.transcript = slices.Insert(c.transcript, i, ex)
}

// Transcript returns copies of every recorded exchange, in Seq order.
func (c *Client) Transcript() []wire.Exchange { return c.Since(0) }

// Since returns copies of the recorded exchanges with Seq > seq: take
// LastSeq before a step and Since after it to get the step's exchanges.
func (c *Client) Since(seq int) []wire.Exchange {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := sort.Search(len(c.transcript), func(i int) bool { return c.transcript[i].Seq > seq })
	out := make([]wire.Exchange, 0, len(c.transcript)-i)
	for _, ex := range c.transcript[i:] {
		out = append(out, cloneExchange(ex))
	}
	return out
}

// Take returns the recorded exchanges and forgets them.
func (c *Client) Take() []wire.Exchange {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.transcript
	c.transcript = nil
	return out
}

// LastSeq is the sequence number of the latest exchange started.
func (c *Client) LastSeq() int { return int(c.seq.Load()) }

func cloneExchange(ex wire.Exchange) wire.Exchange {
	ex.RequestHeaders = ex.RequestHeaders.Clone()
	ex.ResponseHeaders = ex.ResponseHeaders.Clone()
	return ex
}

// learnSent registers the secrets a request carries, so that they are
// scrubbed wherever else they show up (an echo in an error, a later body).
func (c *Client) learnSent(s sent) {
	c.LearnURL(s.url)
	for k, vs := range s.header {
		if !strings.EqualFold(k, "Authorization") && !strings.EqualFold(k, "Proxy-Authorization") {
			continue
		}
		for _, v := range vs {
			c.learnAuthorization(v)
		}
	}
	c.learnBody(s.body, true)
}

func (c *Client) learnReceived(r received) {
	for k, vs := range r.header {
		if strings.EqualFold(k, "Location") {
			for _, v := range vs {
				c.LearnURL(v)
			}
		}
	}
	c.learnBody(r.body, strings.Contains(strings.ToLower(r.header.Get("Content-Type")), "x-www-form-urlencoded"))
}

func (c *Client) learnAuthorization(v string) {
	_, cred, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		c.secrets.Add(strings.TrimSpace(v))
		return
	}
	c.secrets.Add(strings.TrimSpace(cred))
	// Decode what a lenient server would: line breaks removed, any alphabet.
	if b, _ := wire.ParseBasic(v); b.Decoded {
		c.secrets.AddClientCredentials(b.ClientID, b.ClientSecret)
	}
}

// learnBody registers the sensitive fields of a JSON body, and of a form
// body when asForm is set: a request we built, or a response declared a
// form (an HTML page full of "&code=" would otherwise teach us junk).
func (c *Client) learnBody(body []byte, asForm bool) {
	t := bytes.TrimSpace(body)
	if len(t) == 0 {
		return
	}
	if t[0] == '{' || t[0] == '[' {
		var v any
		if json.Unmarshal(t, &v) == nil {
			c.learnJSON(v)
		}
		return
	}
	if asForm {
		c.learnForm(string(body))
	}
}

func (c *Client) learnJSON(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && redact.SensitiveFields[k] {
				c.secrets.Add(s)
				continue
			}
			c.learnJSON(x)
		}
	case []any:
		for _, x := range v {
			c.learnJSON(x)
		}
	}
}

func (c *Client) learnForm(form string) {
	if form == "" {
		return
	}
	// ParseQuery keeps the pairs it could read when others are malformed.
	values, _ := url.ParseQuery(form)
	for k, vs := range values {
		if redact.SensitiveFields[k] {
			c.secrets.Add(vs...)
		}
	}
}

// redactExchange scrubs every field of ex with the client's set.
func (c *Client) redactExchange(ex wire.Exchange, truncated bool) wire.Exchange {
	ex.URL = c.secrets.URL(ex.URL)
	ex.RequestBody = c.transcriptBody(ex.RequestHeaders.Get("Content-Type"), ex.RequestBody, false)
	ex.ResponseBody = c.transcriptBody(ex.ResponseHeaders.Get("Content-Type"), ex.ResponseBody, truncated)
	ex.RequestHeaders = c.secrets.Header(ex.RequestHeaders)
	ex.ResponseHeaders = c.secrets.Header(ex.ResponseHeaders)
	return ex
}

// transcriptBody redacts a body and cuts it to TranscriptBodyLimit. It
// redacts first, so that the cut cannot leave half a secret unrecognised.
func (c *Client) transcriptBody(contentType, body string, truncated bool) string {
	if body == "" {
		return ""
	}
	ct := strings.ToLower(contentType)
	for _, binary := range []string{"image/", "audio/", "video/", "application/octet-stream", "font/"} {
		if strings.HasPrefix(ct, binary) {
			return fmt.Sprintf("[%d bytes of %s, not shown]", len(body), contentType)
		}
	}
	total := len(body)
	out := c.secrets.Body(contentType, body)
	if len(out) > TranscriptBodyLimit {
		cut := TranscriptBodyLimit
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		out = out[:cut] + fmt.Sprintf("\n[spotcheck: body truncated: first %d bytes of %d shown]", cut, total)
	} else if truncated {
		out += fmt.Sprintf("\n[spotcheck: body truncated: the client read only the first %d bytes]", total)
	}
	return out
}

// Get sends a GET and records it under step.
func (c *Client) Get(ctx context.Context, step, rawURL string) (*Response, error) {
	return c.Do(ctx, Request{Step: step, Method: http.MethodGet, URL: rawURL})
}

// APIRequest builds a Web API request: path on the API base URL, a Bearer
// header when accessToken is set, and a JSON content type when there is a
// body.
func (c *Client) APIRequest(step, method, path, accessToken string, body []byte) Request {
	h := http.Header{}
	if accessToken != "" {
		h.Set("Authorization", "Bearer "+accessToken)
	}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	return Request{Step: step, Method: method, URL: c.APIURL(path), Header: h, Body: body}
}

// ClientAuth is how a token request authenticates the client.
type ClientAuth string

const (
	// AuthBasic sends Authorization: Basic base64(client_id:client_secret),
	// the documented style.
	AuthBasic ClientAuth = "basic"
	// AuthBody sends client_id and client_secret as form parameters.
	AuthBody ClientAuth = "body"
	// AuthPublic sends client_id in the form and no secret (PKCE).
	AuthPublic ClientAuth = "public"
	// AuthNone sends no client identification at all.
	AuthNone ClientAuth = "none"
)

// TokenRequest says what a request to the token endpoint means; the client
// turns it into bytes. Deliberate mistakes are stated as intent too:
// InQuery, JSON and ContentType.
type TokenRequest struct {
	Step         string
	Auth         ClientAuth // AuthBasic if empty
	ClientID     string
	ClientSecret string
	Params       url.Values // grant_type, code, redirect_uri, code_verifier, refresh_token, scope ...
	// InQuery puts the parameters (and body-style credentials) in the URL
	// query and sends an empty body.
	InQuery bool
	// JSON encodes the parameters as a JSON object of strings instead of a form.
	JSON bool
	// ContentType replaces the Content-Type the encoding implies; "-" sends none.
	ContentType string
	// Path replaces /api/token (e.g. "/api/token/").
	Path string
}

// TokenEndpointPath is where the accounts service takes token requests.
const TokenEndpointPath = "/api/token"

// TokenRequest builds the request t describes and registers its
// credentials with the redactor. Callers may change the result (set Raw,
// edit a header) before passing it to Do.
func (c *Client) TokenRequest(t TokenRequest) Request {
	if t.ClientSecret != "" {
		c.AddClientCredentials(t.ClientID, t.ClientSecret)
	}
	params := url.Values{}
	for k, vs := range t.Params {
		params[k] = append([]string(nil), vs...)
	}
	h := http.Header{}
	switch t.Auth {
	case AuthBasic, "":
		h.Set("Authorization", wire.BasicAuth(t.ClientID, t.ClientSecret))
	case AuthBody:
		params.Set("client_id", t.ClientID)
		params.Set("client_secret", t.ClientSecret)
	case AuthPublic:
		params.Set("client_id", t.ClientID)
	case AuthNone:
	}
	path := t.Path
	if path == "" {
		path = TokenEndpointPath
	}
	u := c.AccountsURL(path)
	var body []byte
	ct := "application/x-www-form-urlencoded"
	switch {
	case t.InQuery:
		u += "?" + params.Encode()
		ct = ""
	case t.JSON:
		obj := make(map[string]string, len(params))
		for k := range params {
			obj[k] = params.Get(k)
		}
		body, _ = json.Marshal(obj) // a map of strings always encodes
		ct = "application/json"
	default:
		body = []byte(params.Encode())
	}
	if t.ContentType != "" {
		ct = t.ContentType
	}
	if ct != "" && ct != "-" {
		h.Set("Content-Type", ct)
	}
	if body == nil {
		body = []byte{}
	}
	return Request{Step: t.Step, Method: http.MethodPost, URL: u, Header: h, Body: body}
}

// Token sends the token request t describes.
func (c *Client) Token(ctx context.Context, t TokenRequest) (*Response, error) {
	return c.Do(ctx, c.TokenRequest(t))
}

// AuthorizationCodeParams are the parameters of a code exchange; verifier
// is the PKCE code_verifier ("" for none).
func AuthorizationCodeParams(code, redirectURI, verifier string) url.Values {
	v := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}
	if verifier != "" {
		v.Set("code_verifier", verifier)
	}
	return v
}

// RefreshParams are the parameters of a refresh.
func RefreshParams(refreshToken string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
}

// ClientCredentialsParams are the parameters of a client-credentials
// grant; scope is sent only when set (Spotify ignores it).
func ClientCredentialsParams(scope string) url.Values {
	v := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		v.Set("scope", scope)
	}
	return v
}
