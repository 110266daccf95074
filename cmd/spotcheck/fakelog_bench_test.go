package main

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/spotcheck/spotcheck/fakespotify"
)

// BenchmarkRequestLine measures, without the network, what one request
// costs the fake with the request line that `spotcheck fake` writes at its
// default log level (JSON to io.Discard) and without it, for the three
// kinds of request the CLI benchmark drives (make bench-cli). Profile it
// with -cpuprofile to see where a log line's cost goes.
func BenchmarkRequestLine(b *testing.B) {
	for _, logged := range []bool{false, true} {
		name := "no-line"
		if logged {
			name = "line"
		}
		b.Run(name, func(b *testing.B) {
			var opts []fakespotify.Option
			if logged {
				log, _ := newLogger(io.Discard, io.Discard, "info")
				opts = append(opts, lineLogger(log))
			}
			f, err := fakespotify.New(fakespotify.DefaultConfig(), opts...)
			if err != nil {
				b.Fatal(err)
			}
			web, _ := f.App("web")
			user := benchUserTokens(b, f)
			for _, c := range []struct {
				name, method, path, body, auth string
			}{
				{"token", "POST", "/api/token", "grant_type=client_credentials", basicHeader(web.ClientID, web.ClientSecret)},
				{"me", "GET", "/v1/me", "", "Bearer " + user.access},
				{"refresh", "POST", "/api/token", "grant_type=refresh_token&refresh_token=" + url.QueryEscape(user.refresh), user.basic},
			} {
				b.Run(c.name, func(b *testing.B) {
					req := newBenchRequest(c.method, c.path, c.body, c.auth)
					w := &discardWriter{h: http.Header{}}
					b.ReportAllocs()
					for b.Loop() {
						req.reset()
						clear(w.h)
						w.code = 0
						f.ServeHTTP(w, req.r)
						if w.code != http.StatusOK {
							b.Fatal(w.code)
						}
					}
				})
			}
		})
	}
}

// benchRequest is one request served again and again, as a keep-alive
// connection's requests are: net/http's own cost of reading it is left
// out, so allocs/op counts the fake's and the log line's alone.
type benchRequest struct {
	r    *http.Request
	body *strings.Reader
	rc   io.ReadCloser
	text string
}

func newBenchRequest(method, path, body, auth string) *benchRequest {
	br := &benchRequest{text: body, body: strings.NewReader(body)}
	br.rc = io.NopCloser(br.body)
	br.r = httptest.NewRequest(method, path, nil)
	// What hey sends.
	br.r.Header.Set("User-Agent", "hey/0.0.1")
	br.r.Header.Set("Accept-Encoding", "gzip")
	br.r.Header.Set("Authorization", auth)
	if body != "" {
		br.r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		br.r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	return br
}

func (br *benchRequest) reset() {
	br.body.Reset(br.text)
	br.r.Body, br.r.ContentLength = br.rc, int64(len(br.text))
	if br.text == "" {
		br.r.Body, br.r.ContentLength = http.NoBody, 0
	}
}

// discardWriter is a ResponseWriter that keeps the status only.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *discardWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(b), nil
}

type benchUser struct{ basic, access, refresh string }

func basicHeader(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

// benchUserTokens runs the code flow for alice on a clone with automatic
// consent.
func benchUserTokens(b interface {
	Fatal(...any)
	Fatalf(string, ...any)
}, f *fakespotify.Fake) benchUser {
	app, err := f.CloneApp("web", fakespotify.AppOverrides{Consent: "auto", AutoUser: "alice"})
	if err != nil {
		b.Fatal(err)
	}
	q := url.Values{"client_id": {app.ClientID}, "response_type": {"code"}, "redirect_uri": {app.RedirectURIs[0]}, "scope": {"user-read-private"}}
	rec := httptest.NewRecorder()
	f.ServeHTTP(rec, httptest.NewRequest("GET", "/authorize?"+q.Encode(), nil))
	loc, _ := url.Parse(rec.Header().Get("Location"))
	form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {app.RedirectURIs[0]}}
	req := httptest.NewRequest("POST", "/api/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", basicHeader(app.ClientID, app.ClientSecret))
	rec = httptest.NewRecorder()
	f.ServeHTTP(rec, req)
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || tok.RefreshToken == "" {
		b.Fatalf("code exchange: %d %s", rec.Code, rec.Body.String())
	}
	return benchUser{basic: basicHeader(app.ClientID, app.ClientSecret), access: tok.AccessToken, refresh: tok.RefreshToken}
}

// lineLogger is how runFake wires the request line.
func lineLogger(log zerolog.Logger) fakespotify.Option {
	return fakespotify.WithLogLine(requestLogger(log))
}
