package webapi_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/webapi"
)

func TestWebAPI(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "fakespotify/webapi")
}

// fakeBackend is the smallest Backend: the built-in default.yaml, tokens
// issued by the test, one clock with per-app offsets, and policies per app.
type fakeBackend struct {
	mu       sync.Mutex
	cfg      *config.Config
	tokens   map[string]webapi.Token
	now      time.Time
	offsets  map[string]time.Duration
	policies map[string]config.Policies
	n        int
}

var _ webapi.Backend = (*fakeBackend)(nil)

func loadBackend() (*fakeBackend, error) {
	cfg, err := config.Load("../default.yaml")
	if err != nil {
		return nil, err
	}
	return &fakeBackend{cfg: cfg, tokens: map[string]webapi.Token{},
		now:     time.Date(2026, 9, 30, 12, 0, 0, 0, time.UTC),
		offsets: map[string]time.Duration{}, policies: map[string]config.Policies{}}, nil
}

func (f *fakeBackend) AccessToken(tok string) (webapi.Token, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.tokens[tok]
	return t, ok
}

func (f *fakeBackend) App(clientID string) (config.App, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.cfg.App(clientID)
	if !ok {
		return config.App{}, false
	}
	return *a, true
}

func (f *fakeBackend) User(id string) (config.User, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.cfg.User(id)
	if !ok {
		return config.User{}, false
	}
	return *u, true
}

func (f *fakeBackend) Users() []config.User {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]config.User(nil), f.cfg.Users...)
}

func (f *fakeBackend) Catalog() *config.Catalog { return &f.cfg.Catalog }

func (f *fakeBackend) Now(clientID string) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now.Add(f.offsets[clientID])
}

func (f *fakeBackend) Policies(clientID string) config.Policies {
	f.mu.Lock()
	defer f.mu.Unlock()
	base := f.policies[""].Merge(f.cfg.Policies)
	if clientID == "" {
		return base
	}
	return f.policies[clientID].Merge(base)
}

// clientID returns the client id of the app named name.
func (f *fakeBackend) clientID(name string) string {
	a, ok := f.cfg.AppNamed(name)
	if !ok {
		panic("no app named " + name)
	}
	return a.ClientID
}

// issue makes a token for app (by name) and user ("" for app-only),
// valid for an hour on the app's clock.
func (f *fakeBackend) issue(app, user string, scopes ...string) string {
	id := f.clientID(app)
	exp := f.Now(id).Add(time.Hour)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	tok := "BQ" + strconv.Itoa(f.n) + strings.Repeat("x", 20)
	f.tokens[tok] = webapi.Token{ClientID: id, UserID: user, Scopes: scopes, Expires: exp}
	return tok
}

func (f *fakeBackend) revoke(tok string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.tokens[tok]
	t.Revoked = true
	f.tokens[tok] = t
}

func (f *fakeBackend) advance(clientID string, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.offsets[clientID] += d
}

func (f *fakeBackend) setPolicy(clientID string, p config.Policies) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.policies[clientID] = p
}

func (f *fakeBackend) addApp(a config.App) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cfg.Apps = append(f.cfg.Apps, a)
}

// allScopes is every scope of wire reference §6 that the Web API subset reads.
var allScopes = []string{
	"user-read-email", "user-read-private", "playlist-read-private", "playlist-read-collaborative",
	"playlist-modify-public", "playlist-modify-private", "user-top-read", "user-read-recently-played",
	"user-library-read", "user-library-modify", "user-follow-read", "user-follow-modify",
	"user-read-playback-state", "user-modify-playback-state", "user-read-currently-playing",
}

func without(drop ...string) []string {
	var out []string
	for _, s := range allScopes {
		keep := true
		for _, d := range drop {
			keep = keep && s != d
		}
		if keep {
			out = append(out, s)
		}
	}
	return out
}

// Catalog ids of default.yaml.
const (
	blindingLights = "0VjIjW4GlUZAMYd2vXMi3b"
	shapeOfYou     = "7qiZfU4dY1lWllzX7mPBI3"
	mrBrightside   = "3n3Ppam7vgaVa1iaRUc9Lp"
	levels         = "4uLU6hMCjMI75M1A2tKUQC"
	timeOfOurLives = "2takcwOaAZWiXQijPHIx7B"
	theWeeknd      = "1Xyo4u8uXC1ZmMpatF05PJ"
	avicii         = "1vCWHaC5f2uS3yhpwWbIA6"
	afterHours     = "hj1lPXM0ZwHn1nG9RcRn1z" // the album id derived from After Hours
)

// Users' things in default.yaml.
const (
	aliceLaptop  = "5fbb3ba6aa454b5534c4ba43a8c7e8e45a63ad0e"
	aliceSpeaker = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
	bobPhone     = "0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e"
	alicePublic  = "37i9alicepub0000000001"
	alicePrivate = "37i9alicepriv000000002"
	aliceCollab  = "37i9alicecollab0000003"
	bobPublic    = "37i9bobpublic000000001"
)

type response struct {
	Status int
	Header http.Header
	Body   string
}

// env is one API behind an httptest server, fresh for every spec.
type env struct {
	b   *fakeBackend
	srv *httptest.Server
}

func newEnv() *env {
	b, err := loadBackend()
	Expect(err).NotTo(HaveOccurred())
	srv := httptest.NewServer(webapi.New(b))
	DeferCleanup(srv.Close)
	return &env{b: b, srv: srv}
}

// do sends a request; auth is the whole Authorization header ("" for none).
func (e *env) do(method, path, auth, body string) response {
	GinkgoHelper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	Expect(err).NotTo(HaveOccurred())
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := e.srv.Client().Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	Expect(err).NotTo(HaveOccurred())
	return response{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

func (e *env) get(path, token string) response {
	GinkgoHelper()
	return e.do("GET", path, "Bearer "+token, "")
}

// errorJSON is Spotify's pretty-printed error object, written out by hand
// so that the printer is checked against it rather than against itself.
func errorJSON(status int, message string) string {
	return fmt.Sprintf("{\n  \"error\" : {\n    \"status\" : %d,\n    \"message\" : \"%s\"\n  }\n}", status, message)
}
