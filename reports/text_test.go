package reports_test

import (
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/reports"
	"github.com/spotcheck/spotcheck/reports/reportstest"
)

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

func lines(b []byte) []string {
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

var _ = Describe("the text format", func() {
	It("ends with the summary line alone, errors counted as failed", func() {
		out := lines(render(reports.FormatText, runDoc(), reports.Options{}))
		Expect(out[len(out)-1]).To(Equal("1 passed, 2 failed, 1 skipped"))
		Expect(out[len(out)-2]).To(Equal("Ran 4 scenarios against fake in 1.65s (1 error, counted as failed)"))
	})

	It("lists failures first, then skipped, then passed", func() {
		out := string(render(reports.FormatText, runDoc(), reports.Options{}))
		fail := strings.Index(out, "FAIL   token/code-reuse-is-rejected")
		errd := strings.Index(out, "ERROR  token/token-endpoint-reachable")
		skip := strings.Index(out, "SKIP   api/premium-only-endpoint")
		pass := strings.Index(out, "PASS   authorize/happy-path")
		Expect([]int{fail, errd, skip, pass}).To(HaveEach(BeNumerically(">", 0)))
		Expect(fail).To(BeNumerically("<", errd))
		Expect(errd).To(BeNumerically("<", skip))
		Expect(skip).To(BeNumerically("<", pass))
	})

	It("shows expected against actual for each failed expectation, and the explanation's fix", func() {
		out := string(render(reports.FormatText, runDoc(), reports.Options{}))
		Expect(out).To(ContainSubstring("       error_description\n         expected: (absent)\n         actual:   Invalid authorization code\n"))
		Expect(out).To(ContainSubstring("⇒ The authorization code was already used [code-invalid]"))
		Expect(out).To(ContainSubstring("fix: Exchange each code exactly once"))
		Expect(out).To(ContainSubstring("check in the dashboard: Redirect URIs: the callback's exact URI is listed."))
		Expect(out).NotTo(ContainSubstring("content-type\n"), "expectations that held are not repeated")
		Expect(out).To(ContainSubstring("— needs a Premium user; target spotify has none configured"))
		Expect(out).To(ContainSubstring("– 3. refresh skipped: an earlier step failed"))
	})

	It("uses no ANSI codes unless told to", func() {
		plain := render(reports.FormatText, runDoc(), reports.Options{})
		Expect(string(plain)).NotTo(ContainSubstring("\x1b"))

		coloured := render(reports.FormatText, runDoc(), reports.Options{Color: true})
		Expect(ansi.Match(coloured)).To(BeTrue())
		Expect(ansi.ReplaceAllString(string(coloured), "")).To(Equal(string(plain)))
		last := lines(coloured)[len(lines(coloured))-1]
		Expect(ansi.ReplaceAllString(last, "")).To(Equal("1 passed, 2 failed, 1 skipped"))
	})

	It("cannot be made to move the cursor or forge a summary by a hostile message", func() {
		run := reportstest.Run()
		run.Scenarios[1].Steps[1].Expectations[0].Actual = "400\x1b[2J\r1000 passed, 0 failed, 0 skipped"
		out := render(reports.FormatText, reports.Document{Run: run}, reports.Options{})
		Expect(string(out)).NotTo(ContainSubstring("\x1b"))
		Expect(string(out)).NotTo(ContainSubstring("\r"))
		Expect(string(out)).To(ContainSubstring(`400\x1b[2J\r1000 passed`))
		Expect(lines(out)[len(lines(out))-1]).To(Equal("1 passed, 2 failed, 1 skipped"))
	})

	It("groups findings by severity, most severe first, and counts checks", func() {
		out := string(render(reports.FormatText, findingsDoc(), reports.Options{}))
		e := strings.Index(out, "\nERROR (2)\n")
		w := strings.Index(out, "\nWARNING (1)\n")
		i := strings.Index(out, "\nINFO (1)\n")
		Expect([]int{e, w, i}).To(HaveEach(BeNumerically(">", 0)))
		Expect(e).To(BeNumerically("<", w))
		Expect(w).To(BeNumerically("<", i))
		Expect(out).To(ContainSubstring("✗ redirect-uri-mismatch — http://localhost:8080/callback is not registered"))
		Expect(out).To(ContainSubstring("fix: Register http://127.0.0.1:8080/callback"))
		Expect(out).To(ContainSubstring("\nSKIP   1 check (--verbose lists each with the reason)\n"))
		Expect(out).NotTo(ContainSubstring("scopes-granted"))
		Expect(out).To(ContainSubstring("ERROR  api-reachable — GET https://api.spotify.com/v1/me: context deadline exceeded"))
		l := lines([]byte(out))
		Expect(l[len(l)-1]).To(Equal("2 passed, 3 failed, 1 skipped"))
	})

	It("lists each skipped check with its reason, and each exchange, when verbose", func() {
		out := string(render(reports.FormatText, findingsDoc(), reports.Options{Verbose: true}))
		Expect(out).To(ContainSubstring("SKIP   scopes-granted — needs a user login (--login)"))
		Expect(out).To(ContainSubstring("      #2 POST /api/token → 400 (client → accounts)\n"))
		Expect(out).NotTo(ContainSubstring("--report html=FILE shows"))
	})

	It("says where to see a finding's exchanges instead of numbering them, unless verbose", func() {
		out := string(render(reports.FormatText, findingsDoc(), reports.Options{}))
		Expect(out).NotTo(MatchRegexp(`#\d+ (GET|POST) `))
		Expect(out).To(ContainSubstring("      (1 exchange: --verbose lists it; --report html=FILE shows it in full)\n"))
	})

	It("wraps long evidence and fixes at the width, between words or at URL boundaries, indented", func() {
		doc := findingsDoc()
		long := "/authorize: GET /authorize?client_id=6f0e2b1c9a8d4e7f8a1b2c3d4e5f6a7b&redirect_uri=http%3A%2F%2Flocalhost%3A8888%2Fcallback%2F&response_type=code&state=spotcheck-doctor → HTTP 400 INVALID_CLIENT: Invalid redirect URI"
		doc.Findings.Findings[0].Evidence = []string{long}
		out := render(reports.FormatText, doc, reports.Options{Width: 80})
		var block []string
		for _, l := range lines(out) {
			if strings.HasPrefix(l, "      ") {
				Expect(len([]rune(l))).To(BeNumerically("<=", 80), l)
			}
			if strings.HasPrefix(l, "      evidence: /authorize") || len(block) > 0 && strings.HasPrefix(l, "                ") {
				block = append(block, l)
			} else if len(block) > 0 {
				break
			}
		}
		Expect(len(block)).To(BeNumerically(">", 2))
		joined := strings.TrimPrefix(block[0], "      evidence: ")
		for i, l := range block[1:] {
			cont := strings.TrimPrefix(l, "                ")
			if strings.HasSuffix(block[i], "&") || strings.HasSuffix(block[i], "?") || strings.HasSuffix(block[i], "/") || strings.HasSuffix(block[i], ",") || strings.HasSuffix(block[i], ";") || strings.HasSuffix(block[i], "=") {
				joined += cont
			} else {
				joined += " " + cont
			}
		}
		Expect(joined).To(Equal(long), "nothing lost, and every break at a space or after a URL boundary")

		fix := string(render(reports.FormatText, doc, reports.Options{Width: 60}))
		Expect(fix).To(ContainSubstring("      fix: Copy the secret again from the app's settings in\n           the Spotify developer dashboard"))
	})

	It("does not wrap without a width", func() {
		doc := findingsDoc()
		doc.Findings.Findings[0].Evidence = []string{strings.Repeat("word ", 60)}
		out := string(render(reports.FormatText, doc, reports.Options{}))
		Expect(out).To(ContainSubstring(strings.TrimSpace(strings.Repeat("word ", 60))))
	})

	It("reports an empty run as such", func() {
		out := lines(render(reports.FormatText, reports.Document{Run: &checks.RunResult{}}, reports.Options{}))
		Expect(out[len(out)-1]).To(Equal("0 passed, 0 failed, 0 skipped"))
	})
})

var _ = Describe("Write", func() {
	It("refuses a document without results, or with both kinds", func() {
		var b strings.Builder
		Expect(reports.Write(&b, reports.FormatText, reports.Document{}, reports.Options{})).To(MatchError(reports.ErrEmptyDocument))
		both := reports.Document{Run: reportstest.Run(), Findings: reportstest.Findings()}
		Expect(reports.Write(&b, reports.FormatJSON, both, reports.Options{})).To(MatchError(ContainSubstring("both a run and findings")))
		Expect(b.Len()).To(BeZero())
	})

	It("refuses an unknown format by name", func() {
		var b strings.Builder
		Expect(reports.Write(&b, reports.Format("yaml"), runDoc(), reports.Options{})).To(MatchError(`unknown report format "yaml" (want text, json, junit, markdown or html)`))
	})

	It("prints the version it is given over the one recorded", func() {
		out := string(render(reports.FormatText, runDoc(), reports.Options{Version: "v9.9.9"}))
		Expect(lines([]byte(out))[0]).To(HavePrefix("spotcheck v9.9.9 · run against fake"))
	})
})

var _ = Describe("scenario ids", func() {
	It("keep a scenario's name as the scenarios package spells it", func() {
		run := &checks.RunResult{Scenarios: []checks.ScenarioResult{
			{Name: "pkce.s256_required", File: "builtin/pkce.yaml", Status: checks.StatusPass},
			{Name: "pkce.s256_required", File: "other/pkce.yml", Status: checks.StatusPass},
			{Name: "Spaces And CAPS", File: "", Status: checks.StatusPass},
		}}
		out := string(render(reports.FormatText, reports.Document{Run: run}, reports.Options{}))
		Expect(out).To(ContainSubstring("PASS   pkce/pkce.s256_required  "))
		Expect(out).To(ContainSubstring("PASS   pkce/pkce.s256_required-2  "), "a repeated id is made unique")
		Expect(out).To(ContainSubstring("PASS   spaces-and-caps  "))
	})
})
