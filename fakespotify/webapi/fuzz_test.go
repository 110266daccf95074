package webapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/spotcheck/spotcheck/fakespotify/webapi"
)

// FuzzServeHTTP throws arbitrary paths, queries, methods, Authorization
// headers and bodies at the API: it must never panic or answer 500, and
// every JSON answer must be valid JSON.
func FuzzServeHTTP(f *testing.F) {
	seeds := []struct {
		method, path, query, auth, body string
	}{
		{"GET", "/v1/me", "", "user", ""},
		{"GET", "/v1/me/", "", "user", ""},
		{"GET", "/v1/me/playlists", "limit=50&offset=3", "user", ""},
		{"GET", "/v1/me/playlists", "limit=-1", "user", ""},
		{"GET", "/v1/me/playlists", "limit=99999999999999999999", "user", ""},
		{"GET", "/v1/me/top/tracks", "time_range=long_term&offset=100000", "user", ""},
		{"GET", "/v1/me/player/recently-played", "before=9223372036854775807", "user", ""},
		{"GET", "/v1/me/following", "type=artist&after=1Xyo4u8uXC1ZmMpatF05PJ&limit=1", "user", ""},
		{"PUT", "/v1/me/tracks", "ids=,,,", "user", ""},
		{"PUT", "/v1/me/tracks", "", "user", `{"ids":null}`},
		{"DELETE", "/v1/me/tracks", "", "user", `{"ids":[1,2]}`},
		{"POST", "/v1/users/alice/playlists", "", "user", `{"name":"a","public":"yes"}`},
		{"POST", "/v1/users/%2F/playlists", "", "user", `{"name":"a"}`},
		{"GET", "/v1/search", `q=artist:"&type=track,album,artist`, "app", ""},
		{"GET", "/v1/search", `q=track:+genre:&type=artist`, "app", ""},
		{"GET", "/v1/search", `q=%22%22%22&type=playlist,show,episode,audiobook&limit=50&offset=1000`, "app", ""},
		{"GET", "/v1/search", "q=a&type=", "app", ""},
		{"GET", "/v1/tracks/%zz", "", "app", ""},
		{"GET", "/v1/tracks/0VjIjW4GlUZAMYd2vXMi3b", "market=from_token", "app", ""},
		{"GET", "/v1/recommendations", "seed_artists=,&seed_genres=pop", "app", ""},
		{"GET", "/v1/artists/1Xyo4u8uXC1ZmMpatF05PJ/related-artists", "", "app", ""},
		{"OPTIONS", "/v1/me", "", "", ""},
		{"GET", "/v1//", "", "Bearer", ""},
		{"GET", "/v2/me", "", "Basic x", ""},
		{"GET", "/v1/me", "", "Bearer a=b", ""},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.query, s.auth, s.body)
	}
	b, err := loadBackend()
	if err != nil {
		f.Fatal(err)
	}
	user := b.issue("web", "alice", allScopes...)
	app := b.issue("web", "")
	api := webapi.New(b)
	f.Fuzz(func(t *testing.T, method, path, query, auth, body string) {
		switch auth {
		case "user":
			auth = "Bearer " + user
		case "app":
			auth = "Bearer " + app
		}
		u := &url.URL{Path: path, RawQuery: query}
		if p, err := url.PathUnescape(path); err == nil {
			u = &url.URL{Path: p, RawPath: path, RawQuery: query}
		}
		req := &http.Request{Method: method, URL: u, Host: "127.0.0.1", Header: http.Header{},
			Body: io.NopCloser(strings.NewReader(body))}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s?%s: %d %s", method, path, query, rec.Code, rec.Body)
		}
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s?%s: invalid JSON %q", method, path, query, rec.Body)
		}
	})
}

// FuzzPretty checks the printer on any valid JSON: the output is valid
// JSON with the same content, and strings come through byte for byte.
func FuzzPretty(f *testing.F) {
	for _, s := range []string{
		`{"error":{"status":403,"message":"Insufficient client scope"}}`,
		`{"a":"x: y, {z} [w]","b":[],"c":{},"d":[{"e":1},{"f":[1,2,"\"]"]}]}`,
		`[]`, `"a:b"`, `null`, `[[[]]]`, `{"k":"\\"}`, ` { "a" : [ 1 , 2 ] } `,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if !json.Valid([]byte(in)) {
			return
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, []byte(in)); err != nil {
			t.Skip()
		}
		out := webapi.Pretty(compact.Bytes())
		if !json.Valid(out) {
			t.Fatalf("Pretty(%q) = %q is not JSON", compact.Bytes(), out)
		}
		var again bytes.Buffer
		if err := json.Compact(&again, out); err != nil || again.String() != compact.String() {
			t.Fatalf("Pretty(%q) = %q changes the content", compact.Bytes(), out)
		}
		// Whitespace in the input is not copied.
		if !bytes.Equal(webapi.Pretty([]byte(in)), out) {
			t.Fatalf("Pretty of %q differs from Pretty of its compact form", in)
		}
	})
}
