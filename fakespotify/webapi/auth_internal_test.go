package webapi

import (
	"regexp"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("b64token", func() {
	// RFC 6750 §2.1, written as the grammar reads.
	grammar := regexp.MustCompile(`^[A-Za-z0-9\-._~+/]+=*$`)

	It("agrees with the RFC's grammar for every byte, anywhere in a token", func() {
		for c := range 256 {
			b := string([]byte{byte(c)})
			for _, s := range []string{b, "BQ" + b + "xy", "ab=" + b, "ab" + b + "=="} {
				Expect(b64token(s)).To(Equal(grammar.MatchString(s)), "%q", s)
			}
		}
	})

	DescribeTable("padding and emptiness",
		func(s string, want bool) { Expect(b64token(s)).To(Equal(want)) },
		Entry("empty", "", false),
		Entry("padding alone", "==", false),
		Entry("trailing padding", "BQabc==", true),
		Entry("padding inside", "BQ=abc", false),
		Entry("a space", "BQ abc", false),
		Entry("a quote", `"BQabc"`, false),
		Entry("a comma", "BQa,bc", false),
	)
})

// BenchmarkB64token scans a token of an access token's length, as every
// Web API call does.
func BenchmarkB64token(b *testing.B) {
	tok := "BQ" + strings.Repeat("aZ09-_", 34)
	for b.Loop() {
		if !b64token(tok) {
			b.Fatal("refused")
		}
	}
}
