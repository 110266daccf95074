package main

import (
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"
)

// startBinary starts spotcheck in the background, as a CI job would.
func startBinary(args ...string) *gexec.Session {
	cmd := exec.Command(binary, args...)
	s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { s.Kill().Wait(5 * time.Second) })
	return s
}

var urlLine = regexp.MustCompile(`fake Spotify at (http://127\.0\.0\.1:\d+)`)

// fakeURL waits for the whole start-up banner (its last line is the API
// URL export) and returns the fake's URL.
func fakeURL(s *gexec.Session) string {
	Eventually(s.Out).WithTimeout(10 * time.Second).Should(gbytes.Say(`fake Spotify at http://127\.0\.0\.1:\d+`))
	Eventually(func() []byte { return s.Out.Contents() }).WithTimeout(10 * time.Second).Should(ContainSubstring("export SPOTIFY_API_URL="))
	return urlLine.FindStringSubmatch(string(s.Out.Contents()))[1]
}

var _ = Describe("spotcheck fake", func() {
	const webID, webSecret = "6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b", "9d8c7b6a5f4e3d2c1b0a99887766554f"

	It("serves, prints the apps and export lines, logs redacted requests and stops on SIGTERM", func() {
		s := startBinary("fake", "--addr", "127.0.0.1:0", "--consent", "auto")
		base := fakeURL(s)
		// The banner's last line: the whole banner has arrived (a pipe may
		// deliver it in pieces).
		Eventually(s.Out).Should(gbytes.Say(`https: off`))
		out := string(s.Out.Contents())
		Expect(out).To(ContainSubstring("app web"))
		Expect(out).To(ContainSubstring("client_id " + webID))
		Expect(out).To(ContainSubstring("http://127.0.0.1:8888/callback"))
		Expect(out).To(ContainSubstring("export SPOTIFY_ACCOUNTS_URL=" + base + "\n"))
		Expect(out).To(ContainSubstring("export SPOTIFY_API_URL=" + base + "/v1\n"))
		Expect(out).To(ContainSubstring("proxy: export HTTPS_PROXY=" + base))
		Expect(out).To(MatchRegexp(`(?m)^app web\s+client_id `+webID+`  client_secret `+webSecret+`  mode extended`), "the built-in apps' made-up credentials are printed")
		Expect(out).To(ContainSubstring("spotcheck fake --print-env APP prints export lines"))

		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noFollow.Get(base + "/authorize?" + url.Values{"client_id": {webID}, "response_type": {"code"}, "redirect_uri": {"http://127.0.0.1:8888/callback"}}.Encode())
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		code := loc.Query().Get("code")
		Expect(code).To(HavePrefix("AQ"))
		req, _ := http.NewRequest(http.MethodPost, base+"/api/token", strings.NewReader(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"http://127.0.0.1:8888/callback"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		basic := base64.StdEncoding.EncodeToString([]byte(webID + ":" + webSecret))
		req.Header.Set("Authorization", "Basic "+basic)
		tr, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		Expect(tr.StatusCode).To(Equal(http.StatusOK))
		tr.Body.Close()

		Eventually(s.Err).Should(gbytes.Say(`"path":"/api/token"`))
		s.Signal(syscall.SIGTERM)
		Eventually(s).WithTimeout(10 * time.Second).Should(gexec.Exit(exitOK))
		logs := string(s.Err.Contents())
		Expect(logs).To(ContainSubstring(`"message":"request"`), "JSON logs when stderr is not a terminal")
		Expect(logs).To(ContainSubstring(`"authorization":"Basic [redacted `))
		for _, secret := range []string{webSecret, basic, code} {
			Expect(logs).NotTo(ContainSubstring(secret))
		}
		for _, secret := range []string{basic, code} {
			Expect(string(s.Out.Contents())).NotTo(ContainSubstring(secret), "only the built-in secret, a public test value, is in the banner")
		}
	})

	It("keeps the secrets of a --config out of the banner, and prints them with --print-env", func() {
		path := filepath.Join(GinkgoT().TempDir(), "fake.yaml")
		const id, secret = "0123456789abcdef0123456789abcdef", "s3cr3t-of-the-users-own-config"
		Expect(os.WriteFile(path, []byte("apps:\n  - name: mine\n    client_id: "+id+"\n    client_secret: "+secret+"\n    redirect_uris: [http://127.0.0.1:3000/cb]\n"), 0o600)).To(Succeed())
		s := startBinary("fake", "--addr", "127.0.0.1:0", "--config", path)
		fakeURL(s)
		Eventually(s.Out).Should(gbytes.Say(`https: off`))
		out := string(s.Out.Contents())
		Expect(out).To(ContainSubstring("app mine       client_id " + id + "  client_secret (hidden: --print-env mine)"))
		Expect(out).NotTo(ContainSubstring(secret))

		stdout, stderr, code := runBinary("fake", "--config", path, "--addr", "127.0.0.1:9123", "--print-env", "mine")
		Expect(code).To(Equal(exitOK), stderr)
		Expect(stdout).To(Equal("export SPOTIFY_ACCOUNTS_URL=http://127.0.0.1:9123\nexport SPOTIFY_API_URL=http://127.0.0.1:9123/v1\n" +
			"export SPOTIFY_CLIENT_ID=" + id + "\nexport SPOTIFY_CLIENT_SECRET=" + secret + "\nexport SPOTIFY_REDIRECT_URI=http://127.0.0.1:3000/cb\n" +
			"export SPOTIPY_CLIENT_ID=" + id + "\nexport SPOTIPY_CLIENT_SECRET=" + secret + "\nexport SPOTIPY_REDIRECT_URI=http://127.0.0.1:3000/cb\n"))
	})

	DescribeTable("--print-env prints export lines a shell reads back, for --app or the app named after it",
		func(args []string, wantID, wantSecret string) {
			stdout, stderr, code := runBinary(append([]string{"fake"}, args...)...)
			Expect(code).To(Equal(exitOK), stderr)
			sh := exec.Command("sh", "-c", stdout+`printf '%s %s %s %s' "$SPOTIFY_CLIENT_ID" "$SPOTIPY_CLIENT_SECRET" "$SPOTIFY_ACCOUNTS_URL" "$SPOTIPY_REDIRECT_URI"`)
			got, err := sh.Output()
			Expect(err).NotTo(HaveOccurred())
			Expect(string(got)).To(Equal(wantID + " " + wantSecret + " http://127.0.0.1:8787 http://127.0.0.1:8888/callback"))
		},
		Entry("--print-env alone: web", []string{"--print-env"}, webID, webSecret),
		Entry("--print-env dev", []string{"--print-env", "dev"}, "3c2b1a09f8e7d6c5b4a3928170f6e5d4", "4d5e6f708192a3b4c5d6e7f8091a2b3c"),
		Entry("--print-env --app dev", []string{"--print-env", "--app", "dev"}, "3c2b1a09f8e7d6c5b4a3928170f6e5d4", "4d5e6f708192a3b4c5d6e7f8091a2b3c"),
		Entry("a wildcard --addr is named by 127.0.0.1", []string{"--print-env", "--addr", "0.0.0.0:8787"}, webID, webSecret),
	)

	It("refuses --print-env for an app that does not exist, naming the apps", func() {
		_, stderr, code := runBinary("fake", "--print-env", "nope")
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).To(Equal("spotcheck: --app \"nope\": no such app (apps: web, other, dev, nopremium, legacy)\n"))
	})

	It("names a reachable URL when it listens on every interface", func() {
		s := startBinary("fake", "--addr", "0.0.0.0:0")
		Eventually(s.Out).WithTimeout(10 * time.Second).Should(gbytes.Say(`export SPOTIFY_API_URL=`))
		out := string(s.Out.Contents())
		Expect(out).To(MatchRegexp(`(?m)^fake Spotify at http://127\.0\.0\.1:\d+ `))
		Expect(out).To(ContainSubstring("listening on every interface (0.0.0.0:0): from another machine or container use this machine's address instead of 127.0.0.1"))
		Expect(out).NotTo(ContainSubstring("[::]"))
		Expect(out).To(MatchRegexp(`(?m)^export SPOTIFY_ACCOUNTS_URL=http://127\.0\.0\.1:\d+$`))
		base := urlLine.FindStringSubmatch(out)[1]
		resp, err := http.Get(base + "/_spotcheck/health")
		Expect(err).NotTo(HaveOccurred(), "the URL printed reaches the fake")
		resp.Body.Close()
	})

	It("reports every problem of a bad --config in one run, a line each, exit 2", func() {
		path := filepath.Join(GinkgoT().TempDir(), "fake.yaml")
		Expect(os.WriteFile(path, []byte("consent: auto\napps:\n  - name: a\n    client_id: x\n    client_secret: y\n    redirect_uris: [https://a.example/cb]\n    colour: red\n    allowlist: [bob]\n    mode: turbo\n"), 0o600)).To(Succeed())
		_, stderr, code := runBinary("fake", "--config", path)
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).To(Equal(path + ":1: default_user: is required when consent is auto\n" +
			path + ":7: apps[0].colour: unknown field \"colour\" (not a field of an app)\n" +
			path + ":8: apps[0].allowlist[0]: no user with id \"bob\"\n" +
			path + ":9: apps[0].mode: \"turbo\" is not one of development, extended\n" +
			"spotcheck: 4 problems in " + path + "\n"))
	})

	It("rejects a bad config with one line naming file, line and field, exit 2", func() {
		path := filepath.Join(GinkgoT().TempDir(), "fake.yaml")
		Expect(os.WriteFile(path, []byte("apps:\n  - name: a\n    client_id: x\n    client_secret: y\n    redirect_uris: [https://a.example/cb]\n    mode: sandbox\n"), 0o600)).To(Succeed())
		_, stderr, code := runBinary("fake", "--config", path)
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).To(Equal("spotcheck: " + path + `:6: apps[0].mode: "sandbox" is not one of development, extended` + "\n"))
	})

	It("says so when the port is in use, exit 2", func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		defer ln.Close()
		_, stderr, code := runBinary("fake", "--addr", ln.Addr().String())
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).To(ContainSubstring(ln.Addr().String() + " is already in use"))
	})

	It("rejects an unknown consent mode", func() {
		_, stderr, code := runBinary("fake", "--consent", "maybe")
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).To(ContainSubstring(`--consent "maybe": want page or auto`))
	})

	It("turns the control endpoints off with --no-control", func() {
		s := startBinary("fake", "--addr", "127.0.0.1:0", "--no-control")
		base := fakeURL(s)
		resp, err := http.Get(base + "/_spotcheck/health")
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusNotFound))
	})
})
