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
		Expect(out).NotTo(ContainSubstring(webSecret))

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
			Expect(string(s.Out.Contents())).NotTo(ContainSubstring(secret))
		}
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
