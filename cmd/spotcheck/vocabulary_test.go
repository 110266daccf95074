package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"
)

// runIn runs the CLI in this process, as on a terminal when tty is true.
func runIn(tty bool, args ...string) (stdout, stderr string, code int) {
	prev := isTerminal
	isTerminal = func(io.Writer) bool { return tty }
	defer func() { isTerminal = prev }()
	var out, errb bytes.Buffer
	code = execute(args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// complete asks cobra's hidden completion command for a flag's values.
func complete(args ...string) []string {
	stdout, _, code := runBinary(append([]string{"__complete"}, args...)...)
	Expect(code).To(Equal(exitOK))
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if !strings.HasPrefix(l, ":") && l != "" {
			out = append(out, l)
		}
	}
	return out
}

var _ = Describe("one CLI vocabulary", func() {
	DescribeTable("the same idea is the same flag on every command that has it",
		func(flag string, commands ...string) {
			for _, c := range commands {
				stdout, _, code := runBinary(c, "--help")
				Expect(code).To(Equal(exitOK))
				Expect(stdout).To(MatchRegexp(`(?m)^\s+`+flag), "spotcheck %s --help", c)
			}
		},
		Entry("the grading rules to skip", `--skip strings`, "grade", "fake"),
		Entry("quiet", `-q, --quiet`, "run", "doctor", "grade", "fake", "explain", "wait"),
		Entry("verbose text", `-v, --verbose`, "run", "doctor", "grade", "fake"),
		Entry("the report files", `--report FORMAT=PATH`, "run", "doctor", "grade", "fake", "explain"),
		Entry("one request's timeout, 15s", `--timeout duration\s+how long one request may take \(default 15s\)`, "run", "doctor", "grade"),
		Entry("the .env files", `--env-file stringArray`, "run", "doctor"),
	)

	It("says which values --format and --report take, per command", func() {
		stdout, _, _ := runBinary("run", "--help")
		Expect(stdout).To(ContainSubstring("what stdout gets: text, json, junit, markdown or html"))
		stdout, _, _ = runBinary("explain", "--help")
		Expect(stdout).To(ContainSubstring("what stdout gets: text or json"))
		Expect(stdout).To(ContainSubstring("with FORMAT text or json"))
	})

	DescribeTable("keeps the old spellings, hidden",
		func(args []string, want string) {
			_, stderr, code := runBinary(args...)
			Expect(code).To(Equal(exitUsage))
			Expect(stderr).To(HavePrefix(want))
		},
		Entry("fake --skip", []string{"fake", "--grade-on-exit", "--skip", "nope"}, `spotcheck: --skip: no rule "nope"`),
		Entry("fake --grade-skip (old)", []string{"fake", "--grade-on-exit", "--grade-skip", "nope"}, `spotcheck: --skip: no rule "nope"`),
		Entry("grade --skip", []string{"grade", "--target", "http://127.0.0.1:1", "--skip", "nope"}, `spotcheck: --skip: no rule "nope"`),
	)

	It("hides the old spelling from help", func() {
		stdout, _, _ := runBinary("fake", "--help")
		Expect(stdout).NotTo(ContainSubstring("--grade-skip"))
	})

	DescribeTable("-q works before or after the command, and the old run -q still does",
		func(args ...string) {
			f := writeFile(GinkgoT().TempDir(), "one.yaml", "name: one\nsteps:\n  - authorize: {}\n")
			stdout, stderr, code := runWith(nil, append(args, f)...)
			Expect(code).To(Equal(exitOK), stderr)
			Expect(stderr).To(BeEmpty(), "no progress lines")
			Expect(lastLine(stdout)).To(Equal("1 passed, 0 failed, 0 skipped"))
		},
		Entry("spotcheck run -q", "run", "-q"),
		Entry("spotcheck -q run", "-q", "run"),
		Entry("spotcheck run --quiet", "run", "--quiet"),
	)

	DescribeTable("drops info log lines with -q",
		func(quiet bool) {
			args := []string{"fake", "--addr", "127.0.0.1:0"}
			if quiet {
				args = append([]string{"-q"}, args...)
			}
			s := startBinary(args...)
			fakeURL(s)
			s.Signal(syscall.SIGTERM)
			Eventually(s).WithTimeout(10 * time.Second).Should(gexec.Exit(exitOK))
			if quiet {
				Expect(string(s.Err.Contents())).NotTo(ContainSubstring(`"level":"info"`))
			} else {
				Expect(string(s.Err.Contents())).To(ContainSubstring(`"level":"info"`), "the spec can fail")
			}
		},
		Entry("with -q", true),
		Entry("without", false),
	)

	Describe("explain --report", func() {
		It("writes text and json files beside stdout", func() {
			dir := GinkgoT().TempDir()
			js, txt := filepath.Join(dir, "out", "e.json"), filepath.Join(dir, "e.txt")
			stdout, stderr, code := runBinary("explain", "--report", "json="+js, "--report", "text="+txt, "INVALID_CLIENT: Invalid redirect URI")
			Expect(code).To(Equal(exitOK), stderr)
			Expect(os.ReadFile(txt)).To(Equal([]byte(stdout)))
			Expect(os.ReadFile(js)).To(ContainSubstring(`"redirect-uri-mismatch"`))
		})

		DescribeTable("refuses what explain cannot write, before it explains",
			func(value, want string) {
				stdout, stderr, code := runBinary("explain", "--report", value, "INVALID_CLIENT: Invalid redirect URI")
				Expect(code).To(Equal(exitUsage))
				Expect(stdout).To(BeEmpty())
				Expect(stderr).To(Equal("spotcheck: " + want + "\n"))
			},
			Entry("junit", "junit=out.xml", `--report "junit=out.xml": explain writes text or json`),
			Entry("stdout", "json=-", `--report "json=-": stdout is --format's; give a file`),
			Entry("no path", "json", `--report "json": want FORMAT=PATH, e.g. junit=out/report.xml (FORMAT is text, json, junit, markdown or html; PATH - is stdout)`),
		)
	})

	DescribeTable("completes flag values",
		func(args []string, want ...string) {
			Expect(complete(args...)).To(ContainElements(want))
		},
		Entry("run --format", []string{"run", "--format", ""}, "text", "json", "junit", "markdown", "html"),
		Entry("explain --format", []string{"explain", "--format", ""}, "text", "json"),
		Entry("doctor --report", []string{"doctor", "--report", ""}, "junit=", "html="),
		Entry("run --target", []string{"run", "--target", ""}, "fake", "spotify", "http://127.0.0.1:8787"),
		Entry("doctor --target", []string{"doctor", "--target", ""}, "spotify", "fake"),
		Entry("run --tags, from the built-in suite", []string{"run", "--tags", ""}, "pkce", "browser", "consent"),
		Entry("run --tags, the next of a list", []string{"run", "--tags", "pkce,"}, "pkce,refresh", "pkce,browser"),
		Entry("run --skip-tags", []string{"run", "--skip-tags", ""}, "browser"),
		Entry("explain --as", []string{"explain", "--as", ""}, "auto", "har", "callback"),
		Entry("doctor --flow", []string{"doctor", "--flow", ""}, "code", "pkce", "client-credentials"),
		Entry("grade --fail-on", []string{"grade", "--fail-on", ""}, "error", "warning", "info", "none"),
		Entry("fake --fail-on", []string{"fake", "--fail-on", ""}, "error", "none"),
		Entry("grade --skip", []string{"grade", "--skip", ""}, "no-requests"),
		Entry("fake --app", []string{"fake", "--app", ""}, "web", "other", "dev", "nopremium", "legacy"),
		Entry("fake --print-env APP", []string{"fake", "--print-env", ""}, "web", "dev"),
		Entry("fake --consent", []string{"fake", "--consent", ""}, "page", "auto"),
		Entry("--log-level", []string{"run", "--log-level", ""}, "debug", "warn"),
	)

	It("completes --tags from the scenario files on the command line", func() {
		f := writeFile(GinkgoT().TempDir(), "mine.yaml", "name: mine\ntags: [my-own-tag]\nsteps:\n  - authorize: {}\n")
		Expect(complete("run", f, "--tags", "")).To(Equal([]string{"my-own-tag"}))
	})

	It("completes --app from --config", func() {
		p := writeFile(GinkgoT().TempDir(), "fake.yaml", "apps:\n  - name: mine\n    client_id: 0123456789abcdef0123456789abcdef\n    client_secret: s3cr3t-s3cr3t\n    redirect_uris: [http://127.0.0.1:3000/cb]\n")
		Expect(complete("fake", "--config", p, "--app", "")).To(Equal([]string{"mine"}))
	})

	It("puts the suggestion for a mistyped command on a line of its own", func() {
		_, stderr, code := runBinary("fak")
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).To(Equal("spotcheck: unknown command \"fak\" for \"spotcheck\"\ndid you mean spotcheck fake?\n"))
	})

	Describe("spotcheck run on a terminal", func() {
		var file string
		BeforeEach(func() {
			file = writeFile(GinkgoT().TempDir(), "two.yaml", "name: passes\nsteps:\n  - authorize: {}\n---\n"+reuseScenario)
			GinkgoT().Setenv("NO_COLOR", "1")
			GinkgoT().Setenv("TERM", "xterm")
		})

		It("shows the progress, then only the failures and the summary", func() {
			stdout, stderr, code := runIn(true, "run", file)
			Expect(code).To(Equal(exitFailed))
			Expect(stderr).To(ContainSubstring("PASS  passes"), "the progress names every scenario")
			Expect(stdout).NotTo(ContainSubstring("passes"), "not listed a second time")
			Expect(stdout).To(ContainSubstring("FAIL   two/reuse-expects-success"))
			Expect(lastLine(stdout)).To(Equal("1 passed, 1 failed, 0 skipped"))
		})

		DescribeTable("lists every scenario when the progress did not, or when asked",
			func(tty bool, args ...string) {
				stdout, _, _ := runIn(tty, append(append([]string{"run"}, args...), file)...)
				Expect(stdout).To(ContainSubstring("PASS   two/passes"))
			},
			Entry("-v", true, "-v"),
			Entry("-q: no progress", true, "-q"),
			Entry("not a terminal", false),
		)
	})
})
