package httpserve_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/httpserve"
)

// bound is how long a spec waits for the server to cut a client before it
// calls the server hung: a liveness bound, not a measured figure. The
// limits under test are a fraction of a second.
const bound = 30 * time.Second

// short are limits small enough for specs.
var short = httpserve.Limits{
	ReadHeaderTimeout: 200 * time.Millisecond,
	BodyTimeout:       300 * time.Millisecond,
	WriteTimeout:      300 * time.Millisecond,
	IdleTimeout:       200 * time.Millisecond,
}

// serve starts h with limits on a free loopback port and returns its
// address.
func serve(h http.Handler, l httpserve.Limits) string {
	GinkgoHelper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	srv, done := httpserve.Serve(ln, h, l)
	DeferCleanup(func() {
		Expect(srv.Close()).To(Succeed())
		Expect(<-done).To(MatchError(http.ErrServerClosed))
	})
	return ln.Addr().String()
}

func dial(addr string) net.Conn {
	GinkgoHelper()
	c, err := net.Dial("tcp", addr)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { _ = c.Close() })
	return c
}

// closedByServer reads from c until the server closes it, and fails if
// that takes longer than the bound.
func closedByServer(c net.Conn) {
	GinkgoHelper()
	Expect(c.SetReadDeadline(time.Now().Add(bound))).To(Succeed())
	_, err := io.Copy(io.Discard, c)
	Expect(errors.Is(err, os.ErrDeadlineExceeded)).To(BeFalse(), "the server kept the connection open")
}

// serveBodyReader serves a handler that reads the request body and
// reports how that ended.
func serveBodyReader() (string, <-chan error) {
	GinkgoHelper()
	readErr := make(chan error, 1)
	addr := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.Copy(io.Discard, r.Body)
		readErr <- err
	}), short)
	return addr, readErr
}

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	_, _ = io.WriteString(w, "ok\n")
})

var _ = Describe("Serve", func() {
	It("cuts a client whose headers never end", func() {
		c := dial(serve(ok, short))
		_, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
		Expect(err).NotTo(HaveOccurred())
		closedByServer(c)
	})

	It("cuts a body that stops arriving, and the handler sees an error", func() {
		addr, readErr := serveBodyReader()
		c := dial(addr)
		_, err := io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nx")
		Expect(err).NotTo(HaveOccurred())
		Eventually(readErr).WithTimeout(bound).Should(Receive(HaveOccurred()))
		closedByServer(c)
	})

	It("cuts a body trickled one byte at a time, though it never stalls", func() {
		addr, readErr := serveBodyReader()
		c := dial(addr)
		_, err := io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
		Expect(err).NotTo(HaveOccurred())
		// The slow client: a byte every 20 ms, far inside any idle
		// timer, until the server cuts it.
		stop := make(chan struct{})
		DeferCleanup(func() { close(stop) })
		go func() {
			t := time.NewTicker(20 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					if _, err := c.Write([]byte("x")); err != nil {
						return
					}
				}
			}
		}()
		Eventually(readErr).WithTimeout(bound).Should(Receive(HaveOccurred()))
	})

	It("closes a keep-alive connection that sends no next request", func() {
		c := dial(serve(ok, short))
		_, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		Expect(err).NotTo(HaveOccurred())
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(resp.Header.Get("Connection")).NotTo(Equal("close"))
		closedByServer(c)
	})

	It("stops writing to a client that does not read, and the handler sees an error", func() {
		writeErr := make(chan error, 1)
		addr := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			chunk := []byte(strings.Repeat("x", 1<<20))
			for {
				if _, err := w.Write(chunk); err != nil {
					writeErr <- err
					return
				}
			}
		}), short)
		c := dial(addr)
		_, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		Expect(err).NotTo(HaveOccurred())
		Eventually(writeErr).WithTimeout(bound).Should(Receive(HaveOccurred()))
	})

	It("caps the connections open at once; the next is served when one closes", func() {
		full := make(chan int, 10)
		l := short
		l.IdleTimeout, l.MaxConns, l.OnFull = time.Hour, 2, func(open int) { full <- open }
		addr := serve(ok, l)
		first, second := dial(addr), dial(addr)
		Eventually(full).WithTimeout(bound).Should(Receive(Equal(2)))
		third := dial(addr)
		_, err := io.WriteString(third, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		Expect(err).NotTo(HaveOccurred())
		Expect(first.Close()).To(Succeed())
		Expect(third.SetReadDeadline(time.Now().Add(bound))).To(Succeed())
		resp, err := http.ReadResponse(bufio.NewReader(third), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		_ = second
	})

	It("takes the defaults for a zero Limits", func() {
		srv := httpserve.Server(ok, httpserve.Limits{})
		Expect([]any{srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, srv.MaxHeaderBytes}).To(Equal([]any{
			httpserve.Defaults.ReadHeaderTimeout, httpserve.Defaults.BodyTimeout, httpserve.Defaults.WriteTimeout,
			httpserve.Defaults.IdleTimeout, httpserve.Defaults.MaxHeaderBytes}))
		Expect(httpserve.Defaults.MaxConns).To(Equal(256))
	})
})

var _ = DescribeTable("IsLoopbackHost",
	func(host string, want bool) { Expect(httpserve.IsLoopbackHost(host)).To(Equal(want)) },
	Entry("localhost with a port", "localhost:8787", true),
	Entry("LOCALHOST", "LOCALHOST", true),
	Entry("127.0.0.1", "127.0.0.1:80", true),
	Entry("anywhere in 127/8", "127.9.8.7", true),
	Entry("::1 in brackets with a port", "[::1]:8787", true),
	Entry("::1 bare", "::1", true),
	Entry("a LAN address", "192.168.1.10:8787", false),
	Entry("a name", "evil.example:8787", false),
	Entry("localhost as a subdomain", "localhost.evil.example", false),
	Entry("empty", "", false),
)
