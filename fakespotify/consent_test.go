package fakespotify_test

import (
	"net/http"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/config"
)

// These drive the login and consent pages with plain HTTP and a cookie jar;
// browser_test.go does the same through Chromium.
var _ = Describe("login and consent pages", func() {
	var h *harness
	var web config.App
	BeforeEach(func() {
		h = newHarness()
		var err error
		web, err = h.srv.CloneApp("web", fakespotifyOverrides())
		Expect(err).NotTo(HaveOccurred())
	})

	login := func(user, password, cont string) reply {
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/login", strings.NewReader(url.Values{"username": {user}, "password": {password}, "continue": {cont}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return h.do(req)
	}
	decide := func(rawQuery, decision string) reply {
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/authorize/decision", strings.NewReader(url.Values{"request": {rawQuery}, "decision": {decision}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return h.do(req)
	}

	It("sends a logged-out browser to /login?continue=<the authorize URL>", func() {
		q := authQuery(web, webRedir)
		r := h.authorize(q)
		Expect(r.status).To(Equal(http.StatusFound))
		loc, _ := url.Parse(r.header.Get("Location"))
		Expect(loc.Path).To(Equal("/login"))
		Expect(loc.Query().Get("continue")).To(Equal(h.srv.URL + "/authorize?" + q.Encode()))

		page := h.get(loc.RequestURI())
		Expect(page.header.Get("Content-Type")).To(Equal("text/html; charset=utf-8"))
		for _, id := range []string{`id="login-username"`, `id="login-password"`, `id="login-button"`} {
			Expect(page.body).To(ContainSubstring(id))
		}
	})

	It("rejects a wrong password on the page, without a session", func() {
		r := login("alice", "nope", "/authorize")
		Expect(r.status).To(Equal(http.StatusOK))
		Expect(r.body).To(ContainSubstring("Incorrect username or password."))
		Expect(r.header.Get("Set-Cookie")).To(BeEmpty())
	})

	It("logs in by email too, and never redirects off this host", func() {
		r := login("ALICE@example.com", "alice-password", "https://evil.example/steal")
		Expect(r.status).To(Equal(http.StatusFound))
		Expect(r.header.Get("Location")).To(Equal("/"))
	})

	It("shows the consent page with the app and the scopes in words, then redirects with a code", func() {
		q := authQuery(web, webRedir)
		Expect(login("alice", "alice-password", h.srv.URL+"/authorize?"+q.Encode()).header.Get("Location")).To(HavePrefix("/authorize?"))
		page := h.authorize(q)
		Expect(page.status).To(Equal(http.StatusOK))
		Expect(page.body).To(ContainSubstring(`data-testid="auth-accept"`))
		Expect(page.body).To(ContainSubstring(`data-testid="auth-cancel"`))
		Expect(page.body).To(ContainSubstring(web.Name))
		Expect(page.body).To(ContainSubstring("Get your real email address"))
		Expect(page.body).To(ContainSubstring("Access your subscription details"))

		r := decide(q.Encode(), "accept")
		loc, _ := url.Parse(r.header.Get("Location"))
		Expect(loc.Query().Get("code")).To(HavePrefix("AQ"))
		Expect(loc.Query().Get("state")).To(Equal("xyz"))
	})

	It("redirects with error=access_denied when the user cancels", func() {
		q := authQuery(web, webRedir)
		login("alice", "alice-password", "/")
		r := decide(q.Encode(), "cancel")
		Expect(r.header.Get("Location")).To(Equal(webRedir + "?error=access_denied&state=xyz"))
	})

	It("remembers consent per user and app, unless show_dialog=true or new scopes are asked", func() {
		q := authQuery(web, webRedir)
		login("alice", "alice-password", "/")
		decide(q.Encode(), "accept")

		again := h.authorize(q)
		Expect(again.status).To(Equal(http.StatusFound), "consent is remembered")
		Expect(again.header.Get("Location")).To(ContainSubstring("code=AQ"))

		q.Set("show_dialog", "true")
		Expect(h.authorize(q).status).To(Equal(http.StatusOK), "show_dialog forces the page")

		q.Del("show_dialog")
		q.Set("scope", "user-read-private user-top-read")
		Expect(h.authorize(q).status).To(Equal(http.StatusOK), "a new scope asks again")

		q.Set("scope", "user-read-email")
		Expect(h.authorize(q).status).To(Equal(http.StatusFound), "a subset does not")
	})

	It("asks again after the grant is revoked", func() {
		q := authQuery(web, webRedir)
		login("alice", "alice-password", "/")
		decide(q.Encode(), "accept")
		h.srv.Revoke("alice", web.ClientID)
		Expect(h.authorize(q).status).To(Equal(http.StatusOK))
	})

	It("validates the request again when the form is posted", func() {
		q := authQuery(web, webRedir)
		q.Set("redirect_uri", "https://evil.example/cb")
		login("alice", "alice-password", "/")
		r := decide(q.Encode(), "accept")
		Expect(r.status).To(Equal(http.StatusBadRequest))
		Expect(r.body).To(ContainSubstring("INVALID_CLIENT: Invalid redirect URI"))
	})
})
