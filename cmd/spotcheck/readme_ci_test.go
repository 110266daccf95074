package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// readmeScript is the plain shell script of README's "In CI" section: the
// first sh block after the comment that names this file.
func readmeScript() string {
	raw, err := os.ReadFile(filepath.Join(repoRoot(), "README.md"))
	Expect(err).NotTo(HaveOccurred())
	_, after, ok := strings.Cut(string(raw), "<!-- This script runs in cmd/spotcheck/readme_ci_test.go")
	Expect(ok).To(BeTrue(), "README.md has no script marked for this spec")
	_, after, ok = strings.Cut(after, "```sh\n")
	Expect(ok).To(BeTrue())
	script, _, ok := strings.Cut(after, "```")
	Expect(ok).To(BeTrue())
	return script
}

var _ = Describe("README's CI shell script", func() {
	// runScript runs the script with app.sh (in the job's directory) in
	// place of `npm test`, and spotcheck on PATH.
	runScript := func(app string) (string, int) {
		script := readmeScript()
		Expect(script).To(ContainSubstring("timeout 10m npm test"))
		script = strings.Replace(script, "npm test", "./app.sh", 1)
		dir := GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(dir, "ci.sh"), []byte(script), 0o755)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(dir, "app.sh"), []byte("#!/bin/sh\nset -eu\n"+app+"\n"), 0o755)).To(Succeed())
		cmd := exec.Command("/bin/sh", "./ci.sh")
		cmd.Dir = dir
		addr := closedPort()
		cmd.Env = append(os.Environ(), "SPOTCHECK_ADDR="+addr,
			"PATH="+filepath.Dir(binary)+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		GinkgoWriter.Write(out)
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else {
			Expect(err).NotTo(HaveOccurred())
		}
		// The script stopped the fake: its port comes free.
		Eventually(func() error {
			ln, err := net.Listen("tcp", addr)
			if err == nil {
				ln.Close()
			}
			return err
		}).Should(Succeed(), "the fake still listens on %s", addr)
		b, err := os.ReadFile(filepath.Join(dir, "out", "spotify-oauth.xml"))
		if err == nil {
			out = append(out, b...)
		}
		return string(out), code
	}
	web := func() (string, string) { a := builtinApp("web"); return a.ClientID, a.ClientSecret }

	It("passes when the app's tests pass and its client behaves, and leaves no fake running", func() {
		id, secret := web()
		out, code := runScript(`curl -fsS -u "` + id + ":" + secret + `" -d grant_type=client_credentials "$SPOTIFY_ACCOUNTS_URL/api/token" > /dev/null`)
		Expect(code).To(Equal(0), out)
		Expect(out).To(ContainSubstring("<testsuite"), "the JUnit report")
		Expect(out).NotTo(ContainSubstring(secret))
	})

	It("fails the job with exit 1 on a bad grade", func() {
		id, secret := web()
		// The client secret in the query string: finding client-secret-in-query, severity error.
		out, code := runScript(`curl -sS -o /dev/null -X POST "$SPOTIFY_ACCOUNTS_URL/api/token?grant_type=client_credentials&client_id=` + id + `&client_secret=` + secret + `"`)
		Expect(code).To(Equal(1), out)
		Expect(out).To(ContainSubstring("client-secret-in-query"))
	})

	It("fails the job with the tests' own exit code when they fail", func() {
		out, code := runScript(`exit 5`)
		Expect(code).To(Equal(5), out)
	})
})
