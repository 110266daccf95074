package analyze_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/analyze"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// planted stands for every code and token of a fuzzed sequence: the facts
// must cite it only through the fingerprint.
const planted = "AQfuzz-planted-code-7f3e9c1d2b4a"

// FuzzAnalyze: any sequence of exchanges, however malformed its URLs,
// forms, headers and bodies (a HAR is user input), is analyzed without a
// panic, every finding cites exchanges that exist, and a planted code or
// token never appears in a fact.
func FuzzAnalyze(f *testing.F) {
	f.Add("/authorize?client_id=c&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&state=s&code_challenge=x", "", 302, "http://127.0.0.1/cb?code=C&state=t", "", "", int64(0))
	f.Add("/api/token", "grant_type=authorization_code&code=C&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb%2F", 400, "", "Basic Yzpz", `{"error":"invalid_grant","error_description":"Invalid redirect URI"}`, int64(2e9))
	f.Add("/api/token", "grant_type=refresh_token&refresh_token=R", 200, "", "Basic %%%", `{"access_token":"A","refresh_token":"R2","expires_in":1}`, int64(-5e9))
	f.Add("/v1/me/tracks?x=%zz", "", 429, "", "Bearer A", `{"error":{"status":429,"message":"Insufficient client scope"}}`, int64(7e12))
	f.Add("http://[::1", "%", 0, "::", "Basic", "{", int64(1))
	f.Fuzz(func(t *testing.T, path, body string, status int, location, auth, respBody string, step int64) {
		if strings.Contains(path+body+location+auth+respBody, "planted") {
			t.Skip("only the harness plants the code")
		}
		t0 := time.Date(2026, 9, 30, 9, 0, 0, 0, time.UTC)
		var xs []wire.Exchange
		for i := 0; i < 8; i++ {
			x := wire.Exchange{Started: t0.Add(time.Duration(i) * time.Duration(step)), Method: "POST", Status: status,
				RequestHeaders: http.Header{"Authorization": {auth}}, RequestBody: body, ResponseBody: respBody,
				ResponseHeaders: http.Header{"Location": {location}, "Retry-After": {"30"}}}
			switch i % 4 {
			case 0:
				x.URL = "https://accounts.spotify.com" + path
			case 1:
				x.URL = "https://accounts.spotify.com/api/token"
				x.RequestBody = "grant_type=authorization_code&code=" + planted + "&redirect_uri=x&" + body
			case 2:
				x.URL = "https://api.spotify.com/v1/me"
				x.RequestHeaders.Set("Authorization", "Bearer "+planted)
			case 3:
				x.URL = "http://127.0.0.1/cb?code=" + planted + "&" + path
			}
			xs = append(xs, x)
		}
		fp := func(string) string { return "[fp]" }
		for _, fd := range analyze.Analyze(analyze.Read(xs), analyze.Options{Fingerprint: fp}) {
			if len(fd.Exchanges) == 0 {
				t.Fatalf("%s cites no exchange", fd.ID)
			}
			for _, i := range fd.Exchanges {
				if i < 0 || i >= len(xs) {
					t.Fatalf("%s cites exchange %d of %d", fd.ID, i, len(xs))
				}
			}
			for _, fact := range fd.Facts {
				if strings.Contains(fact, planted) {
					t.Fatalf("%s: a fact shows the planted value: %s", fd.ID, fact)
				}
			}
		}
	})
}
