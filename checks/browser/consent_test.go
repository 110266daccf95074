package browser_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/browser"
	"github.com/spotcheck/spotcheck/fakespotify"
)

var _ = Describe("Session.Consent against the fake's pages", Ordered, func() {
	var b *browser.Browser
	var srv *fakespotify.Server
	const redirect = "http://127.0.0.1:8888/callback"
	BeforeAll(func() {
		var err error
		b, err = browser.Launch(context.Background())
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(b.Close)
		srv, err = fakespotify.Start(fakespotify.DefaultConfig())
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(srv.Close)
	})

	authURL := func(clientID, redirectURI string) string {
		return srv.URL + "/authorize?" + url.Values{"client_id": {clientID}, "response_type": {"code"}, "redirect_uri": {redirectURI},
			"state": {"st"}, "scope": {"user-read-email"}}.Encode()
	}
	session := func() *browser.Session {
		s, err := b.NewSession()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(s.Close)
		return s
	}
	newApp := func() string {
		app, err := srv.CloneApp("web", fakespotify.AppOverrides{})
		Expect(err).NotTo(HaveOccurred())
		return app.ClientID
	}

	It("logs in, approves and catches the redirect with a code; the second time consent is remembered", func() {
		s, id := session(), newApp()
		res, err := s.Consent(context.Background(), browser.ConsentOptions{AuthorizeURL: authURL(id, redirect), RedirectURI: redirect,
			Username: "alice", Password: "alice-password", Approve: true})
		Expect(err).NotTo(HaveOccurred())
		u, _ := url.Parse(res.CallbackURL)
		Expect(u.Query().Get("code")).To(HavePrefix("AQ"))
		Expect(u.Query().Get("state")).To(Equal("st"))
		Expect(res.Actions).To(Equal([]string{"login", "approve"}))
		Expect(res.Shots).To(HaveLen(2))
		Expect(res.Shots[0].Name).To(Equal("login"))
		Expect(res.Shots[0].PNG[:8]).To(Equal([]byte("\x89PNG\r\n\x1a\n")))
		Expect(res.Shots[1].Text).To(ContainSubstring("Get your real email address"))
		navs := res.Navigations
		Expect(len(navs)).To(BeNumerically(">=", 4))
		Expect(navs[0].Method).To(Equal("GET"))
		Expect(navs[0].URL).To(Equal(authURL(id, redirect)))
		Expect(navs[0].Status).To(Equal(http.StatusFound))
		var login *browser.Navigation
		for i := range navs {
			if navs[i].Method == "POST" && strings.HasSuffix(navs[i].URL, "/login") {
				login = &navs[i]
			}
		}
		Expect(login).NotTo(BeNil(), "the login form's POST is a navigation")
		Expect(login.RequestBody).To(ContainSubstring("alice"))
		last := navs[len(navs)-1]
		Expect(last.Caught).To(BeTrue())
		Expect(last.URL).To(Equal(res.CallbackURL))
		for _, n := range navs {
			Expect(n.RequestHeaders).NotTo(HaveKey("Cookie"))
			Expect(n.ResponseHeaders).NotTo(HaveKey("Set-Cookie"))
		}

		again, err := s.Consent(context.Background(), browser.ConsentOptions{AuthorizeURL: authURL(id, redirect), RedirectURI: redirect, Approve: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Actions).To(BeEmpty(), "logged in already, consent remembered")
		Expect(again.CallbackURL).To(ContainSubstring("code=AQ"))
		Expect(again.Navigations).To(HaveLen(2), "the same tab: the authorize redirect and the caught callback")
		Expect(again.Navigations[0].Status).To(Equal(http.StatusFound))
	})

	It("denies", func() {
		res, err := session().Consent(context.Background(), browser.ConsentOptions{AuthorizeURL: authURL(newApp(), redirect), RedirectURI: redirect,
			Username: "alice", Password: "alice-password", Approve: false})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.CallbackURL).To(Equal(redirect + "?error=access_denied&state=st"))
		Expect(res.Actions).To(Equal([]string{"login", "deny"}))
	})

	It("stops on an error page with its text", func() {
		res, err := session().Consent(context.Background(), browser.ConsentOptions{AuthorizeURL: authURL(newApp(), redirect+"/"), RedirectURI: redirect + "/",
			Username: "alice", Password: "alice-password", Approve: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.CallbackURL).To(BeEmpty())
		Expect(res.PageText).To(Equal("INVALID_CLIENT: Invalid redirect URI"))
		Expect(res.Shots[0].Name).To(Equal("error-page"))
	})

	It("reports a refused login", func() {
		_, err := session().Consent(context.Background(), browser.ConsentOptions{AuthorizeURL: authURL(newApp(), redirect), RedirectURI: redirect,
			Username: "alice", Password: "wrong", Approve: true})
		Expect(errors.Is(err, browser.ErrLoginFailed)).To(BeTrue(), "%v", err)
		Expect(err.Error()).To(ContainSubstring("Incorrect username or password."))
	})

	It("times out naming the selectors and the URL, with a screenshot, instead of hanging", func() {
		blank := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte("<!DOCTYPE html><title>Maintenance</title><p>Down for maintenance</p>"))
		}))
		DeferCleanup(blank.Close)
		_, err := session().Consent(context.Background(), browser.ConsentOptions{AuthorizeURL: blank.URL + "/authorize?code_secret=x", RedirectURI: redirect,
			Username: "alice", Password: "alice-password", Approve: true, Timeout: 1500 * time.Millisecond})
		var te *browser.TimeoutError
		Expect(errors.As(err, &te)).To(BeTrue(), "%v", err)
		Expect(te.Waiting).To(ContainElement("#login-username"))
		Expect(te.URL).To(Equal(blank.URL + "/authorize?…"))
		Expect(te.Shot).NotTo(BeNil())
		Expect(te.Shot.Text).To(Equal("Down for maintenance"))
	})

	It("times out, not errors, when the first page never answers within the deadline", func() {
		// The page's server holds the request until the spec ends: the
		// consent deadline passes while the browser is still navigating,
		// as it does when a loaded machine serves the page too slowly.
		release := make(chan struct{})
		stuck := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		DeferCleanup(stuck.Close)
		DeferCleanup(func() { close(release) })
		_, err := session().Consent(context.Background(), browser.ConsentOptions{AuthorizeURL: stuck.URL + "/authorize?state=s3cret", RedirectURI: redirect,
			Username: "alice", Password: "alice-password", Approve: true, Timeout: 300 * time.Millisecond})
		var te *browser.TimeoutError
		Expect(errors.As(err, &te)).To(BeTrue(), "%v", err)
		Expect(te.Waiting).To(ContainElement("#login-username"))
		Expect(te.URL).To(Equal(stuck.URL + "/authorize?…"))
	})
})
