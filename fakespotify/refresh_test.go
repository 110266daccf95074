package fakespotify_test

import (
	"net/http"
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

var _ = Describe("refresh tokens", func() {
	var h *harness
	var web config.App
	BeforeEach(func() {
		h = newHarness()
		web = h.autoApp("web")
	})

	// tokens authorizes and exchanges, confidential or PKCE.
	tokens := func(pkce bool) (access, refresh string) {
		q := authQuery(web, webRedir)
		f := url.Values{}
		id, secret := web.ClientID, web.ClientSecret
		if pkce {
			q.Set("code_challenge_method", "S256")
			q.Set("code_challenge", challenge)
			f.Set("client_id", web.ClientID)
			f.Set("code_verifier", verifier)
			id, secret = "", ""
		}
		for k, v := range exchangeForm(h.code(q), webRedir) {
			f[k] = v
		}
		m := h.token(f, id, secret).json()
		return m["access_token"].(string), m["refresh_token"].(string)
	}
	refresh := func(token string, pkce bool) reply {
		f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}}
		if pkce {
			f.Set("client_id", web.ClientID)
			return h.token(f, "", "")
		}
		return h.token(f, web.ClientID, web.ClientSecret)
	}
	const sixMonths = 4380 * time.Hour

	Describe(`policy "2026" (default)`, func() {
		DescribeTable("never rotates: no refresh_token in the answer, the original keeps working",
			func(pkce bool) {
				_, rt := tokens(pkce)
				for i := 0; i < 3; i++ {
					r := refresh(rt, pkce)
					Expect(r.status).To(Equal(http.StatusOK), r.body)
					Expect(r.json()).NotTo(HaveKey("refresh_token"))
					Expect(r.json()).To(HaveKeyWithValue("scope", "user-read-private user-read-email"))
				}
			},
			Entry("confidential", false), Entry("PKCE", true))

		It("expires the refresh token 6 months after the original authorization, not extended by refreshing", func() {
			_, rt := tokens(false)
			h.srv.AdvanceClock(sixMonths - time.Hour)
			Expect(refresh(rt, false).status).To(Equal(http.StatusOK))
			h.srv.AdvanceClock(time.Hour)
			r := refresh(rt, false)
			Expect(r.status).To(Equal(http.StatusBadRequest))
			Expect(r.body).To(Equal(`{"error":"invalid_grant"}`))
		})

		It("starts a new 6 months on re-authorization", func() {
			h.srv.AdvanceClock(sixMonths - time.Hour)
			_, rt := tokens(false)
			h.srv.AdvanceClock(2 * time.Hour)
			Expect(refresh(rt, false).status).To(Equal(http.StatusOK))
		})
	})

	Describe(`policy "pkce-rotate"`, func() {
		BeforeEach(func() {
			Expect(h.srv.SetPolicy(web.ClientID, config.Policies{Refresh: wire.RefreshPKCERotate})).To(Succeed())
		})
		It("rotates PKCE tokens: a new one each time, reuse gives Refresh token revoked", func() {
			_, rt := tokens(true)
			r := refresh(rt, true)
			Expect(r.status).To(Equal(http.StatusOK))
			next := r.json()["refresh_token"].(string)
			Expect(next).NotTo(Equal(rt))
			Expect(refresh(rt, true).body).To(Equal(`{"error":"invalid_grant","error_description":"Refresh token revoked"}`))
			Expect(refresh(next, true).status).To(Equal(http.StatusOK))
		})
		It("never rotates or expires confidential tokens", func() {
			_, rt := tokens(false)
			h.srv.AdvanceClock(2 * sixMonths)
			r := refresh(rt, false)
			Expect(r.status).To(Equal(http.StatusOK))
			Expect(r.json()).NotTo(HaveKey("refresh_token"))
		})
	})

	It(`rotates every token under "always-rotate"`, func() {
		Expect(h.srv.SetPolicy(web.ClientID, config.Policies{Refresh: wire.RefreshAlwaysRotate})).To(Succeed())
		_, rt := tokens(false)
		next := refresh(rt, false).json()["refresh_token"]
		Expect(next).To(HavePrefix("AQ"))
		Expect(refresh(rt, false).body).To(ContainSubstring("Refresh token revoked"))
	})

	It("answers Refresh token revoked after the user removes the app, and the access token stops working", func() {
		at, rt := tokens(false)
		Expect(h.api("GET", "/v1/me", at).status).To(Equal(http.StatusOK))
		Expect(h.srv.Revoke("alice", web.ClientID)).To(Equal(1))
		Expect(refresh(rt, false).body).To(Equal(`{"error":"invalid_grant","error_description":"Refresh token revoked"}`))
		Expect(h.api("GET", "/v1/me", at).status).To(Equal(http.StatusUnauthorized))
	})

	It("refuses another app's refresh token as invalid", func() {
		_, rt := tokens(false)
		other := h.autoApp("other")
		r := h.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, other.ClientID, other.ClientSecret)
		Expect(r.body).To(Equal(`{"error":"invalid_grant","error_description":"Invalid refresh token"}`))
	})

	It("needs the client's credentials for a confidential token", func() {
		_, rt := tokens(false)
		r := h.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {web.ClientID}}, "", "")
		Expect(r.body).To(Equal(`{"error":"invalid_client"}`))
	})

	It("expires access tokens after 3600 s", func() {
		at, _ := tokens(false)
		h.srv.AdvanceClock(3599 * time.Second)
		Expect(h.api("GET", "/v1/me", at).status).To(Equal(http.StatusOK))
		h.srv.AdvanceClock(time.Second)
		Expect(h.api("GET", "/v1/me", at).status).To(Equal(http.StatusUnauthorized))
	})

	It("keeps each app's clock apart", func() {
		other := h.autoApp("other")
		code := h.code(authQuery(other, webRedir))
		Expect(h.srv.AdvanceClockFor(web.ClientID, time.Hour)).To(Succeed())
		Expect(h.token(exchangeForm(code, webRedir), other.ClientID, other.ClientSecret).status).To(Equal(http.StatusOK))
		webCode := h.code(authQuery(web, webRedir))
		Expect(h.srv.AdvanceClockFor(web.ClientID, 11*time.Minute)).To(Succeed())
		Expect(h.token(exchangeForm(webCode, webRedir), web.ClientID, web.ClientSecret).body).To(ContainSubstring("Authorization code expired"))
	})
})
