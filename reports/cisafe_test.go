package reports_test

import (
	"encoding/json"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/cisafe/cisafetest"
	"github.com/spotcheck/spotcheck/reports"
	"github.com/spotcheck/spotcheck/reports/reportstest"
)

// hostile is what a target (or a page it serves) can put in a body, a
// header, an error message or page text: workflow commands behind line
// breaks of every kind and leading white space, which the text report's
// indentation used to hand to the runner.
const hostile = "ok\n  ::error::pwned\n\t::add-mask::s3cret\r\n ::stop-commands::tok\r##[group]g\n    ##[error]e ##vso[task.complete]"

// hostileDocs puts hostile text in every field of a run and of a doctor
// result that comes from a target.
func hostileDocs() []reports.Document {
	run := reportstest.Run()
	for i := range run.Scenarios {
		sc := &run.Scenarios[i]
		sc.Message = hostile
		for j := range sc.Steps {
			st := &sc.Steps[j]
			st.Message = hostile
			for k := range st.Expectations {
				st.Expectations[k].Actual = hostile
			}
			for k := range st.Exchanges {
				x := &st.Exchanges[k]
				x.ResponseBody, x.Error = hostile, hostile
				x.ResponseHeaders = http.Header{"X-Hostile": {hostile}, "Content-Type": {"text/plain"}}
			}
			for k := range st.Screenshots {
				st.Screenshots[k].PageText = hostile
			}
			if st.Explanation != nil {
				st.Explanation.Evidence = hostile
				st.Explanation.Findings = []string{hostile}
			}
		}
	}
	f := reportstest.Findings()
	for i := range f.Findings {
		f.Findings[i].Evidence = []string{hostile}
		for k := range f.Findings[i].Exchanges {
			f.Findings[i].Exchanges[k].ResponseBody = hostile
		}
	}
	for i := range f.Checks {
		f.Checks[i].Message = hostile
		f.Checks[i].Details = []string{hostile}
		f.Checks[i].Status = checks.StatusError
	}
	return []reports.Document{{Run: run}, {Findings: f}}
}

var _ = Describe("target text in reports", func() {
	DescribeTable("never reaches a CI runner as a workflow command",
		func(format reports.Format, opts reports.Options) {
			for _, doc := range hostileDocs() {
				out := render(format, doc, opts)
				Expect(cisafetest.Commands(string(out))).To(BeEmpty())
			}
		},
		Entry("text", reports.FormatText, reports.Options{}),
		Entry("verbose text", reports.FormatText, reports.Options{Verbose: true}),
		Entry("Markdown", reports.FormatMarkdown, reports.Options{}),
		Entry("JSON", reports.FormatJSON, reports.Options{}),
		Entry("JUnit", reports.FormatJUnit, reports.Options{}),
		Entry("HTML", reports.FormatHTML, reports.Options{}),
	)

	It("keeps annotations apart: written alone they are spotcheck's own commands and nothing else", func() {
		for _, doc := range hostileDocs() {
			var b strings.Builder
			Expect(reports.WriteAnnotations(&b, doc)).To(Succeed())
			Expect(cisafetest.Commands(b.String())).To(Equal(reports.Annotations(doc)))
		}
	})

	It("keeps JSON decoding to the values as recorded", func() {
		doc := hostileDocs()[0]
		var m map[string]any
		Expect(json.Unmarshal(render(reports.FormatJSON, doc, reports.Options{}), &m)).To(Succeed())
		Expect(m["scenarios"].([]any)[0].(map[string]any)["message"]).To(Equal(hostile))
	})
})
