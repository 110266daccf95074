package doctor_test

import (
	"bytes"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/rs/zerolog"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/doctor"
	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/reports/reportstest"
)

// These specs drive the fake's login and consent pages in headless
// Chromium (/usr/bin/chromium), as --full does.
var _ = Describe("--full: a browser authorization as the test account", func() {
	page := fakespotify.AppOverrides{Consent: "page"}
	full := func(s *scenario) *checks.FindingsResult {
		s.opts.Full = true
		return s.mustRun()
	}

	It("logs in as the fake's user, approves, exchanges the code and reads /v1/me", func() {
		s := newScenario(srv, "web", page)
		var log bytes.Buffer
		s.opts.Log = zerolog.New(&log).Level(zerolog.DebugLevel)
		res := full(s)
		Expect(ids(res)).To(BeEmpty(), describe(res))
		o := outcome(res, "full-flow")
		Expect(o.Status).To(Equal(checks.StatusPass))
		Expect(o.Message).To(Equal("alice logged in, approved, the code was exchanged (code) and GET /v1/me answered for alice"))
		Expect(reportstest.AssertNoSecrets(map[string][]byte{"log": log.Bytes(), "json": renderAll(res)["report.json"]},
			"alice-password", s.app.ClientSecret)).To(Succeed())
	})

	It("runs the PKCE flow of a public client", func() {
		s := newScenario(srv, "web", page)
		pkce(s)
		res := full(s)
		Expect(ids(res)).To(BeEmpty(), describe(res))
		Expect(outcome(res, "full-flow").Message).To(ContainSubstring("(pkce)"))
	})

	It("logs in as SPOTCHECK_TEST_USERNAME", func() {
		s := newScenario(srv, "dev", fakespotify.AppOverrides{Consent: "page", Allowlist: []string{"bob"}})
		s.env[checks.EnvTestUsername], s.env[checks.EnvTestPassword] = "bob", "bob-password"
		res := full(s)
		Expect(ids(res)).To(BeEmpty(), describe(res))
		Expect(outcome(res, "full-flow").Message).To(HavePrefix("bob logged in"))
	})

	It("reports a refused login", func() {
		s := newScenario(srv, "web", page)
		s.env[checks.EnvTestUsername], s.env[checks.EnvTestPassword] = "alice", "wrong-password"
		res := full(s)
		Expect(ids(res)).To(Equal([]string{"test-account-login-failed"}))
		Expect(finding(res, "test-account-login-failed").Evidence[0]).To(HavePrefix("logging in as alice (env SPOTCHECK_TEST_USERNAME): login refused"))
	})

	It("finds the allowlist 403 at the end of the flow", func() {
		s := newScenario(srv, "dev", fakespotify.AppOverrides{Consent: "page", Allowlist: []string{"bob"}})
		res := full(s)
		Expect(ids(res)).To(Equal([]string{"user-not-allowlisted"}))
		Expect(finding(res, "user-not-allowlisted").Check).To(Equal("full-flow"))
	})

	It("reports the allowlist 403 once when the token cache already showed it", func() {
		// Auto consent (as alice) mints the cache without a browser; the
		// browser then comes straight back with a code.
		s := newScenario(srv, "dev", fakespotify.AppOverrides{Allowlist: []string{"bob"}})
		s.cache(doctor.FormatSpotipy, "user-read-email user-read-private", nil)
		res := full(s)
		Expect(ids(res)).To(Equal([]string{"user-not-allowlisted"}))
		f := finding(res, "user-not-allowlisted")
		Expect(f.Check).To(Equal("web-api-user"))
		Expect(f.Evidence).To(ContainElement(ContainSubstring("GET /v1/me after the browser flow")))
	})

	It("reports a step that fails for a reason the catalog does not know", func() {
		s := newScenario(srv, "web", page)
		srv.Inject(fakespotify.Fault{Method: "GET", Path: "/v1/me", ClientID: s.app.ClientID, Count: 1, Status: 503, Body: "upstream timeout", ContentType: "text/plain"})
		res := full(s)
		Expect(ids(res)).To(Equal([]string{"full-flow-failed"}))
		Expect(finding(res, "full-flow-failed").Evidence).To(ConsistOf("GET /v1/me after the browser flow: GET /v1/me → HTTP 503 upstream timeout"))
	})

	It("is skipped with the reason when the configuration cannot get that far", func() {
		s := newScenario(srv, "web", page)
		s.env[checks.EnvRedirectURI] = "http://127.0.0.1:7777/nowhere"
		res := full(s)
		Expect(outcome(res, "full-flow").Status).To(Equal(checks.StatusSkip))
		Expect(outcome(res, "full-flow").Message).To(Equal("no redirect URI that /authorize accepts"))
	})

	It("needs a test account against real Spotify", func() {
		s := newScenario(srv, "web", page)
		s.opts.Full = true
		s.opts.Target = &checks.Target{Kind: checks.TargetSpotify, AccountsURL: srv.URL, APIURL: srv.URL + "/v1"}
		_, err := s.run()
		Expect(err).To(MatchError("--full: against real Spotify it needs a test account: set SPOTCHECK_TEST_USERNAME and SPOTCHECK_TEST_PASSWORD"))
	})
})
