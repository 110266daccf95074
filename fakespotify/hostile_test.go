package fakespotify_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/httpserve"
)

// liveHeap is the bytes of live heap objects after a collection: Go's own
// measure of what a process holds, unlike RSS, which the runtime returns
// to the system lazily.
func liveHeap() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// hostileBound is how long a spec waits for the fake to cut a client off
// before calling it hung: a liveness bound, not a measured figure.
const hostileBound = 30 * time.Second

var _ = Describe("hostile input", func() {
	const budget = 4 << 20
	var (
		srv *fakespotify.Server
		web string // its Basic header
	)
	start := func(opts ...fakespotify.Option) {
		var err error
		srv, err = fakespotify.Start(fakespotify.DefaultConfig(), append([]fakespotify.Option{fakespotify.WithRequestLogBytes(budget)}, opts...)...)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(srv.Close)
		app, _ := srv.App("web")
		web = basicAuth(app)
	}
	send := func(method, target string, header http.Header, body io.Reader) int {
		GinkgoHelper()
		req, err := http.NewRequest(method, target, body)
		Expect(err).NotTo(HaveOccurred())
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}

	It("keeps the log within its budget however large the headers, queries and bodies, and says what it cut", func() {
		start()
		before := liveHeap()
		big := strings.Repeat("h", 600<<10) // with the query, under net/http's 1 MiB of headers
		query := "?" + strings.Repeat("a=1&", 25<<10)
		body := strings.Repeat("x", 256<<10)
		for range 30 {
			send("POST", srv.URL+"/api/token"+query, http.Header{"X-Big": {big}, "Authorization": {web},
				"Content-Type": {"application/x-www-form-urlencoded"}}, strings.NewReader("grant_type=client_credentials&pad="+body))
		}
		Expect(srv.RequestLogBytes()).To(BeNumerically("<=", budget))
		reqs := srv.Requests("*")
		Expect(reqs).NotTo(BeEmpty())
		for _, r := range reqs {
			Expect(r.Truncated).To(ConsistOf("query", "header", "body"))
			Expect(r.Header).NotTo(HaveKey("X-Big"), "a value past the cap is left out whole")
			Expect(r.Header.Get("Authorization")).To(HavePrefix("Basic [redacted "))
			Expect(len(r.Body)).To(BeNumerically("<=", 16<<10))
		}
		// 30 requests of almost 1 MB each came through; the log holds a
		// fraction of them.
		Expect(liveHeap()).To(BeNumerically("<", before+16<<20))
	})

	It("evicts the oldest entries first, whichever app's they are, and grading says the window lost some", func() {
		start(fakespotify.WithRequestLogBytes(64 << 10))
		other, _ := srv.App("other")
		send("POST", srv.URL+"/api/token", http.Header{"Authorization": {basicAuth(other)}, "Content-Type": {"application/x-www-form-urlencoded"}},
			strings.NewReader("grant_type=client_credentials"))
		Expect(srv.RequestCount(other.ClientID)).To(Equal(1))
		for range 200 {
			send("POST", srv.URL+"/api/token", http.Header{"Authorization": {web}, "Content-Type": {"application/x-www-form-urlencoded"}},
				strings.NewReader("grant_type=client_credentials"))
		}
		Expect(srv.RequestLogBytes()).To(BeNumerically("<=", 64<<10))
		Expect(srv.RequestCount(other.ClientID)).To(BeZero(), "the other app's older entry went first")
		app, _ := srv.App("web")
		Expect(srv.RequestCount(app.ClientID)).To(BeNumerically("<", 200))
		Expect(srv.RequestCount("*")).To(Equal(len(srv.Requests("*"))))
	})

	It("streams GET /_spotcheck/requests as the same records Requests returns", func() {
		start()
		for range 30 {
			send("POST", srv.URL+"/api/token?x=1", http.Header{"Authorization": {web}, "Content-Type": {"application/x-www-form-urlencoded"}},
				strings.NewReader("grant_type=client_credentials"))
		}
		resp, err := http.Get(srv.URL + "/_spotcheck/requests")
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		Expect(resp.Header.Get("Content-Type")).To(Equal("application/json"))
		var listed struct{ Requests []fakespotify.Request }
		Expect(json.NewDecoder(resp.Body).Decode(&listed)).To(Succeed())
		want, _ := json.Marshal(srv.Requests("*"))
		got, _ := json.Marshal(listed.Requests)
		Expect(got).To(MatchJSON(want))
		Expect(listed.Requests).To(HaveLen(30))
	})

	It("refuses clones past max_clones with a 409 that says what to do", func() {
		start(fakespotify.WithMaxClones(20))
		for range 20 {
			_, err := srv.CloneApp("web", fakespotify.AppOverrides{})
			Expect(err).NotTo(HaveOccurred())
		}
		_, err := srv.CloneApp("web", fakespotify.AppOverrides{})
		Expect(err).To(MatchError(fakespotify.ErrTooManyClones))
		req, _ := http.NewRequest("POST", srv.URL+"/_spotcheck/apps", strings.NewReader(`{"from":"web"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusConflict))
		Expect(string(b)).To(ContainSubstring("max_clones"))
		// Deleting one makes room again.
		apps := srv.Apps()
		Expect(srv.DeleteApp(apps[len(apps)-1].ClientID)).To(BeTrue())
		_, err = srv.CloneApp("web", fakespotify.AppOverrides{})
		Expect(err).NotTo(HaveOccurred())
	})

	DescribeTable("refuses a clock move past its range with a 400, and keeps its clock",
		func(advances []string, lastStatus int) {
			start()
			var status int
			var body string
			for _, a := range advances {
				req, _ := http.NewRequest("POST", srv.URL+"/_spotcheck/clock", strings.NewReader(`{"advance":"`+a+`"}`))
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				Expect(err).NotTo(HaveOccurred())
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				status, body = resp.StatusCode, string(b)
			}
			Expect(status).To(Equal(lastStatus), body)
			if lastStatus == http.StatusBadRequest {
				Expect(body).To(ContainSubstring("at most"))
			}
			Expect(srv.Now().Year()).To(BeNumerically("<", 2262), "the clock did not wrap")
			Expect(srv.Now().After(time.Now().Add(-time.Minute))).To(BeTrue(), "the clock did not go back")
		},
		Entry("2562047h once", []string{"2562047h"}, http.StatusBadRequest),
		Entry("2562047h twice", []string{"2562047h", "2562047h"}, http.StatusBadRequest),
		Entry("100 years, then an hour more", []string{"876000h", "1h"}, http.StatusBadRequest),
		Entry("a year, twice", []string{"8760h", "8760h"}, http.StatusOK),
	)

	It("saturates AdvanceClock, the Go call that cannot refuse", func() {
		start()
		srv.AdvanceClock(time.Duration(1<<63 - 1))
		srv.AdvanceClock(time.Duration(1<<63 - 1))
		Expect(srv.Now().Sub(time.Now())).To(BeNumerically("~", fakespotify.MaxClockAdvance, time.Hour))
	})

	It("serves a new client while 200 idle keep-alive and 200 slow-body clients hold connections, and closes those in bounded time", func() {
		start(fakespotify.WithLimits(httpserve.Limits{
			ReadHeaderTimeout: 300 * time.Millisecond, BodyTimeout: 500 * time.Millisecond,
			WriteTimeout: 500 * time.Millisecond, IdleTimeout: 300 * time.Millisecond, MaxConns: 64,
		}))
		addr := strings.TrimPrefix(srv.URL, "http://")
		closed := make(chan error, 400)
		var wg sync.WaitGroup
		hold := func(request string, trickle bool) {
			c, err := net.Dial("tcp", addr)
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(func() { _ = c.Close() })
			_, err = io.WriteString(c, request)
			Expect(err).NotTo(HaveOccurred())
			wg.Add(1)
			go func() {
				defer wg.Done()
				stop := make(chan struct{})
				if trickle {
					go func() { // one byte now and then, as a slow client sends
						t := time.NewTicker(100 * time.Millisecond)
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
				}
				_ = c.SetReadDeadline(time.Now().Add(hostileBound))
				_, err := io.Copy(io.Discard, bufio.NewReader(c))
				close(stop)
				closed <- err
			}()
		}
		for range 200 {
			hold("GET /_spotcheck/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", false)
			hold("POST /api/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\ngrant_type=", true)
		}
		// A new client is served, behind them.
		fresh := &http.Client{Timeout: hostileBound, Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := fresh.Get(srv.URL + "/_spotcheck/health")
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		wg.Wait()
		close(closed)
		for err := range closed {
			Expect(errors.Is(err, os.ErrDeadlineExceeded)).To(BeFalse(), "the fake kept a connection open")
		}
	})
})
