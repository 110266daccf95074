package redact_test

import (
	"fmt"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/redact"
)

// fillers registers unrelated secrets so that a set is large enough to
// scan with the automaton.
func withFillers(values ...string) *redact.Set {
	s := &redact.Set{}
	for i := range 20 {
		s.Add(fmt.Sprintf("filler-%02d-zzzzzzzz", i))
	}
	s.Add(values...)
	return s
}

var _ = Describe("the matcher", func() {
	DescribeTable("replaces exactly what replacing each form in turn, longest first, did",
		func(values []string, text string) {
			s := withFillers(values...)
			Expect(redact.UsesAutomaton(s)).To(BeTrue())
			Expect(s.String(text)).To(Equal(redact.NaiveString(s, text)))
		},
		Entry("one secret", []string{secret}, "x="+secret+";"),
		Entry("every occurrence", []string{secret}, secret+" "+secret+secret),
		Entry("a secret inside a longer one", []string{"abcdefgh", "abcdefgh-and-more"}, "abcdefgh-and-more abcdefgh"),
		Entry("a shorter secret starting before a longer one it overlaps", []string{"0123456789ab", "89abcdefghijklmn"}, "0123456789abcdefghijklmn"),
		Entry("equal lengths overlapping: the first registered wins", []string{"aaaabbbb", "bbbbcccc"}, "aaaabbbbcccc"),
		Entry("a form's own occurrences overlapping: leftmost", []string{"abababab"}, "abababababab"),
		Entry("a secret that looks like a fingerprint's hex", []string{"1a2b3c4d", secret}, secret+" 1a2b3c4d"),
		Entry("a secret with a bracket", []string{"x]y[zzzzzz"}, "[redacted 8ch #00000000]x]y[zzzzzz"),
		Entry("nothing registered in the text", []string{secret}, "nothing to see here"),
	)

	It("forgets removed values, and keeps a form until every registration of it is removed", func() {
		s := withFillers()
		s.Add(secret)
		s.AddClientCredentials(clientID, secret) // a clone that shares its template's secret
		before := s.Len()
		s.Remove(secret)
		Expect(s.String(secret)).To(Equal(fp(secret)), "the clone still registers it")
		s.RemoveClientCredentials(clientID, secret)
		Expect(s.String(secret)).To(Equal(secret))
		Expect(s.Len()).To(BeNumerically("<", before))
		s.Remove("never-registered-value")
		Expect(s.String("filler-03-zzzzzzzz")).To(Equal(fp("filler-03-zzzzzzzz")))
	})

	It("holds as many forms as were registered, and no more after they are removed", func() {
		s := &redact.Set{}
		for i := range 1000 {
			s.AddClientCredentials(fmt.Sprintf("%032x", i), fmt.Sprintf("secret-%026d", i))
		}
		Expect(s.String("Basic x secret-00000000000000000000000999")).To(Equal("Basic x " + fp("secret-00000000000000000000000999")))
		Expect(s.Len()).To(BeNumerically(">=", 3*1000))
		for i := range 1000 {
			s.RemoveClientCredentials(fmt.Sprintf("%032x", i), fmt.Sprintf("secret-%026d", i))
		}
		Expect(s.Len()).To(BeZero())
		Expect(s.String("secret-00000000000000000000000999")).To(Equal("secret-00000000000000000000000999"))
	})
})

// FuzzMatcher compares the matcher with the rule it replaced on any text
// and secrets cut out of it (so that they overlap as badly as a fuzzer can
// make them), plus fillers to reach the automaton.
func FuzzMatcher(f *testing.F) {
	f.Add("0123456789abcdefghijklmn", []byte{0, 4, 8, 8})
	f.Add("abababababababab", []byte{0, 0, 2, 0, 1, 1})
	f.Add("aaaabbbbcccc[redacted 8ch #1a2b3c4d]", []byte{0, 0, 4, 0, 27, 0})
	f.Fuzz(func(t *testing.T, text string, cuts []byte) {
		if len(text) < 8 || len(cuts) > 40 {
			return
		}
		s := withFillers()
		for i := 0; i+1 < len(cuts); i += 2 {
			start := int(cuts[i]) % len(text)
			end := start + 8 + int(cuts[i+1])%24
			if end > len(text) {
				continue
			}
			if cuts[i+1]%5 == 0 {
				s.AddClientCredentials(text[:start], text[start:end])
			} else {
				s.Add(text[start:end])
			}
		}
		for _, in := range []string{text, text + text, strings.Repeat(text, 3)} {
			if got, want := s.String(in), redact.NaiveString(s, in); got != want {
				t.Fatalf("in %q\nmatcher %q\nnaive   %q", in, got, want)
			}
		}
	})
}

// BenchmarkString scans a request-sized text with 5, 1,000 and 10,000
// apps' credentials registered: the cost must not grow with them.
func BenchmarkString(b *testing.B) {
	text := "grant_type=client_credentials&note=" + strings.Repeat("nothing secret here ", 10) + "Basic MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY6ZmVkY2Jh"
	for _, apps := range []int{5, 1000, 10000} {
		s := &redact.Set{}
		for i := range apps {
			s.AddClientCredentials(fmt.Sprintf("%032x", i), fmt.Sprintf("%032x", i*7919+1))
		}
		b.Run(fmt.Sprintf("apps=%d", apps), func(b *testing.B) {
			_ = s.String(text) // build the automaton outside the loop
			b.ReportAllocs()
			for b.Loop() {
				_ = s.String(text)
			}
		})
	}
}

var _ = Describe("Tokens", func() {
	tok := "BQ" + strings.Repeat("a1B2-c_", 20)
	known := func(s string) bool { return s == tok }
	DescribeTable("fingerprints the runs the recogniser accepts, wherever they are",
		func(in, want string) { Expect(redact.Tokens(in, known)).To(Equal(want)) },
		Entry("in a path", "/v1/tracks/"+tok, "/v1/tracks/"+fp(tok)),
		Entry("in a parameter", "x="+tok+"&y=1", "x="+fp(tok)+"&y=1"),
		Entry("twice", tok+" "+tok, fp(tok)+" "+fp(tok)),
		Entry("an unknown run of the same shape stays", "/v1/tracks/BQ"+strings.Repeat("z", 60), "/v1/tracks/BQ"+strings.Repeat("z", 60)),
		Entry("glued to other token characters: not a whole run", "x"+tok, "x"+tok),
		Entry("short text", "/v1/me", "/v1/me"),
	)
	It("asks about long runs only", func() {
		var asked []string
		redact.Tokens("/v1/tracks/0123456789abcdef0123456789abcdef/"+tok, func(s string) bool { asked = append(asked, s); return false })
		Expect(asked).To(Equal([]string{tok}))
		Expect(redact.Tokens(tok, nil)).To(Equal(tok))
	})
})

var _ = Describe("Cache", func() {
	It("gives the fingerprints and Authorization redaction of the package", func() {
		var c redact.Cache
		for range 2 {
			Expect(c.Fingerprint(secret)).To(Equal(fp(secret)))
			Expect(c.Authorization("Basic  " + secret + "\n")).To(Equal(redact.Authorization("Basic  " + secret + "\n")))
		}
		for i := range 5000 { // past its bound: it starts over
			Expect(c.Fingerprint(fmt.Sprint(i))).To(Equal(fp(fmt.Sprint(i))))
		}
	})
})
