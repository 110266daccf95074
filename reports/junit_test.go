package reports_test

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/reports"
	"github.com/spotcheck/spotcheck/reports/reportstest"
)

// The JUnit XSDs consumers validate against; see testdata/README.md.
var junitSchemas = []string{"testdata/jenkins-junit.xsd", "testdata/junit-10.xsd"}

// xmllint validates file against xsd. A missing xmllint fails the spec: CI
// must not pass by not checking.
func xmllint(xsd, file string) (string, error) {
	GinkgoHelper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		Fail("xmllint is missing: install it with `apt-get install -y libxml2-utils` (make tools does)")
	}
	out, err := exec.Command(bin, "--noout", "--schema", xsd, file).CombinedOutput()
	return string(out), err
}

// Just enough of the format to read a report back.
type suites struct {
	Name     string  `xml:"name,attr"`
	Tests    int     `xml:"tests,attr"`
	Failures int     `xml:"failures,attr"`
	Errors   int     `xml:"errors,attr"`
	Time     string  `xml:"time,attr"`
	Suites   []suite `xml:"testsuite"`
}

type suite struct {
	Name       string `xml:"name,attr"`
	Tests      int    `xml:"tests,attr"`
	Failures   int    `xml:"failures,attr"`
	Errors     int    `xml:"errors,attr"`
	Skipped    int    `xml:"skipped,attr"`
	Time       string `xml:"time,attr"`
	Properties []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	} `xml:"properties>property"`
	Cases []struct {
		Name      string `xml:"name,attr"`
		Classname string `xml:"classname,attr"`
		Time      string `xml:"time,attr"`
		Skipped   *struct {
			Text string `xml:",chardata"`
		} `xml:"skipped"`
		Failure *struct {
			Message string `xml:"message,attr"`
			Type    string `xml:"type,attr"`
			Text    string `xml:",chardata"`
		} `xml:"failure"`
		Error *struct {
			Message string `xml:"message,attr"`
			Text    string `xml:",chardata"`
		} `xml:"error"`
		SystemOut string `xml:"system-out"`
	} `xml:"testcase"`
}

func parseJUnit(b []byte) suites {
	GinkgoHelper()
	var s suites
	Expect(xml.Unmarshal(b, &s)).To(Succeed())
	return s
}

var _ = Describe("the JUnit format", func() {
	DescribeTable("validates against the Jenkins and Surefire-era JUnit XSDs with xmllint",
		func(doc reports.Document) {
			file := filepath.Join(GinkgoT().TempDir(), "junit.xml")
			Expect(os.WriteFile(file, render(reports.FormatJUnit, doc, reports.Options{}), 0o644)).To(Succeed())
			for _, xsd := range junitSchemas {
				out, err := xmllint(xsd, file)
				Expect(err).NotTo(HaveOccurred(), "%s: %s", xsd, out)
				Expect(out).To(ContainSubstring("validates"))
			}
		},
		Entry("a run", runDoc()),
		Entry("a large run", reports.Document{Run: reportstest.LargeRun(40)}),
		Entry("a doctor's findings", findingsDoc()),
		Entry("an empty run", reports.Document{Run: &checks.RunResult{}}),
		Entry("text XML forbids", reports.Document{Run: func() *checks.RunResult {
			r := reportstest.Run()
			r.Scenarios[1].Steps[1].Expectations[1].Actual = "bad \x00\x1b[31m bytes \xff and ]]> end"
			r.Scenarios[1].Message = "message \x07 with a bell"
			r.Scenarios[2].Message = "skip ]]> reason\x01"
			return r
		}()}),
	)

	It("is checked by an xmllint that rejects an invalid report", func() {
		file := filepath.Join(GinkgoT().TempDir(), "bad.xml")
		Expect(os.WriteFile(file, []byte(`<testsuites><testsuite tests="1"><testcase/></testsuite></testsuites>`), 0o644)).To(Succeed())
		for _, xsd := range junitSchemas {
			out, err := xmllint(xsd, file)
			Expect(err).To(HaveOccurred(), xsd)
			Expect(out).To(ContainSubstring("fails to validate"))
		}
	})

	It("has one testsuite per scenario file and one testcase per scenario, with totals on the root", func() {
		s := parseJUnit(render(reports.FormatJUnit, runDoc(), reports.Options{}))
		Expect(s.Name).To(Equal("spotcheck run"))
		Expect([]int{s.Tests, s.Failures, s.Errors}).To(Equal([]int{4, 1, 1}))
		Expect(s.Time).To(Equal("1.650"))
		Expect(s.Suites).To(HaveLen(3))
		Expect(s.Suites[1].Name).To(Equal("scenarios/token.yaml"))
		Expect([]int{s.Suites[1].Tests, s.Suites[1].Failures, s.Suites[1].Errors, s.Suites[1].Skipped}).To(Equal([]int{2, 1, 1, 0}))
		Expect(s.Suites[1].Time).To(Equal("1.531"))
		Expect(s.Suites[1].Properties).To(ContainElements(
			HaveField("Name", "target"), HaveField("Value", "v0.1.0-test")))

		failed := s.Suites[1].Cases[0]
		Expect(failed.Name).To(Equal("code reuse is rejected"))
		Expect(failed.Classname).To(Equal("scenarios.token"))
		Expect(failed.Time).To(Equal("0.031"))
		Expect(failed.Failure).NotTo(BeNil())
		Expect(failed.Failure.Message).To(Equal("reuse-code: status: expected 200, got 400"))
		Expect(failed.Failure.Type).To(Equal("code-invalid"))
		Expect(failed.Failure.Text).To(ContainSubstring("error_description\n    expected: (absent)\n    actual:   Invalid authorization code"))
		Expect(failed.Failure.Text).To(ContainSubstring("fix: Exchange each code exactly once"))
		Expect(failed.Failure.Text).To(ContainSubstring("check in the dashboard: Redirect URIs: the callback's exact URI is listed."))
		Expect(failed.SystemOut).To(ContainSubstring("#6 reuse-code client → accounts: POST /api/token → 400"))

		errored := s.Suites[1].Cases[1]
		Expect(errored.Error).NotTo(BeNil())
		Expect(errored.Error.Message).To(ContainSubstring("connection refused"))
		Expect(errored.Failure).To(BeNil())

		skipped := s.Suites[2].Cases[0]
		Expect(skipped.Skipped).NotTo(BeNil())
		Expect(skipped.Skipped.Text).To(Equal("needs a Premium user; target spotify has none configured"))
	})

	It("has one testsuite per check group and one testcase per check for a doctor", func() {
		s := parseJUnit(render(reports.FormatJUnit, findingsDoc(), reports.Options{}))
		Expect(s.Name).To(Equal("spotcheck doctor"))
		var names []string
		for _, su := range s.Suites {
			names = append(names, su.Name)
		}
		Expect(names).To(Equal([]string{"doctor: credentials", "doctor: redirect-uris", "doctor: scopes", "doctor: api", "doctor: quota"}))
		creds := s.Suites[0]
		Expect(creds.Cases).To(HaveLen(2))
		Expect(creds.Cases[1].Name).To(Equal("client-secret-valid"))
		Expect(creds.Cases[1].Failure.Message).To(Equal("client-secret-wrong: Spotify rejects the client secret"))
		Expect(creds.Cases[1].Failure.Text).To(ContainSubstring("fix: Copy the secret again"))
		Expect(s.Suites[2].Cases[0].Skipped.Text).To(Equal("needs a user login (--login)"))
		Expect(s.Suites[3].Cases[0].Error.Message).To(ContainSubstring("context deadline exceeded"))
		// A finding no check claims still shows, as its own test case; info does not fail.
		Expect(s.Suites[4].Cases[0].Name).To(Equal("app-development-mode"))
		Expect(s.Suites[4].Cases[0].Failure).To(BeNil())
		Expect(s.Suites[4].Cases[0].SystemOut).To(ContainSubstring("Apply for extended quota mode"))
		Expect([]int{s.Tests, s.Failures, s.Errors}).To(Equal([]int{7, 2, 1}))
	})
})
