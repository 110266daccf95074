package reports_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/reports"
	"github.com/spotcheck/spotcheck/reports/reportstest"
)

// A check's details are what it left out and why: the files a secret scan
// did not read. Text shows the count (the check's message), --verbose
// every line; JSON always has them.
var _ = Describe("a check's details", func() {
	details := []string{
		"host: skipped: a symbolic link out of the scanned tree (not followed)",
		"logo.png: skipped: binary (a NUL byte in its first 8000 bytes)",
	}
	doc := func() reports.Document {
		f := reportstest.Findings()
		f.Checks = append(f.Checks, checks.CheckOutcome{ID: "secret-scan", Group: "secrets", Title: "no secret in the files git tracks",
			Status: checks.StatusPass, Message: "1 tracked and not-ignored file scanned in .; 2 skipped (1 binary, 1 symbolic link out of the tree)", Details: details})
		return reports.Document{Findings: f}
	}

	It("are counted in text, with a pointer to --verbose", func() {
		out := string(render(reports.FormatText, doc(), reports.Options{}))
		Expect(out).To(ContainSubstring("\nNOTE   secret-scan — 1 tracked and not-ignored file scanned in .; 2 skipped (1 binary, 1 symbolic link out of the tree) (--verbose lists them)\n"))
		for _, d := range details {
			Expect(out).NotTo(ContainSubstring(d))
		}
	})

	It("are listed one per line in verbose text", func() {
		out := string(render(reports.FormatText, doc(), reports.Options{Verbose: true}))
		Expect(out).To(ContainSubstring("NOTE   secret-scan — 1 tracked and not-ignored file scanned in .; 2 skipped (1 binary, 1 symbolic link out of the tree)\n         " +
			strings.Join(details, "\n         ") + "\n"))
	})

	It("are in JSON, which validates", func() {
		out := render(reports.FormatJSON, doc(), reports.Options{})
		Expect(validate(reportSchema(), out)).To(Succeed())
		checks := decode(out)["checks"].([]any)
		last := checks[len(checks)-1].(map[string]any)
		Expect(last["details"]).To(Equal([]any{details[0], details[1]}))
	})
})
