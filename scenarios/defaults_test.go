package scenarios_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
	"github.com/spotcheck/spotcheck/scenarios"
)

func parseOne(src string) *scenarios.Scenario {
	list, err := scenarios.Parse([]byte(src), "s.yaml")
	Expect(err).NotTo(HaveOccurred())
	Expect(list).To(HaveLen(1))
	return list[0]
}

func tmpl(t *scenarios.Template) string {
	if t == nil {
		return "<nil>"
	}
	return string(*t)
}

var _ = Describe("the defaults Load fills in", func() {
	It("names steps, targets the fake and uses app web", func() {
		s := parseOne("name: x\nsteps: [{authorize: {}}, {name: ex, exchange: {}}]\n")
		Expect(s.Targets).To(Equal([]scenarios.Target{scenarios.TargetFake}))
		Expect(s.App).To(Equal("web"))
		Expect(s.Steps[0].Name).To(Equal("step-1"))
		Expect(s.Steps[1].Name).To(Equal("ex"))
		Expect(s.Pos).To(Equal(scenarios.Pos{File: "s.yaml", Line: 1, Column: 1}))
		Expect(s.Steps[1].Pos.String()).To(Equal("s.yaml:2:26"))
		Expect(s.FakeOnly()).To(BeTrue())
		Expect(s.NeedsBrowser()).To(BeFalse())
		Expect(s.NeedsControl()).To(BeFalse())
	})

	It("completes an authorize step", func() {
		a := parseOne("name: x\nsteps: [{authorize: {pkce: s256}}]\n").Steps[0].Authorize
		Expect(a.App).To(Equal("web"))
		Expect(a.ClientID).To(Equal(scenarios.Template("${app.client_id}")))
		Expect(a.RedirectURI).To(Equal(scenarios.Template("${app.redirect_uri}")))
		Expect(a.ResponseType).To(Equal(scenarios.Template("code")))
		Expect(a.ChallengeEncoding).To(Equal(scenarios.ChallengeBase64URL))
		Expect(a.Path).To(Equal("/authorize"))
		Expect(a.State).To(BeNil(), "the runner generates the state")
		Expect(a.Scope).To(BeNil(), "no scope parameter")
	})

	It("takes an exchange's code, redirect_uri, verifier, app and auth style from where the code came from", func() {
		s := parseOne(`name: x
requires: [browser]
steps:
  - name: auth
    authorize: {app: other, pkce: s256, redirect_uri: "http://127.0.0.1:8888/callback"}
  - name: ok
    consent: {}
  - name: cb
    callback: {}
  - exchange: {}
`)
		Expect(s.Steps[1].Consent.From).To(Equal("auth"))
		Expect(s.Steps[1].Consent.Decision).To(Equal(scenarios.DecisionApprove))
		Expect(s.Steps[2].Callback.From).To(Equal("ok"))
		ex := s.Steps[3].Exchange
		Expect(ex.Code).To(Equal(scenarios.Template("${steps.cb.code}")))
		Expect(ex.RedirectURI).To(Equal(scenarios.Template("${steps.auth.redirect_uri}")))
		Expect(tmpl(ex.CodeVerifier)).To(Equal("${steps.auth.verifier}"))
		Expect(ex.App).To(Equal("other"))
		Expect(ex.Auth).To(Equal(scenarios.AuthPublic))
		Expect(ex.ClientID).To(Equal(scenarios.Template("${apps.other.client_id}")))
		Expect(ex.GrantType).To(Equal(scenarios.Template("authorization_code")))
		Expect(ex.BodyFormat).To(Equal(scenarios.BodyForm))
		Expect(ex.ParamsIn).To(Equal(scenarios.ParamsInBody))
		Expect(ex.Path).To(Equal("/api/token"))
		Expect(ex.Count()).To(Equal(1))
		Expect(s.Apps()).To(Equal([]string{"other", "web"}))
	})

	It("leaves the verifier out when told to, and defaults to Basic without PKCE", func() {
		s := parseOne(`name: x
steps:
  - authorize: {pkce: s256}
  - exchange: {omit: [code_verifier]}
  - authorize: {}
  - exchange: {code: garbage}
`)
		Expect(s.Steps[1].Exchange.CodeVerifier).To(BeNil())
		Expect(s.Steps[1].Exchange.Auth).To(Equal(scenarios.AuthPublic))
		ex := s.Steps[3].Exchange
		Expect(ex.Auth).To(Equal(scenarios.AuthBasic))
		Expect(ex.RedirectURI).To(Equal(scenarios.Template("${app.redirect_uri}")), "a literal code has no authorize step behind it")
		Expect(ex.CodeVerifier).To(BeNil())
	})

	It("follows a refresh token back to its PKCE authorization for the auth style", func() {
		s := parseOne(`name: x
steps:
  - authorize: {pkce: plain}
  - name: ex
    exchange: {}
  - name: r1
    refresh: {}
  - refresh: {refresh_token: "${steps.r1.used_refresh_token}"}
  - refresh: {refresh_token: garbage}
  - client_credentials: {}
  - api: {path: /v1/me}
`)
		Expect(s.Steps[2].Refresh.RefreshToken).To(Equal(scenarios.Template("${steps.ex.refresh_token}")))
		Expect(s.Steps[2].Refresh.Auth).To(Equal(scenarios.AuthPublic))
		Expect(s.Steps[3].Refresh.Auth).To(Equal(scenarios.AuthPublic))
		Expect(s.Steps[4].Refresh.Auth).To(Equal(scenarios.AuthBasic))
		Expect(s.Steps[4].Refresh.GrantType).To(Equal(scenarios.Template("refresh_token")))
		Expect(s.Steps[5].ClientCredentials.GrantType).To(Equal(scenarios.Template("client_credentials")))
		api := s.Steps[6].API
		Expect(api.Method).To(Equal("GET"))
		Expect(api.Auth).To(Equal(scenarios.APIBearer))
		Expect(api.Token).To(Equal(scenarios.Template("${steps.step-6.access_token}")))
	})

	It("counts an app named only in a reference among the apps to clone", func() {
		s := parseOne("name: x\nsteps: [{client_credentials: {client_id: \"${apps.dev.client_id}\", client_secret: \"${apps.dev.client_secret}\"}}]\n")
		Expect(s.Apps()).To(Equal([]string{"dev", "web"}))
	})

	It("fills in a fake-only step's defaults and counts it as needing the control API", func() {
		s := parseOne("name: x\nuser: bob\napp: dev\nsteps: [{revoke: {}}, {inject: {path: /v1/me, status: 429}}]\n")
		Expect(s.Steps[0].Revoke.User).To(Equal("bob"))
		Expect(s.Steps[0].Revoke.App).To(Equal("dev"))
		Expect(s.Steps[1].Inject.Count).To(Equal(1))
		Expect(s.NeedsControl()).To(BeTrue())
	})

	It("reads requirements, both forms of policy", func() {
		s := parseOne(`name: x
requires: [browser, "policy:pkce-rotate", "policy:unauthorized_message=legacy"]
steps: [{authorize: {}}]
`)
		Expect(s.NeedsBrowser()).To(BeTrue())
		Expect(s.NeedsControl()).To(BeTrue())
		Expect(s.Requires[1].String()).To(Equal("policy:refresh=pkce-rotate"))
		Expect(s.Policies()).To(Equal(config.Policies{Refresh: wire.RefreshPKCERotate, UnauthorizedMessage: wire.UnauthorizedLegacy}))
	})

	It("accepts a default policy on spotify, since that is what Spotify does today", func() {
		s := parseOne("name: x\ntargets: [fake, spotify]\nrequires: [\"policy:refresh=2026\"]\nsteps: [{refresh: {refresh_token: x}}]\n")
		Expect(s.RunsOn(scenarios.TargetSpotify)).To(BeTrue())
		Expect(s.FakeOnly()).To(BeFalse())
	})

	It("accepts every value of every policy wire lists", func() {
		for _, pol := range wire.Policies {
			for _, v := range pol.ValueNames() {
				s := parseOne("name: x\nrequires: [\"policy:" + pol.Name + "=" + v + "\"]\nsteps: [{set_policy: {" + pol.Name + ": \"" + v + "\"}}]\n")
				Expect(config.ValidatePolicies(s.Policies())).To(Succeed())
				Expect(config.ValidatePolicies(s.Steps[0].SetPolicy.Policies())).To(Succeed())
				Expect(s.Policies()).To(Equal(s.Steps[0].SetPolicy.Policies()))
				Expect(s.Policies().Get(pol.Name)).To(Equal(v))
			}
		}
	})

	It("keeps scopes as a set of names whether written as a string or a list", func() {
		s := parseOne(`name: x
steps:
  - authorize: {scope: "user-read-email  user-top-read"}
  - authorize: {scope: [user-read-email, user-top-read]}
  - authorize: {scope: ""}
`)
		Expect(*s.Steps[0].Authorize.Scope).To(Equal(scenarios.Scopes{"user-read-email", "user-top-read"}))
		Expect(*s.Steps[1].Authorize.Scope).To(Equal(*s.Steps[0].Authorize.Scope))
		Expect(s.Steps[0].Authorize.Scope.String()).To(Equal("user-read-email user-top-read"))
		Expect(*s.Steps[2].Authorize.Scope).To(BeEmpty(), "an empty scope is sent as scope=")
	})

	It("keeps matchers in the order written", func() {
		s := parseOne(`name: x
steps:
  - client_credentials: {}
    expect:
      json: {z: {present: true}, a: {equals: 1}, m: {type: null}}
`)
		var keys []string
		for _, a := range s.Steps[0].Expect.JSON {
			keys = append(keys, a.Key)
		}
		Expect(keys).To(Equal([]string{"z", "a", "m"}))
		Expect(s.Steps[0].Expect.JSON[2].Match.Type).To(Equal("null"))
	})

	It("lists each action's exports and expectations", func() {
		Expect(scenarios.KindRefresh.Exports()).To(ContainElements("refresh_token", "used_refresh_token", "access_token"))
		Expect(scenarios.KindAuthorize.RequestExports()).To(ContainElement("state"))
		Expect(scenarios.KindInject.Exports()).To(BeEmpty())
		Expect(scenarios.AllowedExpectations(scenarios.KindRefresh)).To(ContainElement("rotated"))
		Expect(scenarios.AllowedExpectations(scenarios.KindExchange)).NotTo(ContainElement("rotated"))
		for _, k := range scenarios.Kinds {
			Expect(k.FakeOnly()).To(Equal(len(scenarios.AllowedExpectations(k)) == 0), string(k))
		}
	})
})
