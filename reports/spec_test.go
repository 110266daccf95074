package reports_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"unicode"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/cisafe/cisafetest"
	"github.com/spotcheck/spotcheck/reports"
	"github.com/spotcheck/spotcheck/reports/reportstest"
)

var _ = Describe("ParseSpec", func() {
	DescribeTable("reads FORMAT=PATH",
		func(value string, want reports.Spec) {
			got, err := reports.ParseSpec(value)
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want))
			Expect(got.String()).To(Equal(string(want.Format) + "=" + want.Path))
		},
		Entry("a file", "junit=out/report.xml", reports.Spec{Format: reports.FormatJUnit, Path: "out/report.xml"}),
		Entry("stdout", "json=-", reports.Spec{Format: reports.FormatJSON, Path: "-"}),
		Entry("a path with =", "html=out/a=b.html", reports.Spec{Format: reports.FormatHTML, Path: "out/a=b.html"}),
		Entry("markdown", "markdown=/tmp/summary.md", reports.Spec{Format: reports.FormatMarkdown, Path: "/tmp/summary.md"}),
		Entry("text", "text=run.txt", reports.Spec{Format: reports.FormatText, Path: "run.txt"}),
	)

	DescribeTable("names the value and what is wrong with it",
		func(value, want string) {
			_, err := reports.ParseSpec(value)
			Expect(err).To(MatchError(want))
			var se *reports.SpecError
			Expect(errors.As(err, &se)).To(BeTrue())
			Expect(se.Value).To(Equal(value))
		},
		Entry("an unknown format", "xml=out.xml", `report "xml=out.xml": unknown report format "xml" (want text, json, junit, markdown or html)`),
		Entry("no =", "junit", `report "junit": want FORMAT=PATH, e.g. junit=out/report.xml (FORMAT is text, json, junit, markdown or html; PATH - is stdout)`),
		Entry("no path", "json=", `report "json=": the path after = is empty (use - for stdout)`),
		Entry("no format", "=out.json", `report "=out.json": unknown report format "" (want text, json, junit, markdown or html)`),
		Entry("an upper-case format", "JSON=x", `report "JSON=x": unknown report format "JSON" (want text, json, junit, markdown or html)`),
	)
})

// FuzzParseSpec: ParseSpec never panics, and what it accepts prints back
// to a value that parses to the same spec.
func FuzzParseSpec(f *testing.F) {
	for _, seed := range []string{"junit=out/report.xml", "json=-", "html=a=b", "=", "", "xml=x", " text = y", "markdown=\x00", "json=\xff"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		spec, err := reports.ParseSpec(value)
		if err != nil {
			if !strings.Contains(err.Error(), "report ") {
				t.Fatalf("error %q does not name the report value", err)
			}
			return
		}
		again, err := reports.ParseSpec(spec.String())
		if err != nil || again != spec {
			t.Fatalf("%q parsed to %+v, which prints as %q and parses to %+v, %v", value, spec, spec.String(), again, err)
		}
	})
}

// FuzzWrite puts arbitrary text where targets put theirs (bodies, messages,
// names) and checks that every format still renders as what it claims to
// be: JSON parses, JUnit is well-formed XML, text has no control
// characters that would reach the terminal, and no format carries a
// workflow command a CI runner would obey but spotcheck's own annotations.
func FuzzWrite(f *testing.F) {
	for _, seed := range []string{"", "plain", "<script>x</script>", "]]>", "\x00\x1b[2J\r\n", "\xff\xfe", "`|*_[]#", "::error::x", "%0A", "a\r\n\t::add-mask::x", " ##[group]"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		run := reportstest.Run()
		sc := &run.Scenarios[1]
		sc.Name, sc.Message, sc.File, sc.Tags = s, s, s, []string{s}
		st := &sc.Steps[1]
		st.Message, st.Expectations[0].Actual, st.Exchanges[0].ResponseBody, st.Exchanges[0].URL = s, s, s, s
		st.Exchanges[0].ResponseHeaders.Set("X-Fuzz", s)
		doc := reports.Document{Run: run}
		for _, format := range reports.Formats {
			var b bytes.Buffer
			if err := reports.Write(&b, format, doc, reports.Options{}); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			switch format {
			case reports.FormatJSON:
				if !json.Valid(b.Bytes()) {
					t.Fatalf("invalid JSON for %q", s)
				}
			case reports.FormatJUnit:
				d := xml.NewDecoder(&b)
				for {
					_, err := d.Token()
					if err != nil {
						if err.Error() != "EOF" {
							t.Fatalf("malformed XML for %q: %v", s, err)
						}
						break
					}
				}
			case reports.FormatText:
				for _, r := range b.String() {
					if r != '\n' && r != '\t' && unicode.IsControl(r) {
						t.Fatalf("control character %U reaches the terminal for %q", r, s)
					}
				}
			}
			// No format carries a command; annotations are written apart.
			if got := cisafetest.Commands(b.String()); len(got) > 0 {
				t.Fatalf("%s: forged workflow commands %q for %q", format, got, s)
			}
		}
	})
}
