package main

import (
	"encoding/json"
	"io"
	"net/http"
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

// runBinaryStdin runs spotcheck with stdin.
func runBinaryStdin(stdin string, args ...string) (stdout, stderr string, code int) {
	cmd := exec.Command(binary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	return capture(cmd)
}

func fixture(name string) string {
	p, err := filepath.Abs(filepath.Join("..", "..", "checks", "explain", "testdata", name))
	Expect(err).NotTo(HaveOccurred())
	return p
}

var _ = Describe("spotcheck explain", func() {
	It("explains an argument and exits 0", func() {
		stdout, _, code := runBinary("explain", "INVALID_CLIENT: Invalid redirect URI")
		Expect(code).To(Equal(exitOK))
		Expect(stdout).To(HavePrefix("redirect-uri-mismatch  [high confidence"))
		Expect(stdout).To(ContainSubstring("Likely causes, most likely first"))
		Expect(stdout).To(ContainSubstring("Fix\n"))
		Expect(stdout).To(ContainSubstring("Ask the user\n"))
	})

	It("joins unquoted words into one text", func() {
		stdout, _, code := runBinary("explain", "INVALID_CLIENT:", "Insecure", "redirect", "URI")
		Expect(code).To(Equal(exitOK))
		Expect(stdout).To(HavePrefix("redirect-uri-insecure"))
	})

	It("reads a file named by the argument", func() {
		p := filepath.Join(GinkgoT().TempDir(), "traceback.txt")
		Expect(os.WriteFile(p, []byte("Traceback (most recent call last):\n  File \"app.py\", line 3\nspotipy.oauth2.SpotifyOauthError: error: invalid_client, error_description: Invalid client secret\n"), 0o644)).To(Succeed())
		stdout, _, code := runBinary("explain", p)
		Expect(code).To(Equal(exitOK))
		Expect(stdout).To(HavePrefix("client-secret-invalid"))
		Expect(stdout).To(ContainSubstring("read as: spotipy SpotifyOauthError"))
	})

	It("reads stdin with -", func() {
		stdout, _, code := runBinaryStdin("spotify: couldn't decode error: (46) [User not registered in the Developer Dashboard]\n", "explain", "-")
		Expect(code).To(Equal(exitOK))
		Expect(stdout).To(HavePrefix("user-not-allowlisted"))
	})

	It("explains a HAR across its requests as JSON", func() {
		stdout, _, code := runBinary("explain", "--har", fixture("oauth2-auth-style-retry.har"), "--format", "json")
		Expect(code).To(Equal(exitOK))
		var doc struct {
			SchemaVersion string `json:"schema_version"`
			Input         struct{ Kind string }
			Causes        []struct {
				ID         string
				Confidence float64
				Evidence   []string
				Findings   []string
				Fix        string
				Cause      string
			}
		}
		Expect(json.Unmarshal([]byte(stdout), &doc)).To(Succeed())
		Expect(doc.SchemaVersion).To(Equal("1"))
		Expect(doc.Input.Kind).To(Equal("har"))
		Expect(doc.Causes[0].ID).To(Equal("token-redirect-uri-mismatch"))
		Expect(doc.Causes[0].Fix).NotTo(BeEmpty())
		var retry bool
		for _, c := range doc.Causes {
			retry = retry || c.ID == "code-invalid" && c.Cause == "auth-style-retry"
		}
		Expect(retry).To(BeTrue())
		Expect(stdout).NotTo(ContainSubstring("9d8c7b6a5f4e3d2c1b0a99887766554f"))
	})

	It("compares a callback's state with --state", func() {
		stdout, _, code := runBinary("explain", "--state", "tab-two", "http://127.0.0.1:8888/callback?code=AQBD4CLvpVxk2vTzv3Tz5Ue8v0R6y1M5iUQyJqQqT9xX0dXbq3&state=tab-one")
		Expect(code).To(Equal(exitOK))
		Expect(stdout).To(HavePrefix("state-mismatch"))
		Expect(stdout).NotTo(ContainSubstring("AQBD4CLvpV"))
	})

	It("says plainly when it does not recognise the input, lists the closest entries and exits 1", func() {
		stdout, _, code := runBinary("explain", `{"error":"invalid_grant","error_description":"Bad Request"}`)
		Expect(code).To(Equal(exitFailed))
		Expect(stdout).To(HavePrefix("Not recognised:"))
		Expect(stdout).To(ContainSubstring("Closest entries"))
		Expect(stdout).To(ContainSubstring("code-invalid"))
	})

	It("never prints a secret the input carried", func() {
		token := "BQDjriAcf5pSecretAccessTokenValue1234567890abcdefghijklmnop"
		stdout, _, code := runBinary("explain", "GET https://api.spotify.com/v1/me Authorization: Bearer "+token+` -> 401 {"error":{"status":401,"message":"Invalid access token"}}`)
		Expect(code).To(Equal(exitOK))
		Expect(stdout).To(HavePrefix("access-token-invalid"))
		Expect(stdout).NotTo(ContainSubstring(token))
	})

	DescribeTable("answers bad input with one line naming it, and exit 2",
		func(args []string, want string) {
			_, stderr, code := runBinary(append([]string{"explain"}, args...)...)
			Expect(code).To(Equal(exitUsage))
			Expect(stderr).To(ContainSubstring(want))
			Expect(strings.Count(strings.TrimSpace(stderr), "\n")).To(BeZero())
			Expect(stderr).NotTo(ContainSubstring("panic"))
		},
		Entry("an unreadable HAR", []string{"--har", "/nonexistent/session.har"}, "cannot read /nonexistent/session.har: no such file or directory"),
		Entry("a missing file that looks like one", []string{"capture.har"}, "cannot read capture.har: no such file"),
		Entry("an unknown format", []string{"--format", "xml", "x"}, `--format "xml": want text or json`),
		Entry("an unknown --as", []string{"--as", "yaml", "x"}, `unknown input kind "yaml"`),
		Entry("--as json on text", []string{"--as", "json", "not json"}, "argument:1:3: not valid JSON"),
		Entry("--har and an argument", []string{"--har", "a.har", "text"}, "either --har FILE or an input"),
		Entry("an empty input", []string{"   "}, "nothing to explain"),
	)

	It("names the file, line and column of a HAR that is not JSON", func() {
		p := filepath.Join(GinkgoT().TempDir(), "broken.har")
		Expect(os.WriteFile(p, []byte("{\"log\": {\n  \"entries\": [\n    {\"request\": }\n"), 0o644)).To(Succeed())
		_, stderr, code := runBinary("explain", "--har", p)
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).To(ContainSubstring(p + ":3:17: not valid JSON"))
	})

	It("serves the explain page on --addr until SIGTERM", func() {
		s := startBinary("explain", "--serve", "--addr", "127.0.0.1:0")
		Eventually(s.Out).WithTimeout(10 * time.Second).Should(gbytes.Say(`explain page at http://127\.0\.0\.1:\d+/`))
		base := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`).FindString(string(s.Out.Contents()))

		resp, err := http.Get(base)
		Expect(err).NotTo(HaveOccurred())
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		Expect(resp.Header.Get("Content-Type")).To(Equal("text/html; charset=utf-8"))
		Expect(string(body)).To(ContainSubstring("spotcheck"))

		resp, err = http.Post(base+"api/explain", "application/json", strings.NewReader(`{"text":"Illegal scope"}`))
		Expect(err).NotTo(HaveOccurred())
		var doc struct{ Causes []struct{ ID string } }
		Expect(json.NewDecoder(resp.Body).Decode(&doc)).To(Succeed())
		resp.Body.Close()
		Expect(doc.Causes[0].ID).To(Equal("scope-illegal"))

		s.Signal(syscall.SIGTERM)
		Eventually(s).WithTimeout(10 * time.Second).Should(gexec.Exit(exitOK))
	})

	It("serves with the explain page's connection limits: headers over 64 KiB get 431", func() {
		s := startBinary("explain", "--serve", "--addr", "127.0.0.1:0")
		Eventually(s.Out).WithTimeout(10 * time.Second).Should(gbytes.Say(`explain page at http://127\.0\.0\.1:\d+/`))
		base := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`).FindString(string(s.Out.Contents()))
		req, err := http.NewRequest(http.MethodGet, base, nil)
		Expect(err).NotTo(HaveOccurred())
		req.Header.Set("X-Big", strings.Repeat("x", 100<<10))
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusRequestHeaderFieldsTooLarge))
	})

	It("refuses --serve with an input", func() {
		_, stderr, code := runBinary("explain", "--serve", "Illegal scope")
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).To(ContainSubstring("--serve takes no input"))
	})
})
