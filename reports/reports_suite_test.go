package reports_test

import (
	"bytes"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/reports"
	"github.com/spotcheck/spotcheck/reports/reportstest"
)

func TestReports(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "reports")
}

// render writes doc in format and fails the spec on error.
func render(format reports.Format, doc reports.Document, opts reports.Options) []byte {
	GinkgoHelper()
	var b bytes.Buffer
	Expect(reports.Write(&b, format, doc, opts)).To(Succeed())
	return b.Bytes()
}

func runDoc() reports.Document      { return reports.Document{Run: reportstest.Run()} }
func findingsDoc() reports.Document { return reports.Document{Findings: reportstest.Findings()} }
