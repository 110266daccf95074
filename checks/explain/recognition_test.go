package explain_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Issue 16: the ways real reports differ from the texts Spotify sends.
// Each input is a shape seen in a public thread (cited where one text
// stands for it); the corpus spec (corpus_test.go) measures the whole.
var _ = Describe("Explain on text as users paste it", func() {
	DescribeTable("names the right entry first",
		func(input, want string) {
			res := explainText(input)
			Expect(res.Recognised()).To(BeTrue(), "not recognised; closest: %v", res.Closest)
			Expect(ids(res)[0]).To(Equal(want), "matches: %v", ids(res))
		},
		// Glued prefixes, articles, punctuation and line breaks.
		Entry("a translated page glues its words to the code", `请检查INVALID_CLIENT: Invalid redirect URI`, "redirect-uri-mismatch"),
		Entry("a log label glued to the code", `errorINVALID_CLIENT: Invalid redirect URI`, "redirect-uri-mismatch"),
		Entry("the article left out", `HTTP 403: Check settings on developer.spotify.com/dashboard, user may not be registered`, "user-not-allowlisted"),
		Entry("the comma left out and the line wrapped", "403 Check settings on developer.spotify.com/dashboard the user may not be\nregistered", "user-not-allowlisted"),
		Entry("two spaces for one", `INVALID_CLIENT:  Invalid  redirect URI`, "redirect-uri-mismatch"),
	)

	DescribeTable("still refuses a phrase that runs on inside a word",
		func(input string) {
			Expect(explainText(input).Recognised()).To(BeFalse())
		},
		Entry("lowercase letters before a lowercase phrase", `xillegal scopes are fine`),
		Entry("a longer word", `Invalid client certificate`),
	)
})
