package fakespotify_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
)

func TestFakespotify(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "fakespotify")
}

// The built-in config's apps, as tests refer to them.
const (
	webID     = "6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b"
	webSecret = "9d8c7b6a5f4e3d2c1b0a99887766554f"
	otherID   = "0a1b2c3d4e5f40718293a4b5c6d7e8f9"
	webRedir  = "http://127.0.0.1:8888/callback"
	verifier  = "verifier-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"
)

// challenge is S256(verifier), computed independently of the fake.
var challenge = func() string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}()

// testClock is a manual clock: tests move time, never sleep.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// harness is a fake on loopback and a client that never follows redirects.
type harness struct {
	srv   *fakespotify.Server
	clock *testClock
	c     *http.Client
}

func newHarness(mutate ...func(*config.Config)) *harness {
	cfg := fakespotify.DefaultConfig()
	for _, m := range mutate {
		m(cfg)
	}
	clk := &testClock{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	srv, err := fakespotify.Start(cfg, fakespotify.WithClock(clk.Now))
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	return &harness{srv: srv, clock: clk, c: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// autoApp clones an app with auto consent as alice (or the given user).
func (h *harness) autoApp(from string, o ...fakespotify.AppOverrides) config.App {
	ov := fakespotify.AppOverrides{}
	if len(o) > 0 {
		ov = o[0]
	}
	ov.Consent = config.ConsentAuto
	if ov.AutoUser == "" {
		ov.AutoUser = "alice"
	}
	a, err := h.srv.CloneApp(from, ov)
	Expect(err).NotTo(HaveOccurred())
	return a
}

type reply struct {
	status int
	header http.Header
	body   string
}

func (r reply) json() map[string]any {
	var m map[string]any
	ExpectWithOffset(1, json.Unmarshal([]byte(r.body), &m)).To(Succeed(), r.body)
	return m
}

func (h *harness) do(req *http.Request) reply {
	resp, err := h.c.Do(req)
	ExpectWithOffset(2, err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, string(b)}
}

func (h *harness) get(path string) reply {
	req, err := http.NewRequest(http.MethodGet, h.srv.URL+path, nil)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	return h.do(req)
}

func (h *harness) authorize(q url.Values) reply { return h.get("/authorize?" + q.Encode()) }

// authQuery is a valid code request for an app, to be modified per test.
func authQuery(a config.App, redirect string) url.Values {
	return url.Values{"client_id": {a.ClientID}, "response_type": {"code"}, "redirect_uri": {redirect}, "state": {"xyz"}, "scope": {"user-read-private user-read-email"}}
}

// code gets a fresh code through auto consent.
func (h *harness) code(q url.Values) string {
	r := h.authorize(q)
	ExpectWithOffset(1, r.status).To(Equal(http.StatusFound), r.body)
	loc, err := url.Parse(r.header.Get("Location"))
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	c := loc.Query().Get("code")
	ExpectWithOffset(1, c).To(HavePrefix("AQ"), r.header.Get("Location"))
	return c
}

// token posts a form to /api/token, with Basic credentials when id != "".
func (h *harness) token(form url.Values, id, secret string) reply {
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/api/token", strings.NewReader(form.Encode()))
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(id+":"+secret)))
	}
	return h.do(req)
}

func (h *harness) tokenRaw(contentType, body string, header map[string]string) reply {
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/api/token", strings.NewReader(body))
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return h.do(req)
}

func (h *harness) api(method, path, token string) reply {
	req, err := http.NewRequest(method, h.srv.URL+path, nil)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return h.do(req)
}

func exchangeForm(code, redirect string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}}
}

// fakespotifyOverrides clones with page consent (the default).
func fakespotifyOverrides() fakespotify.AppOverrides { return fakespotify.AppOverrides{} }

func fakespotifyFault(path string, n int) fakespotify.Fault {
	return fakespotify.Fault{Path: path, Count: n, Status: http.StatusServiceUnavailable}
}

// basicAuth is the Authorization header value for an app's credentials.
func basicAuth(app config.App) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(app.ClientID+":"+app.ClientSecret))
}
