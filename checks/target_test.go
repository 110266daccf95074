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

	It("drives a fake with a control token with the token, from the options or the environment", func() {
		const token = "target-c0ntrol-t0ken-0123456789"
		srv, err := fakespotify.Start(fakespotify.DefaultConfig(), fakespotify.WithControlToken(token))
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(srv.Close)
		_, err = checks.ResolveTarget(ctx, srv.URL, checks.TargetOptions{Env: noEnv})
		Expect(errors.Is(err, checks.ErrBadTarget)).To(BeTrue(), "%v", err)
		Expect(err.Error()).To(ContainSubstring("--control-token or $SPOTCHECK_CONTROL_TOKEN"))
		Expect(err.Error()).NotTo(ContainSubstring(token))

		t, err := checks.ResolveTarget(ctx, srv.URL, checks.TargetOptions{Env: noEnv, ControlToken: token})
		Expect(err).NotTo(HaveOccurred())
		Expect(t.Control).NotTo(BeNil())
		Expect(t.Control.Apps(ctx)).To(HaveLen(5))

		env := func(k string) (string, bool) { return token, k == checks.EnvControlToken }
		t, err = checks.ResolveTarget(ctx, srv.URL, checks.TargetOptions{Env: env})
		Expect(err).NotTo(HaveOccurred())
		Expect(t.Control.Token).To(Equal(token))
		_, err = checks.ResolveTarget(ctx, srv.URL, checks.TargetOptions{Env: env, ControlToken: "the-flag-wins-over-the-env"})
		Expect(errors.Is(err, checks.ErrBadTarget)).To(BeTrue(), "the option wins over the environment")
	})

	It("reports an unreachable URL as ErrUnreachable", func() {
		_, err := checks.ResolveTarget(ctx, "http://"+closedPort(), checks.TargetOptions{Env: noEnv})
		Expect(errors.Is(err, checks.ErrUnreachable)).To(BeTrue(), "%v", err)
		Expect(err.Error()).To(ContainSubstring("the connection was refused: nothing listens there"))
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
