package fakespotify_test

import (
	"encoding/base64"
	"net/http"
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

var _ = Describe("POST /api/token", func() {
	var h *harness
	var web config.App
	BeforeEach(func() {
		h = newHarness()
		web = h.autoApp("web")
	})

	basic := func(id, secret string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
	}

	// Every row of the reference's error catalogue (§3.3) and the request
	// format rules (§3.1), with the exact status and body bytes.
	type tokenCase struct {
		contentType string
		body        func(code string) string
		header      func(a config.App) map[string]string
		pkce        bool
		status      int
		want        string
	}
	form := func(v url.Values) func(string) string {
		return func(code string) string {
			if v.Get("code") == "$code" {
				v.Set("code", code)
			}
			return v.Encode()
		}
	}
	withBasic := func(a config.App) map[string]string {
		return map[string]string{"Authorization": basic(a.ClientID, a.ClientSecret)}
	}
	none := func(config.App) map[string]string { return nil }

	DescribeTable("errors, byte for byte",
		func(tc tokenCase) {
			q := authQuery(web, webRedir)
			if tc.pkce {
				q.Set("code_challenge_method", "S256")
				q.Set("code_challenge", challenge)
			}
			code := h.code(q)
			r := h.tokenRaw(tc.contentType, tc.body(code), tc.header(web))
			Expect(r.status).To(Equal(tc.status))
			Expect(r.body).To(Equal(tc.want))
			Expect(r.header.Get("Content-Type")).To(Equal("application/json;charset=UTF-8"))
			Expect(r.header.Get("Cache-Control")).To(Equal("no-store"))
			Expect(r.header.Get("Pragma")).To(Equal("no-cache"))
		},
		Entry("unknown code", tokenCase{"application/x-www-form-urlencoded", form(url.Values{"grant_type": {"authorization_code"}, "code": {"AQgarbage"}, "redirect_uri": {webRedir}}), withBasic, false,
			400, `{"error":"invalid_grant","error_description":"Invalid authorization code"}`}),
		Entry("redirect_uri differs from authorize", tokenCase{"application/x-www-form-urlencoded", form(url.Values{"grant_type": {"authorization_code"}, "code": {"$code"}, "redirect_uri": {webRedir + "/"}}), withBasic, false,
			400, `{"error":"invalid_grant","error_description":"Invalid redirect URI"}`}),
		Entry("redirect_uri double-encoded", tokenCase{"application/x-www-form-urlencoded", form(url.Values{"grant_type": {"authorization_code"}, "code": {"$code"}, "redirect_uri": {url.QueryEscape(webRedir)}}), withBasic, false,
			400, `{"error":"invalid_grant","error_description":"Invalid redirect URI"}`}),
		Entry("redirect_uri missing", tokenCase{"application/x-www-form-urlencoded", form(url.Values{"grant_type": {"authorization_code"}, "code": {"$code"}}), withBasic, false,
			400, `{"error":"invalid_grant","error_description":"Invalid redirect URI"}`}),
		Entry("wrong client secret", tokenCase{"application/x-www-form-urlencoded", form(url.Values{"grant_type": {"authorization_code"}, "code": {"$code"}, "redirect_uri": {webRedir}}),
			func(a config.App) map[string]string {
				return map[string]string{"Authorization": basic(a.ClientID, "0000")}
			}, false,
			400, `{"error":"invalid_client","error_description":"Invalid client secret"}`}),
		Entry("secret with a trailing newline", tokenCase{"application/x-www-form-urlencoded", form(url.Values{"grant_type": {"authorization_code"}, "code": {"$code"}, "redirect_uri": {webRedir}}),
			func(a config.App) map[string]string {
				return map[string]string{"Authorization": basic(a.ClientID, a.ClientSecret+"\n")}
			}, false,
			400, `{"error":"invalid_client","error_description":"Invalid client secret"}`}),
		Entry("id and secret swapped", tokenCase{"application/x-www-form-urlencoded", form(url.Values{"grant_type": {"authorization_code"}, "code": {"$code"}, "redirect_uri": {webRedir}}),
			func(a config.App) map[string]string {
				return map[string]string{"Authorization": basic(a.ClientSecret, a.ClientID)}
			}, false,
			400, `{"error":"invalid_client","error_description":"Invalid client"}`}),
		Entry("unknown client id", tokenCase{"application/x-www-form-urlencoded", form(url.Values{"grant_type": {"authorization_code"}, "code": {"$code"}, "redirect_uri": {webRedir}}),
			func(config.App) map[string]string { return map[string]string{"Authorization": basic("nope", "x")} }, false,
			400, `{"error":"invalid_client","error_description":"Invalid client"}`}),
		Entry("no client authentication", tokenCase{"application/x-www-form-urlencoded", form(url.Values{"grant_type": {"authorization_code"}, "code": {"$code"}, "redirect_uri": {webRedir}}), none, false,
			400, `{"error":"invalid_client"}`}),
		Entry("client_id only, without PKCE", tokenCase{"application/x-www-form-urlencoded", func(code string) string {
			return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {webRedir}, "client_id": {web.ClientID}}.Encode()
		}, none, false, 400, `{"error":"invalid_client"}`}),
		Entry("Basic header without the Basic scheme", tokenCase{"application/x-www-form-urlencoded", form(url.Values{"grant_type": {"authorization_code"}, "code": {"$code"}, "redirect_uri": {webRedir}}),
			func(a config.App) map[string]string {
				return map[string]string{"Authorization": base64.StdEncoding.EncodeToString([]byte(a.ClientID + ":" + a.ClientSecret))}
			}, false, 400, `{"error":"invalid_client"}`}),
		Entry("Basic value with a line break (base64 wrapping)", tokenCase{"application/x-www-form-urlencoded", form(url.Values{"grant_type": {"authorization_code"}, "code": {"$code"}, "redirect_uri": {webRedir}}),
			func(a config.App) map[string]string {
				enc := base64.StdEncoding.EncodeToString([]byte(a.ClientID + ":" + a.ClientSecret))
				return map[string]string{"Authorization": "Basic " + enc[:60] + " " + enc[60:]}
			}, false, 400, `{"error":"invalid_client"}`}),
		Entry("Basic value that is not base64", tokenCase{"application/x-www-form-urlencoded", form(url.Values{"grant_type": {"authorization_code"}, "code": {"$code"}, "redirect_uri": {webRedir}}),
			func(config.App) map[string]string { return map[string]string{"Authorization": "Basic ###"} }, false, 400, `{"error":"invalid_client"}`}),
		Entry("grant_type missing", tokenCase{"application/x-www-form-urlencoded", form(url.Values{"code": {"$code"}, "redirect_uri": {webRedir}}), withBasic, false,
			400, `{"error":"unsupported_grant_type","error_description":"grant_type parameter is missing"}`}),
		Entry("empty body", tokenCase{"application/x-www-form-urlencoded", func(string) string { return "" }, withBasic, false,
			400, `{"error":"unsupported_grant_type","error_description":"grant_type parameter is missing"}`}),
		Entry("JSON body with a form content type (axios)", tokenCase{"application/x-www-form-urlencoded", func(code string) string {
			return `{"grant_type":"authorization_code","code":"` + code + `","redirect_uri":"` + webRedir + `"}`
		}, withBasic, false, 400, `{"error":"unsupported_grant_type","error_description":"grant_type parameter is missing"}`}),
		Entry("JSON body with a JSON content type", tokenCase{"application/json", func(code string) string {
			return `{"grant_type":"authorization_code","code":"` + code + `"}`
		}, withBasic, false, 415, `{"error":"server_error","error_description":"Unexpected status: 415"}`}),
		Entry("no content type", tokenCase{"", form(url.Values{"grant_type": {"authorization_code"}, "code": {"$code"}, "redirect_uri": {webRedir}}), withBasic, false,
			400, `{"error":"unsupported_grant_type","error_description":"grant_type parameter is missing"}`}),
		Entry("unsupported grant_type, echoed with its trailing space", tokenCase{"application/x-www-form-urlencoded", form(url.Values{"grant_type": {"client_credentials "}}), withBasic, false,
			400, `{"error":"unsupported_grant_type","error_description":"grant_type client_credentials  is not supported"}`}),
		Entry("password grant", tokenCase{"application/x-www-form-urlencoded", form(url.Values{"grant_type": {"password"}, "username": {"a"}}), withBasic, false,
			400, `{"error":"unsupported_grant_type","error_description":"grant_type password is not supported"}`}),
		Entry("PKCE verifier missing", tokenCase{"application/x-www-form-urlencoded", func(code string) string {
			return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {webRedir}, "client_id": {web.ClientID}}.Encode()
		}, none, true, 400, `{"error":"invalid_request","error_description":"code_verifier required"}`}),
		Entry("PKCE verifier wrong", tokenCase{"application/x-www-form-urlencoded", func(code string) string {
			return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {webRedir}, "client_id": {web.ClientID}, "code_verifier": {verifier + "x"}}.Encode()
		}, none, true, 400, `{"error":"invalid_grant","error_description":"code_verifier was incorrect"}`}),
		Entry("refresh token missing", tokenCase{"application/x-www-form-urlencoded", form(url.Values{"grant_type": {"refresh_token"}}), withBasic, false,
			400, `{"error":"invalid_request","error_description":"refresh_token must be supplied"}`}),
		Entry("refresh token garbage", tokenCase{"application/x-www-form-urlencoded", form(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"AQgarbage"}}), withBasic, false,
			400, `{"error":"invalid_grant","error_description":"Invalid refresh token"}`}),
		Entry("refresh without client authentication", tokenCase{"application/x-www-form-urlencoded", form(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"AQgarbage"}}), none, false,
			400, `{"error":"invalid_client"}`}),
		Entry("client credentials, wrong secret", tokenCase{"application/x-www-form-urlencoded", form(url.Values{"grant_type": {"client_credentials"}}),
			func(a config.App) map[string]string {
				return map[string]string{"Authorization": basic(a.ClientID, "bad")}
			}, false,
			400, `{"error":"invalid_client","error_description":"Invalid client secret"}`}),
		Entry("client credentials without authentication", tokenCase{"application/x-www-form-urlencoded", form(url.Values{"grant_type": {"client_credentials"}}), none, false,
			400, `{"error":"invalid_client"}`}),
	)

	It("answers 405 for GET and sends no token", func() {
		r := h.get("/api/token?grant_type=client_credentials")
		Expect(r.status).To(Equal(http.StatusMethodNotAllowed))
		Expect(r.body).To(Equal(`{"error":"server_error","error_description":"Unexpected status: 405"}`))
	})

	It("ignores parameters sent in the query string", func() {
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/api/token?grant_type=client_credentials", nil)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", basic(web.ClientID, web.ClientSecret))
		r := h.do(req)
		Expect(r.body).To(Equal(`{"error":"unsupported_grant_type","error_description":"grant_type parameter is missing"}`))
	})

	It("accepts a charset in the form content type", func() {
		r := h.tokenRaw("application/x-www-form-urlencoded; charset=UTF-8", "grant_type=client_credentials", map[string]string{"Authorization": basic(web.ClientID, web.ClientSecret)})
		Expect(r.status).To(Equal(http.StatusOK))
	})

	It("uses the wording 'code_verifier was invalid' under that policy", func() {
		Expect(h.srv.SetPolicy(web.ClientID, config.Policies{VerifierMessage: wire.VerifierInvalid})).To(Succeed())
		q := authQuery(web, webRedir)
		q.Set("code_challenge_method", "S256")
		q.Set("code_challenge", challenge)
		f := exchangeForm(h.code(q), webRedir)
		f.Set("client_id", web.ClientID)
		f.Set("code_verifier", "wrong-verifier-wrong-verifier-wrong-verifier")
		Expect(h.token(f, "", "").body).To(Equal(`{"error":"invalid_grant","error_description":"code_verifier was invalid"}`))
	})

	Describe("authorization codes", func() {
		It("exchange once, with Basic auth, for Spotify's token body", func() {
			code := h.code(authQuery(web, webRedir))
			r := h.token(exchangeForm(code, webRedir), web.ClientID, web.ClientSecret)
			Expect(r.status).To(Equal(http.StatusOK))
			m := r.json()
			Expect(m).To(HaveKeyWithValue("token_type", "Bearer"))
			Expect(m).To(HaveKeyWithValue("expires_in", BeNumerically("==", 3600)))
			Expect(m).To(HaveKeyWithValue("scope", "user-read-private user-read-email"))
			Expect(m["access_token"]).To(MatchRegexp(`^BQ[A-Za-z0-9_-]{150,}$`))
			Expect(m["refresh_token"]).To(MatchRegexp(`^AQ[A-Za-z0-9_-]{100,}$`))
			Expect(r.body).To(MatchRegexp(`^\{"access_token":"BQ[^"]+","token_type":"Bearer","scope":"user-read-private user-read-email","expires_in":3600,"refresh_token":"AQ[^"]+"\}$`))

			again := h.token(exchangeForm(code, webRedir), web.ClientID, web.ClientSecret)
			Expect(again.body).To(Equal(`{"error":"invalid_grant","error_description":"Invalid authorization code"}`))
		})

		It("exchange with client_id and client_secret in the body", func() {
			f := exchangeForm(h.code(authQuery(web, webRedir)), webRedir)
			f.Set("client_id", web.ClientID)
			f.Set("client_secret", web.ClientSecret)
			Expect(h.token(f, "", "").status).To(Equal(http.StatusOK))
		})

		It("carry an empty scope when none was requested", func() {
			q := authQuery(web, webRedir)
			q.Del("scope")
			r := h.token(exchangeForm(h.code(q), webRedir), web.ClientID, web.ClientSecret)
			Expect(r.body).To(ContainSubstring(`"scope":""`))
		})

		It("expire after 10 minutes on the fake's clock", func() {
			code := h.code(authQuery(web, webRedir))
			h.srv.AdvanceClock(10*60e9 + 1)
			r := h.token(exchangeForm(code, webRedir), web.ClientID, web.ClientSecret)
			Expect(r.body).To(Equal(`{"error":"invalid_grant","error_description":"Authorization code expired"}`))
		})

		It("still work a second before expiry", func() {
			code := h.code(authQuery(web, webRedir))
			h.srv.AdvanceClock(9*60e9 + 59e9)
			Expect(h.token(exchangeForm(code, webRedir), web.ClientID, web.ClientSecret).status).To(Equal(http.StatusOK))
		})

		It("are bound to the client that asked for them", func() {
			other := h.autoApp("other")
			code := h.code(authQuery(web, webRedir))
			r := h.token(exchangeForm(code, webRedir), other.ClientID, other.ClientSecret)
			Expect(r.body).To(Equal(`{"error":"invalid_grant","error_description":"Invalid authorization code"}`))
			// and the rightful client can still use it: a foreign attempt does not burn it
			Expect(h.token(exchangeForm(code, webRedir), web.ClientID, web.ClientSecret).status).To(Equal(http.StatusOK))
		})

		It("are consumed by a failed attempt past client authentication, as golang.org/x/oauth2's retry shows", func() {
			code := h.code(authQuery(web, webRedir))
			first := h.token(exchangeForm(code, webRedir+"/"), web.ClientID, web.ClientSecret)
			Expect(first.body).To(ContainSubstring("Invalid redirect URI"))
			second := h.token(exchangeForm(code, webRedir), web.ClientID, web.ClientSecret)
			Expect(second.body).To(Equal(`{"error":"invalid_grant","error_description":"Invalid authorization code"}`))
		})

		It("survive a failed client authentication", func() {
			code := h.code(authQuery(web, webRedir))
			Expect(h.token(exchangeForm(code, webRedir), web.ClientID, "bad").body).To(ContainSubstring("Invalid client secret"))
			Expect(h.token(exchangeForm(code, webRedir), web.ClientID, web.ClientSecret).status).To(Equal(http.StatusOK))
		})

		It("exchange with PKCE and no secret", func() {
			q := authQuery(web, webRedir)
			q.Set("code_challenge_method", "S256")
			q.Set("code_challenge", challenge)
			f := exchangeForm(h.code(q), webRedir)
			f.Set("client_id", web.ClientID)
			f.Set("code_verifier", verifier)
			r := h.token(f, "", "")
			Expect(r.status).To(Equal(http.StatusOK), r.body)
		})

		It("never match a padded challenge (zmb3/spotify#129)", func() {
			q := authQuery(web, webRedir)
			q.Set("code_challenge_method", "S256")
			q.Set("code_challenge", challenge+"=")
			f := exchangeForm(h.code(q), webRedir)
			f.Set("client_id", web.ClientID)
			f.Set("code_verifier", verifier)
			Expect(h.token(f, "", "").body).To(Equal(`{"error":"invalid_grant","error_description":"code_verifier was incorrect"}`))
		})
	})

	Describe("client credentials", func() {
		It("returns a token without scope or refresh token", func() {
			r := h.token(url.Values{"grant_type": {"client_credentials"}}, web.ClientID, web.ClientSecret)
			Expect(r.status).To(Equal(http.StatusOK))
			Expect(r.body).To(MatchRegexp(`^\{"access_token":"BQ[^"]+","token_type":"Bearer","expires_in":3600\}$`))
		})
		It("accepts credentials in the body", func() {
			r := h.token(url.Values{"grant_type": {"client_credentials"}, "client_id": {web.ClientID}, "client_secret": {web.ClientSecret}}, "", "")
			Expect(r.status).To(Equal(http.StatusOK))
		})
		It("reports an unknown client id", func() {
			r := h.token(url.Values{"grant_type": {"client_credentials"}}, "ffffffffffffffffffffffffffffffff", web.ClientSecret)
			Expect(r.body).To(Equal(`{"error":"invalid_client","error_description":"Invalid client"}`))
		})
	})
})
