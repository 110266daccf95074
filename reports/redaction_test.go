package reports_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
	"github.com/spotcheck/spotcheck/reports"
	"github.com/spotcheck/spotcheck/reports/reportstest"
)

// Known secrets, shaped like Spotify's (and chosen so that their encodings
// differ: the secret's Basic pair has '+' and '/' in base64).
const (
	leakClientID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	leakSecret   = "9c2b7f01d4e8a6b3c5d7e9f1a2b4c6d8"
	leakCode     = "AQC4sYvEq-_lY8jvYkq0yK3ZtG1bRWQmcz9P0yTqJ8xFv2nq7Xj3dJ6sGx0aWnUu~v.42"
	leakVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk~.Verifier-0123456789"
	leakAccess   = "BQDx7Yz-P3fN0aZl_qQ9xK2wJv8rT1uS6dE4gH5jL7mN0bV3cX9zA2sD4fG6hJ8kL0qW2eR4tY6uI8oP"
	leakRefresh  = "AQBz9Xy-O2eM9zYk_pP8wJ1vIu7qS0tR5cD3fG4hK6lM9aU2bW8yZ1rC3eF5gH7jK9pV1dQ3sX5tU7nO"
	leakPassword = "correct-horse-battery-staple"
)

var leakSecrets = []string{leakSecret, leakCode, leakVerifier, leakAccess, leakRefresh, leakPassword,
	reportstest.BasicPair(leakClientID, leakSecret)}

// redactedResults builds a run and a doctor result the way the engine
// does: raw HTTP traffic, screenshots and messages full of the secrets,
// each passed through package redact before it is stored.
func redactedResults() (*checks.RunResult, *checks.FindingsResult) {
	var set redact.Set
	set.AddClientCredentials(leakClientID, leakSecret)
	set.Add(leakCode, leakVerifier, leakAccess, leakRefresh, leakPassword)

	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(leakClientID+":"+leakSecret))
	callback := "http://127.0.0.1:8888/callback?code=" + url.QueryEscape(leakCode) + "&state=xyz"
	rawToken := wire.Exchange{
		Seq: 3, Actor: "client", Peer: "accounts", Method: "POST", URL: "http://127.0.0.1:41234/api/token",
		RequestHeaders: http.Header{"Authorization": {basic}, "Content-Type": {"application/x-www-form-urlencoded"}},
		RequestBody: "grant_type=authorization_code&code=" + url.QueryEscape(leakCode) + "&code_verifier=" + leakVerifier +
			"&client_id=" + leakClientID + "&client_secret=" + url.QueryEscape(leakSecret) + "&redirect_uri=" + url.QueryEscape("http://127.0.0.1:8888/callback"),
		Status: 200, ResponseHeaders: http.Header{"Content-Type": {"application/json"}},
		ResponseBody: `{"access_token":"` + leakAccess + `","refresh_token":"` + leakRefresh + `","token_type":"Bearer","expires_in":3600}`,
		Duration:     5 * time.Millisecond,
	}
	token := rawToken
	token.RequestHeaders = set.Header(rawToken.RequestHeaders)
	token.RequestBody = set.Form(rawToken.RequestBody)
	token.ResponseBody = set.JSON(rawToken.ResponseBody)

	login := wire.Exchange{
		Seq: 1, Actor: "browser", Peer: "accounts", Method: "POST", URL: "http://127.0.0.1:41234/login",
		RequestBody: set.Form("username=alice&password=" + url.QueryEscape(leakPassword)), Status: 302,
		ResponseHeaders: set.Header(http.Header{"Location": {callback}, "Set-Cookie": {"sp_dc=" + leakAccess + "; Path=/; HttpOnly"}}),
	}
	cb := wire.Exchange{Seq: 2, Actor: "browser", Peer: "redirect", Method: "GET", URL: set.URL(callback), Status: 200}
	me := wire.Exchange{
		Seq: 4, Actor: "client", Peer: "api", Method: "GET", URL: "http://127.0.0.1:41234/v1/me",
		RequestHeaders: set.Header(http.Header{"Authorization": {"Bearer " + leakAccess}}), Status: 401,
		ResponseBody: set.JSON(`{"error":{"status":401,"message":"The access token expired"}}`),
	}

	run := reportstest.Run()
	sc := &run.Scenarios[1]
	sc.Message = set.String("refresh with " + leakRefresh + " failed")
	st := &sc.Steps[1]
	st.Exchanges = []wire.Exchange{login, cb, token, me}
	st.Message = set.String("code " + leakCode + " was rejected; verifier " + leakVerifier)
	st.Expectations = append(st.Expectations, checks.Expectation{Name: "refresh_token rotated", Expected: "a new token", Actual: set.String(leakRefresh), Passed: false})
	st.Explanation.Evidence = set.String(`{"error":"invalid_grant","error_description":"Invalid authorization code ` + leakCode + `"}`)
	st.Screenshots = []checks.Screenshot{{
		Name: "consent", URL: set.URL("http://127.0.0.1:41234/authorize?client_id=" + leakClientID + "&code=" + leakCode),
		PNG:      reportstest.PNG(120, 80, 3),
		PageText: set.String("Signed in with " + leakPassword + "\nYour code is " + leakCode + " and token " + leakAccess),
	}}

	doc := reportstest.Findings()
	doc.Findings[0].Evidence = append(doc.Findings[0].Evidence, set.String("client_secret="+leakSecret), set.String(basic))
	doc.Findings[0].Exchanges = []wire.Exchange{token}
	doc.Findings[1].Exchanges = append(doc.Findings[1].Exchanges, login)
	doc.Checks[5].Message = set.String("GET /v1/me with Bearer " + leakAccess + ": 401")
	return run, doc
}

var _ = Describe("redaction in every format", func() {
	It("leaves no secret, token, code or verifier in any encoding, anywhere", func() {
		run, findings := redactedResults()
		outputs := map[string][]byte{}
		for _, f := range reports.Formats {
			for _, opts := range []reports.Options{{}, {Color: true}, {OmitScreenshots: true}} {
				name := string(f)
				if opts.Color {
					name += "+color"
				}
				if opts.OmitScreenshots {
					name += "-screenshots"
				}
				outputs["run."+name] = render(f, reports.Document{Run: run}, opts)
				outputs["doctor."+name] = render(f, reports.Document{Findings: findings}, opts)
			}
		}
		var ann strings.Builder
		Expect(reports.WriteAnnotations(&ann, reports.Document{Run: run})).To(Succeed())
		Expect(reports.WriteAnnotations(&ann, reports.Document{Findings: findings})).To(Succeed())
		outputs["annotations"] = []byte(ann.String())

		Expect(reportstest.AssertNoSecrets(outputs, leakSecrets...)).To(Succeed())

		// The redacted stand-ins did reach the reports: the test looked at
		// real content, not at empty pages.
		fp := redact.Fingerprint(leakCode)
		hash := fp[strings.Index(fp, "#")+1 : len(fp)-1] // Markdown escapes the brackets and '#'
		for _, name := range []string{"run.html", "run.json", "run.text", "run.junit", "run.markdown"} {
			Expect(string(outputs[name])).To(ContainSubstring(hash), name)
		}
		Expect(string(outputs["run.html"])).To(ContainSubstring(redact.Fingerprint(leakPassword)), "the screenshot's page text")
		Expect(string(outputs["doctor.json"])).To(ContainSubstring(redact.Fingerprint(leakClientID + ":" + leakSecret)))
	})

	It("is checked by a helper that does find an unredacted value", func() {
		run, _ := redactedResults()
		run.Scenarios[1].Steps[1].Screenshots[0].PageText = "Your code is " + leakCode
		out := render(reports.FormatHTML, reports.Document{Run: run}, reports.Options{})
		err := reportstest.AssertNoSecrets(map[string][]byte{"run.html": out}, leakSecrets...)
		Expect(err).To(MatchError(ContainSubstring("run.html: holds secret #2")))
		Expect(err.Error()).NotTo(ContainSubstring(leakCode))

		run, _ = redactedResults()
		run.Scenarios[1].Steps[1].Exchanges[2].RequestHeaders.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(leakClientID+":"+leakSecret)))
		for _, f := range reports.Formats {
			out := render(f, reports.Document{Run: run}, reports.Options{})
			if f == reports.FormatText || f == reports.FormatJUnit || f == reports.FormatMarkdown {
				continue // they list exchanges, not their headers
			}
			Expect(reportstest.AssertNoSecrets(map[string][]byte{string(f): out}, leakSecrets...)).
				To(MatchError(ContainSubstring("secret #7")), string(f))
		}
	})
})
