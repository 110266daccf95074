package reports_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/reports"
	"github.com/spotcheck/spotcheck/reports/reportstest"
)

// reportSchema compiles the shipped schema, with format and content
// assertions on (so date-time and base64 are checked, not just annotated).
func reportSchema() *jsonschema.Schema {
	GinkgoHelper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(reports.JSONSchema()))
	Expect(err).NotTo(HaveOccurred())
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.AssertContent()
	Expect(c.AddResource("report.schema.json", doc)).To(Succeed())
	sch, err := c.Compile("report.schema.json")
	Expect(err).NotTo(HaveOccurred())
	return sch
}

func validate(sch *jsonschema.Schema, out []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

func decode(out []byte) map[string]any {
	GinkgoHelper()
	var m map[string]any
	Expect(json.Unmarshal(out, &m)).To(Succeed())
	return m
}

var _ = Describe("the JSON format", func() {
	var sch *jsonschema.Schema
	BeforeEach(func() { sch = reportSchema() })

	DescribeTable("validates against reports/schema/report.schema.json",
		func(doc reports.Document, opts reports.Options) {
			Expect(validate(sch, render(reports.FormatJSON, doc, opts))).To(Succeed())
		},
		Entry("a run", runDoc(), reports.Options{}),
		Entry("a run without screenshots", runDoc(), reports.Options{OmitScreenshots: true}),
		Entry("a large run", reports.Document{Run: reportstest.LargeRun(60)}, reports.Options{}),
		Entry("a doctor's findings", findingsDoc(), reports.Options{}),
		Entry("a grade", reports.Document{Findings: func() *checks.FindingsResult { f := reportstest.Findings(); f.Kind = "grade"; return f }()}, reports.Options{}),
	)

	It("is checked by a schema that rejects what it should", func() {
		good := decode(render(reports.FormatJSON, runDoc(), reports.Options{}))
		for _, mutate := range []func(m map[string]any){
			func(m map[string]any) { delete(m, "schema_version") },
			func(m map[string]any) { m["schema_version"] = 2 },
			func(m map[string]any) { m["duration_seconds"] = "1.6s" },
			func(m map[string]any) { m["findings"] = []any{} },
			func(m map[string]any) { m["scenarios"].([]any)[0].(map[string]any)["status"] = "passed" },
			func(m map[string]any) { m["started"] = "yesterday" },
			func(m map[string]any) { m["extra"] = true },
		} {
			bad := decode(render(reports.FormatJSON, runDoc(), reports.Options{}))
			mutate(bad)
			raw, err := json.Marshal(bad)
			Expect(err).NotTo(HaveOccurred())
			Expect(validate(sch, raw)).NotTo(Succeed(), string(raw[:80]))
		}
		raw, _ := json.Marshal(good)
		Expect(validate(sch, raw)).To(Succeed())
	})

	It("carries schema_version 1, the target, the version and durations in seconds", func() {
		m := decode(render(reports.FormatJSON, runDoc(), reports.Options{Version: "v1.2.3"}))
		Expect(m).To(HaveKeyWithValue("schema_version", 1.0))
		Expect(m).To(HaveKeyWithValue("kind", "run"))
		Expect(m).To(HaveKeyWithValue("spotcheck_version", "v1.2.3"))
		Expect(m).To(HaveKeyWithValue("duration_seconds", 1.65))
		Expect(m["target"]).To(HaveKeyWithValue("name", "fake"))
		Expect(m["summary"]).To(Equal(map[string]any{"total": 4.0, "passed": 1.0, "failed": 1.0, "skipped": 1.0, "errors": 1.0}))
	})

	It("keeps every step's expectations, the transcript and stable ids", func() {
		m := decode(render(reports.FormatJSON, runDoc(), reports.Options{}))
		sc := m["scenarios"].([]any)[1].(map[string]any)
		Expect(sc).To(HaveKeyWithValue("id", "token/code-reuse-is-rejected"))
		step := sc["steps"].([]any)[1].(map[string]any)
		Expect(step).To(HaveKeyWithValue("id", "token/code-reuse-is-rejected/02-reuse-code"))
		Expect(step["expectations"]).To(ContainElement(map[string]any{"name": "content-type", "expected": "application/json", "actual": "application/json", "passed": true}))
		Expect(step["expectations"]).To(ContainElement(map[string]any{"name": "status", "expected": "200", "actual": "400", "passed": false}))
		Expect(step["explanation"]).To(HaveKeyWithValue("id", "code-invalid"))
		x := step["exchanges"].([]any)[0].(map[string]any)
		Expect(x).To(HaveKeyWithValue("id", "token/code-reuse-is-rejected/02-reuse-code#6"))
		Expect(x).To(HaveKeyWithValue("duration_seconds", 0.008))
		Expect(x["request"]).To(HaveKeyWithValue("method", "POST"))
		Expect(x["request"].(map[string]any)["headers"]).To(HaveKeyWithValue("Authorization", []any{"Basic [redacted 88ch #c0ffee12]"}))
		Expect(x["response"]).To(HaveKeyWithValue("status", 400.0))
		Expect(x["response"]).To(HaveKeyWithValue("body", `{"error":"invalid_grant","error_description":"Invalid authorization code"}`))

		again := decode(render(reports.FormatJSON, runDoc(), reports.Options{}))
		Expect(again).To(Equal(m), "the same results give the same report")
	})

	It("says where a scenario and its steps are written, when they came from a file", func() {
		run := reportstest.Run()
		run.Scenarios[1].Line, run.Scenarios[1].Column = 3, 3
		run.Scenarios[1].Steps[1].Line, run.Scenarios[1].Steps[1].Column = 9, 7
		out := render(reports.FormatJSON, reports.Document{Run: run}, reports.Options{})
		Expect(validate(sch, out)).To(Succeed())
		m := decode(out)
		sc := m["scenarios"].([]any)[1].(map[string]any)
		Expect(sc).To(HaveKeyWithValue("line", 3.0))
		Expect(sc["steps"].([]any)[1]).To(HaveKeyWithValue("line", 9.0))
		Expect(sc["steps"].([]any)[1]).To(HaveKeyWithValue("column", 7.0))
		Expect(m["scenarios"].([]any)[0]).NotTo(HaveKey("line"), "absent, not 0, when unknown")
	})

	It("embeds screenshots as base64 PNG unless told not to", func() {
		run := reportstest.Run()
		png := run.Scenarios[0].Steps[0].Screenshots[0].PNG
		m := decode(render(reports.FormatJSON, reports.Document{Run: run}, reports.Options{}))
		shot := m["scenarios"].([]any)[0].(map[string]any)["steps"].([]any)[0].(map[string]any)["screenshots"].([]any)[0].(map[string]any)
		Expect(shot).To(HaveKeyWithValue("png", base64.StdEncoding.EncodeToString(png)))
		Expect(shot).To(HaveKeyWithValue("png_bytes", float64(len(png))))
		Expect(shot).To(HaveKeyWithValue("page_text", ContainSubstring("View your email address")))

		m = decode(render(reports.FormatJSON, reports.Document{Run: run}, reports.Options{OmitScreenshots: true}))
		shot = m["scenarios"].([]any)[0].(map[string]any)["steps"].([]any)[0].(map[string]any)["screenshots"].([]any)[0].(map[string]any)
		Expect(shot).NotTo(HaveKey("png"))
		Expect(shot).To(HaveKeyWithValue("png_omitted", true))
		Expect(shot).To(HaveKeyWithValue("name", "consent"))
	})

	It("writes findings with their checks, severities and evidence", func() {
		m := decode(render(reports.FormatJSON, findingsDoc(), reports.Options{}))
		Expect(m).To(HaveKeyWithValue("kind", "doctor"))
		Expect(m["summary"]).To(HaveKeyWithValue("worst_severity", "error"))
		Expect(m["summary"]).To(HaveKeyWithValue("findings", map[string]any{"error": 2.0, "warning": 1.0, "info": 1.0}))
		Expect(m["checks"]).To(HaveLen(6))
		f := m["findings"].([]any)[1].(map[string]any)
		Expect(f).To(HaveKeyWithValue("id", "redirect-uri-mismatch"))
		Expect(f).To(HaveKeyWithValue("check", "redirect-uri-registered"))
		Expect(f["exchanges"].([]any)[0]).To(HaveKeyWithValue("id", "finding-2-redirect-uri-mismatch#1"))
	})
})
