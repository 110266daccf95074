package webapi_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// refusal is one row of the error table: how to build the request, and
// the exact answer.
type refusal struct {
	method, path string
	// auth builds the Authorization header ("" sends none).
	auth   func(e *env) string
	status int
	body   string
	www    string // exact WWW-Authenticate, "" for none
	text   bool   // plain-text body
}

func bearer(app, user string, scopes ...string) func(*env) string {
	return func(e *env) string { return "Bearer " + e.b.issue(app, user, scopes...) }
}

const (
	wwwBare    = `Bearer realm="spotify"`
	wwwScheme  = `Bearer realm="spotify", error="invalid_request", error_description="Only valid bearer authentication supported"`
	www2026    = `Bearer realm="spotify", error="invalid_token", error_description="Missing/invalid/expired access token"`
	wwwExpired = `Bearer realm="spotify", error="invalid_token", error_description="The access token expired"`
	wwwInvalid = `Bearer realm="spotify", error="invalid_token", error_description="Invalid access token"`
)

func legacy(e *env) {
	e.b.setPolicy("", config.Policies{UnauthorizedMessage: wire.UnauthorizedLegacy})
}

var _ = Describe("refusals", func() {
	var e *env
	BeforeEach(func() { e = newEnv() })

	DescribeTable("exact status, body and WWW-Authenticate",
		func(setup func(*env), r refusal) {
			if setup != nil {
				setup(e)
			}
			auth := ""
			if r.auth != nil {
				auth = r.auth(e)
			}
			method := r.method
			if method == "" {
				method = "GET"
			}
			res := e.do(method, r.path, auth, "")
			Expect(res.Status).To(Equal(r.status))
			Expect(res.Body).To(Equal(r.body))
			Expect(res.Header.Values("WWW-Authenticate")).To(Equal(nonEmpty(r.www)))
			if r.text {
				Expect(res.Header.Get("Content-Type")).To(Equal("text/plain; charset=utf-8"))
			} else {
				Expect(res.Header.Get("Content-Type")).To(Equal("application/json; charset=utf-8"))
			}
		},
		Entry("no Authorization header", nil, refusal{path: "/v1/me",
			status: 401, body: errorJSON(401, "No token provided"), www: wwwBare}),
		Entry("an empty Authorization header", nil, refusal{path: "/v1/me", auth: func(*env) string { return " " },
			status: 401, body: errorJSON(401, "No token provided"), www: wwwBare}),
		Entry("Basic scheme", nil, refusal{path: "/v1/me", auth: func(*env) string { return "Basic YWJjOmRlZg==" },
			status: 400, body: errorJSON(400, "Only valid bearer authentication supported"), www: wwwScheme}),
		Entry("a quoted bearer token", nil, refusal{path: "/v1/me", auth: func(e *env) string { return `Bearer "` + e.b.issue("web", "alice") + `"` },
			status: 400, body: errorJSON(400, "Only valid bearer authentication supported"), www: wwwScheme}),
		Entry("a token followed by junk", nil, refusal{path: "/v1/search?q=a&type=track", auth: func(*env) string { return "Bearer abc def" },
			status: 400, body: errorJSON(400, "Only valid bearer authentication supported"), www: wwwScheme}),
		Entry("the token alone, no scheme", nil, refusal{path: "/v1/me", auth: func(e *env) string { return e.b.issue("web", "alice") },
			status: 400, body: errorJSON(400, "Only valid bearer authentication supported"), www: wwwScheme}),
		Entry("an empty bearer token (2026)", nil, refusal{path: "/v1/me", auth: func(*env) string { return "Bearer" },
			status: 401, body: errorJSON(401, "Missing/invalid/expired access token"), www: www2026}),
		Entry("a garbage token (2026)", nil, refusal{path: "/v1/me", auth: func(*env) string { return "Bearer undefined" },
			status: 401, body: errorJSON(401, "Missing/invalid/expired access token"), www: www2026}),
		Entry("an expired token (2026)", nil, refusal{path: "/v1/me", auth: func(e *env) string {
			t := e.b.issue("web", "alice")
			e.b.advance(e.b.clientID("web"), time.Hour)
			return "Bearer " + t
		}, status: 401, body: errorJSON(401, "Missing/invalid/expired access token"), www: www2026}),
		Entry("a revoked token (2026)", nil, refusal{path: "/v1/me", auth: func(e *env) string {
			t := e.b.issue("web", "alice")
			e.b.revoke(t)
			return "Bearer " + t
		}, status: 401, body: errorJSON(401, "Missing/invalid/expired access token"), www: www2026}),
		Entry("an empty bearer token (legacy)", legacy, refusal{path: "/v1/me", auth: func(*env) string { return "Bearer " },
			status: 401, body: errorJSON(401, "Invalid access token"), www: wwwInvalid}),
		Entry("a garbage token (legacy)", legacy, refusal{path: "/v1/me", auth: func(*env) string { return "Bearer None" },
			status: 401, body: errorJSON(401, "Invalid access token"), www: wwwInvalid}),
		Entry("a revoked token (legacy)", legacy, refusal{path: "/v1/me", auth: func(e *env) string {
			t := e.b.issue("web", "alice")
			e.b.revoke(t)
			return "Bearer " + t
		}, status: 401, body: errorJSON(401, "Invalid access token"), www: wwwInvalid}),
		Entry("an expired token, legacy for that app only", func(e *env) {
			e.b.setPolicy(e.b.clientID("web"), config.Policies{UnauthorizedMessage: wire.UnauthorizedLegacy})
		}, refusal{path: "/v1/me", auth: func(e *env) string {
			t := e.b.issue("web", "alice")
			e.b.advance(e.b.clientID("web"), time.Hour+time.Second)
			return "Bearer " + t
		}, status: 401, body: errorJSON(401, "The access token expired"), www: wwwExpired}),
		Entry("an app-only token on /v1/me", nil, refusal{path: "/v1/me", auth: bearer("web", ""),
			status: 401, body: errorJSON(401, "Unauthorized"), www: wwwBare}),
		Entry("an app-only token on /v1/me/tracks", nil, refusal{path: "/v1/me/tracks", auth: bearer("web", "", allScopes...),
			status: 401, body: errorJSON(401, "Unauthorized"), www: wwwBare}),
		Entry("an app-only token creating a playlist", nil, refusal{method: "POST", path: "/v1/users/alice/playlists", auth: bearer("web", ""),
			status: 401, body: errorJSON(401, "Unauthorized"), www: wwwBare}),
		Entry("a missing scope", nil, refusal{path: "/v1/me/top/tracks", auth: bearer("web", "alice"),
			status: 403, body: "{\n  \"error\" : {\n    \"status\" : 403,\n    \"message\" : \"Insufficient client scope\"\n  }\n}"}),
		Entry("an unknown path", nil, refusal{path: "/v1/nothing/here", auth: bearer("web", "alice"),
			status: 404, body: errorJSON(404, "Service not found")}),
		Entry("an unknown path without a token", nil, refusal{path: "/v1/episodes/" + blindingLights,
			status: 404, body: errorJSON(404, "Service not found")}),
		Entry("a known path with the wrong method", nil, refusal{method: "POST", path: "/v1/me", auth: bearer("web", "alice"),
			status: 405, body: errorJSON(405, "Method not allowed")}),
		Entry("a malformed track id", nil, refusal{path: "/v1/tracks/nope", auth: bearer("web", ""),
			status: 400, body: errorJSON(400, "invalid id")}),
		Entry("an unknown track id", nil, refusal{path: "/v1/tracks/0000000000000000000000", auth: bearer("web", ""),
			status: 404, body: errorJSON(404, "Non existing id")}),
		Entry("search without q", nil, refusal{path: "/v1/search?type=track", auth: bearer("web", ""),
			status: 400, body: errorJSON(400, "No search query")}),
		Entry("search without type", nil, refusal{path: "/v1/search?q=levels", auth: bearer("web", ""),
			status: 400, body: errorJSON(400, "Missing parameter type")}),
		Entry("search with a bad type", nil, refusal{path: "/v1/search?q=levels&type=tracks", auth: bearer("web", ""),
			status: 400, body: errorJSON(400, "Bad search type field tracks")}),
		Entry("search with limit 51", nil, refusal{path: "/v1/search?q=levels&type=track&limit=51", auth: bearer("web", ""),
			status: 400, body: errorJSON(400, "Invalid limit")}),
		Entry("search with limit 11 in development mode", nil, refusal{path: "/v1/search?q=levels&type=track&limit=11", auth: bearer("dev", "alice"),
			status: 400, body: errorJSON(400, "Invalid limit")}),
		Entry("search with offset 1001", nil, refusal{path: "/v1/search?q=levels&type=track&offset=1001", auth: bearer("web", ""),
			status: 400, body: errorJSON(400, "Invalid offset")}),
		Entry("playlists with limit 0", nil, refusal{path: "/v1/me/playlists?limit=0", auth: bearer("web", "alice"),
			status: 400, body: errorJSON(400, "Invalid limit")}),
		Entry("playlists with limit 51", nil, refusal{path: "/v1/me/playlists?limit=51", auth: bearer("web", "alice"),
			status: 400, body: errorJSON(400, "Invalid limit")}),
		Entry("playlists with a non-numeric limit", nil, refusal{path: "/v1/me/playlists?limit=ten", auth: bearer("web", "alice"),
			status: 400, body: errorJSON(400, "Invalid limit")}),
		Entry("playlists with offset beyond 100,000", nil, refusal{path: "/v1/me/playlists?offset=100001", auth: bearer("web", "alice"),
			status: 400, body: errorJSON(400, "Invalid offset")}),
		Entry("top tracks with a bad time_range", nil, refusal{path: "/v1/me/top/tracks?time_range=forever", auth: bearer("web", "alice", "user-top-read"),
			status: 400, body: errorJSON(400, "Invalid time range")}),
		Entry("following without type", nil, refusal{path: "/v1/me/following", auth: bearer("web", "alice", "user-follow-read"),
			status: 400, body: errorJSON(400, "Missing parameter type")}),
		Entry("following with type user", nil, refusal{path: "/v1/me/following?type=user", auth: bearer("web", "alice", "user-follow-read"),
			status: 400, body: errorJSON(400, "type must be artist")}),
		Entry("recently played with after and before", nil, refusal{path: "/v1/me/player/recently-played?after=1&before=2", auth: bearer("web", "alice", "user-read-recently-played"),
			status: 400, body: errorJSON(400, "Only one of after and before may be specified")}),
		Entry("a restricted endpoint in development mode", nil, refusal{path: "/v1/audio-features/" + levels, auth: bearer("dev", "alice"),
			status: 403, body: "{\n  \"error\" : {\n    \"status\" : 403\n  }\n}"}),
		Entry("an owner without Premium", nil, refusal{path: "/v1/me", auth: bearer("nopremium", "alice", allScopes...),
			status: 403, body: wire.MsgOwnerNotPremium, text: true}),
		Entry("a user not on the allowlist (2024)", nil, refusal{path: "/v1/me", auth: bearer("dev", "bob", allScopes...),
			status: 403, body: "Check settings on developer.spotify.com/dashboard, the user may not be registered.", text: true}),
		Entry("a user not on the allowlist (2021)", func(e *env) {
			e.b.setPolicy(e.b.clientID("dev"), config.Policies{AllowlistMessage: wire.Allowlist2021})
		}, refusal{path: "/v1/me/playlists", auth: bearer("dev", "bob"),
			status: 403, body: "User not registered in the Developer Dashboard", text: true}),
		Entry("a user not on the allowlist (2021-06)", func(e *env) {
			e.b.setPolicy("", config.Policies{AllowlistMessage: wire.Allowlist2021June})
		}, refusal{path: "/v1/search?q=a&type=track", auth: bearer("dev", "bob"),
			status: 403, body: "User not approved for app", text: true}),
	)

	It("prints the Premium 403 as the 159 bytes Spotify sends", func() {
		res := e.do("GET", "/v1/me", "Bearer "+e.b.issue("nopremium", "bob"), "")
		Expect(res.Body).To(HaveLen(159))
		Expect(res.Header.Get("Content-Length")).To(Equal("159"))
	})

	It("prints the 2021 allowlist 403 as the 46 bytes zmb3#232 measured", func() {
		e.b.setPolicy("", config.Policies{AllowlistMessage: wire.Allowlist2021})
		Expect(e.get("/v1/me", e.b.issue("dev", "bob")).Body).To(HaveLen(46))
	})

	It("accepts a lowercase bearer scheme", func() {
		Expect(e.do("GET", "/v1/me", "bearer "+e.b.issue("web", "alice"), "").Status).To(Equal(200))
	})

	It("treats a trailing slash as the same path", func() {
		Expect(e.get("/v1/me/", e.b.issue("web", "alice")).Status).To(Equal(200))
	})

	It("judges expiry on the token's app clock, not another app's", func() {
		t := e.b.issue("web", "alice")
		e.b.advance(e.b.clientID("other"), 2*time.Hour)
		Expect(e.get("/v1/me", t).Status).To(Equal(200))
		e.b.advance(e.b.clientID("web"), time.Hour-time.Second)
		Expect(e.get("/v1/me", t).Status).To(Equal(200))
		e.b.advance(e.b.clientID("web"), time.Second)
		Expect(e.get("/v1/me", t).Status).To(Equal(401))
	})

	It("names the allowed methods on a 405", func() {
		res := e.do("PATCH", "/v1/me/tracks", "Bearer "+e.b.issue("web", "alice"), "")
		Expect(res.Status).To(Equal(405))
		Expect(res.Header.Get("Allow")).To(Equal("GET, PUT, DELETE"))
	})

	It("answers a CORS preflight on a known path without a token", func() {
		res := e.do("OPTIONS", "/v1/me/tracks", "", "")
		Expect(res.Status).To(Equal(200))
		Expect(res.Body).To(BeEmpty())
		Expect(res.Header.Get("Access-Control-Allow-Methods")).To(Equal("GET, POST, OPTIONS, PUT, DELETE, PATCH"))
		Expect(res.Header.Get("Access-Control-Allow-Origin")).To(Equal("*"))
	})

	DescribeTable("the headers of every JSON answer",
		func(path string, status int) {
			res := e.get(path, e.b.issue("web", "alice"))
			Expect(res.Status).To(Equal(status))
			Expect(res.Header.Get("Content-Type")).To(Equal("application/json; charset=utf-8"))
			Expect(res.Header.Get("Cache-Control")).To(Equal("private, max-age=0"))
			Expect(res.Header.Get("Access-Control-Allow-Origin")).To(Equal("*"))
			Expect(res.Header.Get("Access-Control-Allow-Methods")).To(Equal("GET, POST, OPTIONS, PUT, DELETE, PATCH"))
			Expect(res.Header.Get("Access-Control-Allow-Headers")).To(Equal(
				"Accept, App-Platform, Authorization, Content-Type, Origin, Retry-After, Spotify-App-Version, X-Cloud-Trace-Context, client-token, content-access-token"))
		},
		Entry("a success", "/v1/me", 200),
		Entry("a scope refusal", "/v1/me/tracks", 403),
		Entry("a 404", "/v1/nope", 404),
	)

	Describe("the order of the checks", func() {
		It("authenticates before the development-mode rules", func() {
			t := e.b.issue("nopremium", "alice")
			e.b.advance(e.b.clientID("nopremium"), 2*time.Hour)
			Expect(e.get("/v1/me", t).Status).To(Equal(401))
		})
		It("checks the owner's Premium before the allowlist", func() {
			e.b.addApp(config.App{Name: "both", ClientID: "ab00000000000000000000000000000b", ClientSecret: "s",
				Mode: config.ModeDevelopment, Allowlist: []string{"alice"}})
			res := e.get("/v1/me", e.b.issue("both", "bob"))
			Expect(res.Body).To(Equal(wire.MsgOwnerNotPremium))
		})
		It("applies the development-mode 403 before the scope check", func() {
			res := e.get("/v1/me/top/artists", e.b.issue("dev", "bob"))
			Expect(res.Body).To(Equal(wire.MsgNotAllowed2024))
		})
		It("refuses an app-only token before the scope check", func() {
			Expect(e.get("/v1/me/top/artists", e.b.issue("web", "")).Body).To(Equal(errorJSON(401, "Unauthorized")))
		})
		It("refuses an app-only token on a Premium-less development app with the Premium text", func() {
			Expect(e.get("/v1/search?q=a&type=track", e.b.issue("nopremium", "")).Body).To(Equal(wire.MsgOwnerNotPremium))
		})
		It("lets an app-only token of a development app with a Premium owner search", func() {
			Expect(e.get("/v1/search?q=a&type=track", e.b.issue("dev", "")).Status).To(Equal(200))
		})
		It("checks the scope before the parameters", func() {
			Expect(e.get("/v1/me/top/tracks?limit=999", e.b.issue("web", "alice")).Status).To(Equal(403))
		})
	})
})

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
