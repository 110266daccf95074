package fakespotify_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"golang.org/x/oauth2"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/grade"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// browse follows an authorization URL as far as the fake's redirect back
// to the app (auto consent) and returns the callback's parameters.
func (h *harness) browse(authURL string) url.Values {
	resp, err := h.c.Get(authURL)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	resp.Body.Close()
	ExpectWithOffset(1, resp.StatusCode).To(Equal(http.StatusFound))
	loc, err := url.Parse(resp.Header.Get("Location"))
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	q := loc.Query()
	if q.Get("code") == "" && q.Get("error") == "" {
		q, _ = url.ParseQuery(loc.Fragment)
	}
	return q
}

// oauthConf is a golang.org/x/oauth2 client of app on the fake: public
// (no secret) when style is AuthStyleInParams and secret is false.
func (h *harness) oauthConf(app config.App, style oauth2.AuthStyle, secret bool, scopes ...string) *oauth2.Config {
	c := &oauth2.Config{ClientID: app.ClientID, RedirectURL: webRedir, Scopes: scopes,
		Endpoint: oauth2.Endpoint{AuthURL: h.srv.URL + "/authorize", TokenURL: h.srv.URL + "/api/token", AuthStyle: style}}
	if secret {
		c.ClientSecret = app.ClientSecret
	}
	return c
}

// ctx gives x/oauth2 an HTTP client whose requests pass through rt (e.g.
// to add a browser's Origin header).
func ctxWith(rt http.RoundTripper) context.Context {
	return context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Transport: rt})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func withOrigin(origin string) http.RoundTripper {
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.Header.Set("Origin", origin)
		return http.DefaultTransport.RoundTrip(r)
	})
}

func findingsOf(g fakespotify.Grade, id string) []grade.Finding {
	var out []grade.Finding
	for _, f := range g.Findings {
		if f.ID == id {
			out = append(out, f)
		}
	}
	return out
}

func outcome(g fakespotify.Grade, id string) grade.Outcome {
	for _, c := range g.Checks {
		if c.ID == id {
			return c
		}
	}
	Fail("no outcome for rule " + id)
	return grade.Outcome{}
}

func gradeText(g fakespotify.Grade) string { return grade.Text(g.Findings) }

var _ = Describe("grading clients", func() {
	var h *harness
	var web config.App
	ctx := context.Background()
	BeforeEach(func() {
		h = newHarness()
		web = h.autoApp("web")
	})
	exchange := func(code string) reply {
		return h.token(exchangeForm(code, webRedir), web.ClientID, web.ClientSecret)
	}
	// login runs a confidential authorization and exchange, returning the tokens.
	login := func() (access, refresh string) {
		m := exchange(h.code(authQuery(web, webRedir))).json()
		return m["access_token"].(string), m["refresh_token"].(string)
	}
	refresh := func(rt string) reply {
		return h.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, web.ClientID, web.ClientSecret)
	}
	graded := func() fakespotify.Grade { return h.srv.Grade(web.ClientID) }

	Describe("well-behaved clients get no finding", func() {
		It("golang.org/x/oauth2 with PKCE S256 and state, refreshing near expiry under rotation and honouring Retry-After", func() {
			Expect(h.srv.SetPolicy(web.ClientID, config.Policies{Refresh: wire.RefreshPKCERotate})).To(Succeed())
			conf := h.oauthConf(web, oauth2.AuthStyleInParams, false, "user-read-email", "user-read-private", "user-top-read")
			verifier, state := oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
			cb := h.browse(conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
			Expect(cb.Get("state")).To(Equal(state))
			tok, err := conf.Exchange(ctx, cb.Get("code"), oauth2.VerifierOption(verifier))
			Expect(err).NotTo(HaveOccurred())

			get := func(c *http.Client, path string) *http.Response {
				resp, err := c.Get(h.srv.URL + path)
				Expect(err).NotTo(HaveOccurred())
				resp.Body.Close()
				return resp
			}
			client := conf.Client(ctx, tok)
			Expect(get(client, "/v1/me").StatusCode).To(Equal(http.StatusOK))
			Expect(get(client, "/v1/me/top/tracks").StatusCode).To(Equal(http.StatusOK))

			// 59m55s later on the fake's clock. x/oauth2 reads the wall clock,
			// so the token it holds is given the expiry it would have by then.
			nearExpiry := func(t *oauth2.Token) *http.Client {
				Expect(h.srv.AdvanceClockFor(web.ClientID, 59*time.Minute+55*time.Second)).To(Succeed())
				t.Expiry = time.Now().Add(5 * time.Second)
				return oauth2.NewClient(ctx, conf.TokenSource(ctx, t))
			}
			client = nearExpiry(tok)
			Expect(get(client, "/v1/me").StatusCode).To(Equal(http.StatusOK), "refreshed first")

			h.srv.Inject(fakespotify.Fault{Path: "/v1/me", ClientID: web.ClientID, Status: http.StatusTooManyRequests, Headers: map[string]string{"Retry-After": "2"}})
			resp := get(client, "/v1/me")
			Expect(resp.StatusCode).To(Equal(http.StatusTooManyRequests))
			Expect(resp.Header.Get("Retry-After")).To(Equal("2"))
			Expect(h.srv.AdvanceClockFor(web.ClientID, 2*time.Second)).To(Succeed()) // the client waits
			Expect(get(client, "/v1/me").StatusCode).To(Equal(http.StatusOK))

			current, err := client.Transport.(*oauth2.Transport).Source.Token()
			Expect(err).NotTo(HaveOccurred())
			Expect(current.RefreshToken).NotTo(Equal(tok.RefreshToken), "rotated, and x/oauth2 kept the new one")
			client = nearExpiry(current)
			Expect(get(client, "/v1/me/top/tracks").StatusCode).To(Equal(http.StatusOK))

			g := graded()
			Expect(g.Findings).To(BeEmpty(), gradeText(g))
			for _, id := range []string{"state-missing", "pkce-method-not-s256", "public-client-without-pkce", "code-invalid", "code-exchanged-late",
				"token-redirect-uri-mismatch", "refresh-token-revoked", "refresh-storm", "access-token-expired",
				"retry-after-ignored", "scope-requested-unused"} {
				Expect(outcome(g, id).Status).To(Equal(grade.StatusPass), id)
			}
		})

		It("a confidential server-side client (AuthStyleInHeader) that refreshes once after a 401", func() {
			conf := h.oauthConf(web, oauth2.AuthStyleInHeader, true, "user-read-email")
			cb := h.browse(conf.AuthCodeURL("st-" + oauth2.GenerateVerifier()))
			tok, err := conf.Exchange(ctx, cb.Get("code"))
			Expect(err).NotTo(HaveOccurred())
			Expect(h.api("GET", "/v1/me", tok.AccessToken).status).To(Equal(http.StatusOK))
			Expect(h.srv.AdvanceClockFor(web.ClientID, 2*time.Hour)).To(Succeed())
			Expect(h.api("GET", "/v1/me", tok.AccessToken).status).To(Equal(http.StatusUnauthorized))
			next, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
			Expect(err).NotTo(HaveOccurred())
			Expect(h.api("GET", "/v1/me", next.AccessToken).status).To(Equal(http.StatusOK))
			g := graded()
			Expect(g.Findings).To(BeEmpty(), gradeText(g))
		})

		It("a browser app calling /api/token with an Origin header but no secret (PKCE)", func() {
			conf := h.oauthConf(web, oauth2.AuthStyleInParams, false, "user-read-email")
			verifier := oauth2.GenerateVerifier()
			cb := h.browse(conf.AuthCodeURL("s1", oauth2.S256ChallengeOption(verifier)))
			_, err := conf.Exchange(ctxWith(withOrigin("http://127.0.0.1:3000")), cb.Get("code"), oauth2.VerifierOption(verifier))
			Expect(err).NotTo(HaveOccurred())
			g := graded()
			Expect(g.Findings).To(BeEmpty(), gradeText(g))
			Expect(outcome(g, "token-endpoint-from-browser").Status).To(Equal(grade.StatusPass))
		})
	})

	Describe("misbehaving clients get exactly the finding of their mistake", func() {
		It("state-missing: no state and no PKCE is an error", func() {
			q := authQuery(web, webRedir)
			q.Del("state")
			Expect(exchange(h.code(q)).status).To(Equal(http.StatusOK))
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"state-missing"}), gradeText(g))
			Expect(g.Findings[0].Severity).To(Equal(grade.SeverityError))
			Expect(g.Findings[0].Evidence[0]).To(MatchRegexp(`^seq \d+ at 12:00:00 GET /authorize without state; no PKCE either$`))
			Expect(outcome(g, "state-missing").Status).To(Equal(grade.StatusFail))
		})

		It("state-missing: golang.org/x/oauth2 given an empty state, with PKCE, is a warning", func() {
			conf := h.oauthConf(web, oauth2.AuthStyleInParams, false, "user-read-email")
			verifier := oauth2.GenerateVerifier()
			cb := h.browse(conf.AuthCodeURL("", oauth2.S256ChallengeOption(verifier)))
			_, err := conf.Exchange(ctx, cb.Get("code"), oauth2.VerifierOption(verifier))
			Expect(err).NotTo(HaveOccurred())
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"state-missing"}), gradeText(g))
			Expect(g.Findings[0].Severity).To(Equal(grade.SeverityWarning))
		})

		It("public-client-without-pkce: golang.org/x/oauth2 without a secret and without PKCE options", func() {
			conf := h.oauthConf(web, oauth2.AuthStyleInParams, false, "user-read-email")
			cb := h.browse(conf.AuthCodeURL("st"))
			_, err := conf.Exchange(ctx, cb.Get("code"))
			Expect(err).To(HaveOccurred())
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"public-client-without-pkce"}), gradeText(g))
			Expect(g.Findings[0].Evidence[0]).To(ContainSubstring("with client_id only (no secret) and no code_verifier; the code came from seq"))
			Expect(g.Findings[0].Evidence[0]).To(ContainSubstring(`answered 400 invalid_client`))
		})

		It("public-client-without-pkce: a code_challenge at /authorize but no code_verifier at /api/token", func() {
			conf := h.oauthConf(web, oauth2.AuthStyleInParams, false, "user-read-email")
			cb := h.browse(conf.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
			_, err := conf.Exchange(ctx, cb.Get("code")) // the verifier was lost
			Expect(err).To(HaveOccurred())
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"public-client-without-pkce"}), gradeText(g))
			Expect(g.Findings[0].Title).To(ContainSubstring("no code_verifier"))
			Expect(g.Findings[0].Evidence[0]).To(ContainSubstring(`"code_verifier required"`))
		})

		It("pkce-method-not-s256: code_challenge_method=plain", func() {
			q := authQuery(web, webRedir)
			q.Set("code_challenge_method", "plain")
			q.Set("code_challenge", verifier)
			r := h.authorize(q)
			Expect(r.header.Get("Location")).To(ContainSubstring("error=invalid_request"))
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"pkce-method-not-s256"}), gradeText(g))
			Expect(g.Findings[0].Evidence[0]).To(ContainSubstring(`code_challenge_method="plain"; answered with error=invalid_request "code_challenge_method must be S256"`))
		})

		It("implicit-grant-removed: response_type=token", func() {
			q := authQuery(web, webRedir)
			q.Set("response_type", "token")
			Expect(h.authorize(q).header.Get("Location")).To(ContainSubstring("#error=unsupported_response_type"))
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"implicit-grant-removed"}), gradeText(g))
		})

		It("code-invalid: golang.org/x/oauth2's auth-style auto-detection retries the code with credentials in the body", func() {
			code := h.code(authQuery(web, webRedir))
			conf := h.oauthConf(web, oauth2.AuthStyleAutoDetect, true)
			conf.RedirectURL = webRedir + "/" // the real mistake, hidden by the retry
			_, err := conf.Exchange(ctx, code)
			var re *oauth2.RetrieveError
			Expect(errorsAs(err, &re)).To(BeTrue())
			Expect(re.ErrorDescription).To(Equal("Invalid authorization code"))

			g := graded()
			Expect(g.IDs()).To(Equal([]string{"code-invalid", "token-redirect-uri-mismatch"}), gradeText(g))
			f := findingsOf(g, "code-invalid")[0]
			Expect(f.Title).To(ContainSubstring("auth-style auto-detection"))
			Expect(f.Fix).To(ContainSubstring("oauth2.AuthStyleInHeader"))
			Expect(f.Evidence).To(HaveLen(2))
			Expect(f.Evidence[0]).To(MatchRegexp(`^seq (\d+) at 12:00:00 POST /api/token code \[redacted \d+ch #[0-9a-f]{8}\] with Basic client credentials: answered 400 invalid_grant "Invalid redirect URI" — the real error`))
			Expect(f.Evidence[1]).To(MatchRegexp(`^seq \d+ at 12:00:00 POST /api/token code \[redacted \d+ch #[0-9a-f]{8}\] \(second use; first at seq \d+\) with client_id and client_secret in the body: answered 400 invalid_grant "Invalid authorization code"$`))
			Expect(f.Exchanges).To(HaveLen(2))
			Expect(f.Exchanges[0].RequestHeaders.Get("Authorization")).To(HavePrefix("Basic [redacted "))
			m := findingsOf(g, "token-redirect-uri-mismatch")[0]
			Expect(m.Evidence[0]).To(ContainSubstring(`redirect_uri="http://127.0.0.1:8888/callback/", but the code was requested at seq`))
			Expect(m.Evidence[0]).To(ContainSubstring("(they differ in a trailing slash)"))
		})

		It("code-invalid: a PKCE client left on AuthStyleAutoDetect sends the code twice, though the second works", func() {
			conf := h.oauthConf(web, oauth2.AuthStyleAutoDetect, false, "user-read-email")
			verifier := oauth2.GenerateVerifier()
			cb := h.browse(conf.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)))
			_, err := conf.Exchange(ctx, cb.Get("code"), oauth2.VerifierOption(verifier))
			Expect(err).NotTo(HaveOccurred())
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"code-invalid"}), gradeText(g))
			Expect(g.Findings[0].Title).To(ContainSubstring("auth-style auto-detection"))
			Expect(g.Findings[0].Evidence[0]).To(ContainSubstring(`with a Basic header but no secret in it: answered 400 invalid_client "Invalid client secret"`))
			Expect(g.Findings[0].Fix).To(ContainSubstring("oauth2.AuthStyleInParams for a PKCE client"))
		})

		It("code-invalid: the callback exchanges the same code twice", func() {
			code := h.code(authQuery(web, webRedir))
			Expect(exchange(code).status).To(Equal(http.StatusOK))
			Expect(exchange(code).status).To(Equal(http.StatusBadRequest))
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"code-invalid"}), gradeText(g))
			f := g.Findings[0]
			Expect(f.Title).To(Equal("Authorization code sent to /api/token more than once"))
			Expect(f.Evidence).To(ConsistOf(MatchRegexp(
				`^seq (\d+) at 12:00:00 POST /api/token code \[redacted \d+ch #[0-9a-f]{8}\] \(second use; first at seq \d+, answered 200\): answered 400 invalid_grant "Invalid authorization code"$`)))
			reqs := h.srv.Requests(web.ClientID)
			Expect(f.Evidence[0]).To(ContainSubstring(reqs[len(reqs)-1].Form.Get("code")), "the same fingerprint as the request log")
		})

		It("code-exchanged-late: 90 s on the app's clock is a warning, 11 minutes an error", func() {
			code := h.code(authQuery(web, webRedir))
			Expect(h.srv.AdvanceClockFor(web.ClientID, 90*time.Second)).To(Succeed())
			Expect(exchange(code).status).To(Equal(http.StatusOK))
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"code-exchanged-late"}), gradeText(g))
			Expect(g.Findings[0].Severity).To(Equal(grade.SeverityWarning))
			Expect(g.Findings[0].Evidence[0]).To(MatchRegexp(`^code \[redacted .*\] issued at seq \d+ \(12:00:00\), exchanged at seq \d+ \(12:01:30\): 1m30s later; answered 200$`))

			h.srv.ResetRequests(web.ClientID)
			code = h.code(authQuery(web, webRedir))
			Expect(h.srv.AdvanceClockFor(web.ClientID, 11*time.Minute)).To(Succeed())
			Expect(exchange(code).body).To(ContainSubstring("Authorization code expired"))
			g = graded()
			Expect(g.IDs()).To(Equal([]string{"code-exchanged-late"}), gradeText(g))
			Expect(g.Findings[0].Severity).To(Equal(grade.SeverityError))
		})

		It("token-redirect-uri-mismatch: golang.org/x/oauth2 configured with another redirect URL than the authorize request", func() {
			q := authQuery(web, webRedir)
			code := h.code(q)
			conf := h.oauthConf(web, oauth2.AuthStyleInHeader, true)
			conf.RedirectURL = "http://127.0.0.1:8888/Callback"
			_, err := conf.Exchange(ctx, code)
			Expect(err).To(MatchError(ContainSubstring("Invalid redirect URI")))
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"token-redirect-uri-mismatch"}), gradeText(g))
			Expect(g.Findings[0].Evidence[0]).To(ContainSubstring("(they differ in letter case)"))
		})

		It("refresh-token-revoked: the app keeps refreshing with the first refresh token (pkce-rotate)", func() {
			Expect(h.srv.SetPolicy(web.ClientID, config.Policies{Refresh: wire.RefreshPKCERotate})).To(Succeed())
			conf := h.oauthConf(web, oauth2.AuthStyleInParams, false, "user-read-email")
			verifier := oauth2.GenerateVerifier()
			cb := h.browse(conf.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)))
			tok, err := conf.Exchange(ctx, cb.Get("code"), oauth2.VerifierOption(verifier))
			Expect(err).NotTo(HaveOccurred())
			stored := tok.RefreshToken // the app saves this once and never again
			for hour := 0; hour < 2; hour++ {
				Expect(h.srv.AdvanceClockFor(web.ClientID, 59*time.Minute)).To(Succeed())
				_, err = conf.TokenSource(ctx, &oauth2.Token{RefreshToken: stored}).Token()
			}
			Expect(err).To(MatchError(ContainSubstring("Refresh token revoked")))
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"refresh-token-revoked"}), gradeText(g))
			Expect(g.Findings[0].Evidence[0]).To(MatchRegexp(`^seq \d+ at 13:58:00 POST /api/token refresh_token \[redacted .*\], which seq \d+ \(12:59:00\) had already rotated into \[redacted .*\]; answered 400 invalid_grant "Refresh token revoked"$`))
		})

		It("refresh-token-revoked: a rotation before the window is known from the store", func() {
			Expect(h.srv.SetPolicy(web.ClientID, config.Policies{Refresh: wire.RefreshAlwaysRotate})).To(Succeed())
			_, rt := login()
			Expect(h.srv.AdvanceClockFor(web.ClientID, 59*time.Minute)).To(Succeed())
			Expect(refresh(rt).status).To(Equal(http.StatusOK))
			h.srv.ResetRequests(web.ClientID)
			Expect(h.srv.AdvanceClockFor(web.ClientID, 59*time.Minute)).To(Succeed())
			Expect(refresh(rt).body).To(ContainSubstring("Refresh token revoked"))
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"refresh-token-revoked"}), gradeText(g))
			Expect(g.Findings[0].Evidence[0]).To(ContainSubstring("before the window"))
		})

		It("refresh-storm: golang.org/x/oauth2 TokenSources built from the refresh token alone refresh on every use", func() {
			conf := h.oauthConf(web, oauth2.AuthStyleInHeader, true, "user-read-email")
			cb := h.browse(conf.AuthCodeURL("st"))
			tok, err := conf.Exchange(ctx, cb.Get("code"))
			Expect(err).NotTo(HaveOccurred())
			for i := 0; i < 3; i++ {
				Expect(h.srv.AdvanceClockFor(web.ClientID, time.Minute)).To(Succeed())
				_, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
				Expect(err).NotTo(HaveOccurred())
			}
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"refresh-storm"}), gradeText(g))
			Expect(g.Findings).To(HaveLen(1))
			Expect(g.Findings[0].Title).To(Equal("Access token refreshed while more than 50% of its life was left"))
			Expect(g.Findings[0].Evidence).To(HaveLen(3))
			Expect(g.Findings[0].Evidence[0]).To(ContainSubstring("the access token from seq 2 still had 59m0s of its 1h0m0s left"))
		})

		It("refresh-storm: more than 5 refreshes of one grant within a minute, with short-lived tokens", func() {
			h = newHarness(func(c *config.Config) { c.Lifetimes.AccessToken = 10 * time.Second })
			web = h.autoApp("web")
			_, rt := login()
			for i := 0; i < 7; i++ {
				Expect(h.srv.AdvanceClockFor(web.ClientID, 9*time.Second)).To(Succeed())
				Expect(refresh(rt).status).To(Equal(http.StatusOK))
			}
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"refresh-storm"}), gradeText(g))
			Expect(g.Findings).To(HaveLen(1), "one burst, reported once")
			Expect(g.Findings[0].Title).To(Equal("More than 5 refreshes of one grant within a minute"))
			Expect(g.Findings[0].Evidence[0]).To(ContainSubstring("the sixth refresh of this grant within 60s"))

			Expect(h.srv.GradeWith(web.ClientID, fakespotify.GradeOptions{RefreshesPerMinute: 10}).Findings).To(BeEmpty(), "the limit is configurable")
		})

		It("access-token-expired: calls after expiry and no refresh is an error", func() {
			at, _ := login()
			Expect(h.srv.AdvanceClockFor(web.ClientID, 61*time.Minute)).To(Succeed())
			for i := 0; i < 2; i++ {
				Expect(h.api("GET", "/v1/me", at).status).To(Equal(http.StatusUnauthorized))
			}
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"access-token-expired"}), gradeText(g))
			Expect(g.Findings[0].Severity).To(Equal(grade.SeverityError))
			Expect(g.Findings[0].Evidence[0]).To(MatchRegexp(`^seq \d+ at 13:01:00 GET /v1/me with access token \[redacted .*\] \(issued at seq 2, expired at 13:00:00, 1m0s before\); answered 401 "Missing/invalid/expired access token"; used 1 time more after it expired, the last at seq \d+; no token request followed$`))
		})

		It("access-token-expired: retrying the expired token before refreshing is a warning", func() {
			at, rt := login()
			Expect(h.srv.AdvanceClockFor(web.ClientID, 2*time.Hour)).To(Succeed())
			for i := 0; i < 3; i++ {
				h.api("GET", "/v1/me", at)
			}
			Expect(refresh(rt).status).To(Equal(http.StatusOK))
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"access-token-expired"}), gradeText(g))
			Expect(g.Findings[0].Severity).To(Equal(grade.SeverityWarning))
		})

		It("retry-after-ignored: a Web API call right after an injected 429", func() {
			at, _ := login()
			h.srv.Inject(fakespotify.Fault{Path: "/v1/me", ClientID: web.ClientID, Status: http.StatusTooManyRequests, Headers: map[string]string{"Retry-After": "7"}})
			Expect(h.api("GET", "/v1/me", at).status).To(Equal(http.StatusTooManyRequests))
			Expect(h.srv.AdvanceClockFor(web.ClientID, time.Second)).To(Succeed())
			Expect(h.api("GET", "/v1/me/playlists", at).status).To(Equal(http.StatusOK))
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"retry-after-ignored"}), gradeText(g))
			Expect(g.Findings[0].Evidence[0]).To(MatchRegexp(`^seq \d+ at 12:00:01 GET /v1/me/playlists 1s after the 429 at seq \d+ \(12:00:00, Retry-After: 7, injected\) asked the Web API to wait 7s; answered 200$`))
		})

		It("retry-after-ignored: a token request right after a 429 from /api/token", func() {
			h.srv.Inject(fakespotify.Fault{Path: "/api/token", ClientID: web.ClientID, Status: http.StatusTooManyRequests, Headers: map[string]string{"Retry-After": "5"}})
			cc := url.Values{"grant_type": {"client_credentials"}}
			Expect(h.token(cc, web.ClientID, web.ClientSecret).status).To(Equal(http.StatusTooManyRequests))
			Expect(h.token(cc, web.ClientID, web.ClientSecret).status).To(Equal(http.StatusOK))
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"retry-after-ignored"}), gradeText(g))
			Expect(g.Findings[0].Evidence[0]).To(ContainSubstring("asked the token endpoint to wait 5s"))
		})

		It("token-endpoint-from-browser: golang.org/x/oauth2 with the client secret, sending an Origin header", func() {
			conf := h.oauthConf(web, oauth2.AuthStyleInHeader, true, "user-read-email")
			cb := h.browse(conf.AuthCodeURL("st"))
			_, err := conf.Exchange(ctxWith(withOrigin("https://app.example.com")), cb.Get("code"))
			Expect(err).NotTo(HaveOccurred())
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"token-endpoint-from-browser"}), gradeText(g))
			Expect(g.Findings[0].Evidence[0]).To(ContainSubstring(`grant_type=authorization_code from Origin "https://app.example.com" with the client secret in the Authorization header`))
		})

		It("client-secret-in-query: token parameters in the query string", func() {
			code := h.code(authQuery(web, webRedir))
			q := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {webRedir}, "client_id": {web.ClientID}, "client_secret": {web.ClientSecret}}
			req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/api/token?"+q.Encode(), nil)
			Expect(h.do(req).body).To(ContainSubstring("grant_type parameter is missing"))
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"client-secret-in-query"}), gradeText(g))
			Expect(g.Findings[0].Evidence[0]).To(ContainSubstring("with client_secret [redacted 32ch #"))
			Expect(g.Findings[0].Evidence[0]).To(ContainSubstring(`answered 400 unsupported_grant_type "grant_type parameter is missing"`))
		})

		It("access-token-in-query: ?access_token= on a Web API call", func() {
			at, _ := login()
			Expect(h.api("GET", "/v1/me?access_token="+url.QueryEscape(at), "").status).To(Equal(http.StatusUnauthorized))
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"access-token-in-query"}), gradeText(g))
			Expect(g.Findings[0].Evidence[0]).To(ContainSubstring(`in the query string; answered 401 "No token provided"`))
		})

		DescribeTable("redirect-uri-localhost: a redirect URI on localhost",
			func(policy wire.RedirectSecurityPolicy, status int) {
				app := h.autoApp("web", fakespotify.AppOverrides{RedirectURIs: []string{"http://localhost:8888/callback"}})
				Expect(h.srv.SetPolicy(app.ClientID, config.Policies{RedirectSecurity: policy})).To(Succeed())
				q := authQuery(app, "http://localhost:8888/callback")
				Expect(h.authorize(q).status).To(Equal(status))
				g := h.srv.Grade(app.ClientID)
				Expect(g.IDs()).To(Equal([]string{"redirect-uri-localhost"}), gradeText(g))
			},
			Entry("refused by the 2025 rules", wire.RedirectSecurity2025, http.StatusBadRequest),
			Entry("even where the legacy policy accepts it", wire.RedirectSecurityLegacy, http.StatusFound),
		)

		It("scope-requested-unused: a granted scope no call needed (info), and scopes the fake cannot judge are named", func() {
			q := authQuery(web, webRedir)
			q.Set("scope", "user-read-email user-top-read user-library-read streaming")
			at := exchange(h.code(q)).json()["access_token"].(string)
			Expect(h.api("GET", "/v1/me", at).status).To(Equal(http.StatusOK))
			Expect(h.api("GET", "/v1/me/tracks/", at).status).To(Equal(http.StatusOK))
			g := graded()
			Expect(g.IDs()).To(Equal([]string{"scope-requested-unused"}), gradeText(g))
			f := g.Findings[0]
			Expect(f.Severity).To(Equal(grade.SeverityInfo))
			Expect(f.Evidence).To(Equal([]string{"user-top-read: granted at seq 2; no call in the window to GET /v1/me/top/artists or GET /v1/me/top/tracks"}))
			o := outcome(g, "scope-requested-unused")
			Expect(o.Status).To(Equal(grade.StatusPass), "info findings do not fail a rule")
			Expect(o.Message).To(ContainSubstring("not judged (the fake serves no endpoint that needs them): streaming"))
			Expect(g.Failed(grade.SeverityWarning)).To(BeFalse())
			Expect(g.Failed(grade.SeverityInfo)).To(BeTrue())
		})
	})

	Describe("the grade itself", func() {
		It("lists every rule, skipping those with nothing to judge", func() {
			login()
			g := graded()
			Expect(g.Kind).To(Equal("grade"))
			Expect(g.Checks).To(HaveLen(len(grade.Rules())))
			Expect(outcome(g, "retry-after-ignored").Status).To(Equal(grade.StatusSkip))
			Expect(outcome(g, "retry-after-ignored").Message).To(Equal("no 429 answers in the window"))
			Expect(outcome(g, "code-invalid").Status).To(Equal(grade.StatusPass))
			Expect(g.Subject).To(Equal("app " + web.Name + " (client id " + web.ClientID + ")"))
			Expect(g.Window.Requests).To(Equal(2))
		})

		It("shows no secret in clear, only fingerprints", func() {
			code := h.code(authQuery(web, webRedir))
			m := exchange(code).json()
			exchange(code)
			at := m["access_token"].(string)
			h.api("GET", "/v1/me?access_token="+at, "")
			req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/api/token?client_id="+web.ClientID+"&client_secret="+web.ClientSecret, nil)
			h.do(req)
			g := graded()
			Expect(g.IDs()).To(ContainElements("code-invalid", "access-token-in-query", "client-secret-in-query"))
			js, err := json.Marshal(g)
			Expect(err).NotTo(HaveOccurred())
			for _, secret := range []string{code, at, m["refresh_token"].(string), web.ClientSecret,
				base64.StdEncoding.EncodeToString([]byte(web.ClientID + ":" + web.ClientSecret))} {
				Expect(string(js)).NotTo(ContainSubstring(secret))
			}
			Expect(string(js)).To(ContainSubstring("[redacted "))
		})

		It("scopes a window with ResetRequests, and GradeAndReset starts a new one atomically", func() {
			q := authQuery(web, webRedir)
			q.Del("state")
			exchange(h.code(q))
			Expect(graded().IDs()).To(Equal([]string{"state-missing"}))
			Expect(h.srv.GradeAndReset(web.ClientID).IDs()).To(Equal([]string{"state-missing"}))
			login()
			g := graded()
			Expect(g.Findings).To(BeEmpty(), gradeText(g))
			Expect(g.Window.Requests).To(Equal(2))
			h.srv.ResetRequests(web.ClientID)
			Expect(outcome(graded(), "state-missing").Message).To(Equal("no requests from this app in the window"))
		})

		It("keeps apps apart and merges them for Grade(\"*\"), naming the app in the evidence", func() {
			other := h.autoApp("other")
			q := authQuery(other, webRedir)
			q.Del("state")
			h.code(q)
			login()
			Expect(graded().Findings).To(BeEmpty())
			all := h.srv.Grade("")
			Expect(all.IDs()).To(Equal([]string{"state-missing"}))
			Expect(all.Apps).To(HaveLen(2))
			Expect(all.Findings[0].App).To(ContainSubstring(other.ClientID))
			Expect(all.Findings[0].Evidence[0]).To(Equal("app " + other.Name + " (client id " + other.ClientID + ")"))
			Expect(outcome(all, "state-missing").Status).To(Equal(grade.StatusFail))
			Expect(h.srv.Grade(other.Name).IDs()).To(Equal([]string{"state-missing"}), "an app name works too")
		})

		It("reports an unknown app as all rules skipped, and its empty window as no-requests", func() {
			g := h.srv.Grade("nope")
			Expect(g.IDs()).To(Equal([]string{"no-requests"}))
			Expect(g.Findings[0].Evidence).To(ConsistOf(ContainSubstring(`no app with client id or name "nope"`)))
			Expect(outcome(g, "state-missing").Status).To(Equal(grade.StatusSkip))
			Expect(outcome(g, "state-missing").Message).To(ContainSubstring(`no app with client id or name "nope"`))
		})

		It("skips rules on request", func() {
			q := authQuery(web, webRedir)
			q.Del("state")
			h.code(q)
			g := h.srv.GradeWith(web.ClientID, fakespotify.GradeOptions{Skip: []string{"state-missing"}})
			Expect(g.Findings).To(BeEmpty())
			Expect(outcome(g, "state-missing").Status).To(Equal(grade.StatusSkip))
			Expect(outcome(h.srv.GradeWith(web.ClientID, fakespotify.GradeOptions{Skip: []string{"no-such-rule"}}), "state-missing").Message).To(ContainSubstring(`no rule "no-such-rule"`))
		})

		It("says how many requests a full ring dropped, and does not guess about them", func() {
			h = newHarness(func(c *config.Config) { c.RequestLog = 3 })
			web = h.autoApp("web")
			code := h.code(authQuery(web, webRedir))
			exchange(code)
			for i := 0; i < 3; i++ {
				h.token(url.Values{"grant_type": {"client_credentials"}}, web.ClientID, web.ClientSecret)
			}
			exchange(code) // its first use has been pushed out
			g := graded()
			Expect(g.Window.Requests).To(Equal(3))
			Expect(g.Window.Dropped).To(Equal(uint64(3)))
			Expect(g.Findings).To(BeEmpty(), gradeText(g))
		})

		It("sees nothing when the request log is off", func() {
			srv, err := fakespotify.Start(fakespotify.DefaultConfig(), fakespotify.WithRequestLog(0))
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(srv.Close)
			resp, err := http.Get(srv.URL + "/authorize?client_id=" + webID)
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
			Expect(srv.Requests("*")).To(BeEmpty())
			Expect(outcome(srv.Grade(""), "state-missing").Status).To(Equal(grade.StatusSkip))
		})

		It("grades while clients keep sending requests, and windows taken with GradeAndReset lose none", func() {
			var wg sync.WaitGroup
			var mu sync.Mutex
			sent := 0
			stop := make(chan struct{})
			for i := 0; i < 4; i++ {
				wg.Add(1)
				go func() {
					defer GinkgoRecover()
					defer wg.Done()
					for {
						select {
						case <-stop:
							return
						default:
							Expect(h.token(url.Values{"grant_type": {"client_credentials"}}, web.ClientID, web.ClientSecret).status).To(Equal(http.StatusOK))
							mu.Lock()
							sent++
							mu.Unlock()
						}
					}
				}()
			}
			seen := uint64(0)
			for i := 0; i < 20; i++ {
				w := h.srv.GradeAndReset(web.ClientID).Window
				seen += uint64(w.Requests) + w.Dropped
				// A window the reset just emptied is no-requests; nothing else.
				Expect(h.srv.Grade("").IDs()).To(Or(BeEmpty(), Equal([]string{"no-requests"})))
			}
			close(stop)
			wg.Wait()
			w := h.srv.GradeAndReset(web.ClientID).Window
			seen += uint64(w.Requests) + w.Dropped
			Expect(seen).To(Equal(uint64(sent)))
		})
	})

	Describe("GET and POST /_spotcheck/grade", func() {
		It("answers the same grade as the Go API, and POST starts a new window", func() {
			q := authQuery(web, webRedir)
			q.Del("state")
			h.code(q)
			r := h.get("/_spotcheck/grade?client_id=" + web.ClientID)
			Expect(r.status).To(Equal(http.StatusOK))
			var g fakespotify.Grade
			Expect(json.Unmarshal([]byte(r.body), &g)).To(Succeed())
			Expect(g.IDs()).To(Equal([]string{"state-missing"}))
			Expect(g.Findings[0].Fix).To(Equal(graded().Findings[0].Fix))

			post := h.do(controlReq(http.MethodPost, h.srv.URL+"/_spotcheck/grade?client_id="+web.Name))
			Expect(post.status).To(Equal(http.StatusOK))
			Expect(post.body).To(ContainSubstring(`"id": "state-missing"`))
			Expect(h.srv.Requests(web.ClientID)).To(BeEmpty())
		})

		It("grades every app without client_id", func() {
			q := authQuery(web, webRedir)
			q.Del("state")
			h.code(q)
			r := h.get("/_spotcheck/grade")
			Expect(r.status).To(Equal(http.StatusOK))
			Expect(r.body).To(ContainSubstring(`"kind": "grade"`))
			Expect(r.body).To(ContainSubstring(`"state-missing"`))
		})

		It("takes options as query parameters", func() {
			_, rt := login()
			for i := 0; i < 3; i++ {
				Expect(h.srv.AdvanceClockFor(web.ClientID, 10*time.Minute)).To(Succeed())
				refresh(rt)
			}
			ids := func(query string) []string {
				r := h.get("/_spotcheck/grade?client_id=" + web.ClientID + query)
				Expect(r.status).To(Equal(http.StatusOK), r.body)
				var g fakespotify.Grade
				Expect(json.Unmarshal([]byte(r.body), &g)).To(Succeed())
				return g.IDs()
			}
			Expect(ids("")).To(Equal([]string{"refresh-storm"}))
			Expect(ids("&early_refresh=0.1")).To(BeEmpty(), "refreshing after 10 of 60 minutes is allowed with early_refresh=0.1")
			Expect(ids("&skip=refresh-storm")).To(BeEmpty())
		})

		DescribeTable("refuses bad requests",
			func(method, query string, status int, msg string) {
				r := h.do(controlReq(method, h.srv.URL+"/_spotcheck/grade"+query))
				Expect(r.status).To(Equal(status))
				Expect(r.body).To(ContainSubstring(msg))
			},
			Entry("unknown app", http.MethodGet, "?client_id=nope", http.StatusNotFound, `no app with client id or name \"nope\"`),
			Entry("bad duration", http.MethodGet, "?late_exchange=soon", http.StatusBadRequest, `late_exchange: \"soon\" is not a positive duration like 60s`),
			Entry("bad fraction", http.MethodGet, "?early_refresh=2", http.StatusBadRequest, "early_refresh"),
			Entry("bad count", http.MethodGet, "?refreshes_per_minute=-1", http.StatusBadRequest, "refreshes_per_minute"),
			Entry("unknown rule", http.MethodGet, "?skip=state-missing,nope", http.StatusBadRequest, `skip: no rule \"nope\"`),
			Entry("wrong method", http.MethodDelete, "", http.StatusMethodNotAllowed, "use GET"),
		)
	})
})
