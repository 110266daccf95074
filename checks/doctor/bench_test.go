package doctor_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/doctor"
	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
)

const (
	benchID     = "6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b"
	benchSecret = "9d8c7b6a5f4e3d2c1b0a99887766554f"
)

// BenchmarkDoctorRun is what `spotcheck doctor --target fake` does without
// --full: start the embedded fake, then every check — credentials, client
// authentication, four redirect URIs, scopes, --uses, a token cache
// (refresh and /v1/me), its storage, and a scan of a small repository.
func BenchmarkDoctorRun(b *testing.B) {
	benchDoctor(b, func(env map[string]string) {})
}

// BenchmarkDoctorRunEverythingWrong is the same with a configuration that
// makes the doctor probe the most: wrong spellings of every redirect URI,
// scopes bisected, id and secret swapped.
func BenchmarkDoctorRunEverythingWrong(b *testing.B) {
	benchDoctor(b, func(env map[string]string) {
		env[checks.EnvClientID], env[checks.EnvClientSecret] = benchSecret, benchID
		env[checks.EnvScopes] = "user-read-email,user-read-private openid user-top-raed"
	}, "http://localhost:8888/callback", "http://127.0.0.1:8888/callback/", "https://app.example.com/callback#x", "http://[::1]:8888/Callback")
}

func benchDoctor(b *testing.B, edit func(map[string]string), uris ...string) {
	dir := b.TempDir()
	for _, args := range [][]string{{"init", "-q"}} {
		if _, code, err := runGitBench(dir, args...); err != nil || code != 0 {
			b.Fatalf("git %v: %d %v", args, code, err)
		}
	}
	for i := 0; i < 50; i++ {
		p := filepath.Join(dir, "src", fmt.Sprintf("m%02d.js", i))
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(strings.Repeat("export const x = 1;\n", 40)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	if len(uris) == 0 {
		uris = []string{"http://127.0.0.1:8888/callback", "https://app.example.com/callback", "http://127.0.0.1:9090/loopback", "http://[::1]:8888/callback"}
	}
	cfg := fakespotify.DefaultConfig()
	cfg.Consent = config.ConsentAuto
	cachePath := filepath.Join(dir, ".cache")
	_ = os.WriteFile(filepath.Join(dir, ".gitignore"), []byte(".cache\n"), 0o644)
	for _, args := range [][]string{{"add", "-A"}, {"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "initial"}} {
		if _, code, err := runGitBench(dir, args...); err != nil || code != 0 {
			b.Fatalf("git %v: %d %v", args, code, err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ctx := context.Background()
		target, err := checks.ResolveTarget(ctx, "fake", checks.TargetOptions{FakeConfig: cfg, Env: noEnv})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := mintCache(target.AccountsURL, cachePath); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		env := map[string]string{checks.EnvClientID: benchID, checks.EnvClientSecret: benchSecret,
			checks.EnvScopes: "user-read-email user-read-private user-top-read"}
		edit(env)
		creds, err := checks.ResolveCredentials(checks.CredentialFlags{RedirectURIs: uris}, func(k string) (string, bool) {
			v, ok := env[k]
			return v, ok
		})
		if err != nil {
			b.Fatal(err)
		}
		res, err := doctor.Run(ctx, doctor.Options{Credentials: creds, Target: target, TokenCache: cachePath,
			Uses: []string{"GET /v1/me", "GET /v1/me/top/artists"}, ScanDir: dir, ScanHistory: 5})
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range res.Checks {
			if c.Status == checks.StatusError {
				b.Fatalf("check %s: %s", c.ID, c.Message)
			}
		}
		_ = target.Close()
	}
}

// mintCache gets tokens for the web app from an auto-consent fake and
// writes them as a spotipy cache.
func mintCache(base, path string) error {
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q := url.Values{"client_id": {benchID}, "response_type": {"code"}, "redirect_uri": {callback}, "scope": {"user-read-email user-read-private user-top-read"}}
	resp, err := noFollow.Get(base + "/authorize?" + q.Encode())
	if err != nil {
		return err
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return err
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {callback}}
	req, _ := http.NewRequest(http.MethodPost, base+"/api/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(benchID+":"+benchSecret)))
	tr, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer tr.Body.Close()
	var tok map[string]any
	if err := json.NewDecoder(tr.Body).Decode(&tok); err != nil {
		return err
	}
	tok["expires_at"] = time.Now().Add(time.Hour).Unix()
	data, _ := json.Marshal(tok)
	return os.WriteFile(path, data, 0o600)
}
