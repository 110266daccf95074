package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/browser"
	"github.com/spotcheck/spotcheck/fakespotify"
)

// runWith runs the binary with a hermetic environment: the user's
// SPOTIFY_*, SPOTIPY_* and SPOTCHECK_* variables removed, env added.
func runWith(env map[string]string, args ...string) (stdout, stderr string, code int) {
	cmd := exec.Command(binary, args...)
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name == "DISABLE_ROD_FLAG" || strings.HasPrefix(name, "SPOTIFY_") || strings.HasPrefix(name, "SPOTIPY_") ||
			strings.HasPrefix(name, "SPOTCHECK_") || name == "GITHUB_ACTIONS" {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return capture(cmd)
}

// reuseScenario fails at its third step (line 6, column 5): it expects a
// code to work twice.
const reuseScenario = `name: reuse-expects-success
steps:
  - name: auth
    authorize: {}
  - exchange: {}
  - name: again
    exchange: {code: "${steps.auth.code}"}
    expect: {status: 200}
`

func writeFile(dir, name, content string) string {
	p := filepath.Join(dir, name)
	Expect(os.WriteFile(p, []byte(content), 0o644)).To(Succeed())
	return p
}

var progressLine = regexp.MustCompile(`(?m)^\[\s*(\d+)/(\d+)\] (PASS |FAIL |SKIP |ERROR) (\S+)`)

// lastLine is the report's summary line.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func closedPort() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	addr := l.Addr().String()
	Expect(l.Close()).To(Succeed())
	return addr
}

var _ = Describe("spotcheck run", func() {
	const webID, webSecret = "6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b", "9d8c7b6a5f4e3d2c1b0a99887766554f"

	It("runs the built-in suite with the browser scenarios, prints a line per scenario in order and writes the reports", func() {
		dir := GinkgoT().TempDir()
		junit, js := filepath.Join(dir, "out", "junit.xml"), filepath.Join(dir, "report.json")
		stdout, stderr, code := runWith(nil, "run", "--report", "junit="+junit, "--report", "json="+js)
		Expect(code).To(Equal(exitOK), stderr)
		Expect(lastLine(stdout)).To(Equal("152 passed, 0 failed, 0 skipped"))
		Expect(stderr).To(HavePrefix("running 152 scenarios against fake (http://127.0.0.1:"))
		lines := progressLine.FindAllStringSubmatch(stderr, -1)
		Expect(lines).To(HaveLen(152), "a plain line per scenario when stderr is not a terminal")
		for i, m := range lines {
			Expect(m[1]).To(Equal(strconv.Itoa(i+1)), "in the input order")
			Expect(m[3]).To(Equal("PASS "))
		}
		Expect(lines[0][4]).To(Equal("api-no-token"))
		Expect(stderr).NotTo(ContainSubstring("\x1b["), "no escape codes in a log")

		x, err := os.ReadFile(junit)
		Expect(err).NotTo(HaveOccurred())
		Expect(strings.Count(string(x), "<testcase ")).To(Equal(152))
		var doc struct {
			Scenarios []struct {
				Name   string `json:"name"`
				Status string `json:"status"`
			} `json:"scenarios"`
		}
		j, err := os.ReadFile(js)
		Expect(err).NotTo(HaveOccurred())
		Expect(json.Unmarshal(j, &doc)).To(Succeed())
		Expect(doc.Scenarios).To(HaveLen(152))
	})

	It("exits 1 on a failing scenario, with expected vs actual and the explanation in the report", func() {
		f := writeFile(GinkgoT().TempDir(), "reuse.yaml", reuseScenario)
		stdout, stderr, code := runWith(nil, "run", f)
		Expect(code).To(Equal(exitFailed), stderr)
		Expect(stderr).To(MatchRegexp(`\[1/1\] FAIL  reuse-expects-success \([^)]+\): step again: status: expected 200, got 400`))
		Expect(stdout).To(ContainSubstring("expected: 200"))
		Expect(stdout).To(ContainSubstring("actual:   400"))
		Expect(stdout).To(ContainSubstring("[code-invalid]"))
		Expect(stdout).To(ContainSubstring("fix:"))
		Expect(lastLine(stdout)).To(Equal("0 passed, 1 failed, 0 skipped"))
	})

	Context("under GitHub Actions", func() {
		actions := map[string]string{"GITHUB_ACTIONS": "true"}

		It("annotates a failure at the failing step's line, on stderr, with the Markdown summary on stdout clean", func() {
			f := writeFile(GinkgoT().TempDir(), "reuse.yaml", reuseScenario)
			stdout, stderr, code := runWith(actions, "run", f, "--report", "markdown=-")
			Expect(code).To(Equal(exitFailed), stderr)
			Expect(stdout).To(HavePrefix("## spotcheck run"))
			Expect(stdout).NotTo(ContainSubstring("::error"))
			Expect(stderr).To(ContainSubstring("::error file=" + f + ",line=6,col=5,title=spotcheck%3A reuse/reuse-expects-success failed::"))
		})

		It("turns --validate problems into annotations with file, line and column", func() {
			f := writeFile(GinkgoT().TempDir(), "bad.yaml", `name: bad
steps:
  - authorize: {}
    expect: {stauts: 302}
`)
			_, stderr, code := runWith(actions, "run", "--validate", f)
			Expect(code).To(Equal(exitUsage))
			Expect(stderr).To(MatchRegexp(`(?m)^::error file=` + regexp.QuoteMeta(f) + `,line=4,col=\d+,title=spotcheck%3A invalid scenario::` + regexp.QuoteMeta(f) + `:4:\d+: `))
		})
	})

	DescribeTable("bad input is exit 2, with the file, line and column",
		func(files map[string]string, args []string, want ...string) {
			dir := GinkgoT().TempDir()
			for name, content := range files {
				writeFile(dir, name, content)
			}
			for i, a := range args {
				if strings.HasPrefix(a, "@") {
					args[i] = filepath.Join(dir, a[1:])
				}
			}
			stdout, stderr, code := runWith(nil, append([]string{"run"}, args...)...)
			Expect(code).To(Equal(exitUsage), stdout+stderr)
			for _, w := range want {
				Expect(stderr).To(ContainSubstring(strings.ReplaceAll(w, "@", dir+string(filepath.Separator))))
			}
			Expect(stderr).NotTo(MatchRegexp(`(?m)^running `), "nothing ran")
		},
		Entry("an unknown field", map[string]string{"bad.yaml": "name: bad\nsteps:\n  - authorize: {scop: x}\n"}, []string{"@bad.yaml"},
			`@bad.yaml:3:17: steps[0].authorize: unknown field "scop" in authorize; did you mean "scope"?`+"\n",
			"spotcheck: 1 problem in the scenarios; nothing was run"),
		Entry("a YAML syntax error", map[string]string{"syntax.yaml": "name: [unclosed\n"}, []string{"@syntax.yaml"},
			"@syntax.yaml:1:1: YAML syntax: did not find expected ',' or ']'"),
		Entry("every problem of every file, from a directory", map[string]string{
			"a.yaml": "name: a\nsteps:\n  - exchange: {code: \"${steps.auht.code}\"}\n",
			"b.yml":  "name: b\nsteps: []\n",
		}, []string{"@"},
			`@a.yaml:3:22: steps[0].exchange.code: unknown step "auht" in ${steps.auht.code}`,
			"@b.yml:2:8: ", "spotcheck: 2 problems"),
		Entry("an unreadable file", nil, []string{"@nope.yaml"}, "@nope.yaml: cannot read: no such file or directory"),
		Entry("an unknown flag", nil, []string{"--paralel", "2"}, "unknown flag: --paralel"),
		Entry("no parallelism", nil, []string{"--parallel", "0"}, "--parallel 0: want 1 or more"),
		Entry("an unknown tag", nil, []string{"--tags", "pkce,pcke"}, "--tags: no scenario has the tag pcke (the tags: api, authorize,"),
		Entry("a bad target", nil, []string{"--target", "staging"}, `--target "staging": want fake, spotify or the URL of a running fake`),
		Entry("a broken fake configuration", map[string]string{"fake.yaml": "apps: 3\n"}, []string{"--fake-config", "@fake.yaml"}, "@fake.yaml:1:"),
	)

	It("--validate prints every problem and exits 2, or counts the scenarios and exits 0", func() {
		dir := GinkgoT().TempDir()
		writeFile(dir, "bad.yaml", "name: bad\nsteps:\n  - authorize: {scop: x}\n  - exchange: {code: \"${steps.auht.code}\"}\n")
		_, stderr, code := runWith(nil, "run", "--validate", dir)
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).To(Equal(filepath.Join(dir, "bad.yaml") + `:3:17: steps[0].authorize: unknown field "scop" in authorize; did you mean "scope"?` + "\n" +
			filepath.Join(dir, "bad.yaml") + `:4:22: steps[1].exchange.code: unknown step "auht" in ${steps.auht.code}` + "\n" +
			"spotcheck: 2 problems\n"))

		good := writeFile(GinkgoT().TempDir(), "good.yaml", "name: one\nsteps: [{authorize: {}}]\n---\nname: two\nsteps: [{authorize: {}}]\n")
		stdout, stderr, code := runWith(nil, "run", "--validate", good)
		Expect(code).To(Equal(exitOK), stderr)
		Expect(stdout).To(Equal("2 scenarios in 1 file: no problems\n"))

		stdout, _, code = runWith(nil, "run", "--validate")
		Expect(code).To(Equal(exitOK))
		Expect(stdout).To(Equal("152 scenarios in 14 files: no problems\n"))
	})

	It("--list lists the scenarios with their targets, requirements and tags, and runs nothing", func() {
		stdout, stderr, code := runWith(nil, "run", "--list", "--tags", "pkce")
		Expect(code).To(Equal(exitOK), stderr)
		Expect(stdout).To(MatchRegexp(`(?m)^NAME\s+TARGETS\s+REQUIRES\s+TAGS\s+FILE$`))
		Expect(stdout).To(MatchRegexp(`(?m)^consent-pkce-flow\s+fake,spotify\s+browser\s+consent,browser,pkce,refresh\s+builtin/consent\.yaml:\d+:1$`))
		Expect(stdout).To(MatchRegexp(`(?m)^refresh-pkce-rotate\s+fake\s+policy:refresh=pkce-rotate\s+`))
		Expect(stdout).NotTo(ContainSubstring("exchange-basic-auth"))
		Expect(lastLine(stdout)).To(Equal("11 scenarios, 1 also on spotify, 1 with the browser"))
		Expect(stderr).To(BeEmpty())
	})

	DescribeTable("leaves out the browser scenarios",
		func(args ...string) {
			stdout, stderr, code := runWith(nil, append([]string{"run", "--list"}, args...)...)
			Expect(code).To(Equal(exitOK), stderr)
			Expect(stdout).NotTo(ContainSubstring("consent-pkce-flow"))
			Expect(lastLine(stdout)).To(MatchRegexp(`^\d+ scenarios, \d+ also on spotify, 0 with the browser$`))
			Expect(stdout).To(ContainSubstring("refresh-pkce-rotate"))
		},
		Entry("--skip-tags browser", "--skip-tags", "browser"),
		Entry("--tags '!browser'", "--tags", "!browser"),
		Entry("--tags pkce --skip-tags browser", "--tags", "pkce", "--skip-tags", "browser"),
	)

	It("names a --skip-tags tag that no scenario has", func() {
		_, stderr, code := runWith(nil, "run", "--list", "--skip-tags", "bowser")
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).To(HavePrefix("spotcheck: --tags: no scenario has the tag bowser"))
	})

	It("--tags runs only the scenarios with one of the tags", func() {
		stdout, stderr, code := runWith(nil, "run", "--tags", "dev-mode,rate-limit", "--format", "json")
		Expect(code).To(Equal(exitOK), stderr)
		Expect(progressLine.FindAllString(stderr, -1)).To(HaveLen(13))
		var doc struct {
			Scenarios []struct {
				Tags []string `json:"tags"`
			} `json:"scenarios"`
		}
		Expect(json.Unmarshal([]byte(stdout), &doc)).To(Succeed(), "stdout holds only the report")
		Expect(doc.Scenarios).To(HaveLen(13))
		for _, s := range doc.Scenarios {
			Expect(s.Tags).To(ContainElement(BeElementOf("dev-mode", "rate-limit")))
		}
	})

	It("exits 3 when the target cannot be reached", func() {
		_, stderr, code := runWith(nil, "run", "--target", "http://"+closedPort())
		Expect(code).To(Equal(exitUnreachable))
		Expect(stderr).To(ContainSubstring("spotcheck: cannot reach the target: no fake answers at --target http://"))
		Expect(stderr).To(ContainSubstring("the connection was refused"))
		Expect(stderr).To(ContainSubstring("start one there with `spotcheck fake --addr "))

		_, stderr, code = runWith(map[string]string{"SPOTIFY_ACCOUNTS_URL": "http://" + closedPort()}, "run", "--tags", "dev-mode")
		Expect(code).To(Equal(exitUnreachable), "the probe before the run: "+stderr)
	})

	It("exits 3 when the target goes away in the middle of the run, after writing the report", func() {
		fake, err := fakespotify.New(fakespotify.DefaultConfig())
		Expect(err).NotTo(HaveOccurred())
		var clones atomic.Int32
		var dead atomic.Bool
		var srv *httptest.Server
		srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Once dead, a request on a keep-alive connection that the
			// asynchronous close has not reached yet is dropped too, so the
			// run sees the same dead fake however the close is scheduled.
			if dead.Load() {
				panic(http.ErrAbortHandler)
			}
			if r.Method == http.MethodPost && r.URL.Path == "/_spotcheck/apps" && clones.Add(1) == 3 {
				dead.Store(true)
				// The fake dies while the third scenario sets up.
				go srv.CloseClientConnections()
				_ = srv.Listener.Close()
				panic(http.ErrAbortHandler)
			}
			fake.ServeHTTP(w, r)
		}))
		DeferCleanup(srv.Close)
		var stdout, stderr bytes.Buffer
		code := execute([]string{"run", "--target", srv.URL, "--parallel", "1", "--tags", "dev-mode"}, nil, &stdout, &stderr)
		Expect(code).To(Equal(exitUnreachable), stderr.String())
		Expect(stderr.String()).To(MatchRegexp(`\[1/7\] PASS  `))
		Expect(stderr.String()).To(MatchRegexp(`\[7/7\] SKIP  \S+: not run: the target became unreachable \(`))
		Expect(stderr.String()).To(MatchRegexp(`(?m)^spotcheck: the target became unreachable during the run: .*connection refused`))
		Expect(lastLine(stdout.String())).To(MatchRegexp(`^2 passed, [12] failed, [34] skipped$`))
	})

	It("without Chromium, exits 2 with the install hint when browser scenarios are selected, and runs the others", func() {
		noChrome := map[string]string{"SPOTCHECK_CHROME": "/nonexistent/chromium"}
		stdout, stderr, code := runWith(noChrome, "run")
		Expect(code).To(Equal(exitUsage))
		Expect(stdout).To(BeEmpty())
		Expect(strings.Count(stderr, "\n")).To(Equal(1), "one line: %q", stderr)
		Expect(stderr).To(ContainSubstring(browser.InstallHint))

		stdout, stderr, code = runWith(noChrome, "run", "--tags", "dev-mode")
		Expect(code).To(Equal(exitOK), stderr)
		Expect(lastLine(stdout)).To(Equal("7 passed, 0 failed, 0 skipped"))
	})

	It("runs against a fake at a URL through its control API, browser scenarios included", func() {
		base := fakeURL(startBinary("fake", "--addr", "127.0.0.1:0"))
		stdout, stderr, code := runWith(nil, "run", "--target", base, "--tags", "pkce,refresh")
		Expect(code).To(Equal(exitOK), stderr)
		Expect(stderr).To(HavePrefix("running 21 scenarios against " + base + ", "))
		Expect(stderr).To(MatchRegexp(`PASS  consent-pkce-flow`))
		Expect(lastLine(stdout)).To(Equal("21 passed, 0 failed, 0 skipped"))
	})

	It("runs the scenarios marked spotify against a fake without control playing Spotify, and says why the rest are skipped", func() {
		base := fakeURL(startBinary("fake", "--addr", "127.0.0.1:0", "--no-control"))
		env := map[string]string{
			"SPOTIFY_ACCOUNTS_URL": base, "SPOTIFY_API_URL": base + "/v1",
			"SPOTIFY_CLIENT_ID": webID, "SPOTIFY_CLIENT_SECRET": webSecret, "SPOTIFY_REDIRECT_URI": "http://127.0.0.1:8888/callback",
			"SPOTCHECK_TEST_USERNAME": "alice", "SPOTCHECK_TEST_PASSWORD": "alice-password",
		}
		stdout, stderr, code := runWith(env, "run", "--target", "spotify")
		Expect(code).To(Equal(exitOK), stderr)
		Expect(lastLine(stdout)).To(Equal("41 passed, 0 failed, 111 skipped"))
		Expect(stderr).To(MatchRegexp(`SKIP  exchange-basic-auth: runs on fake only; this run targets spotify`))
		Expect(stderr).To(MatchRegexp(`PASS  consent-login-approve-exchange`))
		for _, secret := range []string{webSecret, "alice-password"} {
			Expect(stdout + stderr).NotTo(ContainSubstring(secret))
		}

		delete(env, "SPOTIFY_CLIENT_SECRET")
		_, stderr, code = runWith(env, "run", "--target", "spotify")
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).To(ContainSubstring("--target spotify needs the app's client secret (SPOTIFY_CLIENT_SECRET or --client-secret-file)"))

		delete(env, "SPOTCHECK_TEST_PASSWORD")
		env["SPOTCHECK_CHROME"] = "/nonexistent"
		stdout, stderr, code = runWith(env, "run", "--target", "spotify", "--tags", "consent", "--client-secret-file", writeFile(GinkgoT().TempDir(), "secret", webSecret+"\n"))
		Expect(code).To(Equal(exitOK), "without a test account the consent scenarios are skipped, so no Chromium is needed: "+stderr)
		Expect(stderr).To(ContainSubstring("logs in on Spotify's consent pages as the test account: set SPOTCHECK_TEST_USERNAME and SPOTCHECK_TEST_PASSWORD"))
		Expect(lastLine(stdout)).To(Equal("0 passed, 0 failed, 6 skipped"))
	})

	It("reads the fake's configuration with --fake-config", func() {
		cfg := writeFile(GinkgoT().TempDir(), "fake.yaml", string(fakespotify.DefaultConfigYAML()))
		stdout, stderr, code := runWith(nil, "run", "--fake-config", cfg, "--tags", "dev-mode")
		Expect(code).To(Equal(exitOK), stderr)
		Expect(lastLine(stdout)).To(Equal("7 passed, 0 failed, 0 skipped"))
	})

	It("shows a live count on a terminal, with a line per scenario as it finishes", func() {
		var stdout, stderr bytes.Buffer
		saved := isTerminal
		isTerminal = func(w io.Writer) bool { return w == &stderr }
		DeferCleanup(func() { isTerminal = saved })
		GinkgoT().Setenv("NO_COLOR", "")
		code := execute([]string{"run", "--tags", "dev-mode"}, nil, &stdout, &stderr)
		Expect(code).To(Equal(exitOK), stderr.String())
		Expect(stderr.String()).To(ContainSubstring("\r\x1b[K"))
		Expect(stderr.String()).To(MatchRegexp(`\x1b\[32mPASS \x1b\[0m`))
		Expect(strings.Count(stderr.String(), "PASS")).To(Equal(7))
		Expect(stderr.String()).To(HaveSuffix("\r\x1b[K"), "the live line is cleared at the end")
	})

	It("prints no progress with --quiet", func() {
		_, stderr, code := runWith(nil, "run", "--tags", "dev-mode", "--quiet")
		Expect(code).To(Equal(exitOK))
		Expect(stderr).To(BeEmpty())
	})
})
