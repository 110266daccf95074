package webapi_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/webapi"
)

var _ = Describe("Lookup", func() {
	DescribeTable("finds the endpoint the router would serve",
		func(method, path, pattern string) {
			ep, ok := webapi.Lookup(method, path)
			if pattern == "" {
				Expect(ok).To(BeFalse(), method+" "+path)
				return
			}
			Expect(ok).To(BeTrue(), method+" "+path)
			Expect(ep.Pattern).To(Equal(pattern))
		},
		Entry("a scoped endpoint", "GET", "/v1/me/top/artists", "/v1/me/top/artists"),
		Entry("a parameter in the middle", "GET", "/v1/artists/0OdUWJ0sBjDrqHygGUXeCF/top-tracks", "/v1/artists/{id}/top-tracks"),
		Entry("a path parameter", "GET", "/v1/tracks/0VjIjW4GlUZAMYd2vXMi3b", "/v1/tracks/{id}"),
		Entry("one trailing slash", "GET", "/v1/me/", "/v1/me"),
		Entry("the method counts", "POST", "/v1/me", ""),
		Entry("unknown path", "GET", "/v1/me/player/queue", ""),
		Entry("not the Web API", "GET", "/api/token", ""),
	)
})
