package checks_test

import (
	"context"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/browser"
	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/scenarios"
)

// Real Spotify cannot be reached from here, so the spotify target's code
// path runs against a fake that plays Spotify: no control API, reached
// through SPOTIFY_ACCOUNTS_URL / SPOTIFY_API_URL, with the credentials of
// its web app and its user alice as the test account, exactly as a user
// sets them up for accounts.spotify.com.
var _ = Describe("target spotify (a fake without control playing Spotify)", func() {
	It("runs every scenario marked spotify through the same client and skips the fake-only ones with the reason", func() {
		srv, err := fakespotify.Start(fakespotify.DefaultConfig(), fakespotify.WithoutControl())
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(srv.Close)
		env := envOf(map[string]string{
			checks.EnvAccountsURL: srv.URL, checks.EnvAPIURL: srv.URL + "/v1",
			checks.EnvClientID: webID, checks.EnvClientSecret: webSecret, checks.EnvRedirectURI: webRedirect,
			checks.EnvTestUsername: "alice", checks.EnvTestPassword: "alice-password",
		})
		t, err := checks.ResolveTarget(context.Background(), "spotify", checks.TargetOptions{Env: env})
		Expect(err).NotTo(HaveOccurred())
		Expect(t.Kind).To(Equal(checks.TargetSpotify))
		Expect(t.Control).To(BeNil())
		creds, err := checks.ResolveCredentials(checks.CredentialFlags{}, env)
		Expect(err).NotTo(HaveOccurred())
		b, err := browser.LaunchWith(context.Background(), browser.LaunchOptions{AllowNetwork: true})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(b.Close)

		list := builtin()
		res := run(list, t, checks.RunOptions{Browser: b, Credentials: creds})
		Expect(res.Target.Name).To(Equal("spotify"))
		Expect(res.Target.AccountsURL).To(Equal(srv.URL))
		var onSpotify, browserRuns int
		for i, s := range list {
			r := res.Scenarios[i]
			if !s.RunsOn(scenarios.TargetSpotify) {
				Expect(r.Status).To(Equal(checks.StatusSkip), s.Name)
				Expect(r.Message).To(Equal("runs on fake only; this run targets spotify"))
				continue
			}
			onSpotify++
			if s.NeedsBrowser() {
				browserRuns++
			}
			Expect(r.Status).To(Equal(checks.StatusPass), "%s: %s", s.Name, r.Message)
		}
		Expect(onSpotify).To(Equal(41))
		Expect(browserRuns).To(Equal(5))
		Expect(srv.Apps()).To(HaveLen(5), "nothing was cloned")
	})

	It("errors every scenario it would run when the app's credentials are missing", func() {
		srv, err := fakespotify.Start(fakespotify.DefaultConfig(), fakespotify.WithoutControl())
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(srv.Close)
		env := envOf(map[string]string{checks.EnvAccountsURL: srv.URL, checks.EnvAPIURL: srv.URL + "/v1"})
		t, err := checks.ResolveTarget(context.Background(), "spotify", checks.TargetOptions{Env: env})
		Expect(err).NotTo(HaveOccurred())
		res := run(parse("name: a\ntargets: [fake, spotify]\nsteps: [{authorize: {}}]"), t, checks.RunOptions{})
		Expect(res.Scenarios[0].Status).To(Equal(checks.StatusError))
		Expect(res.Scenarios[0].Message).To(Equal("set up: target spotify needs the app's credentials: set SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET and SPOTIFY_REDIRECT_URI"))
	})
})
