package webapi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/spotcheck/spotcheck/fakespotify/webapi"
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
