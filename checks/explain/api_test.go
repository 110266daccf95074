package explain_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/explain"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

func firstID(ms []explain.Match) string {
	if len(ms) == 0 {
		return ""
	}
	return ms[0].Entry.ID
}

var _ = Describe("the API the runner and the doctor call", func() {
	c := explain.Default()

	Describe("MatchResponse", func() {
		DescribeTable("explains one response a step received",
			func(where explain.Where, status int, ct, body, want string) {
				Expect(firstID(c.MatchResponse(where, status, ct, []byte(body)))).To(Equal(want))
			},
			Entry("token error", explain.WhereToken, 400, "application/json;charset=UTF-8", `{"error":"invalid_grant","error_description":"Invalid redirect URI"}`, "token-redirect-uri-mismatch"),
			Entry("bare invalid_client", explain.WhereToken, 400, "application/json", `{"error":"invalid_client"}`, "client-auth-missing"),
			Entry("plain-text dev-mode 403", explain.WhereWebAPI, 403, "text/plain; charset=utf-8", "Check settings on developer.spotify.com/dashboard, the user may not be registered.", "user-not-allowlisted"),
			Entry("pretty-printed Web API error", explain.WhereWebAPI, 401, "application/json; charset=utf-8", "{\n  \"error\" : {\n    \"status\" : 401,\n    \"message\" : \"Missing/invalid/expired access token\"\n  }\n}", "access-token-expired"),
			Entry("empty 429", explain.WhereWebAPI, 429, "", "", "rate-limited"),
			Entry("authorize error page", explain.WhereAuthorizePage, 400, "text/html; charset=utf-8", `<!doctype html><html><head><title>Error - Spotify</title></head><body><p>INVALID_CLIENT: Insecure redirect URI</p></body></html>`, "redirect-uri-insecure"),
			Entry("a success is not an error", explain.WhereToken, 200, "application/json", `{"access_token":"BQx","token_type":"Bearer","expires_in":3600}`, ""),
			Entry("an unknown error is not guessed", explain.WhereWebAPI, 404, "application/json", `{"error":{"status":404,"message":"Service not found"}}`, ""),
		)

		It("does not match a page rule on the token endpoint", func() {
			ms := c.MatchResponse(explain.WhereToken, 400, "text/plain", []byte("Invalid redirect URI"))
			for _, m := range ms {
				Expect(m.Entry.ID).NotTo(Equal("redirect-uri-mismatch"))
			}
		})
	})

	Describe("MatchExchange", func() {
		It("uses the request path: a 403 on a restricted endpoint", func() {
			ms := c.MatchExchange(wire.Exchange{Method: "GET", URL: "https://api.spotify.com/v1/artists/0OdUWJ0sBjDrqHygGUXeCF/related-artists",
				Status: 403, ResponseHeaders: http.Header{"Content-Type": {"application/json"}}, ResponseBody: `{"error":{"status":403}}`}, "")
			Expect(firstID(ms)).To(Equal("endpoint-restricted"))
			Expect(ms[0].Cause).To(Equal("nov-2024"))
		})

		It("reads the WWW-Authenticate header", func() {
			ms := c.MatchExchange(wire.Exchange{Method: "GET", URL: "https://api.spotify.com/v1/me", Status: 401,
				ResponseHeaders: http.Header{"Www-Authenticate": {`Bearer realm="spotify", error="invalid_token", error_description="The access token expired"`}}}, "")
			Expect(firstID(ms)).To(Equal("access-token-expired"))
		})

		It("fingerprints the bearer token in its evidence", func() {
			tok := "BQDjriAcf5pSecretAccessTokenValue1234567890abcdefghijkl"
			ms := c.MatchExchange(wire.Exchange{Method: "GET", URL: "https://api.spotify.com/v1/me?access_token=" + tok, Status: 401,
				RequestHeaders: http.Header{"Authorization": {"Bearer " + tok}}, ResponseBody: `{"error":{"status":401,"message":"Invalid access token"}}`}, "")
			Expect(firstID(ms)).To(Equal("access-token-invalid"))
			Expect(strings.Join(ms[0].Evidence, " ")).NotTo(ContainSubstring(tok))
			Expect(strings.Join(ms[0].Evidence, " ")).To(ContainSubstring(redact.Fingerprint(tok)))
		})
	})

	Describe("MatchPage", func() {
		It("reads a page's visible text", func() {
			Expect(firstID(c.MatchPage("<html><body><div>Illegal scope</div></body></html>"))).To(Equal("scope-illegal"))
			Expect(firstID(c.MatchPage("Missing required parameter: redirect_uri"))).To(Equal("param-missing"))
			Expect(c.MatchPage("Missing required parameter: redirect_uri")[0].Cause).To(Equal("redirect-uri"))
		})
		It("gives the bare redirect text its page meaning when the caller says it is a page", func() {
			Expect(firstID(c.MatchPage("Invalid redirect URI"))).To(Equal("redirect-uri-mismatch"))
		})
		It("finds nothing on a consent page", func() {
			Expect(c.MatchPage("<h1>Allow web to access your account?</h1><button id=auth-accept>Agree</button>")).To(BeEmpty())
		})
	})

	Describe("MatchCallback", func() {
		It("explains a denial", func() {
			Expect(firstID(c.MatchCallback("http://127.0.0.1:8888/callback?error=access_denied&state=abc", "abc"))).To(Equal("access-denied"))
		})
		It("finds a state that differs from the one sent", func() {
			ms := c.MatchCallback("http://127.0.0.1:8888/callback?code=AQBD4CLvpVxk2vTzv3Tz5Ue8v0R6y1M5iUQyJqQqT9xX0dXbq3YlB7X3oJrKQ&state=abc123", "abc124")
			Expect(firstID(ms)).To(Equal("state-mismatch"))
			Expect(ms[0].Findings[0]).To(ContainSubstring(`first difference at character 6: "4" versus "3"`))
			Expect(strings.Join(ms[0].Evidence, " ")).NotTo(ContainSubstring("AQBD4CLvpV"))
		})
		It("finds a state that is missing", func() {
			ms := c.MatchCallback("http://127.0.0.1:8888/callback?code=AQBD4CLvpVxk2vTzv3Tz5Ue8v0R6y1M5iUQyJqQqT9xX0dXbq3YlB7X3oJrKQ", "abc")
			Expect(firstID(ms)).To(Equal("state-mismatch"))
			Expect(ms[0].Cause).To(Equal("lost-session"))
		})
		It("is content with a matching state", func() {
			Expect(c.MatchCallback("http://127.0.0.1:8888/callback?code=AQBD4CLvpVxk2vTzv3Tz5&state=abc", "abc")).To(BeEmpty())
		})
		It("reads the implicit grant's fragment", func() {
			Expect(firstID(c.MatchCallback("http://127.0.0.1:3000/#error=unsupported_response_type", ""))).To(Equal("implicit-grant-removed"))
		})
	})

	Describe("Explain options and input kinds", func() {
		It("compares a pasted callback with --state", func() {
			res, err := c.Explain([]byte("http://127.0.0.1:8888/callback?code=AQBD4CLvpVxk2vTzv3Tz5Ue8v0R6y1M5iUQyJqQqT9xX0dXbq3YlB7X3oJrKQ&state=one"), explain.Options{State: "two"})
			Expect(err).NotTo(HaveOccurred())
			Expect(res.Input.Kind).To(Equal(explain.KindCallback))
			Expect(firstID(res.Matches)).To(Equal("state-mismatch"))
		})

		It("notes that a callback with a code is a success", func() {
			res, err := c.Explain([]byte("http://127.0.0.1:8888/callback?code=AQBD4CLvpVxk2vTzv3Tz5Ue8v0R6y1M5iUQyJqQqT9xX0dXbq3YlB7X3oJrKQ&state=one"), explain.Options{})
			Expect(err).NotTo(HaveOccurred())
			Expect(res.Recognised()).To(BeFalse())
			Expect(strings.Join(res.Notes, " ")).To(ContainSubstring("the authorize step succeeded"))
		})

		DescribeTable("detects the kind",
			func(input string, want explain.Kind) {
				res, err := c.Explain([]byte(input), explain.Options{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.Input.Kind).To(Equal(want))
			},
			Entry("callback", "http://127.0.0.1:8888/callback?error=access_denied", explain.KindCallback),
			Entry("JSON", `{"error":"invalid_client"}`, explain.KindJSON),
			Entry("page", `<!DOCTYPE html><html><body>Illegal scope</body></html>`, explain.KindPage),
			Entry("text", "oauth2: \"invalid_client\"", explain.KindText),
			Entry("HAR", `{"log":{"version":"1.2","entries":[]}}`, explain.KindHAR),
		)

		It("honours --as page for a bare text", func() {
			res, err := c.Explain([]byte("Invalid redirect URI"), explain.Options{As: explain.KindPage})
			Expect(err).NotTo(HaveOccurred())
			Expect(firstID(res.Matches)).To(Equal("redirect-uri-mismatch"))
		})

		DescribeTable("rejects bad input with an error naming it",
			func(input string, as explain.Kind, want string) {
				_, err := c.Explain([]byte(input), explain.Options{Name: "report.txt", As: as})
				Expect(err).To(HaveOccurred())
				var ie *explain.InputError
				Expect(errors.As(err, &ie)).To(BeTrue())
				Expect(err.Error()).To(HavePrefix("report.txt"))
				Expect(err.Error()).To(ContainSubstring(want))
			},
			Entry("empty", "  \n ", explain.KindAuto, "nothing to explain"),
			Entry("--as json on text", "not json at all", explain.KindJSON, "not valid JSON"),
			Entry("--as json with the line and column", "{\n  \"error\": \"invalid_grant\",\n  oops\n}", explain.KindJSON, "report.txt:3:"),
			Entry("--as callback on text", "hello there", explain.KindCallback, "not a URL"),
			Entry("--as har on text", "hello", explain.KindHAR, "not a HAR file"),
			Entry("a HAR cut short", "{\"log\": {\"entries\": [{\"request\": {\"url\": \"http://x/", explain.KindAuto, "report.txt:1:"),
			Entry("JSON that is not a HAR", `{"log": 5}`, explain.KindHAR, `"log" must be an object`),
			Entry("a HAR without entries", `{"log": {"version": "1.2"}}`, explain.KindHAR, `no "log.entries" array`),
		)

		It("rejects an unknown --as", func() {
			_, err := explain.ParseKind("xml")
			Expect(err).To(MatchError(ContainSubstring("want one of auto, text, json, page, callback, har")))
		})
	})

	Describe("redaction of pasted secrets", func() {
		It("never echoes tokens, codes, secrets or Basic credentials from a log", func() {
			secret := "a6338157c9bb5ac9c71924cb2940e1a7"
			id := "cc16d738aec44ae6a4d904ae41800d0d"
			basic := base64.StdEncoding.EncodeToString([]byte(id + ":" + secret))
			code := "AQCh_8yyZ3x9wQ0nJ3bq2m0L1sd8fYx2qE5x0Zp9R6y1M5iUQyJqQqT9xX0dXbq3Yl"
			access := "BQDagdZY0m2nN3o4p5q6r7s8t9u0v1w2x3y4z5A6B7C8D9E0F1G2H3I4J5"
			refresh := "AQAfv6LAi0refreshtokenvalue0123456789abcdefghijklmnopqrs"
			verifier := "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk1234567"
			input := "POST /api/token Authorization: Basic " + basic + "\n" +
				"body: grant_type=authorization_code&code=" + code + "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8888%2Fcallback&code_verifier=" + verifier + "&client_secret=" + secret + "\n" +
				`response: {"access_token":"` + access + `","refresh_token":"` + refresh + `"}` + "\n" +
				"GET /v1/me Authorization: Bearer " + access + "\n" +
				`then: {"error":"invalid_grant","error_description":"Invalid authorization code"} for code ` + code + "\n" +
				"SPOTIFY_CLIENT_SECRET=" + secret + " and client_id=undefined"
			res, err := c.Explain([]byte(input), explain.Options{})
			Expect(err).NotTo(HaveOccurred())
			Expect(firstID(res.Matches)).To(Equal("code-invalid"))
			expectNoSecrets(res, []string{secret, basic, code, access, refresh, verifier})
		})

		It("fingerprints a secret inside a quoted evidence line", func() {
			code := "AQCh_8yyZ3x9wQ0nJ3bq2m0L1sd8fYx2qE5x0Zp9R6y1M5iUQyJqQqT9xX0dXbq3Yl"
			res, err := c.Explain([]byte("exchange of code="+code+" failed: Authorization code expired"), explain.Options{})
			Expect(err).NotTo(HaveOccurred())
			Expect(firstID(res.Matches)).To(Equal("code-expired"))
			var out bytes.Buffer
			Expect(explain.WriteText(&out, res)).To(Succeed())
			Expect(out.String()).NotTo(ContainSubstring(code))
			Expect(out.String()).To(ContainSubstring(redact.Fingerprint(code)))
		})
	})

	Describe("ExplainExchanges on a transcript", func() {
		t0 := time.Date(2026, 9, 30, 10, 0, 0, 0, time.UTC)
		It("sees a Basic header wrapped by `base64` (a line break the HTTP stack refuses to send, so no fixture)", func() {
			wrapped := "NmYwZTJiMWM5YThkNGU3ZjhhMWIyYzNkNGU1ZjZhN2I6OWQ4YzdiNmE1ZjRlM2QyYzFiMGE5OTg4Nzc2NjU1\nNGY="
			xs := []wire.Exchange{{Started: t0, Method: "POST", URL: "https://accounts.spotify.com/api/token",
				RequestHeaders: http.Header{"Authorization": {"Basic " + wrapped}, "Content-Type": {"application/x-www-form-urlencoded"}},
				RequestBody:    "grant_type=client_credentials", Status: 400,
				ResponseHeaders: http.Header{"Content-Type": {"application/json"}}, ResponseBody: `{"error":"invalid_client"}`}}
			res := c.ExplainExchanges(xs, explain.Options{Name: "transcript"})
			Expect(firstID(res.Matches)).To(Equal("client-auth-missing"))
			Expect(res.Matches[0].Cause).To(Equal("basic-malformed"))
			expectNoSecrets(res, []string{"9d8c7b6a5f4e3d2c1b0a99887766554f", strings.ReplaceAll(wrapped, "\n", "")})
		})

		It("explains a denial seen only in the authorize redirect's Location", func() {
			xs := []wire.Exchange{{Started: t0, Method: "GET", Status: 302,
				URL:             "https://accounts.spotify.com/authorize/accept?client_id=6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b",
				ResponseHeaders: http.Header{"Location": {"http://127.0.0.1:8888/callback?error=access_denied&state=s1"}}}}
			res := c.ExplainExchanges(xs, explain.Options{})
			Expect(firstID(res.Matches)).To(Equal("access-denied"))
		})

		It("does not lint an authorize request that worked (a legacy app on localhost)", func() {
			xs := []wire.Exchange{
				{Started: t0, Method: "GET", Status: 302,
					URL:             "https://accounts.spotify.com/authorize?client_id=5a4b3c2d1e0f5a4b3c2d1e0f5a4b3c2d&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A8888%2Fcallback",
					ResponseHeaders: http.Header{"Location": {"http://localhost:8888/callback?code=AQBD4CLvpVxk2vTzv3Tz5Ue8v0R6y1M5iUQy"}}},
			}
			res := c.ExplainExchanges(xs, explain.Options{})
			Expect(res.Recognised()).To(BeFalse(), "matches: %v", res.Matches)
		})

		It("skips PKCE hashing on a redacted transcript instead of guessing", func() {
			fp := redact.Fingerprint("verifier")
			xs := []wire.Exchange{
				{Started: t0, Method: "GET", URL: "https://accounts.spotify.com/authorize?client_id=6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A8888%2Fcallback&code_challenge_method=S256&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", Status: 302,
					ResponseHeaders: http.Header{"Location": {"http://127.0.0.1:8888/callback?code=" + redact.Fingerprint("code")}}},
				{Started: t0.Add(time.Second), Method: "POST", URL: "https://accounts.spotify.com/api/token", RequestBody: "grant_type=authorization_code&client_id=6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b&code=" + redact.Fingerprint("code") + "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8888%2Fcallback&code_verifier=" + fp,
					Status: 400, ResponseBody: `{"error":"invalid_grant","error_description":"code_verifier was incorrect"}`},
			}
			res := c.ExplainExchanges(xs, explain.Options{})
			Expect(firstID(res.Matches)).To(Equal("pkce-verifier-mismatch"))
			Expect(res.Matches[0].Findings).To(BeEmpty())
		})
	})
})
