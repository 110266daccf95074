package wire_test

import (
	"regexp"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

var _ = Describe("the authorize path", func() {
	inText := regexp.MustCompile(`accounts\.spotify\.com` + wire.AuthorizePathPattern + `(?:[?#]|$)`)

	DescribeTable("IsAuthorizePath (§1.1, RFC 5646 §2.1)",
		func(path string, want bool) {
			Expect(wire.IsAuthorizePath(path)).To(Equal(want))
			Expect(inText.MatchString("https://accounts.spotify.com"+path+"?client_id=x")).To(Equal(want), "the pattern agrees")
		},
		Entry("/authorize", "/authorize", true),
		Entry("a trailing slash", "/authorize/", true),
		Entry("a language", "/en/authorize", true),
		Entry("a language and a region", "/pt-BR/authorize", true),
		Entry("a region in lower case", "/pt-br/authorize/", true),
		Entry("a language in upper case (tags ignore case)", "/EN/authorize", true),
		Entry("a script", "/zh-Hant/authorize", true),
		Entry("a numeric region", "/es-419/authorize", true),
		Entry("a three-letter language", "/fil/authorize", true),
		Entry("two locale segments", "/en/en/authorize", false),
		Entry("a one-letter language", "/e/authorize", false),
		Entry("a five-letter subtag", "/en-Latnx/authorize", false),
		Entry("a digit in the language", "/e1/authorize", false),
		Entry("authorize in another case", "/Authorize", false),
		Entry("a longer word", "/authorized", false),
		Entry("the consent decision", "/authorize/decision", false),
		Entry("the login page", "/en/login", false),
		Entry("two trailing slashes", "/authorize//", false),
		Entry("empty", "", false),
	)
})
