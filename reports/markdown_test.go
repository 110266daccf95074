package reports_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/cisafe/cisafetest"
	"github.com/spotcheck/spotcheck/reports"
	"github.com/spotcheck/spotcheck/reports/reportstest"
)

var _ = Describe("the Markdown format", func() {
	It("opens with a verdict and a summary table", func() {
		out := string(render(reports.FormatMarkdown, runDoc(), reports.Options{}))
		Expect(out).To(HavePrefix("## spotcheck run: ❌ 2 failures\n\n| ✅ Passed | ❌ Failed | 💥 Errors | ⏭️ Skipped | Total | Time |\n|---:|---:|---:|---:|---:|---:|\n| 1 | 1 | 1 | 1 | 4 | 1.650s |\n"))
	})

	It("details each failure with expected against actual and the fix", func() {
		out := string(render(reports.FormatMarkdown, runDoc(), reports.Options{}))
		Expect(out).To(ContainSubstring("#### ❌ fail `token/code-reuse-is-rejected`"))
		Expect(out).To(ContainSubstring("| error\\_description | `(absent)` | `Invalid authorization code` |"))
		Expect(out).To(ContainSubstring("**Fix:** Exchange each code exactly once"))
		Expect(out).To(ContainSubstring("**Check in the dashboard:**\n\n- Redirect URIs: the callback's exact URI is listed.\n"))
		Expect(out).To(ContainSubstring("#### 💥 error `token/token-endpoint-reachable`"))
		Expect(out).To(ContainSubstring("| `api/premium-only-endpoint` | needs a Premium user; target spotify has none configured |"))
		Expect(out).NotTo(ContainSubstring("::error"), "annotations only when asked for")
	})

	It("keeps what a target sent from turning into markup or breaking the table", func() {
		run := reportstest.Run()
		st := &run.Scenarios[1].Steps[1]
		st.Expectations[0].Actual = "a | b ``tick`` \n<img src=x onerror=alert(1)>"
		st.Message = "<script>alert(1)</script> **bold** [link](http://evil)"
		out := string(render(reports.FormatMarkdown, reports.Document{Run: run}, reports.Options{}))
		Expect(out).To(ContainSubstring("| status | `200` | ```a \\| b ``tick`` ⏎<img src=x onerror=alert(1)>``` |"))
		Expect(out).To(ContainSubstring("&lt;script&gt;alert(1)&lt;/script&gt; \\*\\*bold\\*\\* \\[link\\](http://evil)"))
		Expect(out).NotTo(ContainSubstring("<script>"))
	})

	It("does not let a message start a line that the Actions runner would read as a command", func() {
		run := reportstest.Run()
		run.Scenarios[1].Steps[1].Message = "::error::forged"
		run.Scenarios[1].Description = "::add-mask::x"
		out := string(render(reports.FormatMarkdown, reports.Document{Run: run}, reports.Options{}))
		Expect(out).To(ContainSubstring("\n:\u200b:error::forged\n"), "a zero-width space disarms it and reads the same")
		Expect(cisafetest.Commands(out)).To(BeEmpty())
	})

	It("never carries a workflow command, so that it can go to $GITHUB_STEP_SUMMARY", func() {
		run := reportstest.Run()
		out := string(render(reports.FormatMarkdown, reports.Document{Run: run}, reports.Options{}))
		Expect(reports.Annotations(reports.Document{Run: run})).NotTo(BeEmpty())
		Expect(cisafetest.Commands(out)).To(BeEmpty())
		Expect(out).NotTo(ContainSubstring("::error"))
	})

	It("summarises findings by severity", func() {
		out := string(render(reports.FormatMarkdown, findingsDoc(), reports.Options{}))
		Expect(out).To(HavePrefix("## spotcheck doctor: ❌ 2 errors\n"))
		Expect(out).To(ContainSubstring("| 2 | 1 | 1 | 2 | 3 | 1 | 2.300s |"))
		e, w, i := strings.Index(out, "### ❌ error (2)"), strings.Index(out, "### ⚠️ warning (1)"), strings.Index(out, "### ℹ️ info (1)")
		Expect([]int{e, w, i}).To(HaveEach(BeNumerically(">", 0)))
		Expect(e).To(BeNumerically("<", w))
		Expect(w).To(BeNumerically("<", i))
		Expect(out).To(ContainSubstring("**Fix:** Register http://127.0.0.1:8080/callback"))
	})

	It("says so when everything passed", func() {
		run := &checks.RunResult{Scenarios: []checks.ScenarioResult{{Name: "a", File: "x.yaml", Status: checks.StatusPass}}}
		Expect(string(render(reports.FormatMarkdown, reports.Document{Run: run}, reports.Options{}))).To(HavePrefix("## spotcheck run: ✅ all passed\n"))
	})
})

var _ = Describe("Annotations", func() {
	It("are escaped per the workflow-command rules", func() {
		run := reportstest.Run()
		run.Scenarios[1].Message = "100% wrong,\r\nreally: yes"
		run.Scenarios[1].File = "scenarios/a,b:c.yaml"
		out := strings.Join(reports.Annotations(reports.Document{Run: run}), "\n")
		Expect(out).To(ContainSubstring("::error file=scenarios/a%2Cb%3Ac.yaml,title=spotcheck%3A a-b-c/code-reuse-is-rejected failed::100%25 wrong,%0D%0Areally: yes%0AFix: Exchange each code exactly once"))
		Expect(out).To(ContainSubstring("::error file=scenarios/token.yaml,title=spotcheck%3A token/token-endpoint-reachable errored::exchange-code: POST http://127.0.0.1:41234/api/token"))
		for _, l := range strings.Split(out, "\n") {
			Expect(l).To(MatchRegexp(`^::(error|warning|notice)( [^:]*)?::`))
		}
	})

	DescribeTable("point at the failing step's line, else at the scenario's",
		func(scLine, scCol, stepLine, stepCol int, want string) {
			run := reportstest.Run()
			sc := &run.Scenarios[1]
			sc.Line, sc.Column = scLine, scCol
			for i := range sc.Steps {
				sc.Steps[i].Line, sc.Steps[i].Column = 0, 0
			}
			sc.Steps[1].Line, sc.Steps[1].Column = stepLine, stepCol
			Expect(reports.Annotations(reports.Document{Run: run})[0]).To(HavePrefix(want))
		},
		Entry("the step's line and column", 3, 3, 12, 7, "::error file=scenarios/token.yaml,line=12,col=7,title="),
		Entry("the scenario's, when the step has none", 3, 5, 0, 0, "::error file=scenarios/token.yaml,line=3,col=5,title="),
		Entry("the file alone, when nothing is known", 0, 0, 0, 0, "::error file=scenarios/token.yaml,title="),
	)

	It("maps findings to error, warning and notice, and errored checks to error", func() {
		as := reports.Annotations(findingsDoc())
		Expect(as).To(HaveLen(5))
		Expect(as[0]).To(HavePrefix("::error title=spotcheck doctor%3A client-secret-wrong%3A Spotify rejects the client secret::"))
		Expect(as[2]).To(HavePrefix("::warning title="))
		Expect(as[3]).To(HavePrefix("::notice title="))
		Expect(as[4]).To(Equal("::error title=spotcheck doctor%3A check api-reachable errored::GET https://api.spotify.com/v1/me: context deadline exceeded"))
	})

	It("has nothing to say about a passing run", func() {
		run := &checks.RunResult{Scenarios: []checks.ScenarioResult{{Name: "a", Status: checks.StatusPass}, {Name: "b", Status: checks.StatusSkip}}}
		Expect(reports.Annotations(reports.Document{Run: run})).To(BeEmpty())
	})

	It("cannot be made to start a command of its own", func() {
		run := reportstest.Run()
		run.Scenarios[1].Message = "x\n::add-mask::y\r::stop-commands::z"
		var b strings.Builder
		Expect(reports.WriteAnnotations(&b, reports.Document{Run: run})).To(Succeed())
		for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
			Expect(l).To(HavePrefix("::error file="))
		}
		Expect(b.String()).To(ContainSubstring("x%0A::add-mask::y%0D::stop-commands::z"))
	})
})
