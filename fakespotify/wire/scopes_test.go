package wire_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

var _ = Describe("scopes", func() {
	It("splits on spaces, drops duplicates and keeps commas as one (illegal) scope", func() {
		Expect(wire.ParseScope("  user-read-email  user-read-email user-top-read ")).To(Equal([]string{"user-read-email", "user-top-read"}))
		Expect(wire.ParseScope("a,b")).To(Equal([]string{"a,b"}))
		Expect(wire.ParseScope("")).To(BeEmpty())
	})

	It("knows every documented scope and nothing else (§6)", func() {
		Expect(wire.Scopes).To(HaveLen(24))
		for _, illegal := range []string{"user-read-birthdate", "openid", "user-read-profile", "playlist-modify", "user-personalized"} {
			_, ok := wire.LookupScope(illegal)
			Expect(ok).To(BeFalse(), illegal)
		}
		s, ok := wire.LookupScope("playlist-read-private")
		Expect(ok).To(BeTrue())
		Expect(s.Words).To(Equal("Access your private playlists"))
	})

	It("lists only documented scopes in the endpoint table, each endpoint once", func() {
		seen := map[string]bool{}
		for _, e := range wire.EndpointScopes {
			Expect(seen).NotTo(HaveKey(e.Method+" "+e.Pattern), "listed twice")
			seen[e.Method+" "+e.Pattern] = true
			Expect(e.Needs).NotTo(BeEmpty(), e.Pattern)
			for _, g := range e.Needs {
				for _, sc := range g {
					_, ok := wire.LookupScope(sc)
					Expect(ok).To(BeTrue(), "%s %s needs %q", e.Method, e.Pattern, sc)
				}
			}
		}
	})

	DescribeTable("ScopesFor",
		func(method, path string, ok bool, want string) {
			needs, got := wire.ScopesFor(method, path)
			Expect(got).To(Equal(ok))
			Expect(wire.DescribeNeeds(needs)).To(Equal(want))
		},
		Entry("one scope", "GET", "/v1/me/player/recently-played", true, "user-read-recently-played"),
		Entry("a query and a trailing slash are ignored", "GET", "/v1/me/top/artists/?limit=5", true, "user-top-read"),
		Entry("the method in any case; a path segment that varies", "post", "/v1/users/alice/playlists", true, "playlist-modify-public or playlist-modify-private"),
		Entry("a pattern reads as its own path", "POST", "/v1/users/{user_id}/playlists", true, "playlist-modify-public or playlist-modify-private"),
		Entry("two groups", "PUT", "/v1/playlists/37i9dQZF1DXcBWIGoYBM5M/images", true, "ugc-image-upload and (playlist-modify-public or playlist-modify-private)"),
		Entry("no scope needed", "GET", "/v1/search", false, ""),
		Entry("an empty segment is no id", "PUT", "/v1/playlists//images", false, ""),
		Entry("unknown", "GET", "/v1/nothing", false, ""),
	)

	It("says which groups a grant leaves out", func() {
		needs, _ := wire.ScopesFor("GET", "/v1/me/episodes")
		Expect(wire.MissingScopes(needs, []string{"user-library-read"})).To(Equal([][]string{{"user-read-playback-position"}}))
		Expect(wire.MissingScopes(needs, []string{"user-library-read", "user-read-playback-position"})).To(BeEmpty())
	})
})
