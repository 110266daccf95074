package explain_test

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/explain"
)

// failer is what the HAR writers need of a testing.TB or GinkgoT().
type failer interface {
	Helper()
	Fatal(...any)
}

// counted is a buffered file that counts the bytes written to it.
type counted struct {
	f *os.File
	w *bufio.Writer
	n int64
}

func createCounted(tb failer, path string) *counted {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	return &counted{f: f, w: bufio.NewWriterSize(f, 1<<20)}
}

func (c *counted) put(s string) {
	n, _ := c.w.WriteString(s)
	c.n += int64(n)
}

func (c *counted) close(tb failer) {
	tb.Helper()
	if err := c.w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := c.f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// failingFlowKinds is how many kinds of failing flow writeFailingHAR
// cycles through; each is one client mistake the analyzer names.
const failingFlowKinds = 6

// writeFailingHAR writes a capture of about size bytes in which every
// flow fails: redirect_uri changed at /api/token, a code sent twice, the
// x/oauth2 auth-style retry, an expired access token, a 429 ignored and a
// rotated refresh token used again, over and over, each flow with its own
// codes and tokens, every request with a browser's headers. It returns
// the file's size and the number of flows written.
func writeFailingHAR(tb failer, path string, size int64) (int64, int) {
	tb.Helper()
	return writeFlowsHAR(tb, path, size, false)
}

// writeCleanHAR writes a capture of about size bytes in which every flow
// works: a login, the code exchanged once, and then a player polled six
// times with the fresh token, as a web player does, every request with a
// browser's headers. It returns the file's size and the number of flows.
func writeCleanHAR(tb failer, path string, size int64) (int64, int) {
	tb.Helper()
	return writeFlowsHAR(tb, path, size, true)
}

func writeFlowsHAR(tb failer, path string, size int64, clean bool) (int64, int) {
	tb.Helper()
	out := createCounted(tb, path)
	put := out.put
	headers := []harNV{
		{"accept", "application/json"}, {"accept-encoding", "gzip, deflate, br, zstd"}, {"accept-language", "en-GB,en;q=0.9"},
		{"origin", "https://app.example.com"}, {"referer", "https://app.example.com/"}, {"sec-ch-ua", `"Chromium";v="140", "Not=A?Brand";v="24"`},
		{"sec-fetch-dest", "empty"}, {"sec-fetch-mode", "cors"}, {"sec-fetch-site", "cross-site"},
		{"user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36"},
	}
	const (
		accounts = "https://accounts.spotify.com"
		api      = "https://api.spotify.com"
		redirect = "https://app.example.com/callback"
		clientID = "30670aa0c417b0aa8d5f7c42a7b37a1b"
		secret   = "9c2d1f0e8b7a6c5d4e3f2a1b0c9d8e7f"
	)
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(clientID+":"+secret))
	first := true
	emit := func(at time.Time, method, u string, reqH []harNV, form url.Values, status int, respH []harNV, body string) {
		e := harEntryW{
			StartedDateTime: at.Format("2006-01-02T15:04:05.000Z"), Time: 42,
			Request: harRequestW{Method: method, URL: u, HTTPVersion: "http/2.0", Headers: append(append([]harNV{}, headers...), reqH...),
				QueryString: []harNV{}, Cookies: []any{}, HeadersSize: -1},
			Response: harResponseW{Status: status, HTTPVersion: "http/2.0", Headers: append([]harNV{{"content-type", "application/json"}}, respH...),
				Cookies: []any{}, Content: harContentW{Size: len(body), MimeType: "application/json", Text: body}, HeadersSize: -1, BodySize: len(body)},
		}
		if form != nil {
			e.Request.Method = "POST"
			e.Request.PostData = &harPostW{MimeType: "application/x-www-form-urlencoded", Text: form.Encode()}
		}
		b, err := json.Marshal(e)
		if err != nil {
			tb.Fatal(err)
		}
		if !first {
			put(",\n")
		}
		first = false
		put(string(b))
	}
	authorize := func(at time.Time, state string) string {
		return accounts + "/authorize?" + url.Values{"client_id": {clientID}, "response_type": {"code"}, "redirect_uri": {redirect}, "state": {state}, "scope": {"user-read-private"}}.Encode()
	}
	tokens := func(access, refresh string) string {
		return fmt.Sprintf(`{"access_token":%q,"token_type":"Bearer","expires_in":3600,"refresh_token":%q,"scope":"user-read-private"}`, access, refresh)
	}
	const (
		badRedirect = `{"error":"invalid_grant","error_description":"Invalid redirect URI"}`
		badCode     = `{"error":"invalid_grant","error_description":"Invalid authorization code"}`
		badSecret   = `{"error":"invalid_client","error_description":"Invalid client secret"}`
		revoked     = `{"error":"invalid_grant","error_description":"Refresh token revoked"}`
		expired     = `{"error":{"status":401,"message":"The access token expired"}}`
		limited     = `{"error":{"status":429,"message":"API rate limit exceeded"}}`
	)
	t0 := fixtureEpoch
	put(`{"log":{"version":"1.2","creator":{"name":"WebInspector","version":"537.36"},"pages":[],"entries":[` + "\n")
	k := 0
	for ; out.n < size; k++ {
		at := t0.Add(time.Duration(k) * 10 * time.Second)
		state := fmt.Sprintf("st%07d", k)
		code := fmt.Sprintf("AQB%07dcodeThatIsLongEnoughToLookLikeSpotifysOwn_%07d", k, k)
		access := fmt.Sprintf("BQD%07daccessTokenValueLongEnoughToLookReal_%07d", k, k)
		refresh := fmt.Sprintf("AQC%07drefreshTokenValueLongEnoughToLookReal_%07d", k, k)
		cb := redirect + "?" + url.Values{"code": {code}, "state": {state}}.Encode()
		login := func() {
			emit(at, "GET", authorize(at, state), nil, nil, 302, []harNV{{"location", cb}}, "")
			emit(at.Add(time.Second), "GET", cb, nil, nil, 200, nil, "")
		}
		exchange := func(at time.Time, redirectURI string, auth bool) url.Values {
			v := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}
			if !auth {
				v.Set("client_id", clientID)
				v.Set("client_secret", secret)
			}
			return v
		}
		authH := []harNV{{"authorization", basic}}
		if clean {
			login()
			emit(at.Add(2*time.Second), "POST", accounts+"/api/token", authH, exchange(at, redirect, true), 200, nil, tokens(access, refresh))
			playing := fmt.Sprintf(`{"timestamp":%d,"progress_ms":42000,"is_playing":true,"currently_playing_type":"track","item":{"id":"0VjIjW4GlUZAMYd2vXMi3b","name":"Blinding Lights","uri":"spotify:track:0VjIjW4GlUZAMYd2vXMi3b","duration_ms":200040,"artists":[{"id":"1Xyo4u8uXC1ZmMpatF05PJ","name":"The Weeknd"}]}}`, at.UnixMilli())
			for p := 0; p < 6; p++ {
				emit(at.Add(time.Duration(3+p)*time.Second), "GET", api+"/v1/me/player/currently-playing?market=from_token", []harNV{{"authorization", "Bearer " + access}}, nil, 200, nil, playing)
			}
			continue
		}
		switch k % failingFlowKinds {
		case 0: // redirect_uri changed between /authorize and /api/token
			login()
			emit(at.Add(2*time.Second), "POST", accounts+"/api/token", authH, exchange(at, redirect+"/", true), 400, nil, badRedirect)
		case 1: // the callback handled twice: the code sent again
			login()
			emit(at.Add(2*time.Second), "POST", accounts+"/api/token", authH, exchange(at, redirect, true), 200, nil, tokens(access, refresh))
			emit(at.Add(3*time.Second), "POST", accounts+"/api/token", authH, exchange(at, redirect, true), 400, nil, badCode)
		case 2: // golang.org/x/oauth2's auth-style retry
			login()
			emit(at.Add(2*time.Second), "POST", accounts+"/api/token", authH, exchange(at, redirect, true), 401, nil, badSecret)
			emit(at.Add(2100*time.Millisecond), "POST", accounts+"/api/token", nil, exchange(at, redirect, false), 400, nil, badCode)
		case 3: // an access token used after it expired
			login()
			emit(at.Add(2*time.Second), "POST", accounts+"/api/token", authH, exchange(at, redirect, true), 200, nil, tokens(access, refresh))
			emit(at.Add(2*time.Hour), "GET", api+"/v1/me", []harNV{{"authorization", "Bearer " + access}}, nil, 401,
				[]harNV{{"www-authenticate", `Bearer realm="spotify", error="invalid_token", error_description="The access token expired"`}}, expired)
		case 4: // a 429 and the same call again before Retry-After
			emit(at, "GET", api+"/v1/me/tracks?limit=50", []harNV{{"authorization", "Bearer " + access}}, nil, 429, []harNV{{"retry-after", "30"}}, limited)
			emit(at.Add(time.Second), "GET", api+"/v1/me/tracks?limit=50", []harNV{{"authorization", "Bearer " + access}}, nil, 429, []harNV{{"retry-after", "29"}}, limited)
		case 5: // a rotated refresh token used again
			rotated := refresh + "rotated"
			v := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}
			emit(at, "POST", accounts+"/api/token", authH, v, 200, nil, tokens(access, rotated))
			emit(at.Add(time.Second), "POST", accounts+"/api/token", authH, v, 400, nil, revoked)
		}
	}
	put("\n]}}\n")
	out.close(tb)
	return out.n, k
}

// BenchmarkExplainFailingHAR50MB explains a 50 MB capture in which every
// flow fails (issue 16): the analyzer indexes the exchanges instead of
// rescanning them, so time is linear in the file, and each finding is
// reported once with a count and a few examples, so memory and output
// stay bounded. It reports the sampled live-heap peak (heap-MB), the
// runtime's peak of memory obtained from the OS (sys-MB, what RSS follows)
// and the lines the text report has.
func BenchmarkExplainFailingHAR50MB(b *testing.B) {
	path := filepath.Join(b.TempDir(), "failing.har")
	size, flows := writeFailingHAR(b, path, 50<<20)
	lines := 0
	benchExplainFile(b, path, size, func(res *explain.Result) {
		if len(res.Matches) == 0 {
			b.Fatal("nothing recognised")
		}
		var text strings.Builder
		if err := explain.WriteText(&text, res); err != nil {
			b.Fatal(err)
		}
		lines = strings.Count(text.String(), "\n")
	})
	b.ReportMetric(float64(flows), "flows")
	b.ReportMetric(float64(lines), "report-lines")
}

// BenchmarkExplainCleanHAR50MB explains a 50 MB capture in which every
// flow works (34,000 requests to Spotify, nothing to report): what a
// request costs to keep, not what a finding costs to report.
func BenchmarkExplainCleanHAR50MB(b *testing.B) {
	path := filepath.Join(b.TempDir(), "clean.har")
	size, flows := writeCleanHAR(b, path, 50<<20)
	benchExplainFile(b, path, size, func(res *explain.Result) {
		if res.Recognised() {
			b.Fatalf("found %v in a clean capture", ids(res))
		}
	})
	b.ReportMetric(float64(flows), "flows")
}

var _ = Describe("a HAR in which thousands of flows fail", func() {
	It("reports each finding once, with a count and the first 3 examples", func() {
		path := filepath.Join(GinkgoT().TempDir(), "failing.har")
		_, flows := writeFailingHAR(GinkgoT(), path, 2<<20)
		Expect(flows).To(BeNumerically(">", 300))
		f, err := os.Open(path)
		Expect(err).NotTo(HaveOccurred())
		defer f.Close()
		res, err := explain.Default().ExplainReader(f, explain.Options{Name: "failing.har"})
		Expect(err).NotTo(HaveOccurred())
		perKind := flows / failingFlowKinds
		byID := map[string]explain.Match{}
		for _, m := range res.Matches {
			Expect(byID).NotTo(HaveKey(m.Entry.ID), "reported twice")
			byID[m.Entry.ID] = m
			Expect(len(m.Evidence)).To(BeNumerically("<=", 3), m.Entry.ID)
			Expect(len(m.Findings)).To(BeNumerically("<=", 3*5), m.Entry.ID)
		}
		// Reused codes and the auth-style retry's second attempt.
		Expect(byID).To(HaveKey("code-invalid"))
		Expect(byID["code-invalid"].Count).To(BeNumerically(">=", 2*perKind))
		for _, id := range []string{"token-redirect-uri-mismatch", "access-token-expired", "refresh-token-revoked", "rate-limited"} {
			Expect(byID).To(HaveKey(id))
			Expect(byID[id].Count).To(BeNumerically(">=", perKind), id)
		}
		var text strings.Builder
		Expect(explain.WriteText(&text, res)).To(Succeed())
		Expect(strings.Count(text.String(), "\n")).To(BeNumerically("<", 200))
		Expect(text.String()).To(MatchRegexp(`\(\d+ requests showed it; the evidence and findings quote the first 3\)`))
		var js strings.Builder
		Expect(explain.WriteJSON(&js, res)).To(Succeed())
		Expect(js.String()).To(MatchRegexp(`"count": ?\d+`))
		Expect(js.String()).NotTo(ContainSubstring("codeThatIsLongEnough"))
	})
})
