package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/spotcheck/spotcheck/reports/reportstest"
)

// The fake's built-in apps and users (fakespotify/default.yaml).
const (
	docWebID     = "6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b"
	docWebSecret = "9d8c7b6a5f4e3d2c1b0a99887766554f"
	docDevID     = "3c2b1a09f8e7d6c5b4a3928170f6e5d4"
	docDevSecret = "4d5e6f708192a3b4c5d6e7f8091a2b3c"
	docCallback  = "http://127.0.0.1:8888/callback"
)

// doctorEnv is a clean environment for a doctor run: the developer's own
// SPOTIFY_*, SPOTIPY_* and SPOTCHECK_* variables stay out, and so does
// DISABLE_ROD_FLAG, as in a user's shell.
func doctorEnv(extra map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "SPOTIFY_") || strings.HasPrefix(k, "SPOTIPY_") || strings.HasPrefix(k, "SPOTCHECK_") ||
			k == "DISABLE_ROD_FLAG" || k == "GITHUB_ACTIONS" {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

// runDoctorBin runs `spotcheck doctor` in dir (not a git work tree unless the
// spec makes it one, so nothing is scanned by default).
func runDoctorBin(dir string, env map[string]string, args ...string) (stdout, stderr string, code int) {
	cmd := exec.Command(binary, append([]string{"doctor"}, args...)...)
	cmd.Dir, cmd.Env = dir, doctorEnv(env)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), ee.ExitCode()
	}
	Expect(err).NotTo(HaveOccurred())
	return out.String(), errb.String(), 0
}

func webEnv() map[string]string {
	return map[string]string{"SPOTIFY_CLIENT_ID": docWebID, "SPOTIFY_CLIENT_SECRET": docWebSecret, "SPOTIFY_REDIRECT_URI": docCallback,
		"SPOTIFY_SCOPES": "user-read-email user-read-private"}
}

// doctorJSON is the part of the JSON report the specs read.
type doctorJSON struct {
	Kind   string `json:"kind"`
	Target struct {
		Name        string `json:"name"`
		AccountsURL string `json:"accounts_url"`
	} `json:"target"`
	Checks []struct {
		ID, Status, Message string
	} `json:"checks"`
	Findings []struct {
		ID       string   `json:"id"`
		Severity string   `json:"severity"`
		Evidence []string `json:"evidence"`
	} `json:"findings"`
}

func parseDoctor(stdout string) doctorJSON {
	var d doctorJSON
	Expect(json.Unmarshal([]byte(stdout), &d)).To(Succeed(), stdout)
	return d
}

func findingIDs(d doctorJSON) []string {
	out := []string{}
	for _, f := range d.Findings {
		out = append(out, f.ID)
	}
	sort.Strings(out)
	return out
}

// mintCache runs the code flow on a running auto-consent fake and writes
// the tokens as spotipy's .cache.
func mintCache(base, id, secret, scope, path string) (access, refresh string) {
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(base + "/authorize?" + url.Values{"client_id": {id}, "response_type": {"code"}, "redirect_uri": {docCallback}, "scope": {scope}}.Encode())
	Expect(err).NotTo(HaveOccurred())
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	code := loc.Query().Get("code")
	Expect(code).NotTo(BeEmpty())
	req, _ := http.NewRequest(http.MethodPost, base+"/api/token", strings.NewReader(url.Values{"grant_type": {"authorization_code"},
		"code": {code}, "redirect_uri": {docCallback}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(id+":"+secret)))
	tr, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer tr.Body.Close()
	var tok map[string]any
	Expect(json.NewDecoder(tr.Body).Decode(&tok)).To(Succeed())
	tok["expires_at"] = time.Now().Add(-time.Minute).Unix() // expired: the doctor refreshes
	data, _ := json.Marshal(tok)
	Expect(os.WriteFile(path, data, 0o600)).To(Succeed())
	return tok["access_token"].(string), tok["refresh_token"].(string)
}

func closedAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func gitIn(dir string, args ...string) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), "git %v: %s", args, out)
}

var _ = Describe("spotcheck doctor", func() {
	var dir string
	BeforeEach(func() { dir = GinkgoT().TempDir() })

	It("passes a correctly configured app on the embedded fake, exit 0, listing every check", func() {
		stdout, stderr, code := runDoctorBin(dir, webEnv(), "--target", "fake")
		Expect(code).To(Equal(exitOK), stderr)
		Expect(stdout).To(ContainSubstring("doctor of client id " + docWebID))
		Expect(stdout).To(ContainSubstring("No findings."))
		Expect(stdout).To(MatchRegexp(`Ran \d+ checks`))
		Expect(stderr).To(BeEmpty())
	})

	It("exits 1 on an error finding and names it, in text and in JSON", func() {
		env := webEnv()
		env["SPOTIFY_CLIENT_SECRET"] = "00000000000000000000000000000abc"
		stdout, _, code := runDoctorBin(dir, env, "--target", "fake")
		Expect(code).To(Equal(exitFailed))
		Expect(stdout).To(ContainSubstring("client-secret-invalid — The client secret is wrong for this client id"))
		stdout, _, code = runDoctorBin(dir, env, "--target", "fake", "--format", "json")
		Expect(code).To(Equal(exitFailed))
		d := parseDoctor(stdout)
		Expect(d.Kind).To(Equal("doctor"))
		Expect(findingIDs(d)).To(Equal([]string{"client-secret-invalid"}))
	})

	It("exits 0 with warnings only", func() {
		env := webEnv()
		env["SPOTIFY_REDIRECT_URI"] = "com.example.app:/callback"
		stdout, _, code := runDoctorBin(dir, env, "--target", "fake", "--offline", "--format", "json")
		Expect(code).To(Equal(exitOK))
		Expect(findingIDs(parseDoctor(stdout))).To(Equal([]string{"redirect-uri-custom-scheme"}))
	})

	It("accepts --client-secret but warns that it lands in shell history", func() {
		env := webEnv()
		delete(env, "SPOTIFY_CLIENT_SECRET")
		stdout, stderr, code := runDoctorBin(dir, env, "--target", "fake", "--client-secret", docWebSecret)
		Expect(code).To(Equal(exitOK), stdout)
		Expect(stderr).To(ContainSubstring("lands in shell history"))
		Expect(stderr).To(ContainSubstring("--client-secret-file"))
		Expect(stdout + stderr).NotTo(ContainSubstring(docWebSecret))
	})

	It("warns as a plain line, not a JSON log line, when stderr is not a terminal", func() {
		env := webEnv()
		delete(env, "SPOTIFY_CLIENT_SECRET")
		_, stderr, _ := runDoctorBin(dir, env, "--target", "fake", "--client-secret", docWebSecret)
		Expect(stderr).To(HavePrefix("spotcheck: warning: the client secret was given with --client-secret and lands in shell history"))
		Expect(stderr).NotTo(ContainSubstring(`"level"`))
	})

	Context("with a .env file", func() {
		spotipyEnv := "# spotipy reads these\nSPOTIPY_CLIENT_ID=" + docWebID + "\nSPOTIPY_CLIENT_SECRET=" + docWebSecret + "\nSPOTIPY_REDIRECT_URI=" + docCallback + "\n"

		It("reads ./.env after the environment and says where the client id came from", func() {
			Expect(os.WriteFile(filepath.Join(dir, ".env"), []byte(spotipyEnv), 0o600)).To(Succeed())
			stdout, stderr, code := runDoctorBin(dir, map[string]string{"SPOTIFY_SCOPES": "user-read-email"}, "--target", "fake")
			Expect(code).To(Equal(exitOK), stdout+stderr)
			Expect(stdout).To(ContainSubstring("doctor of client id " + docWebID + " (SPOTIPY_CLIENT_ID from .env line 2)"))
			Expect(stdout).NotTo(ContainSubstring("client-id-missing"))
			Expect(stdout + stderr).NotTo(ContainSubstring(docWebSecret))
		})

		It("reads --env-file instead of ./.env, and exits 2 naming one it cannot read", func() {
			Expect(os.WriteFile(filepath.Join(dir, ".env"), []byte("SPOTIPY_CLIENT_ID=00000000000000000000000000000000\n"), 0o600)).To(Succeed())
			Expect(os.WriteFile(filepath.Join(dir, "app.env"), []byte(spotipyEnv), 0o600)).To(Succeed())
			stdout, stderr, code := runDoctorBin(dir, nil, "--target", "fake", "--env-file", "app.env")
			Expect(code).To(Equal(exitOK), stdout+stderr)
			Expect(stdout).To(ContainSubstring("(SPOTIPY_CLIENT_ID from app.env line 2)"))

			_, stderr, code = runDoctorBin(dir, nil, "--offline", "--env-file", "missing.env")
			Expect(code).To(Equal(exitUsage))
			Expect(stderr).To(Equal("spotcheck: --env-file missing.env: no such file or directory\n"))
		})

		It("names a line it cannot parse as file:line in one plain warning and goes on", func() {
			Expect(os.WriteFile(filepath.Join(dir, ".env"), []byte(spotipyEnv+"this is not a pair\n"), 0o600)).To(Succeed())
			_, stderr, code := runDoctorBin(dir, nil, "--target", "fake")
			Expect(code).To(Equal(exitOK))
			Expect(stderr).To(Equal("spotcheck: warning: .env:5: python-dotenv cannot parse this line and skips it (Node's dotenv skips it too, or reads it differently); want NAME=value, with quotes closed\n"))
		})
	})

	It("reads the secret from --client-secret-file, and names an unreadable one (exit 2)", func() {
		env := webEnv()
		delete(env, "SPOTIFY_CLIENT_SECRET")
		path := filepath.Join(dir, "secret.txt")
		Expect(os.WriteFile(path, []byte(docWebSecret+"\n"), 0o600)).To(Succeed())
		_, stderr, code := runDoctorBin(dir, env, "--target", "fake", "--client-secret-file", path)
		Expect(code).To(Equal(exitOK), stderr)
		_, stderr, code = runDoctorBin(dir, env, "--target", "fake", "--client-secret-file", path+".missing")
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).To(ContainSubstring("--client-secret-file " + path + ".missing"))
	})

	It("rejects a malformed token cache with file:line:col, exit 2, before any request", func() {
		path := filepath.Join(dir, ".cache")
		Expect(os.WriteFile(path, []byte("{\"access_token\": \"BQsecretsecretsecret\",\n \"expires_at\": }"), 0o600)).To(Succeed())
		_, stderr, code := runDoctorBin(dir, webEnv(), "--target", "fake", "--token-cache", path)
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).To(Equal("spotcheck: " + path + ":2:16: not valid JSON: invalid character '}' looking for beginning of value\n"))
	})

	DescribeTable("rejects bad usage with exit 2",
		func(want string, args ...string) {
			_, stderr, code := runDoctorBin(dir, webEnv(), args...)
			Expect(code).To(Equal(exitUsage))
			Expect(stderr).To(ContainSubstring(want))
		},
		Entry("an unknown flow", `--flow "magic": want code, pkce or client-credentials`, "--flow", "magic"),
		Entry("negative history", "--scan-history -1: want 0 or more commits", "--scan-history", "-1"),
		Entry("--scan and --no-scan", "--scan and --no-scan contradict each other", "--scan", ".", "--no-scan"),
		Entry("--full offline", "--full needs the network", "--full", "--offline"),
		Entry("a bad --uses", `"FETCH" is not an HTTP method`, "--offline", "--uses", "FETCH /v1/me"),
		Entry("a bad target", `--target "ftp://x": want fake, spotify or the URL of a running fake`, "--target", "ftp://x"),
		Entry("a --scan that is no directory", "--scan nowhere: not a directory", "--offline", "--scan", "nowhere"),
		Entry("an authorize URL that is not one", "--authorize-url: not an absolute URL", "--offline", "--authorize-url", "::"),
	)

	It("says --no-scan in the skip reason, and offline instead of an unknown target", func() {
		gitIn(dir, "init", "-q")
		stdout, stderr, code := runDoctorBin(dir, webEnv(), "--offline", "--no-scan", "-v")
		Expect(code).To(Equal(exitOK), stderr)
		Expect(stdout).To(ContainSubstring("SKIP   secret-scan — --no-scan\n"))
		Expect(stdout).To(ContainSubstring("SKIP   secret-history — --no-scan\n"))
		Expect(stdout).NotTo(ContainSubstring("not a git work tree"))
		Expect(stdout).To(HavePrefix("spotcheck " + spotcheckVersion() + " · doctor of client id " + docWebID + " (env SPOTIFY_CLIENT_ID), offline (no request was sent)\n"))
		Expect(stdout).NotTo(ContainSubstring("unknown target"))
	})

	It("folds skipped checks into one count line, and lists them with -v", func() {
		stdout, _, _ := runDoctorBin(dir, webEnv(), "--offline")
		Expect(stdout).To(MatchRegexp(`(?m)^SKIP   \d+ checks \(--verbose lists each with the reason\)$`))
		Expect(stdout).NotTo(ContainSubstring("no --token-cache given"))
		stdout, _, _ = runDoctorBin(dir, webEnv(), "--offline", "--verbose")
		Expect(strings.Count(stdout, "no --token-cache given")).To(BeNumerically(">", 3))
	})

	Describe("an unreachable target: exit 3 with the cause", func() {
		It("when a fake's URL has nothing listening", func() {
			addr := closedAddr()
			_, stderr, code := runDoctorBin(dir, webEnv(), "--target", "http://"+addr)
			Expect(code).To(Equal(exitUnreachable))
			Expect(stderr).To(Equal("spotcheck: no fake answers at --target http://" + addr + " (tried GET http://" + addr + "/_spotcheck/health: the connection was refused: nothing listens there); " +
				"start one there with `spotcheck fake --addr " + addr + "`, correct the URL, or use --target fake for the embedded fake\n"))
		})

		It("when Spotify's accounts service (overridden) has nothing listening", func() {
			addr := closedAddr()
			env := webEnv()
			env["SPOTIFY_ACCOUNTS_URL"], env["SPOTIFY_API_URL"] = "http://"+addr, "http://"+addr+"/v1"
			_, stderr, code := runDoctorBin(dir, env)
			Expect(code).To(Equal(exitUnreachable))
			Expect(stderr).To(Equal("spotcheck: the accounts service at http://" + addr + " cannot be reached (refused): dial tcp " + addr + ": connect: connection refused" +
				" — nothing listens there: check --target, --accounts-url / --api-url and $SPOTIFY_ACCOUNTS_URL / $SPOTIFY_API_URL, or start the fake they name\n"))
		})

		It("when the certificate cannot be verified (TLS)", func() {
			ts := httptest.NewTLSServer(http.NotFoundHandler())
			DeferCleanup(ts.Close)
			env := webEnv()
			env["SPOTIFY_ACCOUNTS_URL"], env["SPOTIFY_API_URL"] = ts.URL, ts.URL+"/v1"
			_, stderr, code := runDoctorBin(dir, env, "--target", "spotify")
			Expect(code).To(Equal(exitUnreachable))
			Expect(stderr).To(ContainSubstring("cannot be reached (tls)"))
			Expect(stderr).To(ContainSubstring("certificate"))
		})
	})

	It("runs the spotify target's code path against a fake without control endpoints", func() {
		s := startBinary("fake", "--addr", "127.0.0.1:0", "--no-control")
		base := fakeURL(s)
		env := webEnv()
		env["SPOTIFY_ACCOUNTS_URL"], env["SPOTIFY_API_URL"] = base, base+"/v1"
		stdout, stderr, code := runDoctorBin(dir, env, "--format", "json")
		Expect(code).To(Equal(exitOK), stderr)
		d := parseDoctor(stdout)
		Expect(d.Target.Name).To(Equal("spotify"))
		Expect(d.Target.AccountsURL).To(Equal(base))
		Expect(findingIDs(d)).To(BeEmpty())
		passed := map[string]string{}
		for _, c := range d.Checks {
			passed[c.ID] = c.Status
		}
		Expect(passed).To(HaveKeyWithValue("client-authentication", "pass"))
		Expect(passed).To(HaveKeyWithValue("redirect-uri-registered", "pass"))
		Expect(passed).To(HaveKeyWithValue("scope-accepted", "pass"))
		Eventually(s.Err).Should(gbytes.Say(`"path":"/api/token"`))
	})

	It("checks a token cache against a running fake: a development-mode app's /v1/me lacks fields", func() {
		s := startBinary("fake", "--addr", "127.0.0.1:0", "--consent", "auto")
		base := fakeURL(s)
		// The dev app allowlists alice, the fake's auto-consent user: the
		// API answers, but development mode hides fields since 2026.
		env := map[string]string{"SPOTIFY_CLIENT_ID": docDevID, "SPOTIFY_CLIENT_SECRET": docDevSecret, "SPOTIFY_REDIRECT_URI": docCallback,
			"SPOTIFY_SCOPES": "user-read-email user-read-private"}
		cache := filepath.Join(dir, ".cache")
		mintCache(base, docDevID, docDevSecret, "user-read-email user-read-private", cache)
		stdout, stderr, code := runDoctorBin(dir, env, "--target", base, "--token-cache", cache, "--format", "json")
		Expect(code).To(Equal(exitOK), stderr)
		Expect(findingIDs(parseDoctor(stdout))).To(Equal([]string{"access-token-expired", "me-fields-removed-dev-mode"}))
	})

	It("scans the current directory by default when it is a git work tree, and not with --no-scan", func() {
		gitIn(dir, "init", "-q")
		Expect(os.MkdirAll(filepath.Join(dir, "web"), 0o755)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(dir, "web", "auth.js"), []byte("const secret = '"+docWebSecret+"'\n"), 0o644)).To(Succeed())
		gitIn(dir, "add", "-A")
		gitIn(dir, "commit", "-q", "-m", "x")
		stdout, _, code := runDoctorBin(dir, webEnv(), "--offline", "--format", "json")
		Expect(code).To(Equal(exitFailed))
		d := parseDoctor(stdout)
		Expect(findingIDs(d)).To(Equal([]string{"secret-in-client-code"}))
		Expect(d.Findings[0].Evidence[0]).To(HavePrefix("web/auth.js:1: the client secret [redacted 32ch #"))
		Expect(stdout).NotTo(ContainSubstring(docWebSecret))
		stdout, _, code = runDoctorBin(dir, webEnv(), "--offline", "--no-scan", "--format", "json")
		Expect(code).To(Equal(exitOK))
		Expect(findingIDs(parseDoctor(stdout))).To(BeEmpty())
	})

	It("counts the files the scan skipped, and lists them with --verbose", func() {
		gitIn(dir, "init", "-q")
		Expect(os.WriteFile(filepath.Join(dir, "logo.png"), []byte("\x89PNG\x00"), 0o644)).To(Succeed())
		Expect(os.Symlink("/etc/hostname", filepath.Join(dir, "host"))).To(Succeed())
		gitIn(dir, "add", "-A")
		gitIn(dir, "commit", "-q", "-m", "x")
		stdout, _, code := runDoctorBin(dir, webEnv(), "--offline")
		Expect(code).To(Equal(exitOK))
		Expect(stdout).To(ContainSubstring("NOTE   secret-scan — 0 tracked and not-ignored files scanned in .; 2 skipped (1 binary, 1 symbolic link out of the tree) (--verbose lists them)\n"))
		Expect(stdout).NotTo(ContainSubstring("logo.png"))
		stdout, _, code = runDoctorBin(dir, webEnv(), "--offline", "-v")
		Expect(code).To(Equal(exitOK))
		Expect(stdout).To(ContainSubstring("\n         host: skipped: a symbolic link out of the scanned tree (not followed)\n         logo.png: skipped: binary (a NUL byte in its first 8000 bytes)\n"))
	})

	It("writes every report format, JUnit listing the passing checks too", func() {
		env := webEnv()
		env["SPOTIFY_SCOPES"] = "user-read-email openid"
		junit := filepath.Join(dir, "out", "doctor.xml")
		_, stderr, code := runDoctorBin(dir, env, "--target", "fake", "--report", "junit="+junit, "--report", "html="+filepath.Join(dir, "out", "doctor.html"))
		Expect(code).To(Equal(exitFailed), stderr)
		xml, err := os.ReadFile(junit)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(xml)).To(ContainSubstring(`name="client-authentication"`))
		Expect(string(xml)).To(ContainSubstring(`scope-openid: An OpenID Connect scope is requested`))
		out, err := exec.Command("xmllint", "--noout", junit).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
	})

	It("never prints a secret or token: stdout, debug logs and every report format", func() {
		s := startBinary("fake", "--addr", "127.0.0.1:0", "--consent", "auto")
		base := fakeURL(s)
		cache := filepath.Join(dir, ".cache")
		access, refresh := mintCache(base, docWebID, docWebSecret, "user-read-email", cache)
		// Problems everywhere, so every kind of evidence is rendered: the
		// secret on the command line, quoted in the environment, the
		// cache refreshed, the secret committed.
		env := webEnv()
		env["SPOTIPY_CLIENT_SECRET"] = `"` + docWebSecret + `"`
		env["SPOTCHECK_TEST_PASSWORD"] = "alice-password"
		gitIn(dir, "init", "-q")
		Expect(os.WriteFile(filepath.Join(dir, "app.js"), []byte("const s = '"+docWebSecret+"';\n"), 0o644)).To(Succeed())
		gitIn(dir, "add", "app.js")
		gitIn(dir, "commit", "-q", "-m", "x")
		outputs := map[string][]byte{}
		args := []string{"--target", base, "--log-level", "debug", "--client-secret", docWebSecret, "--token-cache", cache,
			"--scopes", "user-read-email user-top-read", "--scan-history", "3", "--code-verifier", strings.Repeat("v", 50), "--code-challenge", "x="}
		for _, f := range []string{"json", "junit", "markdown", "html", "text"} {
			args = append(args, "--report", f+"="+filepath.Join(dir, "report."+f))
		}
		stdout, stderr, code := runDoctorBin(dir, env, append(args, "--format", "json")...)
		Expect(code).To(Equal(exitFailed))
		outputs["stdout"], outputs["stderr"] = []byte(stdout), []byte(stderr)
		for _, f := range []string{"json", "junit", "markdown", "html", "text"} {
			data, err := os.ReadFile(filepath.Join(dir, "report."+f))
			Expect(err).NotTo(HaveOccurred())
			outputs["report."+f] = data
		}
		Expect(stderr).To(ContainSubstring(`"message":"doctor exchange"`), "debug logs were written")
		Expect(findingIDs(parseDoctor(stdout))).To(ContainElements("secret-in-client-code", "access-token-expired", "cached-scope-narrower", "pkce-challenge-mismatch"))
		Expect(reportstest.AssertNoSecrets(outputs, docWebSecret, reportstest.BasicPair(docWebID, docWebSecret), access, refresh,
			"alice-password", strings.Repeat("v", 50))).To(Succeed())
	})

	It("runs --full through Chromium on the embedded fake as its default user", func() {
		stdout, stderr, code := runDoctorBin(dir, webEnv(), "--target", "fake", "--full", "--format", "json")
		Expect(code).To(Equal(exitOK), stderr)
		for _, c := range parseDoctor(stdout).Checks {
			if c.ID == "full-flow" {
				Expect(c.Status).To(Equal("pass"))
				Expect(c.Message).To(ContainSubstring("alice logged in, approved"))
				return
			}
		}
		Fail("no full-flow check")
	})
})

// BenchmarkDoctorBinary times `spotcheck doctor --target fake` as a user
// runs it, process start and the embedded fake included, without --full.
func BenchmarkDoctorBinary(b *testing.B) {
	bin, err := gexec.Build("github.com/spotcheck/spotcheck/cmd/spotcheck")
	if err != nil {
		b.Fatal(err)
	}
	defer gexec.CleanupBuildArtifacts()
	dir := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(bin, "doctor", "--target", "fake", "--uses", "GET /v1/me", "--redirect-uri", docCallback,
			"--redirect-uri", "https://app.example.com/callback")
		cmd.Dir = dir
		cmd.Env = doctorEnv(webEnv())
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
}
