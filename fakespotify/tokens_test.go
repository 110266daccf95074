package fakespotify_test

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/store"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Tokens are self-verifying (package store): these specs hold the fake to
// what the stored tokens did, and to what a long-lived fake must not keep.
var _ = Describe("self-verifying tokens", func() {
	var h *harness
	var web config.App
	BeforeEach(func() {
		h = newHarness(func(c *config.Config) { c.Policies.UnauthorizedMessage = wire.UnauthorizedLegacy })
		web = h.autoApp("web")
	})

	appToken := func(a config.App) string {
		r := h.token(url.Values{"grant_type": {"client_credentials"}}, a.ClientID, a.ClientSecret)
		Expect(r.status).To(Equal(http.StatusOK), r.body)
		return r.json()["access_token"].(string)
	}
	userTokens := func(a config.App) (access, refresh string) {
		m := h.token(exchangeForm(h.code(authQuery(a, webRedir)), webRedir), a.ClientID, a.ClientSecret).json()
		return m["access_token"].(string), m["refresh_token"].(string)
	}
	refresh := func(a config.App, rt string) reply {
		return h.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, a.ClientID, a.ClientSecret)
	}
	const search = "/v1/search?q=e&type=track"
	// What the Web API's 401 says (policy unauthorized_message: legacy tells them apart).
	const (
		invalid = "Invalid access token"
		expired = "The access token expired"
	)
	says := func(r reply) string {
		if r.status != http.StatusUnauthorized {
			return r.body
		}
		return r.json()["error"].(map[string]any)["message"].(string)
	}

	It("keep a token valid for its hour on its app's clock, and expired for ever after", func() {
		app := appToken(web)
		user, _ := userTokens(web)
		other := h.autoApp("web")
		Expect(h.srv.AdvanceClockFor(other.ClientID, 1000*time.Hour)).To(Succeed())
		Expect(h.srv.AdvanceClockFor(web.ClientID, 3599*time.Second)).To(Succeed())
		for _, tok := range []string{app, user} {
			Expect(h.api("GET", search, tok).status).To(Equal(http.StatusOK), "another app's clock is not this one's")
		}
		Expect(h.srv.AdvanceClockFor(web.ClientID, time.Second)).To(Succeed())
		for _, tok := range []string{app, user} {
			Expect(says(h.api("GET", search, tok))).To(Equal(expired))
		}
		h.srv.AdvanceClock(1000 * 24 * time.Hour)
		for _, tok := range []string{app, user} {
			Expect(says(h.api("GET", search, tok))).To(Equal(expired), "no grace period after which it becomes unknown")
		}
	})

	It("answer a revoked token as invalid until it would have expired, and as expired after", func() {
		at, _ := userTokens(web)
		h.srv.Revoke("alice", web.ClientID)
		Expect(h.srv.AdvanceClockFor(web.ClientID, 3599*time.Second)).To(Succeed())
		Expect(says(h.api("GET", "/v1/me", at))).To(Equal(invalid))
		h.srv.AdvanceClock(time.Hour)
		Expect(says(h.api("GET", "/v1/me", at))).To(Equal(expired))
	})

	It("refuse another fake's tokens as invalid, though it has the same apps", func() {
		other := newHarness()
		tok := appToken(web)
		_, rt := userTokens(web)
		Expect(other.srv.CloneApp("web", fakespotify.AppOverrides{ClientID: web.ClientID, Name: web.Name})).Error().NotTo(HaveOccurred())
		Expect(says(other.api("GET", search, tok))).To(Equal("Missing/invalid/expired access token"))
		Expect(other.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, web.ClientID, web.ClientSecret).body).
			To(Equal(`{"error":"invalid_grant","error_description":"Invalid refresh token"}`))
	})

	It("stop working with a deleted app, also when an app is registered again under its client id", func() {
		tok := appToken(web)
		at, rt := userTokens(web)
		code := h.code(authQuery(web, webRedir))
		Expect(h.srv.DeleteApp(web.ClientID)).To(BeTrue())
		again, err := h.srv.CloneApp("web", fakespotify.AppOverrides{ClientID: web.ClientID, Name: web.Name, Consent: config.ConsentAuto, AutoUser: "alice"})
		Expect(err).NotTo(HaveOccurred())
		Expect(again.ClientSecret).To(Equal(web.ClientSecret))
		for _, t := range []string{tok, at} {
			Expect(says(h.api("GET", search, t))).To(Equal(invalid))
		}
		Expect(refresh(again, rt).body).To(Equal(`{"error":"invalid_grant","error_description":"Invalid refresh token"}`))
		Expect(h.token(exchangeForm(code, webRedir), again.ClientID, again.ClientSecret).body).
			To(Equal(`{"error":"invalid_grant","error_description":"Invalid authorization code"}`))
		Expect(h.api("GET", search, appToken(again)).status).To(Equal(http.StatusOK), "the new app's own tokens work")
	})

	It("attribute every request to the app and user of its token, after revocation too", func() {
		at, _ := userTokens(web)
		h.srv.Revoke("alice", web.ClientID)
		h.srv.ResetRequests(web.ClientID)
		Expect(h.api("GET", "/v1/me", at).status).To(Equal(http.StatusUnauthorized))
		reqs := h.srv.Requests(web.ClientID)
		Expect(reqs).To(HaveLen(1))
		Expect(reqs[0].UserID).To(Equal("alice"))
	})

	It("are redacted from the request log wherever a client put them, whatever became of them", func() {
		at, rt := userTokens(web)
		code := h.code(authQuery(web, webRedir))
		gone := h.autoApp("web")
		goneTok := appToken(gone)
		h.srv.DeleteApp(gone.ClientID)
		h.srv.AdvanceClock(1000 * time.Hour) // every one of them expired
		h.srv.ResetRequests(web.ClientID)
		h.api("GET", "/v1/tracks/"+code+"?x="+rt+"&y="+goneTok, at)
		reqs := h.srv.Requests(web.ClientID)
		Expect(reqs).To(HaveLen(1))
		Expect(reqs[0].Path).To(Equal("/v1/tracks/" + redact.Fingerprint(code)))
		Expect(reqs[0].Query).To(Equal(url.Values{"x": {redact.Fingerprint(rt)}, "y": {redact.Fingerprint(goneTok)}}))
		Expect(reqs[0].Header.Get("Authorization")).To(Equal("Bearer " + redact.Fingerprint(at)))
	})

	It("answer a refresh token past its six months as expired after its grant is swept", func() {
		_, rt := userTokens(web)
		Expect(h.srv.Sizes().Grants).To(Equal(1))
		h.srv.AdvanceClock(4380*time.Hour + store.RefreshGrace) // AdvanceClock sweeps
		Expect(h.srv.Sizes().Grants).To(BeZero())
		Expect(refresh(web, rt).body).To(Equal(`{"error":"invalid_grant"}`))
	})

	It("answer a revoked refresh token as revoked, for a PKCE client too", func() {
		Expect(h.srv.SetPolicy(web.ClientID, config.Policies{Refresh: wire.RefreshPKCERotate})).To(Succeed())
		q := authQuery(web, webRedir)
		q.Set("code_challenge_method", "S256")
		q.Set("code_challenge", challenge)
		f := exchangeForm(h.code(q), webRedir)
		f.Set("client_id", web.ClientID)
		f.Set("code_verifier", verifier)
		rt := h.token(f, "", "").json()["refresh_token"].(string)
		Expect(h.srv.Revoke("alice", web.ClientID)).To(Equal(1))
		again := func() string {
			return h.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {web.ClientID}}, "", "").body
		}
		Expect(again()).To(Equal(`{"error":"invalid_grant","error_description":"Refresh token revoked"}`))
		h.srv.AdvanceClock(time.Hour)
		Expect(h.srv.Sizes().Grants).To(BeZero(), "the revoked grant is dropped when its access tokens have expired")
		Expect(again()).To(Equal(`{"error":"invalid_grant","error_description":"Refresh token revoked"}`), "told by the token's own times")
	})
})

// A long-lived fake (issue 11 item 11): each leak has a counter that
// must come back to where it started.
var _ = Describe("a long-lived fake", func() {
	var h *harness
	BeforeEach(func() { h = newHarness() })

	It("keeps nothing per token", func() {
		web := h.autoApp("web")
		before := h.srv.Sizes()
		for i := 0; i < 2000; i++ {
			r := h.token(url.Values{"grant_type": {"client_credentials"}}, web.ClientID, web.ClientSecret)
			Expect(r.status).To(Equal(http.StatusOK))
		}
		Expect(h.srv.Sizes()).To(Equal(before))
		codes, access, _ := h.srv.StoreSizes()
		Expect(codes + access).To(BeZero())
	})

	It("forgets a deleted app: its grants, consents and secrets", func() {
		before := h.srv.Sizes()
		for i := 0; i < 200; i++ {
			a := h.autoApp("web", fakespotify.AppOverrides{ClientSecret: "a-secret-of-its-own-" + string(rune('a'+i%26))})
			Expect(h.token(exchangeForm(h.code(authQuery(a, webRedir)), webRedir), a.ClientID, a.ClientSecret).status).To(Equal(http.StatusOK))
			Expect(h.srv.DeleteApp(a.ClientID)).To(BeTrue())
		}
		after := h.srv.Sizes()
		after.Codes = before.Codes // codes of deleted apps wait for their sweep, an hour after they expire
		Expect(after).To(Equal(before))
		h.srv.AdvanceClock(10*time.Minute + store.CodeGrace)
		Expect(h.srv.Sizes().Codes).To(Equal(before.Codes))
	})

	It("keeps a secret a deleted clone shared with its template", func() {
		web, _ := h.srv.App("web")
		clone := h.autoApp("web")
		Expect(clone.ClientSecret).To(Equal(web.ClientSecret))
		h.srv.DeleteApp(clone.ClientID)
		h.token(url.Values{"grant_type": {"client_credentials"}, "client_secret": {web.ClientSecret}, "client_id": {web.ClientID}}, "", "")
		reqs := h.srv.Requests(web.ClientID)
		Expect(reqs).NotTo(BeEmpty())
		Expect(reqs[len(reqs)-1].Body).NotTo(ContainSubstring(web.ClientSecret))
	})

	It("expires login sessions, and sweeps them", func() {
		app, _ := h.srv.App("web")
		login := func() {
			r := h.do(mustPost(h.srv.URL+"/login", url.Values{"username": {"alice"}, "password": {"alice-password"}, "continue": {"/"}}))
			Expect(r.status).To(Equal(http.StatusFound))
		}
		for i := 0; i < 50; i++ {
			login()
		}
		Expect(h.srv.Sizes().Sessions).To(Equal(50))
		Expect(h.authorize(authQuery(app, webRedir)).status).To(Equal(http.StatusOK), "logged in: the consent page")

		h.srv.AdvanceClock(store.SessionIdle)
		r := h.authorize(authQuery(app, webRedir))
		Expect(r.status).To(Equal(http.StatusFound))
		Expect(r.header.Get("Location")).To(HavePrefix("/login?"), "a day without use logs the browser out")

		login()
		Expect(h.srv.Sizes().Sessions).To(Equal(1), "the expired ones were swept")
	})

	It("drops revoked grants", func() {
		web := h.autoApp("web")
		for i := 0; i < 50; i++ {
			h.token(exchangeForm(h.code(authQuery(web, webRedir)), webRedir), web.ClientID, web.ClientSecret)
		}
		Expect(h.srv.Sizes().Grants).To(Equal(50))
		Expect(h.srv.Revoke("alice", web.ClientID)).To(Equal(1))
		h.srv.AdvanceClock(time.Hour) // their access tokens have expired
		Expect(h.srv.Sizes()).To(And(HaveField("Grants", 0), HaveField("Consents", 0)))
	})
})

func mustPost(u string, form url.Values) *http.Request {
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}
