package fakespotify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/config"
)

// Server is a fake serving on a loopback port.
type Server struct {
	*Fake
	// URL is the base of both services, e.g. http://127.0.0.1:41234:
	// accounts at URL+"/authorize" and URL+"/api/token", the Web API at
	// URL+"/v1/".
	URL  string
	Addr string
	srv  *http.Server
	done chan error

	mu    sync.Mutex
	fresh map[net.Conn]bool // accepted connections that have not sent a request yet
}

// Start builds a fake and serves it on a free 127.0.0.1 port.
func Start(cfg *config.Config, opts ...Option) (*Server, error) {
	f, err := New(cfg, opts...)
	if err != nil {
		return nil, err
	}
	return Listen("127.0.0.1:0", f)
}

// ErrAddrInUse is returned by Listen when the address is taken.
var ErrAddrInUse = errors.New("address already in use")

// Listen serves f on addr until Close. On an address that is not
// loopback (0.0.0.0, a LAN address) anyone who reaches the port could
// drive the control API, so Listen turns it off there unless the fake has
// a control token (WithControlToken); ControlAccess says which it is.
func Listen(addr string, f *Fake) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if isAddrInUse(err) {
			return nil, fmt.Errorf("listen on %s: %w", addr, ErrAddrInUse)
		}
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); (!ok || !tcp.IP.IsLoopback()) && f.controlToken == "" {
		f.controlOff.Store(true)
	}
	s := &Server{
		Fake:  f,
		URL:   "http://" + ln.Addr().String(),
		Addr:  ln.Addr().String(),
		srv:   &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second},
		done:  make(chan error, 1),
		fresh: map[net.Conn]bool{},
	}
	s.srv.ConnState = s.track
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// track remembers connections that have not sent a request yet: a client
// pool often dials one more connection than it uses, and Shutdown would
// wait 5 s for it to speak before treating it as idle.
func (s *Server) track(c net.Conn, state http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if state == http.StateNew {
		s.fresh[c] = true
	} else {
		delete(s.fresh, c)
	}
}

// Close stops the server, letting requests in flight finish for up to 5 s.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- s.srv.Shutdown(ctx) }()
	// Shutdown has stopped accepting once it runs; connections that never
	// sent a request carry nothing to finish.
	s.mu.Lock()
	for c := range s.fresh {
		_ = c.Close()
	}
	s.mu.Unlock()
	err := <-shut
	if err != nil {
		_ = s.srv.Close()
	}
	if serr := <-s.done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// AccountsURL and APIURL are what clients configured with separate bases
// (SPOTIFY_ACCOUNTS_URL, SPOTIFY_API_URL) should use.
func (s *Server) AccountsURL() string { return s.URL }

// APIURL is the Web API base, with its /v1 path.
func (s *Server) APIURL() string { return s.URL + "/v1" }
