package doctor_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/doctor"
	"github.com/spotcheck/spotcheck/fakespotify"
)

// closedPort is a loopback port nothing listens on.
func closedPort() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

var _ = Describe("the spotify target, against a fake without control endpoints", func() {
	var plain *fakespotify.Server
	var target *checks.Target
	BeforeEach(func() {
		var err error
		plain, err = fakespotify.Start(fakespotify.DefaultConfig(), fakespotify.WithoutControl())
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(plain.Close)
		env := map[string]string{checks.EnvAccountsURL: plain.URL, checks.EnvAPIURL: plain.URL + "/v1"}
		target, err = checks.ResolveTarget(context.Background(), "spotify", checks.TargetOptions{Env: func(k string) (string, bool) {
			v, ok := env[k]
			return v, ok
		}})
		Expect(err).NotTo(HaveOccurred())
		Expect(target.Kind).To(Equal(checks.TargetSpotify))
		Expect(target.Control).To(BeNil())
	})
	const webID, webSecret = "6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b", "9d8c7b6a5f4e3d2c1b0a99887766554f"
	run := func(secret string) *checks.FindingsResult {
		creds, err := checks.ResolveCredentials(checks.CredentialFlags{}, func(k string) (string, bool) {
			v, ok := map[string]string{checks.EnvClientID: webID, checks.EnvClientSecret: secret, checks.EnvRedirectURI: callback,
				checks.EnvScopes: "user-read-email"}[k]
			return v, ok
		})
		Expect(err).NotTo(HaveOccurred())
		res, err := doctor.Run(context.Background(), doctor.Options{Credentials: creds, Target: target})
		Expect(err).NotTo(HaveOccurred())
		return res
	}

	It("sends every online check through the overridden base URLs", func() {
		res := run(webSecret)
		Expect(ids(res)).To(BeEmpty(), describe(res))
		Expect(res.Target.Name).To(Equal("spotify"))
		Expect(res.Target.AccountsURL).To(Equal(plain.URL))
		var paths []string
		for _, r := range plain.Requests(webID) {
			paths = append(paths, r.Method+" "+r.Path)
		}
		Expect(paths).To(ContainElements("POST /api/token", "GET /authorize", "GET /v1/search"))
		for _, c := range []string{"client-authentication", "redirect-uri-registered", "scope-accepted", "app-token-api"} {
			Expect(outcome(res, c).Status).To(Equal(checks.StatusPass), c)
		}
	})

	It("finds a wrong secret the same way", func() {
		Expect(ids(run("00000000000000000000000000000abc"))).To(Equal([]string{"client-secret-invalid"}))
	})
})

var _ = Describe("an unreachable target", func() {
	creds := func() *checks.Credentials {
		c, err := checks.ResolveCredentials(checks.CredentialFlags{ClientID: scanID, ClientSecret: scanSecret}, noEnv)
		Expect(err).NotTo(HaveOccurred())
		return c
	}
	expectUnreachable := func(t *checks.Target, want string) {
		_, err := doctor.Run(context.Background(), doctor.Options{Credentials: creds(), Target: t})
		Expect(err).To(HaveOccurred())
		Expect(errors.Is(err, checks.ErrUnreachable)).To(BeTrue(), "%v", err)
		var ue *doctor.UnreachableError
		Expect(errors.As(err, &ue)).To(BeTrue())
		Expect(err.Error()).To(ContainSubstring(want))
		Expect(err.Error()).NotTo(ContainSubstring(scanSecret))
	}

	It("ends the run when nothing listens, naming the service and the cause", func() {
		addr := closedPort()
		expectUnreachable(&checks.Target{Kind: checks.TargetSpotify, AccountsURL: "http://" + addr, APIURL: "http://" + addr + "/v1"},
			"the accounts service at http://"+addr+" cannot be reached (refused)")
	})

	It("says so for the Web API when only the accounts service answers", func() {
		addr := closedPort()
		expectUnreachable(&checks.Target{Kind: checks.TargetSpotify, AccountsURL: srv.URL, APIURL: "http://" + addr + "/v1"},
			"the Web API at http://"+addr+"/v1 cannot be reached (refused)")
	})

	It("reports a proxy that refuses as a proxy failure", func() {
		proxy, _ := url.Parse("http://" + closedPort())
		_, err := doctor.Run(context.Background(), doctor.Options{Credentials: creds(),
			Target: &checks.Target{Kind: checks.TargetSpotify, AccountsURL: srv.URL, APIURL: srv.URL + "/v1"},
			Client: checks.ClientConfig{Proxy: func(*http.Request) (*url.URL, error) { return proxy, nil }}})
		Expect(errors.Is(err, checks.ErrUnreachable)).To(BeTrue(), "%v", err)
		Expect(err.Error()).To(ContainSubstring("cannot be reached (proxy)"))
		Expect(err.Error()).To(ContainSubstring("check HTTPS_PROXY / HTTP_PROXY / NO_PROXY"))
	})

	It("reports a certificate it cannot verify as a TLS failure", func() {
		ts := httptest.NewTLSServer(http.NotFoundHandler())
		DeferCleanup(ts.Close)
		expectUnreachable(&checks.Target{Kind: checks.TargetSpotify, AccountsURL: ts.URL, APIURL: ts.URL + "/v1"},
			"cannot be reached (tls)")
	})
})

var _ = Describe("an offline run", func() {
	It("sends nothing, skips the online checks with the reason, and says what to compare by hand", func() {
		s := newScenario(srv, "web", fakespotify.AppOverrides{})
		s.offline = true
		s.env[checks.EnvRedirectURI] = "http://127.0.0.1:8888/Callback/"
		before := len(srv.Requests(s.app.ClientID))
		res := s.mustRun()
		Expect(srv.Requests(s.app.ClientID)).To(HaveLen(before))
		Expect(ids(res)).To(Equal([]string{"redirect-uri-variant"}))
		Expect(finding(res, "redirect-uri-variant").Evidence[0]).To(HaveSuffix("it ends with a slash and it has capital letters; the dashboard entry must match byte for byte"))
		for _, id := range []string{"reachability", "client-authentication", "redirect-uri-registered", "scope-accepted"} {
			Expect(outcome(res, id).Status).To(Equal(checks.StatusSkip))
			Expect(outcome(res, id).Message).To(Equal("offline: no --target to ask"))
		}
		Expect(res.Target.Name).To(BeEmpty())
	})

	It("still finds everything that needs no network", func() {
		s := newScenario(srv, "web", fakespotify.AppOverrides{})
		s.offline = true
		s.env[checks.EnvClientSecret] = "'" + s.app.ClientSecret + "'"
		s.env[checks.EnvScopes] = "openid,user-read-email"
		s.env[checks.EnvRedirectURI] = "http://localhost:8888/callback"
		Expect(ids(s.mustRun())).To(Equal([]string{"client-secret-quoted", "redirect-uri-localhost", "scope-comma-separated", "scope-openid"}))
	})

	It("rejects an --uses entry that is not an endpoint, naming the flag", func() {
		s := newScenario(srv, "web", fakespotify.AppOverrides{})
		s.offline = true
		s.opts.Uses = []string{"FETCH /v1/me"}
		_, err := s.run()
		Expect(err).To(MatchError(`--uses: "FETCH /v1/me": "FETCH" is not an HTTP method (GET, POST, PUT, DELETE)`))
		s.opts.Uses = []string{"/"}
		_, err = s.run()
		Expect(err).To(MatchError(ContainSubstring(`want an endpoint such as "GET /v1/me/top/artists"`)))
	})

	It("reads --uses as a method and path, a bare path or a URL", func() {
		s := newScenario(srv, "web", fakespotify.AppOverrides{})
		s.offline = true
		s.opts.Uses = []string{"me/top/tracks, https://api.spotify.com/v1/me/player/recently-played?limit=5", "PUT /v1/me/tracks"}
		res := s.mustRun()
		var ev []string
		for _, f := range res.Findings {
			if f.ID == "scope-missing-for-endpoint" {
				ev = append(ev, strings.SplitN(f.Evidence[0], ";", 2)[0])
			}
		}
		Expect(ev).To(Equal([]string{
			"GET /v1/me/top/tracks needs user-top-read",
			"GET /v1/me/player/recently-played needs user-read-recently-played",
			"PUT /v1/me/tracks needs user-library-modify",
		}))
	})
})
