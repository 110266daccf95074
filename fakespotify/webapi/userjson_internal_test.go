package webapi

import (
	"net/http/httptest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/config"
)

var _ = Describe("the /v1/me answer written by hand", func() {
	user := func(id, name string) privateUser {
		return privateUser{DisplayName: nullable(name), ExternalURLs: openURL("user", id),
			Href: "http://127.0.0.1:8080/v1/users/" + id, ID: id, Images: noImages, Type: "user", URI: "spotify:user:" + id}
	}
	full := func(id, name string) privateUser {
		o := user(id, name)
		o.Country, o.Email, o.Product = "SE", id+"@example.com", "premium"
		o.ExplicitContent = &config.ExplicitContent{FilterEnabled: true}
		o.Followers = &followers{Total: 1234}
		return o
	}
	with := func(o privateUser, change func(*privateUser)) privateUser { change(&o); return o }

	DescribeTable("is byte for byte, headers included, what the reflecting encoder writes",
		func(o privateUser, byHand bool) {
			want := httptest.NewRecorder()
			writeJSON(want, 200, o)
			got := httptest.NewRecorder()
			writeUser(got, &o)
			Expect(got.Code).To(Equal(want.Code))
			Expect(got.Body.String()).To(Equal(want.Body.String()))
			Expect(got.Header()).To(Equal(want.Header()))
			_, ok := o.appendPretty(nil)
			Expect(ok).To(Equal(byHand), "written by hand")
		},
		Entry("every scope, extended quota mode", full("alice", "Alice"), true),
		Entry("no scopes: the bare user", user("alice", "Alice"), true),
		Entry("no display name: null", user("bob", ""), true),
		Entry("development mode with user-read-private: explicit content only", with(user("alice", "Alice"), func(o *privateUser) {
			o.ExplicitContent = &config.ExplicitContent{FilterLocked: true}
		}), true),
		Entry("followers without the private scopes, none followed", with(user("alice", "Alice"), func(o *privateUser) {
			o.Followers = &followers{}
		}), true),
		Entry("email without user-read-private", with(user("alice", "Alice"), func(o *privateUser) { o.Email = "a@b.c" }), true),
		Entry("HTML characters, brackets, colons and commas are plain", full("a<b>&c", `x [1, 2] {a: b}, <&>`), true),
		Entry("a quote and a backslash", full(`q"u\o`, `say "hi" \ bye`), false),
		Entry("control characters and DEL", full("id\x7f", "tab\there\nnew"), false),
		Entry("non-ASCII, invalid UTF-8 and line separators", full("ü", "Zoë \xff\u2028\u2029"), false),
		Entry("a unicode email", with(full("alice", "Alice"), func(o *privateUser) { o.Email = "zoë@example.com" }), false),
		Entry("images are left to the encoder", with(full("alice", "Alice"), func(o *privateUser) {
			h := 64
			o.Images = []image{{Height: &h, URL: "https://i.scdn.co/x", Width: &h}}
		}), false),
		Entry("nil images (null) are left to the encoder", with(full("alice", "Alice"), func(o *privateUser) { o.Images = nil }), false),
		Entry("a followers href is left to the encoder", with(full("alice", "Alice"), func(o *privateUser) {
			o.Followers.Href = nullable("https://example.com/f")
		}), false),
		Entry("negative and huge follower counts", with(full("alice", "Alice"), func(o *privateUser) { o.Followers.Total = -1 << 40 }), true),
	)
})
