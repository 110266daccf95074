package explain

import (
	"strings"

	g "github.com/onsi/ginkgo/v2"
	o "github.com/onsi/gomega"
)

// The literal prefilter decides what a long log costs: an expression whose
// literal is in every line would be run over all of it.
var _ = g.Describe("the literal prefilter", func() {
	g.DescribeTable("finds literals one of which every match contains",
		func(expr string, want [][]string) {
			o.Expect(requiredSets(expr)).To(o.Equal(want))
		},
		g.Entry("an alternation of phrases", `(?i)blank page|white screen`, [][]string{{"blank page", "white screen"}}),
		g.Entry("a sequence: each element a fallback, best first", `(?i)(?:every|all) requests? need`, [][]string{{" request"}, {" need"}, {"every", "all"}}),
		g.Entry("a branch without a literal spoils its set", `(?i)a|b+`, [][]string(nil)),
	)

	g.It("falls back to a rarer literal when the best one is in every line", func() {
		f := mustFast(`(?i)every requests? (?:needs? to be authori[sz]ed)`, 512)
		line := "INFO request id=1 path=/v1/me status=200\n"
		text := strings.Repeat(line, 5000) + "Since 2017, every request needs to be authorized.\n" + strings.Repeat(line, 5000)
		ms := f.findAll(text, lowerASCII(text), -1)
		o.Expect(ms).To(o.HaveLen(1))
		o.Expect(text[ms[0][0]:ms[0][1]]).To(o.Equal("every request needs to be authorized"))
		o.Expect(count(lowerASCII(text), []string{"request"}, maxWindows+1)).To(o.BeNumerically(">", maxWindows), "the test needs the common literal to be common")
	})
})
