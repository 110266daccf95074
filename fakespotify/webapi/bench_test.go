package webapi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/webapi"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// BenchmarkMe measures GET /v1/me through the handler (no network):
// token lookup, the checks, and rendering the pretty-printed user.
func BenchmarkMe(b *testing.B) {
	be, err := loadBackend()
	if err != nil {
		b.Fatal(err)
	}
	api := webapi.New(be)
	tok := be.issue("web", "alice", "user-read-email", "user-read-private")
	req := httptest.NewRequest("GET", "http://127.0.0.1/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code, rec.Body)
		}
	}
}

// BenchmarkSearch measures a catalog search for tracks through the handler.
func BenchmarkSearch(b *testing.B) {
	be, err := loadBackend()
	if err != nil {
		b.Fatal(err)
	}
	api := webapi.New(be)
	req := httptest.NewRequest("GET", "http://127.0.0.1/v1/search?q=e&type=track,artist", nil)
	req.Header.Set("Authorization", "Bearer "+be.issue("web", ""))
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code, rec.Body)
		}
	}
}

// BenchmarkRateLimit measures GET /v1/me with the rate_limit policy off
// and on (the window far from full, the clock moving a second a call), so
// the two sub-benchmarks side by side are what counting a call costs.
func BenchmarkRateLimit(b *testing.B) {
	for _, pol := range []wire.RateLimitPolicy{wire.RateLimitOff, wire.RateLimitWindow} {
		b.Run(string(pol), func(b *testing.B) {
			be, err := loadBackend()
			if err != nil {
				b.Fatal(err)
			}
			web := be.clientID("web")
			be.setPolicy(web, config.Policies{RateLimit: pol})
			api := webapi.New(be)
			req := httptest.NewRequest("GET", "http://127.0.0.1/v1/me", nil)
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				if n%3000 == 0 { // a token lives an hour of this clock
					req.Header.Set("Authorization", "Bearer "+be.issue("web", "alice", "user-read-email", "user-read-private"))
				}
				n++
				be.advance(web, time.Second)
				rec := httptest.NewRecorder()
				api.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Code, rec.Body)
				}
			}
		})
	}
}
