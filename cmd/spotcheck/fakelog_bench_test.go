package main

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
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
					b.ReportAllocs()
					for b.Loop() {
						var body io.Reader
						if c.body != "" {
							body = strings.NewReader(c.body)
						}
						req := httptest.NewRequest(c.method, c.path, body)
						if c.body != "" {
							req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
						}
						req.Header.Set("Authorization", c.auth)
						rec := httptest.NewRecorder()
						f.ServeHTTP(rec, req)
						if rec.Code != http.StatusOK {
							b.Fatal(rec.Code, rec.Body.String())
						}
					}
				})
			}
		})
	}
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
