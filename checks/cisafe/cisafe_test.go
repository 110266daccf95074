package cisafe_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/cisafe"
	"github.com/spotcheck/spotcheck/checks/cisafe/cisafetest"
)

var _ = Describe("Text", func() {
	DescribeTable("disarms every marker the runner reads, and reads the same without the zero-width space",
		func(in string) {
			out := cisafe.Text(in)
			Expect(cisafetest.Commands(out)).To(BeEmpty())
			Expect(strings.ReplaceAll(out, "\u200b", "")).To(Equal(in))
			Expect(cisafetest.Commands(in)).NotTo(BeEmpty(), "the entry must hold a command to begin with")
		},
		Entry("::error:: at the start", "::error::pwned"),
		Entry("::add-mask:: after a line break", "ok\n::add-mask::secret"),
		Entry("::stop-commands:: after spaces", "body:\n    ::stop-commands::tok"),
		Entry("::error:: after tabs", "body:\n\t\t::error file=x::pwned"),
		Entry("after a CRLF", "a\r\n  ::warning::w"),
		Entry("after a lone CR", "a\r::notice::n"),
		Entry("after a no-break space and a byte-order mark", "a\n\u00a0\ufeff::error::x"),
		Entry("::set-output:: (old runners)", "\n::set-output name=x::y"),
		Entry("##[group] with leading spaces", "   ##[group]g"),
		Entry("##[error] in the middle of a line", "see ##[error]x"),
		Entry("##vso[ for Azure Pipelines", "log ##vso[task.setvariable variable=x]y"),
		Entry("several on one input", "::a::\n ::b::\n##[c]\n\t##[d] ##[e]"),
		Entry(":::: (more colons)", "::::x"),
	)

	DescribeTable("leaves text without a marker as it is",
		func(in string) { Expect(cisafe.Text(in)).To(Equal(in)) },
		Entry("colons mid-line", "Error: invalid_grant: code expired"),
		Entry("a URL", "http://127.0.0.1:8888/callback"),
		Entry("IPv6 and a time", "[::1]:8790 at 12:00:01"),
		Entry("a single colon at a line start", "a\n:b"),
		Entry("one #", "issue #[3]"),
		Entry("a markdown heading", "## heading"),
	)
})

var _ = Describe("JSON", func() {
	It("disarms ##[ without changing what the document decodes to", func() {
		in, _ := json.Marshal(map[string]string{"body": "ok\n  ::error::x ##[group]g ##vso[task.complete]"})
		out := cisafe.JSON(in)
		Expect(cisafetest.Commands(string(out))).To(BeEmpty())
		var a, b any
		Expect(json.Unmarshal(in, &a)).To(Succeed())
		Expect(json.Unmarshal(out, &b)).To(Succeed())
		Expect(b).To(Equal(a))
	})
})

var _ = Describe("Writer", func() {
	It("disarms markers that a write splits", func() {
		var out bytes.Buffer
		w := cisafe.Writer(&out)
		for _, part := range []string{"log line\n  :", ":error::x\n#", "#", "[group]y\n"} {
			n, err := w.Write([]byte(part))
			Expect(err).NotTo(HaveOccurred())
			Expect(n).To(Equal(len(part)))
		}
		Expect(cisafetest.Commands(out.String())).To(BeEmpty())
		Expect(strings.ReplaceAll(out.String(), "\u200b", "")).To(Equal("log line\n  ::error::x\n##[group]y\n"))
	})
})

// FuzzText: whatever the input, the output holds no command and is the
// input with zero-width spaces added.
func FuzzText(f *testing.F) {
	f.Add("::error::x")
	f.Add("a\r\n\t##[group]")
	f.Add("\u2003::add-mask::")
	f.Fuzz(func(t *testing.T, in string) {
		out := cisafe.Text(in)
		if c := cisafetest.Commands(out); len(c) > 0 {
			t.Fatalf("%q still holds %q", out, c)
		}
		if strings.ReplaceAll(out, "\u200b", "") != strings.ReplaceAll(in, "\u200b", "") {
			t.Fatalf("%q changed beyond the zero-width spaces: %q", in, out)
		}
	})
}

// FuzzWriter: however the text is split into writes, the writer's output
// is what Text makes of the whole.
func FuzzWriter(f *testing.F) {
	f.Add("a\n  ::error::x", 5)
	f.Add("##[group]", 1)
	f.Add("x\r\n\t:", 4)
	f.Fuzz(func(t *testing.T, in string, at int) {
		if at < 0 {
			at = -at
		}
		at %= len(in) + 1
		var out bytes.Buffer
		w := cisafe.Writer(&out)
		for _, part := range []string{in[:at], in[at:]} {
			if _, err := w.Write([]byte(part)); err != nil {
				t.Fatal(err)
			}
		}
		if want := cisafe.Text(in); out.String() != want {
			t.Fatalf("split at %d: %q, want %q", at, out.String(), want)
		}
	})
}
