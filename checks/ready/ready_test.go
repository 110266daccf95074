package ready_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/ready"
	"github.com/spotcheck/spotcheck/fakespotify"
)

// freeAddr is a loopback address nothing listens on (yet).
func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	addr := ln.Addr().String()
	Expect(ln.Close()).To(Succeed())
	return addr
}

var _ = Describe("ProbeURL", func() {
	DescribeTable("probes a fake's base URL at its health endpoint and any other URL as it is",
		func(raw, want string) {
			u, err := ready.ProbeURL(raw)
			Expect(err).NotTo(HaveOccurred())
			Expect(u.String()).To(Equal(want))
		},
		Entry("the default", ready.DefaultURL, "http://127.0.0.1:8787/_spotcheck/health"),
		Entry("a base with a slash", "http://spotify:8787/", "http://spotify:8787/_spotcheck/health"),
		Entry("https", "https://localhost:8443", "https://localhost:8443/_spotcheck/health"),
		Entry("IPv6", "http://[::1]:8787", "http://[::1]:8787/_spotcheck/health"),
		Entry("a path: as it is", "http://127.0.0.1:3000/healthz", "http://127.0.0.1:3000/healthz"),
		Entry("the Web API base: as it is", "http://127.0.0.1:8787/v1", "http://127.0.0.1:8787/v1"),
		Entry("a query is kept", "http://127.0.0.1:3000/ready?deep=1", "http://127.0.0.1:3000/ready?deep=1"),
		Entry("a fragment is dropped", "http://127.0.0.1:3000/ready#x", "http://127.0.0.1:3000/ready"),
	)

	DescribeTable("refuses what cannot be probed",
		func(raw, says string) {
			_, err := ready.ProbeURL(raw)
			Expect(err).To(MatchError(ready.ErrBadURL))
			Expect(err.Error()).To(ContainSubstring(says))
		},
		Entry("no scheme", "127.0.0.1:8787", "127.0.0.1:8787"),
		Entry("a host as the scheme", "localhost:8787", "want an http:// or https:// URL"),
		Entry("another scheme", "ftp://127.0.0.1/", "want an http:// or https:// URL"),
		Entry("a bad port", "http://127.0.0.1:port/", "invalid port"),
		Entry("no host", "http:///health", "has no host"),
		Entry("only a port", "http://:8787", "has no host"),
		Entry("empty", "", "want an http:// or https:// URL"),
		Entry("a control character", "http://127.0.0.1\x7f/", "invalid control character"),
	)
})

var _ = DescribeTable("Answered: any HTTP answer counts except a gateway's or a starting server's 'not yet'",
	func(status int, want bool) { Expect(ready.Answered(status)).To(Equal(want)) },
	Entry("200", 200, true),
	Entry("204", 204, true),
	Entry("302", 302, true),
	Entry("401 (a control token is wanted)", 401, true),
	Entry("404 (no control endpoints)", 404, true),
	Entry("500", 500, true),
	Entry("502", 502, false),
	Entry("503", 503, false),
	Entry("504", 504, false),
)

var _ = Describe("Wait", func() {
	ctx := context.Background()

	It("returns at once when the fake answers, and the probe is not in the fake's request log", func() {
		srv, err := fakespotify.Start(fakespotify.DefaultConfig())
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(srv.Close)
		status, err := ready.Wait(ctx, srv.URL, ready.Options{})
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(http.StatusOK))
		Expect(srv.Requests("")).To(BeEmpty())
	})

	It("counts a fake without control endpoints as up: the check needs no secret", func() {
		srv, err := fakespotify.Start(fakespotify.DefaultConfig(), fakespotify.WithoutControl())
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(srv.Close)
		status, err := ready.Wait(ctx, srv.URL+"/", ready.Options{})
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(http.StatusNotFound))
	})

	It("keeps trying until the server starts listening", func() {
		addr := freeAddr()
		var srv *http.Server
		DeferCleanup(func() {
			if srv != nil {
				srv.Close()
			}
		})
		status, err := ready.Wait(ctx, "http://"+addr+"/up", ready.Options{Attempt: func(n int, u string) {
			Expect(u).To(Equal("http://" + addr + "/up"))
			if n == 3 { // the first two attempts were refused
				ln, err := net.Listen("tcp", addr)
				Expect(err).NotTo(HaveOccurred())
				srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })}
				go srv.Serve(ln)
			}
		}})
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(http.StatusTeapot))
	})

	It("keeps trying while the server says 503, and does not follow redirects", func() {
		var calls atomic.Int32
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) < 3 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			http.Redirect(w, r, "http://192.0.2.1/elsewhere", http.StatusFound)
		}))
		DeferCleanup(ts.Close)
		status, err := ready.Wait(ctx, ts.URL+"/ready", ready.Options{})
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(http.StatusFound))
		Expect(calls.Load()).To(Equal(int32(3)))
	})

	It("times out with the last error when nothing listens", func() {
		addr := freeAddr()
		attempts := 0
		_, err := ready.Wait(ctx, "http://"+addr, ready.Options{Timeout: 300 * time.Millisecond, Attempt: func(int, string) { attempts++ }})
		var te *ready.TimeoutError
		Expect(errors.As(err, &te)).To(BeTrue(), "%v", err)
		Expect(errors.Is(err, syscall.ECONNREFUSED)).To(BeTrue(), "%v", err)
		Expect(err.Error()).To(HavePrefix("http://" + addr + " did not answer within 300ms: last error: dial tcp " + addr + ": connect: connection refused"))
		Expect(attempts).To(BeNumerically(">", 1), "it retried")
		Expect(attempts).To(BeNumerically("<", 20), "with a backoff, not a busy loop")
	})

	It("times out naming the status when the server only ever says 503", func() {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
		DeferCleanup(ts.Close)
		_, err := ready.Wait(ctx, ts.URL, ready.Options{Timeout: 200 * time.Millisecond})
		Expect(err).To(MatchError(ts.URL + " did not answer within 200ms: last error: answered 503 Service Unavailable"))
	})

	It("gives up on a server that accepts but never answers", func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(ln.Close)
		_, err = ready.Wait(ctx, "http://"+ln.Addr().String(), ready.Options{Timeout: 200 * time.Millisecond})
		var te *ready.TimeoutError
		Expect(errors.As(err, &te)).To(BeTrue(), "%v", err)
	})

	It("stops when its context ends, without calling it a timeout", func() {
		c, cancel := context.WithCancel(ctx)
		_, err := ready.Wait(c, "http://"+freeAddr(), ready.Options{Attempt: func(n int, _ string) {
			if n == 2 {
				cancel()
			}
		}})
		Expect(err).To(MatchError(context.Canceled))
		var te *ready.TimeoutError
		Expect(errors.As(err, &te)).To(BeFalse())
	})

	It("refuses a bad URL before trying", func() {
		_, err := ready.Wait(ctx, "ftp://127.0.0.1", ready.Options{Attempt: func(int, string) { Fail("no attempt expected") }})
		Expect(err).To(MatchError(ready.ErrBadURL))
	})
})
