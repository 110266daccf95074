package grade_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/grade"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// secret is planted in every fuzzed log where secrets go — as a code, a
// client secret, refresh and access tokens — around whatever the fuzzer
// wrote: it must never come out of the report.
const secret = "AQfuzz-planted-secret-7f3e9c1d2b4a"

// FuzzRun: any log, however malformed its queries, forms, bodies and
// headers, is graded without a panic, and the planted secret never
// appears in the report.
func FuzzRun(f *testing.F) {
	f.Add("authorize", "GET", "client_id=c&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%2Fcb&code_challenge=x", "", 302, "state=x", "", "7")
	f.Add("token", "POST", "client_secret=s", "grant_type=authorization_code&redirect_uri=x", 200,
		"", `{"access_token":"BQ1","refresh_token":"AQ2","expires_in":3600,"scope":"user-top-read streaming"}`, "")
	f.Add("token", "POST", "", "grant_type=refresh_token&client_id=c", 429, "", `{"error":"x"}`, "Fri, 01 Jan 2027 00:00:00 GMT")
	f.Add("api", "GET", "%zz", "", 401, "error=e&error_description=d", `{"error":{"status":401,"message":"m"}}`, "-1")
	f.Add("consent", "POST", "", "request=client_id%3Dc%26redirect_uri%3Dhttp%253A%252F%252F127.0.0.1&decision=accept", 302, "#x", "{", "")
	f.Fuzz(func(t *testing.T, endpoint, method, rawQuery, body string, status int, location, respBody, retryAfter string) {
		if strings.Contains(endpoint+method+rawQuery+body+location+respBody+retryAfter, "planted") {
			t.Skip("only the harness plants the secret")
		}
		planted := "code=" + secret + "&refresh_token=" + secret + "&client_secret=" + secret + "&access_token=" + secret + "&"
		tokenAnswer := `{"access_token":"` + secret + `","refresh_token":"` + secret + `","expires_in":60,"scope":"user-top-read"}`
		var entries []grade.Entry
		for i := 0; i < 8; i++ {
			ep := []wire.Endpoint{wire.Endpoint(endpoint), wire.EndpointAuthorize, wire.EndpointToken, wire.EndpointAPI}[i%4]
			resp := respBody
			if i%4 == 2 && i > 4 {
				resp = tokenAnswer
			}
			e := grade.Entry{
				Seq: uint64(i + 1), Time: time.Date(2026, 1, 1, 0, 0, i*7, 0, time.UTC), StartTick: uint64(2*i + 1), EndTick: uint64(2*i + 2),
				Endpoint: ep, Method: method, Path: "/v1/me", RawQuery: planted + rawQuery, Body: []byte(planted + body), Status: status,
				Header: http.Header{
					"Content-Type":  {"application/x-www-form-urlencoded"},
					"Authorization": {[]string{"Basic YTpi", "Bearer " + secret, "Bearer", "Basic " + body}[i%4]},
					"Origin":        {location},
				},
				ResponseHeader: http.Header{"Location": {"http://127.0.0.1/cb?code=" + secret + "&" + location}, "Retry-After": {retryAfter}},
				ResponseBody:   []byte(resp),
			}
			entries = append(entries, e)
		}
		r := grade.Run(grade.Input{ClientID: "c", App: "a", Entries: entries, Options: grade.Options{MaxEvidence: 3}})
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), secret) {
			t.Fatalf("the secret leaked into the report: %s", out)
		}
		if len(r.Checks) != len(grade.Rules()) {
			t.Fatalf("%d outcomes for %d rules", len(r.Checks), len(grade.Rules()))
		}
	})
}

// FuzzRetryAfter: any header value gives a non-negative wait or none.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"7", " 120 ", "0", "-1", "1e3", "Wed, 21 Oct 2015 07:28:00 GMT", "99999999999999999999", ""} {
		f.Add(s)
	}
	at := time.Date(2015, 10, 21, 7, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := grade.RetryAfter(v, at)
		if d < 0 || ok != (d > 0) {
			t.Fatalf("%q: %v %v", v, d, ok)
		}
	})
}
