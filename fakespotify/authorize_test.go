package fakespotify_test

import (
	"net/http"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

var _ = Describe("GET /authorize", func() {
	var h *harness
	var web config.App
	BeforeEach(func() {
		h = newHarness()
		web = h.autoApp("web")
	})

	DescribeTable("answers with Spotify's error page, not a redirect (wire reference §1.3)",
		func(mutate func(q url.Values), page string) {
			q := authQuery(web, webRedir)
			mutate(q)
			r := h.authorize(q)
			Expect(r.status).To(Equal(http.StatusBadRequest))
			Expect(r.header.Get("Content-Type")).To(Equal("text/html; charset=utf-8"))
			Expect(r.header.Get("Location")).To(BeEmpty())
			Expect(r.body).To(ContainSubstring("<title>Error - Spotify</title>"))
			Expect(r.body).To(ContainSubstring(`<p id="error-message">` + page + `</p>`))
		},
		Entry("missing client_id", func(q url.Values) { q.Del("client_id") }, "Missing required parameter: client_id"),
		Entry("client_id=undefined", func(q url.Values) { q.Set("client_id", "undefined") }, "INVALID_CLIENT: Invalid client"),
		Entry("unknown client id", func(q url.Values) { q.Set("client_id", "y.erdem") }, "INVALID_CLIENT: Invalid client"),
		Entry("missing redirect_uri", func(q url.Values) { q.Del("redirect_uri") }, "Missing required parameter: redirect_uri"),
		Entry("trailing slash", func(q url.Values) { q.Set("redirect_uri", webRedir+"/") }, "INVALID_CLIENT: Invalid redirect URI"),
		Entry("case", func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:8888/Callback") }, "INVALID_CLIENT: Invalid redirect URI"),
		Entry("other port on a registered port", func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:9999/callback") }, "INVALID_CLIENT: Invalid redirect URI"),
		Entry("other path", func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:8888/cb") }, "INVALID_CLIENT: Invalid redirect URI"),
		Entry("added query", func(q url.Values) { q.Set("redirect_uri", webRedir+"?x=1") }, "INVALID_CLIENT: Invalid redirect URI"),
		Entry("localhost for 127.0.0.1", func(q url.Values) { q.Set("redirect_uri", "http://localhost:8888/callback") }, "INVALID_CLIENT: Invalid redirect URI"),
		Entry("http for https", func(q url.Values) { q.Set("redirect_uri", "http://app.example.com/callback") }, "INVALID_CLIENT: Invalid redirect URI"),
		Entry("port on a non-loopback registration", func(q url.Values) { q.Set("redirect_uri", "https://app.example.com:8443/callback") }, "INVALID_CLIENT: Invalid redirect URI"),
		Entry("a port on the loopback-without-port registration still needs the exact path", func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:4000/loopback/") }, "INVALID_CLIENT: Invalid redirect URI"),
		Entry("percent-encoded variant", func(q url.Values) { q.Set("redirect_uri", "http%3A%2F%2F127.0.0.1%3A8888%2Fcallback") }, "INVALID_CLIENT: Invalid redirect URI"),
		Entry("unknown scope", func(q url.Values) { q.Set("scope", "user-read-private user-read-birthdate") }, "Illegal scope"),
		Entry("openid", func(q url.Values) { q.Set("scope", "openid profile") }, "Illegal scope"),
		Entry("comma-separated scopes", func(q url.Values) { q.Set("scope", "user-read-private,user-read-email") }, "Illegal scope"),
		Entry("internal scope", func(q url.Values) { q.Set("scope", "user-personalized") }, "Illegal scope"),
		Entry("missing response_type", func(q url.Values) { q.Del("response_type") }, "Missing required parameter: response_type"),
		Entry("response_type id_token", func(q url.Values) { q.Set("response_type", "id_token"); q.Set("scope", "") }, "response_type must be code"),
	)

	It("answers INVALID_CLIENT: Insecure redirect URI for registrations that break the 2025 rules", func() {
		legacy := h.autoApp("legacy")
		for _, uri := range []string{"http://localhost:8888/callback", "http://app.example.com/callback"} {
			r := h.authorize(authQuery(legacy, uri))
			Expect(r.status).To(Equal(http.StatusBadRequest), uri)
			Expect(r.body).To(ContainSubstring(">INVALID_CLIENT: Insecure redirect URI<"), uri)
		}
		Expect(h.code(authQuery(legacy, "https://app.example.com/callback"))).NotTo(BeEmpty())
	})

	It("accepts those registrations under the legacy redirect policy", func() {
		legacy := h.autoApp("legacy", fakespotify.AppOverrides{Policies: config.Policies{RedirectSecurity: wire.RedirectSecurityLegacy}})
		Expect(h.code(authQuery(legacy, "http://localhost:8888/callback"))).NotTo(BeEmpty())
	})

	DescribeTable("matches registered redirect URIs exactly, with the loopback any-port exception",
		func(redirect string) {
			r := h.authorize(authQuery(web, redirect))
			Expect(r.status).To(Equal(http.StatusFound), r.body)
			loc := r.header.Get("Location")
			Expect(loc).To(HavePrefix(redirect + "?"))
		},
		Entry("exact", webRedir),
		Entry("https", "https://app.example.com/callback"),
		Entry("IPv6 loopback", "http://[::1]:8888/callback"),
		Entry("loopback registered without port, any port", "http://127.0.0.1:51234/loopback"),
		Entry("loopback registered without port, no port", "http://127.0.0.1/loopback"),
	)

	It("redirects with code and the state unchanged", func() {
		q := authQuery(web, webRedir)
		q.Set("state", "a b/c?d=é")
		r := h.authorize(q)
		loc, err := url.Parse(r.header.Get("Location"))
		Expect(err).NotTo(HaveOccurred())
		Expect(loc.Query().Get("state")).To(Equal("a b/c?d=é"))
		Expect(loc.Query().Get("code")).To(MatchRegexp(`^AQ[A-Za-z0-9_-]{290,}$`))
	})

	It("omits state when none was sent", func() {
		q := authQuery(web, webRedir)
		q.Del("state")
		loc, _ := url.Parse(h.authorize(q).header.Get("Location"))
		Expect(loc.Query()).NotTo(HaveKey("state"))
	})

	It("accepts /authorize/ and a locale before /authorize (wire.IsAuthorizePath)", func() {
		for _, p := range []string{"/authorize/", "/en/authorize", "/pt-BR/authorize", "/zh-Hant/authorize", "/es-419/authorize", "/EN/authorize"} {
			r := h.get(p + "?" + authQuery(web, webRedir).Encode())
			Expect(r.status).To(Equal(http.StatusFound), p)
		}
		Expect(h.get("/english/authorize?" + authQuery(web, webRedir).Encode()).status).To(Equal(http.StatusNotFound))
	})

	It("reads parameters from the query only: a POSTed form is missing client_id", func() {
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/authorize", strings.NewReader(authQuery(web, webRedir).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r := h.do(req)
		Expect(r.status).To(Equal(http.StatusBadRequest))
		Expect(r.body).To(ContainSubstring("Missing required parameter: client_id"))
	})

	Describe("the implicit grant, removed on 2025-11-27", func() {
		It("redirects with #error=unsupported_response_type by default", func() {
			q := authQuery(web, webRedir)
			q.Set("response_type", "token")
			r := h.authorize(q)
			Expect(r.status).To(Equal(http.StatusFound))
			Expect(r.header.Get("Location")).To(Equal(webRedir + "#error=unsupported_response_type&state=xyz"))
		})
		It("shows 'response_type must be code' under the page policy", func() {
			Expect(h.srv.SetPolicy(web.ClientID, config.Policies{ImplicitGrant: wire.ImplicitPage})).To(Succeed())
			q := authQuery(web, webRedir)
			q.Set("response_type", "token")
			r := h.authorize(q)
			Expect(r.status).To(Equal(http.StatusBadRequest))
			Expect(r.body).To(ContainSubstring(">response_type must be code<"))
		})
	})

	DescribeTable("rejects PKCE requests other than S256 by redirecting with invalid_request",
		func(method, chal, desc string) {
			q := authQuery(web, webRedir)
			if method != "" {
				q.Set("code_challenge_method", method)
			}
			if chal != "" {
				q.Set("code_challenge", chal)
			}
			loc, _ := url.Parse(h.authorize(q).header.Get("Location"))
			Expect(loc.Query().Get("error")).To(Equal("invalid_request"))
			Expect(loc.Query().Get("error_description")).To(Equal(desc))
			Expect(loc.Query().Get("state")).To(Equal("xyz"))
		},
		Entry("plain", "plain", "abc", "code_challenge_method must be S256"),
		Entry("challenge without method", "", "abc", "code_challenge_method must be S256"),
		Entry("method without challenge", "S256", "", "code_challenge required"),
	)

	It("keeps a registered redirect URI's own query when adding the code", func() {
		app := h.autoApp("web", fakespotify.AppOverrides{RedirectURIs: []string{"https://app.example.com/cb?tenant=7"}})
		loc := h.authorize(authQuery(app, "https://app.example.com/cb?tenant=7")).header.Get("Location")
		Expect(loc).To(HavePrefix("https://app.example.com/cb?tenant=7&code=AQ"))
	})
})
