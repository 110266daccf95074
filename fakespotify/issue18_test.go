package fakespotify_test

import (
	"context"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/control"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

var _ = Describe("rotating a client secret", func() {
	It("refuses the old secret with Invalid client secret, takes the new one, and redacts both", func() {
		h := newHarness()
		app := h.autoApp("web")
		cc := url.Values{"grant_type": {"client_credentials"}}
		Expect(h.token(cc, app.ClientID, app.ClientSecret).status).To(Equal(200))

		c := &control.Client{BaseURL: h.srv.URL}
		secret, err := c.RotateSecret(context.Background(), app.ClientID)
		Expect(err).NotTo(HaveOccurred())
		Expect(secret).To(MatchRegexp(`^[0-9a-f]{32}$`))
		Expect(secret).NotTo(Equal(app.ClientSecret))

		old := h.token(cc, app.ClientID, app.ClientSecret)
		Expect(old.status).To(Equal(400))
		Expect(old.body).To(Equal(`{"error":"invalid_client","error_description":"Invalid client secret"}`))
		Expect(h.token(cc, app.ClientID, secret).status).To(Equal(200))

		// Neither secret shows in what the fake tells about requests.
		for _, r := range h.srv.Requests(app.ClientID) {
			all := r.Header.Get("Authorization") + r.Body + r.Form.Encode()
			Expect(all).NotTo(ContainSubstring(secret))
			Expect(all).NotTo(ContainSubstring(app.ClientSecret))
		}
		// The app listing never shows it.
		apps, err := c.Apps(context.Background())
		Expect(err).NotTo(HaveOccurred())
		for _, a := range apps {
			Expect(a.ClientSecret).To(BeEmpty())
		}
		_, err = c.RotateSecret(context.Background(), "0000")
		Expect(err).To(MatchError(ContainSubstring("404")))
	})

	It("unregisters every secret the app ever had when the app is deleted", func() {
		h := newHarness()
		before := h.srv.Sizes().Secrets
		app, err := h.srv.CloneApp("web", fakespotify.AppOverrides{ClientSecret: "a-secret-of-its-own-0123"})
		Expect(err).NotTo(HaveOccurred())
		for range 3 {
			_, err := h.srv.RotateSecret(app.ClientID)
			Expect(err).NotTo(HaveOccurred())
		}
		Expect(h.srv.Sizes().Secrets).To(BeNumerically(">", before))
		Expect(h.srv.DeleteApp(app.ClientID)).To(BeTrue())
		Expect(h.srv.Sizes().Secrets).To(Equal(before))
	})
})

var _ = Describe("cloning users", func() {
	It("gives a clone its own library and player, and deletes only clones", func() {
		h := newHarness()
		c := &control.Client{BaseURL: h.srv.URL}
		u, err := c.CloneUser(context.Background(), "alice")
		Expect(err).NotTo(HaveOccurred())
		Expect(u.ID).To(MatchRegexp(`^alice-[0-9a-f]{6}$`))
		Expect(u.Email).To(MatchRegexp(`^alice\+[0-9a-f]{6}@example\.com$`))
		Expect(u.Password).To(Equal("alice-password"))

		app := h.autoApp("web", fakespotify.AppOverrides{AutoUser: u.ID})
		q := authQuery(app, webRedir)
		q.Set("scope", "user-library-modify user-library-read playlist-read-private")
		tok := h.token(exchangeForm(h.code(q), webRedir), app.ClientID, app.ClientSecret).json()["access_token"].(string)
		Expect(h.api("GET", "/v1/me", tok).json()).To(HaveKeyWithValue("id", u.ID))
		Expect(h.api("PUT", "/v1/me/library?uris=spotify:track:2takcwOaAZWiXQijPHIx7B", tok).status).To(Equal(200))
		// alice's own library is untouched.
		alice := h.autoApp("web")
		aq := authQuery(alice, webRedir)
		aq.Set("scope", "user-library-read")
		atok := h.token(exchangeForm(h.code(aq), webRedir), alice.ClientID, alice.ClientSecret).json()["access_token"].(string)
		Expect(h.api("GET", "/v1/me/tracks", atok).body).NotTo(ContainSubstring("2takcwOaAZWiXQijPHIx7B"))
		Expect(h.api("GET", "/v1/me/tracks", tok).body).To(ContainSubstring("2takcwOaAZWiXQijPHIx7B"))
		// The clone's playlists have ids of their own.
		Expect(h.api("GET", "/v1/me/playlists", tok).body).NotTo(ContainSubstring("37i9alicepub0000000001"))

		Expect(c.DeleteUser(context.Background(), "alice")).To(MatchError(ContainSubstring("configuration")))
		Expect(c.DeleteUser(context.Background(), u.ID)).To(Succeed())
		Expect(h.api("GET", "/v1/me", tok).status).To(Equal(401), "a token whose user is gone is invalid")
		Expect(c.DeleteUser(context.Background(), u.ID)).To(MatchError(ContainSubstring("404")))
		_, err = c.CloneUser(context.Background(), "nobody")
		Expect(err).To(MatchError(ContainSubstring("no user")))
	})
})

var _ = Describe("the development-mode user cap", func() {
	six := []string{"alice", "bob", "alice", "bob", "alice", "bob"}

	It("refuses a sixth user on an app created since 2026-02-11, in the dashboard's terms, in Go and over HTTP", func() {
		h := newHarness()
		_, err := h.srv.CloneApp("dev", fakespotify.AppOverrides{Allowlist: six})
		Expect(err).To(MatchError("allowlist: 6 users: " + wire.DevModeUserCapMessage(5) + " (apps created before 2026-02-11 keep up to 25)"))
		_, err = (&control.Client{BaseURL: h.srv.URL}).CloneApp(context.Background(), "dev", fakespotify.AppOverrides{Allowlist: six})
		Expect(err).To(MatchError(ContainSubstring("at most 5 users")))
		// Five are fine, and an app from before the cap keeps 25.
		_, err = h.srv.CloneApp("dev", fakespotify.AppOverrides{Allowlist: six[:5]})
		Expect(err).NotTo(HaveOccurred())
		_, err = h.srv.CloneApp("dev", fakespotify.AppOverrides{Allowlist: six, Created: "2025-06-01"})
		Expect(err).NotTo(HaveOccurred())
		// Extended quota mode has no allowlist to cap.
		_, err = h.srv.CloneApp("web", fakespotify.AppOverrides{Allowlist: six})
		Expect(err).NotTo(HaveOccurred())
	})

	It("is a config error with file, line and field", func() {
		yaml := strings.Replace(string(fakespotify.DefaultConfigYAML()), "allowlist: [alice]", "allowlist: [alice, bob, alice, bob, alice, bob]", 1)
		_, err := config.Parse([]byte(yaml), "fake.yaml")
		Expect(err).To(MatchError(MatchRegexp(`^fake\.yaml:\d+: apps\[2\]\.allowlist: 6 users: User Management: an app in Development mode can have at most 5 users`)))
	})
})

var _ = Describe("per-app policies in the configuration", func() {
	It("apply to that app only, and pass to its clones", func() {
		h := newHarness(func(c *config.Config) { c.Apps[2].Policies.RateLimit = wire.RateLimitWindow })
		Expect(h.srv.Policies("3c2b1a09f8e7d6c5b4a3928170f6e5d4").RateLimit).To(Equal(wire.RateLimitWindow))
		Expect(h.srv.Policies(webID).RateLimit).To(Equal(wire.RateLimitOff))
		clone, err := h.srv.CloneApp("dev", fakespotify.AppOverrides{})
		Expect(err).NotTo(HaveOccurred())
		Expect(h.srv.Policies(clone.ClientID).RateLimit).To(Equal(wire.RateLimitWindow))
	})

	It("are checked with file, line and field", func() {
		yaml := strings.Replace(string(fakespotify.DefaultConfigYAML()), "    mode: development\n    allowlist: [alice]\n",
			"    mode: development\n    allowlist: [alice]\n    policies: {rate_limit: sometimes}\n", 1)
		_, err := config.Parse([]byte(yaml), "fake.yaml")
		Expect(err).To(MatchError(MatchRegexp(`^fake\.yaml:\d+: apps\[2\]\.policies\.rate_limit: "sometimes" is not one of off, rolling-30s$`)))
	})
})

var _ = Describe("pre-sunset authorization", func() {
	It("grants response_type=token into the fragment under implicit_grant=allowed, and the token works", func() {
		h := newHarness()
		app := h.autoApp("web", fakespotify.AppOverrides{Policies: config.Policies{ImplicitGrant: wire.ImplicitAllowed}})
		q := authQuery(app, webRedir)
		q.Set("response_type", "token")
		r := h.authorize(q)
		Expect(r.status).To(Equal(302))
		loc := r.header.Get("Location")
		Expect(loc).To(MatchRegexp(`^http://127\.0\.0\.1:8888/callback#access_token=BQ[A-Za-z0-9_-]+&token_type=Bearer&expires_in=3600&state=xyz$`))
		frag, err := url.ParseQuery(loc[strings.Index(loc, "#")+1:])
		Expect(err).NotTo(HaveOccurred())
		Expect(h.api("GET", "/v1/me", frag.Get("access_token")).json()).To(HaveKeyWithValue("email", "alice@example.com"))

		q.Set("response_type", "id_token")
		r = h.authorize(q)
		Expect(r.status).To(Equal(400))
		Expect(r.body).To(ContainSubstring("response_type must be code or token"))
	})

	DescribeTable("user-read-birthdate is legal only for apps created before its removal",
		func(created string, status int) {
			h := newHarness()
			app := h.autoApp("web", fakespotify.AppOverrides{Created: created})
			q := authQuery(app, webRedir)
			q.Set("scope", "user-read-email user-read-birthdate")
			r := h.authorize(q)
			Expect(r.status).To(Equal(status))
			if status == 400 {
				Expect(r.body).To(ContainSubstring("Illegal scope"))
			}
		},
		Entry("an app from 2018", "2018-06-01", 302),
		Entry("an app from the day before the cut-off", "2019-07-31", 302),
		Entry("an app from the cut-off", "2019-08-01", 400),
		Entry("an app from 2024", "2024-01-15", 400),
	)
})
