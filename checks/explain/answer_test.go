package explain_test

import (
	"bytes"
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/explain"
)

// Issue 16 "beyond recognition": what the answer says once the entry is
// known, and what it says when none is.
var _ = Describe("the answer", func() {
	causeIDs := func(m explain.Match) []string {
		var out []string
		for _, c := range m.Causes() {
			out = append(out, c.ID)
		}
		return out
	}

	Describe("per client library", func() {
		const spotipyTrace = "Traceback (most recent call last):\n  File \"/usr/lib/python3.12/site-packages/spotipy/oauth2.py\", line 146, in _handle_oauth_error\nspotipy.oauth2.SpotifyOauthError: error: invalid_grant, error_description: Invalid authorization code"

		It("gives a spotipy traceback no golang.org/x/oauth2 cause or advice", func() {
			res := explainText(spotipyTrace)
			Expect(res.Library).To(Equal("spotipy"))
			m := res.Matches[0]
			Expect(m.Entry.ID).To(Equal("code-invalid"))
			Expect(causeIDs(m)).NotTo(ContainElement("auth-style-retry"))
			Expect(m.Fix()).To(ContainSubstring("With spotipy"))
			Expect(m.Fix()).NotTo(ContainSubstring("oauth2.AuthStyleInHeader"))
		})

		It("gives golang.org/x/oauth2 its own cause and wording", func() {
			res := explainText(`oauth2: "invalid_grant" "Invalid authorization code"`)
			Expect(res.Library).To(Equal("golang.org/x/oauth2"))
			Expect(causeIDs(res.Matches[0])).To(ContainElement("auth-style-retry"))
			Expect(res.Matches[0].Fix()).To(ContainSubstring("AuthStyleInHeader"))
		})

		It("keeps every cause, and the plain fix, when the library is unknown", func() {
			res := explainText(`{"error":"invalid_grant","error_description":"Invalid authorization code"}`)
			Expect(res.Library).To(BeEmpty())
			Expect(causeIDs(res.Matches[0])).To(ContainElement("auth-style-retry"))
			Expect(res.Matches[0].Fix()).NotTo(ContainSubstring("With "))
		})

		DescribeTable("is detected from the marks of its errors",
			func(input, lib string) {
				Expect(explainText(input).Library).To(Equal(lib))
			},
			Entry("spotipy", "spotipy.exceptions.SpotifyException: http status: 429, code: -1 - /v1/search:\n Max Retries, reason: too many 429 error responses", "spotipy"),
			Entry("zmb3/spotify", `spotify: couldn't decode error: (46) [User not registered in the Developer Dashboard]`, "zmb3/spotify"),
			Entry("spotify-web-api-node", "WebapiRegularError: An error occurred while communicating with Spotify's Web API.\nDetails: The access token expired.", "spotify-web-api-node"),
			Entry("spotify-web-api-php", `SpotifyWebAPI\SpotifyWebAPIException: The access token expired`, "spotify-web-api-php"),
		)

		It("rejects a library the catalog does not know", func() {
			_, err := explain.Parse([]byte(`version: 1
entries:
  - id: x
    where: [token]
    title: X
    fix: Y.
    fix_for: {requests: Z.}
    causes: [{id: a, text: A., library: left-pad}]
    rules: [{error: invalid_grant}]
`), "lib.yaml")
			Expect(err).To(MatchError(ContainSubstring(`fix_for "requests"`)))
			Expect(err).To(MatchError(ContainSubstring(`library "left-pad"`)))
		})
	})

	It("keeps questions for the user apart from what the developer checks in the dashboard", func() {
		for _, e := range explain.Default().Entries() {
			for _, q := range e.Ask {
				Expect(q).NotTo(MatchRegexp(`(?i)dashboard|user management`), "%s asks the user about the dashboard", e.ID)
			}
		}
		e, _ := explain.Default().Entry("user-not-allowlisted")
		Expect(e.Check).To(ContainElement(ContainSubstring("User Management")))
		var b bytes.Buffer
		res := explainText(`User not registered in the Developer Dashboard`)
		Expect(explain.WriteText(&b, res)).To(Succeed())
		Expect(b.String()).To(ContainSubstring("Ask the user\n"))
		Expect(b.String()).To(ContainSubstring("Check in the dashboard (the developer)\n  - User Management"))
		b.Reset()
		Expect(explain.WriteJSON(&b, res)).To(Succeed())
		var doc explain.Document
		Expect(json.Unmarshal(b.Bytes(), &doc)).To(Succeed())
		Expect(doc.Causes[0].Check).To(ContainElement(ContainSubstring("User Management")))
	})

	Describe("for unrecognised input", func() {
		It("says what to collect next", func() {
			res := explainText(`my spotify app does not work`)
			Expect(res.Recognised()).To(BeFalse())
			Expect(res.Collect).To(HaveLen(4))
			Expect(res.Collect).To(ContainElements(ContainSubstring("exact error text"), ContainSubstring("callback URL"), ContainSubstring("HAR"), ContainSubstring("library and its version")))
			var b bytes.Buffer
			Expect(explain.WriteText(&b, res)).To(Succeed())
			Expect(b.String()).To(ContainSubstring("What to collect next\n  - The exact error text"))
		})

		It("asks for the version of the library it saw", func() {
			res := explainText("spotipy.exceptions.SpotifyException: something new")
			Expect(res.Recognised()).To(BeFalse())
			Expect(res.Collect).To(ContainElement(ContainSubstring("The version of spotipy")))
		})

		It("lists closest entries only when they are related", func() {
			Expect(explainText(`my spotify user cannot log in`).Closest).To(BeEmpty())
			related := explainText(`we got invalid_grant from the server`).Closest
			Expect(related).NotTo(BeEmpty())
			for _, c := range related {
				Expect(c.Entry.Rules).To(ContainElement(HaveField("Error", "invalid_grant")), c.Entry.ID)
			}
		})

		It("says it for a HAR that explains nothing too, without asking for a HAR", func() {
			res, err := explain.Default().Explain([]byte(`{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[]}}`), explain.Options{Name: "empty.har"})
			Expect(err).NotTo(HaveOccurred())
			Expect(res.Recognised()).To(BeFalse())
			var b bytes.Buffer
			Expect(explain.WriteJSON(&b, res)).To(Succeed())
			var doc explain.Document
			Expect(json.Unmarshal(b.Bytes(), &doc)).To(Succeed())
			Expect(doc.Collect).To(ContainElement(ContainSubstring("exact error text")))
			Expect(doc.Collect).NotTo(ContainElement(ContainSubstring("Save all as HAR")))
		})

		It("collects nothing when something was recognised", func() {
			Expect(explainText(`INVALID_CLIENT: Invalid redirect URI`).Collect).To(BeEmpty())
		})
	})
})
