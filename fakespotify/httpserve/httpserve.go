// Package httpserve hardens the HTTP servers spotcheck runs on a developer's
// machine (the fake, the explain page) against clients that never finish:
// a request line or headers that trickle in, a body sent one byte at a time,
// keep-alive connections left open, a client that stops reading its
// response, and more connections than the process has file descriptors.
// It imports nothing else of spotcheck, so the fake can use it.
package httpserve

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Limits bound what one client can hold. A zero field takes its default.
type Limits struct {
	// ReadHeaderTimeout bounds the request line and headers (default 10 s).
	ReadHeaderTimeout time.Duration
	// BodyTimeout bounds reading a whole request, body included, from the
	// end of the previous one (http.Server.ReadTimeout; default 2 min): a
	// body trickled at 1 byte per 5 s is cut when it runs out. It is a
	// deadline, not an idle timer, because a trickle is never idle.
	BodyTimeout time.Duration
	// WriteTimeout bounds writing a response to a client that does not
	// read it (default 2 min).
	WriteTimeout time.Duration
	// IdleTimeout closes a keep-alive connection that sends no next request
	// (default 60 s).
	IdleTimeout time.Duration
	// MaxHeaderBytes caps the request line and headers (default 1 MiB, as
	// net/http).
	MaxHeaderBytes int
	// MaxConns caps the connections open at once (default 256); beyond it
	// Accept waits until one closes, so new clients queue in the kernel's
	// backlog instead of costing a file descriptor each.
	MaxConns int
	// OnFull, when set, is called each time the cap is reached and Accept
	// starts to wait (to log it).
	OnFull func(open int)
}

// Defaults are the limits a zero Limits takes.
var Defaults = Limits{
	ReadHeaderTimeout: 10 * time.Second,
	BodyTimeout:       2 * time.Minute,
	WriteTimeout:      2 * time.Minute,
	IdleTimeout:       60 * time.Second,
	MaxHeaderBytes:    http.DefaultMaxHeaderBytes,
	MaxConns:          256,
}

func (l Limits) withDefaults() Limits {
	d := Defaults
	set := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&l.ReadHeaderTimeout, d.ReadHeaderTimeout)
	set(&l.BodyTimeout, d.BodyTimeout)
	set(&l.WriteTimeout, d.WriteTimeout)
	set(&l.IdleTimeout, d.IdleTimeout)
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = d.MaxHeaderBytes
	}
	if l.MaxConns <= 0 {
		l.MaxConns = d.MaxConns
	}
	return l
}

// Server returns an http.Server for h with l's timeouts. Serve it on a
// listener wrapped by Listener (or use Serve, which does both).
func Server(h http.Handler, l Limits) *http.Server {
	l = l.withDefaults()
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.BodyTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
	}
}

// Serve serves h on ln with l applied to both, until srv.Shutdown or
// srv.Close; it returns the server first so the caller can stop it.
func Serve(ln net.Listener, h http.Handler, l Limits) (*http.Server, <-chan error) {
	srv := Server(h, l)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(Listener(ln, l)) }()
	return srv, done
}

// Listener caps ln at l.MaxConns open connections: Accept waits while that
// many are open, and a connection frees its slot when it is closed (once,
// however often Close is called).
func Listener(ln net.Listener, l Limits) net.Listener {
	l = l.withDefaults()
	return &limitListener{Listener: ln, slots: make(chan struct{}, l.MaxConns), onFull: l.OnFull, done: make(chan struct{})}
}

type limitListener struct {
	net.Listener
	slots  chan struct{}
	onFull func(open int)
	done   chan struct{}
	close  sync.Once
}

func (ln *limitListener) Accept() (net.Conn, error) {
	select {
	case ln.slots <- struct{}{}:
	default:
		if ln.onFull != nil {
			ln.onFull(cap(ln.slots))
		}
		select {
		case ln.slots <- struct{}{}:
		case <-ln.done:
			return nil, net.ErrClosed
		}
	}
	c, err := ln.Listener.Accept()
	if err != nil {
		<-ln.slots
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-ln.slots }}, nil
}

// Close also ends an Accept that waits for a slot.
func (ln *limitListener) Close() error {
	ln.close.Do(func() { close(ln.done) })
	return ln.Listener.Close()
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// ConnsFor returns a connection cap that keeps a server within the
// process's descriptor limit: half of it (the other half is for files,
// listeners and outgoing connections), at most most and at least 16. A
// server whose Accept fails for want of descriptors stops answering new
// clients until a connection closes; a capped one leaves them waiting in
// the kernel's backlog instead, and they are served as others end.
func ConnsFor(most int) int {
	n := most
	if lim := openFileLimit(); lim > 0 && lim/2 < uint64(n) {
		n = int(lim / 2)
	}
	return max(n, 16)
}
