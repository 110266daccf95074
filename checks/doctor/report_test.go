package doctor_test

import (
	"bytes"
	"os"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/doctor"
	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/reports"
)

var _ = Describe("a doctor result as a report", func() {
	It("validates against the JSON report schema, exchanges and all", func() {
		s := newScenario(srv, "dev", fakespotify.AppOverrides{Allowlist: []string{"bob"}, RedirectURIs: []string{callback + "/"}})
		s.env[checks.EnvClientSecret] += "\n"
		s.env[checks.EnvScopes] = "user-read-email,openid"
		s.cache(doctor.FormatSpotipy, "user-read-email", nil)
		Expect(os.Chmod(s.opts.TokenCache, 0o640)).To(Succeed())
		res := s.mustRun()
		Expect(len(res.Findings)).To(BeNumerically(">=", 5))

		var out bytes.Buffer
		Expect(reports.Write(&out, reports.FormatJSON, reports.Document{Findings: res}, reports.Options{})).To(Succeed())
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(reports.JSONSchema()))
		Expect(err).NotTo(HaveOccurred())
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		Expect(c.AddResource("report.schema.json", doc)).To(Succeed())
		sch, err := c.Compile("report.schema.json")
		Expect(err).NotTo(HaveOccurred())
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out.Bytes()))
		Expect(err).NotTo(HaveOccurred())
		Expect(sch.Validate(inst)).To(Succeed())
	})
})
