package checks_test

import (
	"context"
	"errors"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

var noEnv = func(string) (string, bool) { return "", false }

var _ = Describe("ResolveTarget", func() {
	ctx := context.Background()

	It("starts the embedded fake with control on", func() {
		t, err := checks.ResolveTarget(ctx, "fake", checks.TargetOptions{Env: noEnv})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(t.Close)
		Expect(t.Kind).To(Equal(checks.TargetFake))
		Expect(t.AccountsURL).To(MatchRegexp(`^http://127\.0\.0\.1:\d+$`))
		Expect(t.APIURL).To(Equal(t.AccountsURL + "/v1"))
		Expect(t.Control).NotTo(BeNil())
		Expect(t.Config.Apps).To(HaveLen(5))
		Expect(t.Probe(ctx, nil)).To(Succeed())
		Expect(t.APIBase()).To(Equal(t.AccountsURL), "the client joins /v1/... paths onto the base")
		Expect(t.Info().Name).To(Equal("fake"))
	})

	It("uses a running fake by URL and finds out whether its control API is on", func() {
		on, err := fakespotify.Start(fakespotify.DefaultConfig())
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(on.Close)
		t, err := checks.ResolveTarget(ctx, on.URL+"/", checks.TargetOptions{Env: noEnv})
		Expect(err).NotTo(HaveOccurred())
		Expect(t.Kind).To(Equal(checks.TargetURL))
		Expect(t.AccountsURL).To(Equal(on.URL))
		Expect(t.Control).NotTo(BeNil())

		off, err := fakespotify.Start(fakespotify.DefaultConfig(), fakespotify.WithoutControl())
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(off.Close)
		t, err = checks.ResolveTarget(ctx, off.URL, checks.TargetOptions{Env: noEnv})
		Expect(err).NotTo(HaveOccurred())
		Expect(t.Control).To(BeNil())
	})

	It("reports an unreachable URL as ErrUnreachable", func() {
		_, err := checks.ResolveTarget(ctx, "http://"+closedPort(), checks.TargetOptions{Env: noEnv})
		Expect(errors.Is(err, checks.ErrUnreachable)).To(BeTrue(), "%v", err)
		Expect(err.Error()).To(ContainSubstring("connection refused"))
	})

	It("points at real Spotify, with base URLs overridable by flag or environment", func() {
		t, err := checks.ResolveTarget(ctx, "spotify", checks.TargetOptions{Env: noEnv})
		Expect(err).NotTo(HaveOccurred())
		Expect(t.AccountsURL).To(Equal("https://accounts.spotify.com"))
		Expect(t.APIURL).To(Equal("https://api.spotify.com/v1"))
		Expect(t.APIBase()).To(Equal("https://api.spotify.com"))
		Expect(t.Control).To(BeNil())
		env := func(k string) (string, bool) {
			return map[string]string{"SPOTIFY_ACCOUNTS_URL": "http://127.0.0.1:1/", "SPOTIFY_API_URL": "http://127.0.0.1:2/v1"}[k], true
		}
		t, err = checks.ResolveTarget(ctx, "spotify", checks.TargetOptions{Env: env})
		Expect(err).NotTo(HaveOccurred())
		Expect(t.AccountsURL).To(Equal("http://127.0.0.1:1"))
		Expect(t.APIURL).To(Equal("http://127.0.0.1:2/v1"))
		t, err = checks.ResolveTarget(ctx, "spotify", checks.TargetOptions{Env: env, AccountsURL: "http://127.0.0.1:3"})
		Expect(err).NotTo(HaveOccurred())
		Expect(t.AccountsURL).To(Equal("http://127.0.0.1:3"), "the flag wins over the environment")
	})

	It("rejects anything else", func() {
		_, err := checks.ResolveTarget(ctx, "staging", checks.TargetOptions{Env: noEnv})
		Expect(errors.Is(err, checks.ErrBadTarget)).To(BeTrue())
		Expect(err.Error()).To(ContainSubstring(`--target "staging": want fake, spotify or the URL of a running fake`))
	})

	It("probes a dead accounts URL as unreachable", func() {
		t := &checks.Target{AccountsURL: "http://" + closedPort()}
		err := t.Probe(ctx, &http.Client{Timeout: time.Second})
		Expect(errors.Is(err, checks.ErrUnreachable)).To(BeTrue(), "%v", err)
	})
})

var _ = Describe("Control", func() {
	ctx := context.Background()
	var srv *fakespotify.Server
	var ctl *checks.Control
	BeforeEach(func() {
		var err error
		fixed := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		srv, err = fakespotify.Start(fakespotify.DefaultConfig(), fakespotify.WithClock(func() time.Time { return fixed }))
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(srv.Close)
		ctl = checks.NewControl(srv.URL, nil)
	})

	It("drives every control endpoint of the fake", func() {
		app, err := ctl.CloneApp(ctx, "web", fakespotify.AppOverrides{Consent: config.ConsentAuto, AutoUser: "bob"})
		Expect(err).NotTo(HaveOccurred())
		Expect(app.ClientSecret).NotTo(BeEmpty())
		Expect(app.AutoUser).To(Equal("bob"))

		Expect(ctl.AdvanceClock(ctx, app.ClientID, time.Hour)).To(Succeed())
		Expect(srv.NowFor(app.ClientID).Sub(srv.Now())).To(Equal(time.Hour))
		Expect(ctl.SetPolicy(ctx, app.ClientID, config.Policies{Refresh: wire.RefreshPKCERotate})).To(Succeed())
		Expect(srv.Policies(app.ClientID).Refresh).To(Equal(wire.RefreshPKCERotate))
		Expect(ctl.Inject(ctx, fakespotify.Fault{Path: "/v1/me", ClientID: app.ClientID, Status: 429})).To(Succeed())
		n, err := ctl.Revoke(ctx, "bob", app.ClientID)
		Expect(err).NotTo(HaveOccurred())
		Expect(n).To(Equal(0), "bob never authorized this app")

		resp, err := http.Get(srv.URL + "/authorize?client_id=" + app.ClientID)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		reqs, err := ctl.Requests(ctx, app.ClientID)
		Expect(err).NotTo(HaveOccurred())
		Expect(reqs).To(HaveLen(1))
		Expect(ctl.ResetRequests(ctx, app.ClientID)).To(Succeed())
		Expect(srv.Requests(app.ClientID)).To(BeEmpty())

		apps, err := ctl.Apps(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(apps).To(HaveLen(6))
		Expect(ctl.DeleteApp(ctx, app.ClientID)).To(Succeed())
		_, ok := srv.App(app.ClientID)
		Expect(ok).To(BeFalse())
	})

	It("returns the fake's refusal as a ControlError", func() {
		_, err := ctl.CloneApp(ctx, "nope", fakespotify.AppOverrides{})
		var ce *checks.ControlError
		Expect(errors.As(err, &ce)).To(BeTrue())
		Expect(ce.Status).To(Equal(http.StatusBadRequest))
		Expect(ce.Message).To(Equal(`no app named or with client id "nope"`))
	})
})
