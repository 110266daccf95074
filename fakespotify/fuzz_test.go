package fakespotify_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/spotcheck/spotcheck/fakespotify"
)

func fuzzFake(t testing.TB) *fakespotify.Fake {
	f, err := fakespotify.New(fakespotify.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// FuzzTokenForm: whatever a client posts to /api/token, the fake answers
// with a 2xx/4xx and never panics or fails with a 5xx.
func FuzzTokenForm(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", "grant_type=authorization_code&code=AQx&redirect_uri=http%3A%2F%2F127.0.0.1%3A8888%2Fcallback", "Basic NmYwZTJiMWM5YThkNGU3ZjhhMWIyYzNkNGU1ZjZhN2I6OWQ4YzdiNmE1ZjRlM2QyYzFiMGE5OTg4Nzc2NjU1NGY=")
	f.Add("application/x-www-form-urlencoded", "grant_type=client_credentials", "Basic "+strings.Repeat("=", 10))
	f.Add("application/json", `{"grant_type":"client_credentials"}`, "")
	f.Add("application/x-www-form-urlencoded; charset=UTF-8", "grant_type=refresh_token&refresh_token=%ZZ&client_id=6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b", "")
	f.Add("multipart/form-data; boundary=x", "--x\r\n", "Bearer abc")
	f.Add("application/x-www-form-urlencoded", "grant_type=authorization_code&code=&code_verifier=&client_id=6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b&&&=", "Basic Og==")
	fake := fuzzFake(f)
	f.Fuzz(func(t *testing.T, contentType, body, authorization string) {
		req := httptest.NewRequest(http.MethodPost, "/api/token", strings.NewReader(body))
		if contentType != "" {
			req.Header["Content-Type"] = []string{contentType}
		}
		if authorization != "" {
			req.Header["Authorization"] = []string{authorization}
		}
		rec := httptest.NewRecorder()
		fake.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q %q %q: %s", rec.Code, contentType, body, authorization, rec.Body)
		}
	})
}

// FuzzAuthorizeQuery: any query on /authorize gets a page or a redirect,
// never a panic or a 5xx.
func FuzzAuthorizeQuery(f *testing.F) {
	f.Add("client_id=6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A8888%2Fcallback&scope=user-read-email&state=s")
	f.Add("client_id=6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b&response_type=token&redirect_uri=http%3A%2F%2F127.0.0.1%3A51234%2Floopback")
	f.Add("client_id=6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b&response_type=code&redirect_uri=http%3A%2F%2F%5B%3A%3A1%5D%3A%2Fcallback&code_challenge_method=S256&code_challenge=")
	f.Add("client_id=%&redirect_uri=%zz")
	f.Add("client_id=6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b&redirect_uri=http://127.0.0.1:99999999/loopback&response_type=code&show_dialog=TRUE")
	fake := fuzzFake(f)
	f.Fuzz(func(t *testing.T, rawQuery string) {
		req := httptest.NewRequest(http.MethodGet, "/authorize", nil)
		req.URL.RawQuery = rawQuery
		rec := httptest.NewRecorder()
		fake.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, rawQuery, rec.Body)
		}
		if rec.Code == http.StatusFound && rec.Header().Get("Location") == "" {
			t.Fatalf("redirect without Location for %q", rawQuery)
		}
	})
}

// FuzzControl: whatever a client sends to the control API from loopback,
// the fake answers without a panic or a 5xx, and a clone it accepts is one
// it can serve (issue 11 item 9: {"from":"web","client_id":"a"} panicked).
func FuzzControl(f *testing.F) {
	f.Add("POST", "apps", `{"from":"web","client_id":"a"}`)
	f.Add("POST", "apps", `{"from":"web","name":"x","client_id":"6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7c","client_secret":"12345678","redirect_uris":["a:b"]}`)
	f.Add("POST", "apps", `{"from":"other","consent":"auto","auto_user":"bob","created":"2024-13-01"}`)
	f.Add("DELETE", "apps/6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b", "")
	f.Add("POST", "clock", `{"advance":"2562047h","client_id":""}`)
	f.Add("POST", "inject", `{"path":"*","count":-1,"status":599,"headers":{"":""}}`)
	f.Add("POST", "policy", `{"client_id":"web","policies":{"refresh":"pkce-rotate"}}`)
	f.Add("POST", "revoke", `{"user":"alice"}`)
	f.Add("GET", "grade?skip=,&late_exchange=1ns", "")
	f.Add("POST", "grade?client_id=%zz", "")
	f.Add("DELETE", "requests?client_id=*", "")
	f.Fuzz(func(t *testing.T, method, path, body string) {
		fake := fuzzFake(t)
		req, err := http.NewRequest(method, "http://127.0.0.1"+fakespotify.ControlPrefix+path, strings.NewReader(body))
		if err != nil {
			return // no such request can be sent
		}
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		fake.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %s %q %q: %s", rec.Code, method, path, body, rec.Body)
		}
		if method == http.MethodPost && strings.HasPrefix(path, "apps") && rec.Code == http.StatusCreated {
			var app fakespotify.AppInfo
			if err := json.Unmarshal(rec.Body.Bytes(), &app); err != nil {
				t.Fatalf("created, but the answer is no app: %v", err)
			}
			if _, ok := fake.App(app.ClientID); !ok || len(app.ClientID) != 32 || app.Name == "" || len(app.RedirectURIs) == 0 {
				t.Fatalf("created an app that cannot work: %+v", app)
			}
		}
	})
}
