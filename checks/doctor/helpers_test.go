package doctor_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/doctor"
	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/accounts"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

const callback = "http://127.0.0.1:8888/callback"

// noEnv keeps the test process's own environment (a developer's
// SPOTIFY_* variables) out of the runs.
func noEnv(string) (string, bool) { return "", false }

// scenario is one app on the fake and the doctor's view of it: the
// credentials it is given, the options, a private directory for files.
type scenario struct {
	srv     *fakespotify.Server
	app     config.App
	env     map[string]string
	flags   checks.CredentialFlags
	opts    doctor.Options
	dir     string
	offline bool
	// cachePath is where cache writes (default dir/.cache).
	cachePath string
	// minted are the tokens the scenario obtained for its cache.
	access, refresh string
}

// newScenario clones an app of the built-in config with auto consent as
// alice, so that tokens can be minted without a browser, and configures
// the doctor the way the app's own config would.
func newScenario(srv *fakespotify.Server, from string, o fakespotify.AppOverrides) *scenario {
	if o.Consent == "" {
		o.Consent = config.ConsentAuto
	}
	if o.AutoUser == "" {
		o.AutoUser = "alice"
	}
	app, err := srv.CloneApp(from, o)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { srv.DeleteApp(app.ClientID) })
	return &scenario{
		srv: srv, app: app, dir: GinkgoT().TempDir(),
		env: map[string]string{
			checks.EnvClientID:     app.ClientID,
			checks.EnvClientSecret: app.ClientSecret,
			checks.EnvRedirectURI:  callback,
			checks.EnvScopes:       "user-read-email user-read-private",
		},
		opts: doctor.Options{Flow: doctor.FlowCode},
	}
}

func (s *scenario) credentials() *checks.Credentials {
	creds, err := checks.ResolveCredentials(s.flags, func(k string) (string, bool) {
		v, ok := s.env[k]
		return v, ok
	})
	Expect(err).NotTo(HaveOccurred())
	return creds
}

func (s *scenario) run() (*checks.FindingsResult, error) {
	o := s.opts
	o.Credentials = s.credentials()
	if o.Target == nil && !s.offline {
		t, err := checks.ResolveTarget(context.Background(), s.srv.URL, checks.TargetOptions{Env: noEnv})
		Expect(err).NotTo(HaveOccurred())
		o.Target = t
	}
	return doctor.Run(context.Background(), o)
}

func (s *scenario) mustRun() *checks.FindingsResult {
	res, err := s.run()
	Expect(err).NotTo(HaveOccurred())
	return res
}

func ids(res *checks.FindingsResult) []string {
	out := []string{}
	for _, f := range res.Findings {
		out = append(out, f.ID)
	}
	sort.Strings(out)
	return out
}

// finding returns the one finding with id.
func finding(res *checks.FindingsResult, id string) checks.Finding {
	for _, f := range res.Findings {
		if f.ID == id {
			return f
		}
	}
	Fail("no finding " + id + " among " + strings.Join(ids(res), ", "))
	return checks.Finding{}
}

func outcome(res *checks.FindingsResult, id string) checks.CheckOutcome {
	for _, c := range res.Checks {
		if c.ID == id {
			return c
		}
	}
	Fail("no check " + id)
	return checks.CheckOutcome{}
}

// mint runs the code flow against the fake (auto consent) and returns the
// tokens, as the app would have stored them.
func (s *scenario) mint(scope string) (access, refresh string) {
	redirect := ""
	for _, u := range s.app.RedirectURIs {
		if !accounts.Insecure(u, wire.RedirectSecurity2025) {
			redirect = u
			break
		}
	}
	Expect(redirect).NotTo(BeEmpty(), "the app needs a secure redirect URI to mint tokens")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q := url.Values{"client_id": {s.app.ClientID}, "response_type": {"code"}, "redirect_uri": {redirect}, "scope": {scope}}
	resp, err := noFollow.Get(s.srv.URL + "/authorize?" + q.Encode())
	Expect(err).NotTo(HaveOccurred())
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	Expect(err).NotTo(HaveOccurred())
	code := loc.Query().Get("code")
	Expect(code).NotTo(BeEmpty(), "no code in %s", resp.Header.Get("Location"))
	body := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}}.Encode()
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/api/token", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(s.app.ClientID+":"+s.app.ClientSecret)))
	tr, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer tr.Body.Close()
	Expect(tr.StatusCode).To(Equal(http.StatusOK))
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	Expect(json.NewDecoder(tr.Body).Decode(&tok)).To(Succeed())
	s.access, s.refresh = tok.AccessToken, tok.RefreshToken
	return tok.AccessToken, tok.RefreshToken
}

// cache writes a token cache with minted tokens (scope as granted) and
// points the doctor at it. edit changes fields before writing; a nil
// value removes the field, json.RawMessage("null") writes null.
func (s *scenario) cache(format doctor.CacheFormat, scope string, edit map[string]any) string {
	access, refresh := s.mint(scope)
	now := time.Now()
	var m map[string]any
	switch format {
	case doctor.FormatSpotipy:
		m = map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": 3600, "scope": scope,
			"expires_at": now.Add(time.Hour).Unix(), "refresh_token": refresh}
	case doctor.FormatSpotcheck:
		m = map[string]any{"spotcheck_token_cache": 1, "client_id": s.app.ClientID, "access_token": access, "token_type": "Bearer",
			"scope": scope, "expires_at": now.Add(time.Hour).UTC().Format(time.RFC3339), "refresh_token": refresh,
			"authorized_at": now.Add(-24 * time.Hour).UTC().Format(time.RFC3339)}
	}
	for k, v := range edit {
		if v == nil {
			delete(m, k)
			continue
		}
		m[k] = v
	}
	data, err := json.MarshalIndent(m, "", "  ")
	Expect(err).NotTo(HaveOccurred())
	path := s.cachePath
	if path == "" {
		path = filepath.Join(s.dir, ".cache")
	}
	Expect(os.MkdirAll(filepath.Dir(path), 0o700)).To(Succeed())
	Expect(os.WriteFile(path, data, 0o600)).To(Succeed())
	Expect(os.Chmod(path, 0o600)).To(Succeed())
	s.opts.TokenCache = path
	return path
}

// git runs git in dir with a fixed identity, failing the spec on error.
func git(dir string, args ...string) string {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), "git %v: %s", args, out)
	return string(out)
}

func gitInit(dir string) {
	git(dir, "init", "-q", "-b", "main")
}

// write creates a file under dir (directories included).
func write(dir, rel, content string) string {
	p := filepath.Join(dir, filepath.FromSlash(rel))
	Expect(os.MkdirAll(filepath.Dir(p), 0o755)).To(Succeed())
	Expect(os.WriteFile(p, []byte(content), 0o644)).To(Succeed())
	return p
}

func commitAll(dir, msg string) {
	git(dir, "add", "-A")
	git(dir, "commit", "-q", "-m", msg)
}
