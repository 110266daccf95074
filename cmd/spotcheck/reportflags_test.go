package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/spf13/cobra"

	"github.com/spotcheck/spotcheck/reports"
	"github.com/spotcheck/spotcheck/reports/reportstest"
)

// reportTestDoc is what the hidden report-test command writes.
var reportTestDoc reports.Document

// A command that does nothing but write reportTestDoc with reportFlags,
// registered only in the test binary, so the flags are exercised through
// execute exactly as run and doctor will use them.
func init() {
	subcommands = append(subcommands, func(a *app) *cobra.Command {
		var rf reportFlags
		cmd := &cobra.Command{
			Use: "report-test", Hidden: true, Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error { return rf.write(a, reportTestDoc) },
		}
		rf.register(cmd)
		return cmd
	})
}

func runReportTest(args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	code = execute(append([]string{"report-test"}, args...), strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

var _ = Describe("report flags", func() {
	var dir string
	BeforeEach(func() {
		dir = GinkgoT().TempDir()
		reportTestDoc = reports.Document{Run: reportstest.Run()}
		GinkgoT().Setenv("GITHUB_ACTIONS", "")
		GinkgoT().Setenv("NO_COLOR", "")
	})

	It("prints text on stdout by default, summary last, without colour off a terminal", func() {
		stdout, stderr, code := runReportTest()
		Expect(code).To(Equal(exitOK), stderr)
		Expect(stdout).To(HaveSuffix("\n1 passed, 2 failed, 1 skipped\n"))
		Expect(stdout).To(HavePrefix("spotcheck " + spotcheckVersion() + " · run against fake"))
		Expect(stdout).NotTo(ContainSubstring("\x1b["))
	})

	It("prints the --format asked for", func() {
		stdout, _, code := runReportTest("--format", "json")
		Expect(code).To(Equal(exitOK))
		var m map[string]any
		Expect(json.Unmarshal([]byte(stdout), &m)).To(Succeed())
		Expect(m).To(HaveKeyWithValue("spotcheck_version", spotcheckVersion()))
	})

	It("writes every --report and still prints text", func() {
		junit, html := filepath.Join(dir, "out", "junit.xml"), filepath.Join(dir, "report.html")
		stdout, stderr, code := runReportTest("--report", "junit="+junit, "--report", "html="+html, "--no-screenshots")
		Expect(code).To(Equal(exitOK), stderr)
		Expect(stdout).To(HaveSuffix("1 passed, 2 failed, 1 skipped\n"))
		Expect(os.ReadFile(junit)).To(ContainSubstring(`<testsuites name="spotcheck run"`))
		Expect(os.ReadFile(html)).To(ContainSubstring("screenshot not included"))
	})

	It("sends a --report to stdout for path -", func() {
		stdout, _, code := runReportTest("--report", "markdown=-")
		Expect(code).To(Equal(exitOK))
		Expect(stdout).To(HavePrefix("## spotcheck run: ❌ 2 failures"))
	})

	DescribeTable("rejects bad flags with exit 2 before anything is written",
		func(args []string, want string) {
			stdout, stderr, code := runReportTest(args...)
			Expect(code).To(Equal(exitUsage))
			Expect(stdout).To(BeEmpty())
			Expect(stderr).To(Equal("spotcheck: " + want + "\n"))
		},
		Entry("an unknown report format", []string{"--report", "xml=out.xml"},
			`invalid argument "xml=out.xml" for "--report" flag: unknown report format "xml" (want text, json, junit, markdown or html)`),
		Entry("a report without a path", []string{"--report", "junit"},
			`invalid argument "junit" for "--report" flag: want FORMAT=PATH, e.g. junit=out/report.xml (FORMAT is text, json, junit, markdown or html; PATH - is stdout)`),
		Entry("an unknown stdout format", []string{"--format", "yaml"},
			`invalid argument "yaml" for "--format" flag: unknown report format "yaml" (want text, json, junit, markdown or html)`),
		Entry("two reports on stdout", []string{"--report", "json=-", "--report", "html=-"},
			`invalid argument "html=-" for "--report" flag: --report json=- already writes to stdout`),
		Entry("--format and a report on stdout", []string{"--format", "json", "--report", "html=-"},
			`invalid argument "html=-" for "--report" flag: --format json already sets what stdout gets; drop one of them`),
		Entry("a report on stdout and --format", []string{"--report", "html=-", "--format", "json"},
			`invalid argument "json" for "--format" flag: --report html=- already writes to stdout; drop one of them`),
		Entry("two reports to one file", []string{"--report", "json=r.out", "--report", "junit=./r.out"},
			`invalid argument "junit=./r.out" for "--report" flag: --report json=r.out already writes to ./r.out`),
	)

	It("writes the other reports when one path fails, then exits 2 naming it", func() {
		Expect(os.WriteFile(filepath.Join(dir, "afile"), []byte("x"), 0o644)).To(Succeed())
		bad, good := filepath.Join(dir, "afile", "junit.xml"), filepath.Join(dir, "report.json")
		stdout, stderr, code := runReportTest("--report", "junit="+bad, "--report", "json="+good)
		Expect(code).To(Equal(exitUsage))
		Expect(stdout).To(HaveSuffix("1 passed, 2 failed, 1 skipped\n"), "stdout was written")
		Expect(good).To(BeAnExistingFile())
		Expect(stderr).To(Equal(fmt.Sprintf("spotcheck: junit report %s: cannot create directory %s: %s is a file, not a directory\n",
			bad, filepath.Join(dir, "afile"), filepath.Join(dir, "afile"))))
	})

	It("writes --report junit=/dev/null into the device and exits 0", func() {
		_, stderr, code := runReportTest("--report", "junit=/dev/null")
		Expect(code).To(Equal(exitOK), stderr)
		fi, err := os.Lstat("/dev/null")
		Expect(err).NotTo(HaveOccurred())
		Expect(fi.Mode() & os.ModeCharDevice).NotTo(BeZero())
	})

	It("refuses a socket as a report path with one line and exit 2, and writes the others", func() {
		sock, good := filepath.Join(dir, "s"), filepath.Join(dir, "report.json")
		ln, err := net.Listen("unix", sock)
		Expect(err).NotTo(HaveOccurred())
		defer ln.Close()
		_, stderr, code := runReportTest("--report", "junit="+sock, "--report", "json="+good)
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).To(Equal(fmt.Sprintf("spotcheck: junit report %s: the path is a socket; write the report to a file, a character device or a FIFO\n", sock)))
		Expect(good).To(BeAnExistingFile())
	})

	It("names every report that failed", func() {
		Expect(os.WriteFile(filepath.Join(dir, "afile"), []byte("x"), 0o644)).To(Succeed())
		_, stderr, code := runReportTest("--report", "junit="+filepath.Join(dir, "afile", "a.xml"), "--report", "html="+dir)
		Expect(code).To(Equal(exitUsage))
		Expect(stderr).To(ContainSubstring("junit report " + filepath.Join(dir, "afile", "a.xml")))
		Expect(stderr).To(ContainSubstring("; html report " + dir + ": the path is a directory"))
		Expect(strings.Count(stderr, "\n")).To(Equal(1))
	})

	Context("under GitHub Actions", func() {
		BeforeEach(func() { GinkgoT().Setenv("GITHUB_ACTIONS", "true") })

		DescribeTable("puts annotations on stderr alone, never into the report on stdout",
			func(args ...string) {
				stdout, stderr, code := runReportTest(args...)
				Expect(code).To(Equal(exitOK))
				Expect(stdout).NotTo(ContainSubstring("::error"))
				Expect(stdout).NotTo(ContainSubstring("::warning"))
				Expect(stderr).To(ContainSubstring("::error file=scenarios/token.yaml,title=spotcheck%3A token/code-reuse-is-rejected failed::"))
			},
			Entry("the README's --report markdown=- >> $GITHUB_STEP_SUMMARY", "--report", "markdown=-"),
			Entry("--format markdown", "--format", "markdown"),
			Entry("text", "--format", "text"),
		)

		It("puts annotations on stderr when stdout carries another format", func() {
			stdout, stderr, code := runReportTest("--format", "json", "--report", "markdown="+filepath.Join(dir, "summary.md"))
			Expect(code).To(Equal(exitOK))
			Expect(json.Valid([]byte(stdout))).To(BeTrue())
			Expect(stderr).To(ContainSubstring("::error file=scenarios/token.yaml,title=spotcheck%3A token/code-reuse-is-rejected failed::"))
			Expect(os.ReadFile(filepath.Join(dir, "summary.md"))).NotTo(ContainSubstring("::error"), "a step summary file is not read for commands")
		})
	})

	Context("on a terminal", func() {
		BeforeEach(func() {
			prev := isTerminal
			isTerminal = func(io.Writer) bool { return true }
			DeferCleanup(func() { isTerminal = prev })
		})

		It("colours text", func() {
			stdout, _, _ := runReportTest("--report", "text="+filepath.Join(dir, "r.txt"))
			Expect(stdout).To(ContainSubstring("\x1b[1m\x1b[31mFAIL"))
			Expect(os.ReadFile(filepath.Join(dir, "r.txt"))).NotTo(ContainSubstring("\x1b["), "files are never coloured")
		})

		It("does not colour with NO_COLOR set", func() {
			GinkgoT().Setenv("NO_COLOR", "1")
			stdout, _, _ := runReportTest()
			Expect(stdout).NotTo(ContainSubstring("\x1b["))
		})
	})

	It("documents the flags in help", func() {
		stdout, _, code := runReportTest("--help")
		Expect(code).To(Equal(exitOK))
		Expect(stdout).To(ContainSubstring("--report FORMAT=PATH"))
		Expect(stdout).To(ContainSubstring(`--format FORMAT`))
		Expect(stdout).To(ContainSubstring(`(default text)`))
	})
})
