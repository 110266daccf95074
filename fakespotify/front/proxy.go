package front

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// target is where a proxy request wants to go.
type target struct {
	host string // lower case, no final dot, IPv6 without brackets
	port int
}

func (t target) String() string { return net.JoinHostPort(t.host, strconv.Itoa(t.port)) }

// parseAuthority reads a CONNECT request's host:port.
func parseAuthority(s string) (target, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return target{}, fmt.Errorf("%q is not host:port", s)
	}
	return newTarget(host, port)
}

// parseAbsolute reads an absolute-form request target
// (http://api.spotify.com/v1/me), as a client configured with a proxy
// sends plain-http requests. The port defaults to the scheme's.
func parseAbsolute(raw string) (target, *url.URL, error) {
	u, err := url.ParseRequestURI(raw)
	if err != nil {
		return target{}, nil, fmt.Errorf("%q is not a URL", raw)
	}
	var port string
	switch u.Scheme = strings.ToLower(u.Scheme); u.Scheme {
	case "http":
		port = "80"
	case "https":
		port = "443"
	default:
		return target{}, nil, fmt.Errorf("%q: a proxy serves http and https URLs only", raw)
	}
	if p := u.Port(); p != "" {
		port = p
	}
	t, err := newTarget(u.Hostname(), port)
	if err != nil {
		return target{}, nil, err
	}
	return t, u, nil
}

func newTarget(host, port string) (target, error) {
	host = normalizeHost(host)
	if !validHost(host) {
		return target{}, fmt.Errorf("%q is not a host name or IP address", host)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return target{}, fmt.Errorf("%q is not a port", port)
	}
	return target{host: host, port: p}, nil
}

// validHost accepts IP literals and names of letters, digits, '-', '_'
// and dots between non-empty labels.
func validHost(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range []byte(label) {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// tunnelList is the other hosts the proxy lets through.
type tunnelList []target // port 0: any port

// parseTunnel reads tunnel entries: "host" (any port) or "host:port".
// Spotify's own hosts cannot be tunneled: nothing addressed to them ever
// leaves the machine.
func parseTunnel(entries []string) (tunnelList, error) {
	var out tunnelList
	for _, e := range entries {
		e = strings.TrimSpace(e)
		var t target
		var err error
		if host, port, serr := net.SplitHostPort(e); serr == nil {
			t, err = newTarget(host, port)
		} else {
			t, err = newTarget(strings.Trim(e, "[]"), "1")
			t.port = 0
		}
		if err != nil {
			return nil, fmt.Errorf("tunnel %q: %v", e, err)
		}
		if IsSpotifyHost(t.host) {
			return nil, fmt.Errorf("tunnel %q: the fake serves %s itself; nothing addressed to Spotify leaves the machine", e, t.host)
		}
		out = append(out, t)
	}
	return out, nil
}

func (l tunnelList) allows(t target) bool {
	for _, e := range l {
		if e.host == t.host && (e.port == 0 || e.port == t.port) {
			return true
		}
	}
	return false
}

// ServeHTTP is the front door of every listener: proxy requests
// (CONNECT, absolute-form) are dealt with here, the rest goes to the
// handler.
func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodConnect {
		f.connect(w, r)
		return
	}
	if r.URL.Host != "" && !f.absolute(w, r) {
		return
	}
	f.cfg.Handler.ServeHTTP(w, r)
}

// isSelf reports a target that is one of the front's own listeners.
func (f *Front) isSelf(t target) bool {
	if f.self[t.String()] {
		return true
	}
	ip := net.ParseIP(t.host)
	if t.host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return false
	}
	for a := range f.self {
		if _, p, _ := net.SplitHostPort(a); p == strconv.Itoa(t.port) {
			return true
		}
	}
	return false
}

func (f *Front) connect(w http.ResponseWriter, r *http.Request) {
	t, err := parseAuthority(r.RequestURI)
	if err != nil {
		f.refuse(w, r, http.StatusBadRequest, r.RequestURI, "bad CONNECT target: "+err.Error())
		return
	}
	spotify := IsSpotifyHost(t.host)
	switch {
	case (spotify && t.port == 443 || f.isSelf(t)) && f.certs != nil:
		f.intercept(w, r, t)
	case spotify && f.certs == nil:
		f.refuse(w, r, http.StatusForbidden, t.String(), "the fake intercepts HTTPS only with TLS on (spotcheck fake --tls)")
	case spotify:
		f.refuse(w, r, http.StatusForbidden, t.String(), "Spotify answers HTTPS on port 443 only")
	case f.tunnel.allows(t):
		f.openTunnel(w, r, t)
	default:
		f.refuse(w, r, http.StatusForbidden, t.String(), "not a Spotify host (let it through with --tunnel "+t.host+")")
	}
}

// refuse answers a proxy request the front will not carry, and says so in
// one log line naming the host: a test must not reach the internet by
// accident, and its author must see what it tried.
func (f *Front) refuse(w http.ResponseWriter, r *http.Request, status int, host, why string) {
	f.event(Event{Level: "warn", Msg: "proxy refused " + r.Method + " " + host + ": " + why, Host: host, From: r.RemoteAddr})
	http.Error(w, "spotcheck fake: "+r.Method+" "+host+" refused: "+why, status)
}

// intercept answers CONNECT to a Spotify host and serves the tunnel with
// the front's certificates: the client's TLS ends here.
func (f *Front) intercept(w http.ResponseWriter, r *http.Request, t target) {
	conn, rw, ok := f.hijack(w, r)
	if !ok {
		return
	}
	if _, err := io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		conn.Close()
		return
	}
	f.toTLS.push(&peekedConn{Conn: conn, r: rw, host: t.host})
}

// hijack takes the connection over for a tunnel. What net/http read ahead
// is replayed; after it, reads go straight to the connection, not through
// net/http's reader, which keeps per-request locks and read limits.
func (f *Front) hijack(w http.ResponseWriter, r *http.Request) (net.Conn, io.Reader, bool) {
	hj, ok := w.(http.Hijacker)
	if !ok { // HTTP/2 has no CONNECT tunnels of this kind
		f.refuse(w, r, http.StatusHTTPVersionNotSupported, r.RequestURI, "CONNECT needs HTTP/1.1")
		return nil, nil, false
	}
	conn, rw, err := hj.Hijack()
	if err != nil {
		return nil, nil, false
	}
	_ = conn.SetDeadline(time.Time{})
	var rd io.Reader = conn
	if n := rw.Reader.Buffered(); n > 0 {
		ahead, _ := rw.Reader.Peek(n)
		rd = io.MultiReader(bytes.NewReader(bytes.Clone(ahead)), conn)
	}
	return conn, rd, true
}

// openTunnel carries a CONNECT to a host on the tunnel list.
func (f *Front) openTunnel(w http.ResponseWriter, r *http.Request, t target) {
	d := net.Dialer{Timeout: 10 * time.Second}
	up, err := d.DialContext(r.Context(), "tcp", t.String())
	if err != nil {
		f.event(Event{Level: "warn", Msg: "tunnel failed", Host: t.String(), From: r.RemoteAddr, Err: err})
		http.Error(w, "spotcheck fake: tunnel to "+t.String()+": "+err.Error(), http.StatusBadGateway)
		return
	}
	conn, rw, ok := f.hijack(w, r)
	if !ok {
		up.Close()
		return
	}
	if !f.addTunnel(conn, up) {
		return
	}
	f.event(Event{Level: "info", Msg: "tunnel opened", Host: t.String(), From: r.RemoteAddr})
	if _, err := io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		f.dropTunnel(conn, up)
		return
	}
	var once sync.Once
	done := func() { once.Do(func() { f.dropTunnel(conn, up) }) }
	go func() { _, _ = io.Copy(up, rw); done() }()
	go func() { _, _ = io.Copy(conn, up); done() }()
}

func (f *Front) addTunnel(conns ...net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		for _, c := range conns {
			c.Close()
		}
		return false
	}
	for _, c := range conns {
		f.tunnels[c] = true
	}
	return true
}

func (f *Front) dropTunnel(conns ...net.Conn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range conns {
		c.Close()
		delete(f.tunnels, c)
	}
}

// absolute deals with an absolute-form request: one for a Spotify host
// (or the front itself) is rewritten to origin form and goes on to the
// handler (true); one for a tunneled host is forwarded, anything else
// refused (false).
func (f *Front) absolute(w http.ResponseWriter, r *http.Request) bool {
	t, u, err := parseAbsolute(r.RequestURI)
	if err != nil {
		f.refuse(w, r, http.StatusBadRequest, r.RequestURI, err.Error())
		return false
	}
	defaultPort := 80
	if u.Scheme == "https" {
		defaultPort = 443
	}
	switch {
	case IsSpotifyHost(t.host) && t.port == defaultPort, f.isSelf(t):
		r.URL = &url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery}
		r.RequestURI = r.URL.RequestURI()
		return true
	case IsSpotifyHost(t.host):
		f.refuse(w, r, http.StatusForbidden, t.String(), "Spotify answers on the default ports only")
	case f.tunnel.allows(t):
		f.forward(w, r, u)
	default:
		f.refuse(w, r, http.StatusForbidden, t.String(), "not a Spotify host (let it through with --tunnel "+t.host+")")
	}
	return false
}

var forwarder = &httputil.ReverseProxy{
	Rewrite: func(pr *httputil.ProxyRequest) {
		u := *pr.In.URL
		pr.Out.URL = &u
		pr.Out.Host = u.Host
	},
	// Never through a proxy from the environment: that may be this front.
	Transport: &http.Transport{Proxy: nil, ResponseHeaderTimeout: 30 * time.Second},
	ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
		http.Error(w, "spotcheck fake: forwarding to "+r.URL.Host+": "+err.Error(), http.StatusBadGateway)
	},
}

func (f *Front) forward(w http.ResponseWriter, r *http.Request, u *url.URL) {
	f.event(Event{Level: "info", Msg: "forwarding", Host: u.Host, From: r.RemoteAddr})
	r.URL = u
	forwarder.ServeHTTP(w, r)
}
