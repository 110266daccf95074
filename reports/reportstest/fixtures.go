package reportstest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Epoch is the start time of the sample results, fixed so that reports of
// them are byte-for-byte reproducible.
var Epoch = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// Fingerprints as package redact writes them; the samples hold these where
// a real run would hold redacted secrets.
const (
	fpSecret  = "[redacted 32ch #5d0c8f1e]"
	fpCode    = "[redacted 120ch #0b9c2a77]"
	fpAccess  = "[redacted 150ch #a43f0e19]"
	fpRefresh = "[redacted 131ch #7e21c4d0]"
	fpBasic   = "[redacted 88ch #c0ffee12]"
)

// PNG returns a deterministic PNG of about the size and make-up of a
// consent-page screenshot: flat page areas with a band of detail.
func PNG(w, h int, seed uint64) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.NRGBA{R: 18, G: 18, B: 18, A: 255} // Spotify's dark page
			switch {
			case y < h/8:
				c = color.NRGBA{R: 30, G: 215, B: 96, A: 255} // the green header
			case y > h/3 && y < h/3+h/10 && x > w/5 && x < 4*w/5:
				v := uint8(128 + r.IntN(128)) // "text": the detail that costs bytes
				c = color.NRGBA{R: v, G: v, B: v, A: 255}
			case y > 2*h/3 && y < 2*h/3+h/12 && x > w/3 && x < 2*w/3:
				c = color.NRGBA{R: 30, G: 215, B: 96, A: 255} // the Agree button
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err) // cannot happen for an in-memory NRGBA image
	}
	return b.Bytes()
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// Run returns a small run holding every status: a pass with a consent
// screenshot, a failure with an explanation, a skip and an error, across
// two scenario files.
func Run() *checks.RunResult {
	const accounts, api = "http://127.0.0.1:41234", "http://127.0.0.1:41234"
	start := Epoch
	at := func(ms int) time.Time { return start.Add(time.Duration(ms) * time.Millisecond) }
	authorize := wire.Exchange{
		Seq: 1, Step: "authorize", Actor: "browser", Peer: "accounts", Started: at(5), Duration: 12 * time.Millisecond,
		Method: "GET", URL: accounts + "/authorize?client_id=0f1e2d3c4b5a69788796a5b4c3d2e1f0&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A8888%2Fcallback&scope=user-read-email&state=xyz&code_challenge_method=S256&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		RequestHeaders: hdr("Accept", "text/html"), Status: 200,
		ResponseHeaders: hdr("Content-Type", "text/html; charset=utf-8"), ResponseBody: "<!doctype html><title>Spotify – Authorize</title><button id=\"auth-accept\">Agree</button>",
	}
	consent := wire.Exchange{
		Seq: 2, Step: "authorize", Actor: "browser", Peer: "accounts", Started: at(40), Duration: 9 * time.Millisecond,
		Method: "POST", URL: accounts + "/authorize/accept", RequestHeaders: hdr("Content-Type", "application/x-www-form-urlencoded", "Cookie", "sp_sso="+fpAccess),
		RequestBody: "request=abc&accept=true", Status: 302,
		ResponseHeaders: hdr("Location", "http://127.0.0.1:8888/callback?code="+fpCode+"&state=xyz"),
	}
	callback := wire.Exchange{
		Seq: 3, Step: "authorize", Actor: "browser", Peer: "redirect", Started: at(52), Duration: 2 * time.Millisecond,
		Method: "GET", URL: "http://127.0.0.1:8888/callback?code=" + fpCode + "&state=xyz", Status: 200,
		ResponseHeaders: hdr("Content-Type", "text/plain"), ResponseBody: "ok",
	}
	token := wire.Exchange{
		Seq: 4, Step: "exchange-code", Actor: "client", Peer: "accounts", Started: at(60), Duration: 8 * time.Millisecond,
		Method: "POST", URL: accounts + "/api/token",
		RequestHeaders: hdr("Authorization", "Basic "+fpBasic, "Content-Type", "application/x-www-form-urlencoded"),
		RequestBody:    "grant_type=authorization_code&code=" + fpCode + "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8888%2Fcallback&code_verifier=" + fpSecret,
		Status:         200, ResponseHeaders: hdr("Content-Type", "application/json"),
		ResponseBody: `{"access_token":"` + fpAccess + `","token_type":"Bearer","expires_in":3600,"refresh_token":"` + fpRefresh + `","scope":"user-read-email"}`,
	}
	me := wire.Exchange{
		Seq: 5, Step: "get-me", Actor: "client", Peer: "api", Started: at(70), Duration: 4 * time.Millisecond,
		Method: "GET", URL: api + "/v1/me", RequestHeaders: hdr("Authorization", "Bearer "+fpAccess), Status: 200,
		ResponseHeaders: hdr("Content-Type", "application/json; charset=utf-8"),
		ResponseBody:    `{"display_name":"Alice","id":"alice","email":"alice@example.com","country":"SE","product":"premium"}`,
	}
	reuse := token
	reuse.Seq, reuse.Step, reuse.Started, reuse.Status = 6, "reuse-code", at(80), 400
	reuse.ResponseBody = `{"error":"invalid_grant","error_description":"Invalid authorization code"}`

	shot := checks.Screenshot{
		Name: "consent", URL: accounts + "/authorize?client_id=0f1e2d3c4b5a69788796a5b4c3d2e1f0&response_type=code&state=xyz",
		PNG: PNG(320, 200, 1), PageText: "spotcheck-web wants to: View your email address\nAgree  Cancel",
	}
	happy := checks.ScenarioResult{
		Name: "happy path", File: "scenarios/authorize.yaml", Description: "A web app logs a user in with PKCE and reads /v1/me.",
		Tags: []string{"authorize", "pkce", "real-spotify"}, Status: checks.StatusPass, Duration: 74 * time.Millisecond,
		Steps: []checks.StepResult{
			{Name: "authorize", Action: "authorize", Status: checks.StatusPass, Duration: 50 * time.Millisecond,
				Expectations: []checks.Expectation{{Name: "redirect reached", Expected: "http://127.0.0.1:8888/callback", Actual: "http://127.0.0.1:8888/callback", Passed: true}},
				Exchanges:    []wire.Exchange{authorize, consent, callback}, Screenshots: []checks.Screenshot{shot}},
			{Name: "exchange-code", Action: "token", Status: checks.StatusPass, Duration: 9 * time.Millisecond,
				Expectations: []checks.Expectation{{Name: "status", Expected: "200", Actual: "200", Passed: true}, {Name: "refresh_token", Expected: "present", Actual: "present", Passed: true}},
				Exchanges:    []wire.Exchange{token}},
			{Name: "get-me", Action: "api", Status: checks.StatusPass, Duration: 5 * time.Millisecond,
				Expectations: []checks.Expectation{{Name: "status", Expected: "200", Actual: "200", Passed: true}},
				Exchanges:    []wire.Exchange{me}},
		},
	}
	explain := &checks.Explanation{
		ID: "code-invalid", Title: "The authorization code was already used",
		Causes: []string{"The app exchanged the same code twice (a retry, or golang.org/x/oauth2's auth-style probing).", "The code expired: codes live 10 minutes."},
		Fix:    "Exchange each code exactly once, right after the redirect; start a new authorization for a new code.",
		Ask:    []string{"Does the error happen on the first login or only after a retry?"},
		Check:  []string{"Redirect URIs: the callback's exact URI is listed."},
		Since:  "2014", Evidence: `{"error":"invalid_grant","error_description":"Invalid authorization code"}`,
		Confidence: 0.95, Cause: "reused",
		Findings: []string{"the same code was sent at seq 4 and seq 6"},
	}
	reused := checks.ScenarioResult{
		Name: "code reuse is rejected", File: "scenarios/token.yaml", Description: "A code works once; the second exchange gets invalid_grant.",
		Tags: []string{"token", "real-spotify"}, Status: checks.StatusFail, Duration: 31 * time.Millisecond,
		Message: "reuse-code: status: expected 200, got 400",
		Steps: []checks.StepResult{
			{Name: "exchange-code", Action: "token", Status: checks.StatusPass, Duration: 9 * time.Millisecond,
				Expectations: []checks.Expectation{{Name: "status", Expected: "200", Actual: "200", Passed: true}},
				Exchanges:    []wire.Exchange{token}},
			{Name: "reuse-code", Action: "token", Status: checks.StatusFail, Duration: 8 * time.Millisecond,
				Message: "the second exchange of one code was expected to succeed under policy legacy-lenient",
				Expectations: []checks.Expectation{
					{Name: "status", Expected: "200", Actual: "400", Passed: false},
					{Name: "error_description", Expected: "(absent)", Actual: "Invalid authorization code", Passed: false},
					{Name: "content-type", Expected: "application/json", Actual: "application/json", Passed: true},
				},
				Exchanges: []wire.Exchange{reuse}, Explanation: explain},
			{Name: "refresh", Action: "refresh", Status: checks.StatusSkip, Message: "an earlier step failed"},
		},
	}
	premium := checks.ScenarioResult{
		Name: "premium-only endpoint", File: "scenarios/api.yaml", Tags: []string{"api"}, Status: checks.StatusSkip,
		Message: "needs a Premium user; target spotify has none configured",
	}
	transport := checks.ScenarioResult{
		Name: "token endpoint reachable", File: "scenarios/token.yaml", Tags: []string{"token"}, Status: checks.StatusError,
		Duration: 1500 * time.Millisecond,
		Steps: []checks.StepResult{{
			Name: "exchange-code", Action: "token", Status: checks.StatusError, Duration: 1500 * time.Millisecond,
			Message: "POST " + accounts + "/api/token: dial tcp 127.0.0.1:41234: connect: connection refused",
			Exchanges: []wire.Exchange{{Seq: 1, Step: "exchange-code", Actor: "client", Peer: "accounts", Started: at(200),
				Duration: 1500 * time.Millisecond, Method: "POST", URL: accounts + "/api/token", RequestBody: "grant_type=authorization_code&code=" + fpCode,
				Error: "dial tcp 127.0.0.1:41234: connect: connection refused"}},
		}},
	}
	return &checks.RunResult{
		Version: "v0.1.0-test",
		Target:  checks.TargetInfo{Name: "fake", AccountsURL: accounts, APIURL: api},
		Started: start, Duration: 1650 * time.Millisecond,
		Scenarios: []checks.ScenarioResult{happy, reused, premium, transport},
	}
}

// Findings returns a doctor result with a finding of every severity, an
// errored and a skipped check.
func Findings() *checks.FindingsResult {
	redirect := wire.Exchange{
		Seq: 1, Actor: "browser", Peer: "accounts", Started: Epoch, Duration: 20 * time.Millisecond, Method: "GET",
		URL:    "https://accounts.spotify.com/authorize?client_id=0f1e2d3c4b5a69788796a5b4c3d2e1f0&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fcallback",
		Status: 400, ResponseHeaders: hdr("Content-Type", "text/html"), ResponseBody: "<p>INVALID_CLIENT: Invalid redirect URI</p>",
	}
	secret := wire.Exchange{
		Seq: 2, Actor: "client", Peer: "accounts", Started: Epoch.Add(time.Second), Duration: 30 * time.Millisecond, Method: "POST",
		URL: "https://accounts.spotify.com/api/token", RequestHeaders: hdr("Authorization", "Basic "+fpBasic),
		RequestBody: "grant_type=client_credentials", Status: 400, ResponseHeaders: hdr("Content-Type", "application/json"),
		ResponseBody: `{"error":"invalid_client","error_description":"Invalid client secret"}`,
	}
	return &checks.FindingsResult{
		Kind: "doctor", Version: "v0.1.0-test", Subject: "client 0f1e…e1f0 (spotcheck-web)",
		Target:  checks.TargetInfo{Name: "spotify", AccountsURL: "https://accounts.spotify.com", APIURL: "https://api.spotify.com"},
		Started: Epoch, Duration: 2300 * time.Millisecond,
		Checks: []checks.CheckOutcome{
			{ID: "client-id-format", Group: "credentials", Title: "Client id is 32 hex digits", Status: checks.StatusPass, Duration: time.Millisecond},
			{ID: "client-secret-valid", Group: "credentials", Title: "Client secret is accepted", Status: checks.StatusFail, Duration: 30 * time.Millisecond},
			{ID: "redirect-uri-registered", Group: "redirect-uris", Title: "Every redirect URI is registered", Status: checks.StatusFail, Duration: 20 * time.Millisecond},
			{ID: "redirect-uri-loopback", Group: "redirect-uris", Title: "Loopback redirect URIs use 127.0.0.1", Status: checks.StatusPass, Duration: time.Millisecond},
			{ID: "scopes-granted", Group: "scopes", Title: "Granted scopes cover the requested ones", Status: checks.StatusSkip, Message: "needs a user login (--login)"},
			{ID: "api-reachable", Group: "api", Title: "Web API answers", Status: checks.StatusError, Message: "GET https://api.spotify.com/v1/me: context deadline exceeded", Duration: 2 * time.Second},
		},
		Findings: []checks.Finding{
			{ID: "client-secret-wrong", Severity: checks.SeverityError, Group: "credentials", Check: "client-secret-valid",
				Title: "Spotify rejects the client secret", Evidence: []string{"POST /api/token → 400 invalid_client: Invalid client secret", "secret " + fpSecret},
				Fix: "Copy the secret again from the app's settings in the Spotify developer dashboard (View client secret); rotate it if it was ever committed, and `git rm --cached` the file that held it.", Exchanges: []wire.Exchange{secret}},
			{ID: "redirect-uri-mismatch", Severity: checks.SeverityError, Group: "redirect-uris", Check: "redirect-uri-registered",
				Title: "http://localhost:8080/callback is not registered", Evidence: []string{"GET /authorize → 400 INVALID_CLIENT: Invalid redirect URI"},
				Fix: "Register http://127.0.0.1:8080/callback in the dashboard and use it in the app: Spotify no longer accepts localhost.", Exchanges: []wire.Exchange{redirect}},
			{ID: "redirect-uri-http", Severity: checks.SeverityWarning, Group: "redirect-uris", Check: "redirect-uri-loopback",
				Title: "A non-loopback redirect URI uses http", Evidence: []string{"http://example.com/cb"}, Fix: "Use https for every redirect URI that is not a loopback address."},
			{ID: "app-development-mode", Severity: checks.SeverityInfo, Group: "quota",
				Title: "The app is in development mode", Evidence: []string{"only allowlisted users (up to 25) can log in"}, Fix: "Apply for extended quota mode before launch."},
		},
	}
}

// LargeRun returns n scenarios shaped like a real suite's: four steps with
// two exchanges each (bodies included), a failure in every tenth scenario,
// a skip in every seventh, and a consent-page screenshot in every fiftieth.
func LargeRun(n int) *checks.RunResult {
	base := Run()
	happy, failed := base.Scenarios[0], base.Scenarios[1]
	shot := PNG(800, 600, 7)
	run := &checks.RunResult{Version: base.Version, Target: base.Target, Started: Epoch}
	for i := 0; i < n; i++ {
		var s checks.ScenarioResult
		switch {
		case i%10 == 3:
			s = clone(failed)
		case i%7 == 5:
			s = base.Scenarios[2]
		default:
			s = clone(happy)
		}
		s.Name = fmt.Sprintf("%s %d", s.Name, i)
		s.File = fmt.Sprintf("scenarios/suite-%02d.yaml", i%20)
		if len(s.Steps) > 0 {
			// Four steps of two exchanges, like the built-in suite's typical scenario.
			for len(s.Steps) < 4 {
				s.Steps = append(s.Steps, s.Steps[len(s.Steps)-1])
			}
			s.Steps = s.Steps[:4]
			for j := range s.Steps {
				st := &s.Steps[j]
				xs := append([]wire.Exchange(nil), st.Exchanges...)
				for len(xs) > 0 && len(xs) < 2 {
					xs = append(xs, xs[0])
				}
				st.Exchanges = xs[:min(len(xs), 2)]
				st.Screenshots = nil
			}
			seq := 0
			for j := range s.Steps {
				for k := range s.Steps[j].Exchanges {
					seq++
					s.Steps[j].Exchanges[k].Seq = seq
				}
			}
			if i%50 == 0 {
				s.Steps[0].Screenshots = []checks.Screenshot{{Name: "consent", URL: happy.Steps[0].Screenshots[0].URL, PNG: shot, PageText: happy.Steps[0].Screenshots[0].PageText}}
			}
		}
		run.Duration += s.Duration
		run.Scenarios = append(run.Scenarios, s)
	}
	return run
}

func clone(s checks.ScenarioResult) checks.ScenarioResult {
	s.Steps = append([]checks.StepResult(nil), s.Steps...)
	return s
}
