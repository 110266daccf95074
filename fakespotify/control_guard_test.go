package fakespotify_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/control"
)

// The control API changes the fake's clock, grants, faults and apps, and
// shows secrets: what a page in the developer's browser, DNS rebinding and
// anyone on the network can do to it (issue 11, item 2).
var _ = Describe("the control API's guard", func() {
	const token = "c0ntrol-t0ken-5ecret-0123456789"

	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	newFake := func(opts ...fakespotify.Option) *fakespotify.Fake {
		opts = append([]fakespotify.Option{fakespotify.WithClock(func() time.Time { return start })}, opts...)
		f, err := fakespotify.New(fakespotify.DefaultConfig(), opts...)
		Expect(err).NotTo(HaveOccurred())
		return f
	}
	serve := func(f *fakespotify.Fake, method, host, path, contentType, body string, header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Host = host
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		f.ServeHTTP(rec, req)
		return rec
	}
	// state is what a control request could change.
	state := func(f *fakespotify.Fake) string {
		rec := serve(f, http.MethodPost, "127.0.0.1", "/api/token", "application/x-www-form-urlencoded", "grant_type=client_credentials",
			"Authorization", basicAuth(fakespotify.DefaultConfig().Apps[0]))
		return strings.Join([]string{f.Now().String(), string(f.Policies("").Refresh), rec.Result().Status,
			strings.Repeat("a", len(f.Apps()))}, "|")
	}

	DescribeTable("refuses a change that a web page could send without a CORS preflight",
		func(method, path, contentType, body string) {
			f := newFake()
			before, logged := state(f), len(f.Requests("*"))
			rec := serve(f, method, "127.0.0.1:8787", path, contentType, body)
			Expect(rec.Code).To(Equal(http.StatusUnsupportedMediaType), rec.Body.String())
			Expect(rec.Body.String()).To(ContainSubstring("Content-Type: application/json"))
			Expect(rec.Header().Get("Access-Control-Allow-Origin")).To(BeEmpty())
			Expect(f.Requests("*")).To(HaveLen(logged), "the log is as it was")
			Expect(state(f)).To(Equal(before), "nothing changed")
		},
		Entry("the clock, as text/plain", http.MethodPost, "/_spotcheck/clock", "text/plain", `{"advance":"1000h"}`),
		Entry("a fault, as a form", http.MethodPost, "/_spotcheck/inject", "application/x-www-form-urlencoded", `{"path":"/api/token","count":-1,"status":500}`),
		Entry("a policy, as multipart", http.MethodPost, "/_spotcheck/policy", "multipart/form-data; boundary=x", `{"policies":{"refresh":"always-rotate"}}`),
		Entry("a clone, without a content type", http.MethodPost, "/_spotcheck/apps", "", `{"from":"web"}`),
		Entry("a revocation, as text/plain", http.MethodPost, "/_spotcheck/revoke", "text/plain;charset=UTF-8", `{"user":"alice"}`),
		Entry("a new grading window, without a body", http.MethodPost, "/_spotcheck/grade", "", ""),
		Entry("clearing the log", http.MethodDelete, "/_spotcheck/requests", "", ""),
		Entry("deleting an app", http.MethodDelete, "/_spotcheck/apps/6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b", "text/plain", ""),
		Entry("a preflight", http.MethodOptions, "/_spotcheck/clock", "", ""),
	)

	It("takes a change with application/json, with or without a charset, and a read with no content type", func() {
		f := newFake()
		Expect(serve(f, http.MethodPost, "127.0.0.1", "/_spotcheck/clock", "application/json", `{"advance":"1h"}`).Code).To(Equal(http.StatusOK))
		Expect(serve(f, http.MethodPost, "127.0.0.1", "/_spotcheck/clock", "application/json; charset=utf-8", `{"advance":"1h"}`).Code).To(Equal(http.StatusOK))
		Expect(f.Now().Sub(start)).To(BeNumerically(">=", 2*time.Hour))
		Expect(serve(f, http.MethodPost, "127.0.0.1", "/_spotcheck/grade", "application/json", "").Code).To(Equal(http.StatusOK))
		Expect(serve(f, http.MethodGet, "127.0.0.1", "/_spotcheck/health", "", "").Code).To(Equal(http.StatusOK))
		Expect(serve(f, http.MethodGet, "127.0.0.1", "/_spotcheck/requests", "", "").Code).To(Equal(http.StatusOK))
	})

	DescribeTable("answers only requests addressed to a loopback name, so DNS rebinding reads nothing",
		func(host string, ok bool) {
			f := newFake()
			for _, rec := range []*httptest.ResponseRecorder{
				serve(f, http.MethodGet, host, "/_spotcheck/apps", "", ""),
				serve(f, http.MethodPost, host, "/_spotcheck/apps", "application/json", `{"from":"web"}`),
			} {
				if ok {
					Expect(rec.Code).To(BeNumerically("<", 300), rec.Body.String())
					continue
				}
				Expect(rec.Code).To(Equal(http.StatusMisdirectedRequest))
				Expect(rec.Body.String()).To(ContainSubstring("loopback"))
				Expect(rec.Body.String()).NotTo(ContainSubstring("client_secret"))
			}
			Expect(f.Apps()).To(HaveLen(map[bool]int{true: 6, false: 5}[ok]))
		},
		Entry("127.0.0.1 with a port", "127.0.0.1:8787", true),
		Entry("anywhere in 127.0.0.0/8", "127.8.9.10", true),
		Entry("localhost", "localhost:8787", true),
		Entry("LOCALHOST", "LOCALHOST", true),
		Entry("::1", "[::1]:8787", true),
		Entry("127.0.0.1 mapped into IPv6", "[::ffff:127.0.0.1]:8787", true),
		Entry("a rebound name", "evil.example:8787", false),
		Entry("a name that starts like loopback", "127.0.0.1.evil.example", false),
		Entry("localhost as a subdomain", "localhost.evil.example", false),
		Entry("a LAN address", "192.168.1.20:8787", false),
		Entry("0.0.0.0", "0.0.0.0:8787", false),
		Entry("no Host", "", false),
	)

	Describe("with a control token", func() {
		DescribeTable("needs the token, on any Host, and never shows it",
			func(auth string, status int) {
				var logged []string
				var mu sync.Mutex
				f := newFake(fakespotify.WithControlToken(token), fakespotify.WithLogger(func(r fakespotify.Request) {
					mu.Lock()
					defer mu.Unlock()
					logged = append(logged, r.Path+" "+r.Header.Get("Authorization")+" "+r.ResponseBody)
				}))
				Expect(f.ControlAccess()).To(Equal(fakespotify.ControlToken))
				rec := serve(f, http.MethodPost, "fake.internal:8787", "/_spotcheck/apps", "application/json", `{"from":"web"}`, "Authorization", auth)
				Expect(rec.Code).To(Equal(status), rec.Body.String())
				if status == http.StatusUnauthorized {
					Expect(rec.Header().Get("WWW-Authenticate")).To(HavePrefix("Bearer "))
					Expect(f.Apps()).To(HaveLen(5))
				}
				Expect(rec.Body.String()).NotTo(ContainSubstring(token))

				// A client that sends the token where it does not belong
				// finds it redacted in the fake's log.
				serve(f, http.MethodGet, "127.0.0.1", "/v1/me?access_token="+token, "", "", "Authorization", "Bearer "+token)
				all := serve(f, http.MethodGet, "127.0.0.1", "/_spotcheck/requests", "", "", "Authorization", "Bearer "+token)
				Expect(all.Code).To(Equal(http.StatusOK))
				Expect(all.Body.String()).To(ContainSubstring("/v1/me"))
				Expect(all.Body.String()).NotTo(ContainSubstring(token))
				mu.Lock()
				defer mu.Unlock()
				Expect(strings.Join(logged, "\n")).NotTo(ContainSubstring(token))
				Expect(strings.Join(logged, "\n")).NotTo(ContainSubstring("_spotcheck"), "control requests are never logged")
			},
			Entry("the token", "Bearer "+token, http.StatusCreated),
			Entry("the scheme in lower case", "bearer "+token, http.StatusCreated),
			Entry("none", "", http.StatusUnauthorized),
			Entry("another token", "Bearer "+strings.ToUpper(token), http.StatusUnauthorized),
			Entry("the token as Basic", "Basic "+token, http.StatusUnauthorized),
			Entry("a prefix of the token", "Bearer "+token[:20], http.StatusUnauthorized),
		)

		DescribeTable("is refused when it could not keep anyone out or could not be sent",
			func(tok, msg string) {
				_, err := fakespotify.New(fakespotify.DefaultConfig(), fakespotify.WithControlToken(tok))
				Expect(err).To(MatchError(ContainSubstring(msg)))
				Expect(err.Error()).NotTo(ContainSubstring(tok))
			},
			Entry("short", "s3cret-short", "too short"),
			Entry("a space", "a token with spaces in it", "a space or a control character"),
			Entry("a line break", "0123456789abcdef\n", "a space or a control character"),
		)
	})

	Describe("Listen", func() {
		get := func(srv *fakespotify.Server, path, auth string) int {
			port := srv.Addr[strings.LastIndex(srv.Addr, ":")+1:]
			req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:"+port+path, nil)
			Expect(err).NotTo(HaveOccurred())
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			resp, err := http.DefaultClient.Do(req)
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
			return resp.StatusCode
		}
		listen := func(addr string, opts ...fakespotify.Option) *fakespotify.Server {
			srv, err := fakespotify.Listen(addr, newFake(opts...))
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(srv.Close)
			return srv
		}

		It("keeps the control API on loopback", func() {
			srv := listen("127.0.0.1:0")
			Expect(srv.ControlAccess()).To(Equal(fakespotify.ControlLoopback))
			Expect(get(srv, "/_spotcheck/health", "")).To(Equal(http.StatusOK))
		})

		It("turns the control API off on an address anyone may reach, unless there is a token", func() {
			open := listen("0.0.0.0:0")
			Expect(open.ControlAccess()).To(Equal(fakespotify.ControlOff))
			Expect(get(open, "/_spotcheck/health", "")).To(Equal(http.StatusNotFound))
			Expect(get(open, "/authorize?client_id=x", "")).To(Equal(http.StatusBadRequest), "Spotify's paths still answer")
			on, err := (&control.Client{BaseURL: "http://" + strings.Replace(open.Addr, "0.0.0.0", "127.0.0.1", 1)}).Health(context.Background())
			Expect(err).NotTo(HaveOccurred())
			Expect(on).To(BeFalse())

			guarded := listen("0.0.0.0:0", fakespotify.WithControlToken(token))
			Expect(guarded.ControlAccess()).To(Equal(fakespotify.ControlToken))
			Expect(get(guarded, "/_spotcheck/health", "")).To(Equal(http.StatusUnauthorized))
			Expect(get(guarded, "/_spotcheck/health", "Bearer "+token)).To(Equal(http.StatusOK))
			ctl := &control.Client{BaseURL: "http://" + strings.Replace(guarded.Addr, "0.0.0.0", "127.0.0.1", 1), Token: token}
			apps, err := ctl.Apps(context.Background())
			Expect(err).NotTo(HaveOccurred())
			Expect(apps).To(HaveLen(5))
		})

		It("can be closed twice, as DeferCleanup after an explicit Close does", func() {
			srv := listen("127.0.0.1:0")
			Expect(srv.Close()).To(Succeed())
			Expect(srv.Close()).To(Succeed())
		})

		It("says WithoutControl is off", func() {
			Expect(listen("127.0.0.1:0", fakespotify.WithoutControl()).ControlAccess()).To(Equal(fakespotify.ControlOff))
		})
	})
})
