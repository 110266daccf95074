package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/rs/zerolog"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
)

// recordLogger is the request logger as it was before the fake built log
// lines itself: the same fields, read from the full redacted record
// (WithLogger). Each lean line must read exactly as this one.
func recordLogger(log zerolog.Logger) func(fakespotify.Request) {
	return func(r fakespotify.Request) {
		ev := log.Info()
		if r.Status >= 400 {
			ev = log.Warn()
		}
		ev = ev.Str("method", r.Method).Str("path", r.Path).Int("status", r.Status).
			Str("endpoint", string(r.Endpoint)).Dur("took", r.Duration)
		if r.ClientID != "" {
			ev = ev.Str("client_id", r.ClientID)
		}
		if r.UserID != "" {
			ev = ev.Str("user", r.UserID)
		}
		if r.Injected {
			ev = ev.Bool("injected", true)
		}
		if r.Status >= 400 && len(r.ResponseBody) > 0 && len(r.ResponseBody) < 300 {
			ev = ev.Str("response", r.ResponseBody)
		}
		if len(r.Query) > 0 {
			ev = ev.Str("query", fakespotify.ReadableQuery(r.Query))
		}
		if len(r.Form) > 0 {
			ev = ev.Str("form", fakespotify.ReadableQuery(r.Form))
		}
		if auth := r.Header.Get("Authorization"); auth != "" {
			ev = ev.Str("authorization", auth)
		}
		ev.Msg("request")
	}
}

var _ = Describe("the request line", func() {
	var (
		fake          *fakespotify.Fake
		lean, records bytes.Buffer
		web           fakespotifyApp
		user          benchUser
	)
	BeforeEach(func() {
		lean.Reset()
		records.Reset()
		var err error
		fake, err = fakespotify.New(fakespotify.DefaultConfig(),
			fakespotify.WithLogLine(requestLogger(zerolog.New(&lean))),
			fakespotify.WithLogger(recordLogger(zerolog.New(&records))))
		Expect(err).NotTo(HaveOccurred())
		a, _ := fake.App("web")
		web = fakespotifyApp{id: a.ClientID, basic: basicHeader(a.ClientID, a.ClientSecret)}
		user = benchUserTokens(GinkgoT(), fake)
		lean.Reset()
		records.Reset()
	})

	serve := func(method, target, contentType, body, auth string) {
		var req *http.Request
		if body != "" {
			req = httptest.NewRequest(method, target, strings.NewReader(body))
		} else {
			req = httptest.NewRequest(method, target, nil)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		fake.ServeHTTP(httptest.NewRecorder(), req)
	}
	// lines decodes the one line each logger wrote, without its duration.
	lines := func() (map[string]any, map[string]any) {
		GinkgoHelper()
		var l, r map[string]any
		Expect(json.Unmarshal(lean.Bytes(), &l)).To(Succeed(), lean.String())
		Expect(json.Unmarshal(records.Bytes(), &r)).To(Succeed(), records.String())
		delete(l, "took")
		delete(r, "took")
		return l, r
	}
	const form = "application/x-www-form-urlencoded"

	DescribeTable("reads exactly as the line made from the full redacted record, for every endpoint class",
		func(send func(), want func() map[string]any) {
			send()
			l, r := lines()
			Expect(l).To(Equal(r))
			for k, v := range want() {
				Expect(l).To(HaveKeyWithValue(k, v))
			}
			Expect(lean.String()).NotTo(ContainSubstring(user.access))
			Expect(lean.String()).NotTo(ContainSubstring(user.refresh))
		},
		Entry("token: client credentials", func() { serve("POST", "/api/token", form, "grant_type=client_credentials", web.basic) },
			func() map[string]any {
				return map[string]any{"endpoint": "token", "form": "grant_type=client_credentials", "authorization": "Basic " + redact.Fingerprint(strings.TrimPrefix(web.basic, "Basic "))}
			}),
		Entry("token: refresh", func() {
			serve("POST", "/api/token", form, "grant_type=refresh_token&refresh_token="+url.QueryEscape(user.refresh), user.basic)
		}, func() map[string]any {
			return map[string]any{"status": 200.0, "form": "grant_type=refresh_token&refresh_token=" + redact.Fingerprint(user.refresh)}
		}),
		Entry("token: a wrong secret (an error with its body)", func() {
			serve("POST", "/api/token", form, "grant_type=client_credentials", basicHeader(web.id, "not-the-secret-at-all"))
		}, func() map[string]any {
			return map[string]any{"status": 400.0, "level": "warn", "response": `{"error":"invalid_client","error_description":"Invalid client secret"}`}
		}),
		Entry("api: /v1/me", func() { serve("GET", "/v1/me", "", "", "Bearer "+user.access) },
			func() map[string]any {
				return map[string]any{"endpoint": "api", "user": "alice", "authorization": "Bearer " + redact.Fingerprint(user.access)}
			}),
		Entry("api: a token in the path and in an unknown parameter", func() {
			serve("GET", "/v1/tracks/"+user.access+"?x="+user.refresh, "", "", "Bearer "+user.access)
		}, func() map[string]any {
			return map[string]any{"path": "/v1/tracks/" + redact.Fingerprint(user.access), "query": "x=" + redact.Fingerprint(user.refresh)}
		}),
		Entry("authorize", func() {
			serve("GET", "/authorize?"+url.Values{"client_id": {web.id}, "response_type": {"code"},
				"redirect_uri": {"http://127.0.0.1:8888/callback"}, "code_challenge": {"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}, "code_challenge_method": {"S256"}}.Encode(), "", "", "")
		}, func() map[string]any { return map[string]any{"endpoint": "authorize"} }),
		Entry("login: the continue URL", func() {
			serve("GET", "/login?continue="+url.QueryEscape("/authorize?client_id="+web.id+"&code_verifier=secret-verifier-value"), "", "", "")
		}, func() map[string]any { return map[string]any{"endpoint": "login"} }),
		Entry("login: a password", func() { serve("POST", "/login", form, "username=alice&password=alice-password", "") },
			func() map[string]any {
				return map[string]any{"form": "password=" + redact.Fingerprint("alice-password") + "&username=alice"}
			}),
		Entry("consent", func() {
			serve("POST", "/authorize/decision", form, "request="+url.QueryEscape("client_id="+web.id)+"&decision=accept", "")
		},
			func() map[string]any { return map[string]any{"endpoint": "consent"} }),
		Entry("other: an unknown path", func() { serve("GET", "/nowhere?code=AQabc", "", "", "") },
			func() map[string]any {
				return map[string]any{"status": 404.0, "query": "code=" + redact.Fingerprint("AQabc")}
			}),
		Entry("a query with repeated, escaped, empty and malformed parameters", func() {
			serve("GET", "/nowhere?q=b%20c&type=track&q=a&;x=1&bad=%zz&=e&%41=1&x+y=z+w&&code=&z=%2B", "", "", "")
		}, func() map[string]any {
			return map[string]any{"query": "=e&A=1&code=&q=b+c&q=a&type=track&x+y=z+w&z=%2B"}
		}),
		Entry("a query with more parameters than fit the line's fast path", func() {
			serve("GET", "/nowhere?k=1&j=2&i=3&h=4&g=5&f=6&e=7&d=8&c=9&b=10&a=11&code=AQsecret-code-value", "", "", "")
		}, func() map[string]any {
			return map[string]any{"query": "a=11&b=10&c=9&code=" + redact.Fingerprint("AQsecret-code-value") + "&d=8&e=7&f=6&g=5&h=4&i=3&j=2&k=1"}
		}),
		Entry("a sensitive value of the exchange repeated in another parameter", func() {
			serve("POST", "/api/token", form, "grant_type=authorization_code&code_verifier=verifier-value-123&state=xverifier-value-123x", web.basic)
		}, func() map[string]any {
			return map[string]any{"form": "code_verifier=" + redact.Fingerprint("verifier-value-123") +
				"&grant_type=authorization_code&state=x" + url.QueryEscape(redact.Fingerprint("verifier-value-123")) + "x"}
		}),
		Entry("an injected fault", func() {
			fake.Inject(fakespotify.Fault{Path: "/v1/me", Status: 503, Body: `{"error":{"status":503,"message":"down"}}`})
			serve("GET", "/v1/me", "", "", "Bearer "+user.access)
		}, func() map[string]any { return map[string]any{"injected": true, "status": 503.0} }),
	)
})

type fakespotifyApp struct{ id, basic string }
