package front

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/httpserve"
)

// Config says what the front serves and where.
type Config struct {
	// Handler answers every request the front accepts for Spotify's hosts
	// or its own addresses: the fake.
	Handler http.Handler
	// CA turns TLS on: on the plain listeners (told apart by the first
	// byte), on TLSAddrs, and inside CONNECT tunnels to Spotify's hosts.
	// Without it the front speaks plain HTTP only and refuses CONNECT.
	CA *CA
	// Addrs are plain listeners ("127.0.0.1:8787"): HTTP, the proxy, and
	// TLS as well when CA is set.
	Addrs []string
	// TLSAddrs are TLS-only listeners ("127.0.0.1:443").
	TLSAddrs []string
	// Tunnel lists the other hosts CONNECT and absolute-form requests may
	// reach, as "host" (any port) or "host:port" (Spotify's own hosts cannot be).
	Tunnel []string
	// Log receives one Event per thing worth a log line: a refused
	// CONNECT, a tunnel opened, a refused TLS handshake. Nil: no log.
	Log func(Event)
	// Limits bound what one client can hold (httpserve): the timeouts of
	// both servers, and a cap on each listener's open connections. Zero
	// fields take httpserve's defaults.
	Limits httpserve.Limits
}

// Event is something the front did that an operator should see.
type Event struct {
	Level string // "warn", "info" or "debug"
	Msg   string
	Host  string // the host asked for, when there is one
	From  string // the client's address
	Err   error
}

// Front is the fake's way in: its listeners, TLS and proxy.
type Front struct {
	cfg    Config
	certs  *certs
	tunnel tunnelList
	plain  *http.Server
	secure *http.Server // nil without a CA

	listeners []net.Listener // every listener opened
	sniffed   []net.Listener // those the front accepts on itself (the servers close the others)
	plainAddr []string       // actual addresses, ports resolved
	tlsAddr   []string
	toPlain   *chanListener // sniffed plain connections
	toTLS     *chanListener // sniffed TLS connections and CONNECT tunnels to Spotify
	self      map[string]bool
	served    sync.WaitGroup

	mu      sync.Mutex
	fresh   map[net.Conn]bool // accepted, no request yet
	nfresh  atomic.Int64      // len(fresh), read without the lock
	tunnels map[net.Conn]bool // open tunnels to other hosts
	closed  bool
}

// ListenError is a listener the front could not open.
type ListenError struct {
	Addr string
	Err  error
}

func (e *ListenError) Error() string { return fmt.Sprintf("listen on %s: %v", e.Addr, e.Err) }
func (e *ListenError) Unwrap() error { return e.Err }

// InUse reports that another process listens there.
func (e *ListenError) InUse() bool { return errors.Is(e.Err, syscall.EADDRINUSE) }

// Denied reports that the port needs privilege (below 1024 on Linux).
func (e *ListenError) Denied() bool { return errors.Is(e.Err, fs.ErrPermission) }

// Start opens every listener and serves until Close. An address that
// cannot be opened is a *ListenError, and nothing is left listening.
func Start(c Config) (*Front, error) {
	if c.Handler == nil {
		return nil, errors.New("front: no handler")
	}
	if len(c.Addrs)+len(c.TLSAddrs) == 0 {
		return nil, errors.New("front: no address to listen on")
	}
	if len(c.TLSAddrs) > 0 && c.CA == nil {
		return nil, errors.New("front: TLS addresses need a CA")
	}
	tunnel, err := parseTunnel(c.Tunnel)
	if err != nil {
		return nil, err
	}
	f := &Front{cfg: c, tunnel: tunnel, self: map[string]bool{}, fresh: map[net.Conn]bool{}, tunnels: map[net.Conn]bool{}}
	errLog := log.New(logWriter{f}, "", 0)
	f.plain = httpserve.Server(f, c.Limits)
	f.plain.ConnState, f.plain.ErrorLog = f.track, errLog
	if c.CA != nil {
		if f.certs, err = newCerts(c.CA); err != nil {
			return nil, fmt.Errorf("front: issuing certificates: %w", err)
		}
		f.secure = httpserve.Server(f, c.Limits)
		f.secure.ConnState, f.secure.ErrorLog = f.track, errLog
		f.secure.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: f.getCertificate}
	}
	open := func(addr string) (net.Listener, error) {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			var oe *net.OpError
			if errors.As(err, &oe) {
				err = oe.Err
			}
			var se *os.SyscallError
			if errors.As(err, &se) {
				err = se.Err
			}
			for _, l := range f.listeners {
				_ = l.Close()
			}
			return nil, &ListenError{Addr: addr, Err: err}
		}
		f.self[ln.Addr().String()] = true
		// Capped before anything accepts on it, the sniffer included.
		ln = httpserve.Listener(ln, c.Limits)
		f.listeners = append(f.listeners, ln)
		if l, ok := c.Handler.(interface{ ListeningOn(net.Addr) }); ok {
			// The fake turns its control API off on a non-loopback
			// address unless it has a control token.
			l.ListeningOn(ln.Addr())
		}
		return ln, nil
	}
	var plainLns, tlsLns []net.Listener
	for _, a := range c.Addrs {
		ln, err := open(a)
		if err != nil {
			return nil, err
		}
		plainLns = append(plainLns, ln)
		f.plainAddr = append(f.plainAddr, ln.Addr().String())
	}
	for _, a := range c.TLSAddrs {
		ln, err := open(a)
		if err != nil {
			return nil, err
		}
		tlsLns = append(tlsLns, ln)
		f.tlsAddr = append(f.tlsAddr, ln.Addr().String())
	}
	f.serve(plainLns, tlsLns)
	return f, nil
}

func (f *Front) serve(plainLns, tlsLns []net.Listener) {
	run := func(fn func()) {
		f.served.Add(1)
		go func() { defer f.served.Done(); fn() }()
	}
	if f.secure == nil {
		for _, ln := range plainLns {
			run(func() { _ = f.plain.Serve(ln) })
		}
		return
	}
	addr := plainLns0Addr(plainLns, tlsLns)
	f.toPlain, f.toTLS = newChanListener(addr), newChanListener(addr)
	run(func() { _ = f.plain.Serve(f.toPlain) })
	run(func() { _ = f.secure.ServeTLS(f.toTLS, "", "") })
	f.sniffed = plainLns
	for _, ln := range plainLns {
		run(func() { f.sniff(ln) })
	}
	for _, ln := range tlsLns {
		run(func() { _ = f.secure.ServeTLS(ln, "", "") })
	}
}

func plainLns0Addr(a, b []net.Listener) net.Addr {
	if len(a) > 0 {
		return a[0].Addr()
	}
	return b[0].Addr()
}

// sniff accepts connections on a plain listener and hands each to the
// TLS server or the plain one by its first byte: a TLS record starts with
// 0x16 (handshake), an HTTP request with a method's letter. LocalStack
// serves HTTP and HTTPS on one port the same way.
func (f *Front) sniff(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			time.Sleep(10 * time.Millisecond) // EMFILE and the like: back off, as net/http does
			continue
		}
		go f.dispatch(c)
	}
}

func (f *Front) dispatch(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	first, err := br.Peek(1)
	if err != nil {
		c.Close()
		return
	}
	_ = c.SetReadDeadline(time.Time{})
	pc := &peekedConn{Conn: c, r: br}
	if first[0] == 0x16 {
		f.toTLS.push(pc)
	} else {
		f.toPlain.push(pc)
	}
}

// getCertificate picks the leaf by SNI; in a CONNECT tunnel without SNI,
// by the host the tunnel was opened for.
func (f *Front) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name := hello.ServerName
	if pc, ok := hello.Conn.(*peekedConn); ok && name == "" {
		name = pc.host
	}
	cert, err := f.certs.forName(name)
	if err != nil {
		f.event(Event{Level: "warn", Msg: "TLS handshake refused", Host: name, From: hello.Conn.RemoteAddr().String(), Err: err})
	}
	return cert, err
}

// track remembers connections that have not sent a request yet: Close
// closes them at once instead of waiting for them to speak.
//
// Every request moves its connection to active and back to idle; with no
// fresh connection left, as under load, that costs no lock.
func (f *Front) track(c net.Conn, state http.ConnState) {
	if state != http.StateNew && f.nfresh.Load() == 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if state == http.StateNew {
		f.fresh[c] = true
	} else {
		delete(f.fresh, c)
	}
	f.nfresh.Store(int64(len(f.fresh)))
}

// Close stops the front: listeners first, then requests in flight get up
// to 5 s to finish, then tunnels are cut.
func (f *Front) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	f.mu.Unlock()
	// The servers close the listeners they serve; the front closes those
	// it accepts on itself, and the connections it hands over.
	for _, ln := range f.sniffed {
		_ = ln.Close()
	}
	if f.toPlain != nil {
		f.toPlain.Close()
		f.toTLS.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	servers := []*http.Server{f.plain}
	if f.secure != nil {
		servers = append(servers, f.secure)
	}
	errs := make(chan error, len(servers))
	for _, s := range servers {
		go func() { errs <- s.Shutdown(ctx) }()
	}
	f.mu.Lock()
	for c := range f.fresh {
		_ = c.Close()
	}
	for c := range f.tunnels {
		_ = c.Close()
	}
	f.mu.Unlock()
	var err error
	for range servers {
		if e := <-errs; e != nil && !errors.Is(e, net.ErrClosed) && err == nil {
			err = e
		}
	}
	if err != nil {
		for _, s := range servers {
			_ = s.Close()
		}
	}
	f.served.Wait()
	return err
}

// URL is the plain base URL of the first plain listener
// (http://127.0.0.1:8787), "" without one. A listener on every interface
// (0.0.0.0, which Go binds as [::]) is named by 127.0.0.1, which reaches
// it from this machine: "http://[::]:8787" reaches nothing elsewhere.
func (f *Front) URL() string {
	if len(f.plainAddr) == 0 {
		return ""
	}
	return "http://" + Dialable(f.plainAddr[0])
}

// Dialable is addr with an unspecified host (0.0.0.0, [::]) replaced by
// 127.0.0.1: an address a client on this machine can connect to.
func Dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err == nil && ip != nil && ip.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", port)
	}
	return addr
}

// Wildcard reports whether the first plain listener listens on every
// interface, so that other machines reach it by this machine's address.
func (f *Front) Wildcard() bool {
	return len(f.plainAddr) > 0 && Dialable(f.plainAddr[0]) != f.plainAddr[0]
}

// ProxyURL is what HTTPS_PROXY and HTTP_PROXY should say: the first plain
// listener. Nil without one.
func (f *Front) ProxyURL() *url.URL {
	if len(f.plainAddr) == 0 {
		return nil
	}
	return &url.URL{Scheme: "http", Host: Dialable(f.plainAddr[0])}
}

// TLSURL is an https base URL of the front: the first TLS-only listener,
// else the first plain one (which speaks TLS too); "" without a CA.
func (f *Front) TLSURL() string {
	switch {
	case f.secure == nil:
		return ""
	case len(f.tlsAddr) > 0:
		return "https://" + Dialable(f.tlsAddr[0])
	}
	return "https://" + Dialable(f.plainAddr[0])
}

// CA is the front's CA, nil when TLS is off.
func (f *Front) CA() *CA { return f.cfg.CA }

// Addrs are the plain listeners' addresses and TLSAddrs the TLS-only
// ones, with their ports resolved.
func (f *Front) Addrs() []string    { return append([]string(nil), f.plainAddr...) }
func (f *Front) TLSAddrs() []string { return append([]string(nil), f.tlsAddr...) }

// Client returns an http.Client that reaches the fake at Spotify's real
// URLs (https://accounts.spotify.com, https://api.spotify.com) through the
// front's proxy and trusts only the front's CA: for Go tests of code that
// takes an *http.Client. Requests to any other host get the proxy's 403.
func (f *Front) Client() *http.Client {
	t := &http.Transport{Proxy: http.ProxyURL(f.ProxyURL()), ForceAttemptHTTP2: true}
	if f.certs != nil {
		t.TLSClientConfig = &tls.Config{RootCAs: f.certs.ca.Pool()}
	}
	return &http.Client{Transport: t}
}

func (f *Front) event(e Event) {
	if f.cfg.Log != nil {
		f.cfg.Log(e)
	}
}

// logWriter turns net/http's error log (TLS handshake errors, mostly)
// into debug events: clients that give up a handshake are routine.
type logWriter struct{ f *Front }

func (w logWriter) Write(p []byte) (int, error) {
	w.f.event(Event{Level: "debug", Msg: strings.TrimSpace(string(p))})
	return len(p), nil
}

// peekedConn is a connection whose first bytes were read ahead; host is
// the CONNECT target of a tunnel.
type peekedConn struct {
	net.Conn
	r    io.Reader
	host string
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// chanListener hands connections accepted elsewhere to an http.Server.
type chanListener struct {
	addr net.Addr
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
}

func newChanListener(addr net.Addr) *chanListener {
	return &chanListener{addr: addr, ch: make(chan net.Conn), done: make(chan struct{})}
}

func (l *chanListener) push(c net.Conn) {
	select {
	case l.ch <- c:
	case <-l.done:
		c.Close()
	}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *chanListener) Addr() net.Addr { return l.addr }
