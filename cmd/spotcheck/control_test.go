package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"
)

// A fake's control API from the command line: what `spotcheck fake` says
// about it at start-up, and the token every command that drives it takes
// (issue 11, item 2).
var _ = Describe("the control API and its token", func() {
	const token = "cli-c0ntrol-t0ken-0123456789abcdef"

	withEnv := func(cmd *exec.Cmd, env ...string) {
		cmd.Env = append(os.Environ(), env...)
	}
	start := func(env []string, args ...string) *gexec.Session {
		cmd := exec.Command(binary, args...)
		withEnv(cmd, env...)
		s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { s.Kill().Wait(5 * time.Second) })
		return s
	}
	run := func(env []string, args ...string) (stdout, stderr string, code int) {
		cmd := exec.Command(binary, args...)
		withEnv(cmd, env...)
		return capture(cmd)
	}
	// controlLine waits for the start-up line about the control API and
	// returns it with the port the fake listens on.
	controlLine := regexp.MustCompile(`(?m)^control API .*$`)
	portRe := regexp.MustCompile(`fake Spotify at http://\S+:(\d+) `)
	started := func(s *gexec.Session) (line, base string) {
		Eventually(s.Out).WithTimeout(10 * time.Second).Should(gbytes.Say(`export SPOTIFY_API_URL=`))
		out := string(s.Out.Contents())
		return controlLine.FindString(out), "http://127.0.0.1:" + portRe.FindStringSubmatch(out)[1]
	}
	status := func(url, auth string) int {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		Expect(err).NotTo(HaveOccurred())
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		return resp.StatusCode
	}

	It("says the control API is on for loopback only", func() {
		line, base := started(start(nil, "fake", "--addr", "127.0.0.1:0"))
		Expect(line).To(Equal("control API on (loopback only): " + base + "/_spotcheck/"))
	})

	It("turns it off on an address anyone may reach, and says so", func() {
		s := start(nil, "fake", "--addr", "0.0.0.0:0")
		line, base := started(s)
		Expect(line).To(MatchRegexp(`^control API off: listening on 0\.0\.0\.0:\d+ without --control-token$`))
		Expect(status(base+"/_spotcheck/health", "")).To(Equal(http.StatusNotFound))
		_, stderr, code := run(nil, "grade", "--target", base)
		Expect(code).To(Equal(exitUnreachable))
		Expect(stderr).To(ContainSubstring("control endpoints on"))
	})

	It("says --no-control is off", func() {
		line, _ := started(start(nil, "fake", "--addr", "127.0.0.1:0", "--no-control"))
		Expect(line).To(Equal("control API off (--no-control)"))
	})

	It("requires the token when the fake has one, takes it from the environment or the flag, and never prints it", func() {
		s := start([]string{"SPOTCHECK_CONTROL_TOKEN=" + token}, "fake", "--addr", "0.0.0.0:0")
		line, base := started(s)
		Expect(line).To(MatchRegexp(`^control API on, token required: http://\S+:\d+/_spotcheck/$`))
		Expect(status(base+"/_spotcheck/health", "")).To(Equal(http.StatusUnauthorized))
		Expect(status(base+"/_spotcheck/health", "Bearer "+token)).To(Equal(http.StatusOK))

		_, stderr, code := run(nil, "grade", "--target", base)
		Expect(code).To(Equal(exitUsage), stderr)
		Expect(stderr).To(ContainSubstring("--control-token or $SPOTCHECK_CONTROL_TOKEN"))

		stdout, stderr, code := run([]string{"SPOTCHECK_CONTROL_TOKEN=" + token}, "grade", "--target", base, "--allow-empty")
		Expect(code).To(Equal(exitOK), stderr)
		Expect(stderr).NotTo(ContainSubstring("shell history"))
		Expect(stdout + stderr).NotTo(ContainSubstring(token))

		stdout, stderr, code = run(nil, "grade", "--target", base, "--allow-empty", "--control-token", token)
		Expect(code).To(Equal(exitOK), stderr)
		Expect(stderr).To(ContainSubstring("lands in shell history"))
		Expect(stdout + stderr).NotTo(ContainSubstring(token))

		scenario := filepath.Join(GinkgoT().TempDir(), "clock.yaml")
		Expect(os.WriteFile(scenario, []byte("name: clock\nsteps:\n  - advance_clock: {by: 1m}\n"), 0o644)).To(Succeed())
		_, stderr, code = run(nil, "run", scenario, "--target", base)
		Expect(code).To(Equal(exitUsage), stderr)
		Expect(stderr).To(ContainSubstring("--control-token"))
		stdout, stderr, code = run([]string{"SPOTCHECK_CONTROL_TOKEN=" + token}, "run", scenario, "--target", base)
		Expect(code).To(Equal(exitOK), stdout+stderr)
		Expect(stdout + stderr).NotTo(ContainSubstring(token))

		Expect(string(s.Out.Contents()) + string(s.Err.Contents())).NotTo(ContainSubstring(token))
	})

	It("refuses a token too short to keep anyone out, without echoing it", func() {
		_, stderr, code := run(nil, "fake", "--addr", "127.0.0.1:0", "--control-token", "short-t0ken")
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).To(ContainSubstring("too short"))
		Expect(stderr).NotTo(ContainSubstring("short-t0ken"))
	})
})
