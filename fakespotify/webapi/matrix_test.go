package webapi_test

import (
	"slices"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/webapi"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// endpointCall is one call of an endpoint that succeeds for alice on the
// extended-mode web app (created 2024-01-15, so the 2024-11-27
// restrictions spare it) with every scope.
type endpointCall struct {
	method, path, body string
	ok                 int
}

// calls has a row for every row of webapi.Endpoints; a spec fails when the
// table grows without one.
var calls = map[string]endpointCall{
	"GET /v1/me":                                        {"GET", "/v1/me", "", 200},
	"GET /v1/me/playlists":                              {"GET", "/v1/me/playlists", "", 200},
	"POST /v1/me/playlists":                             {"POST", "/v1/me/playlists", `{"name":"n"}`, 201},
	"GET /v1/me/top/artists":                            {"GET", "/v1/me/top/artists", "", 200},
	"GET /v1/me/top/tracks":                             {"GET", "/v1/me/top/tracks", "", 200},
	"GET /v1/me/player/recently-played":                 {"GET", "/v1/me/player/recently-played", "", 200},
	"GET /v1/me/player":                                 {"GET", "/v1/me/player", "", 204},
	"PUT /v1/me/player":                                 {"PUT", "/v1/me/player", `{"device_ids":["` + aliceLaptop + `"]}`, 204},
	"GET /v1/me/player/devices":                         {"GET", "/v1/me/player/devices", "", 200},
	"GET /v1/me/player/currently-playing":               {"GET", "/v1/me/player/currently-playing", "", 204},
	"PUT /v1/me/player/play":                            {"PUT", "/v1/me/player/play?device_id=" + aliceLaptop, "", 204},
	"PUT /v1/me/player/pause":                           {"PUT", "/v1/me/player/pause?device_id=" + aliceLaptop, "", 204},
	"GET /v1/me/tracks":                                 {"GET", "/v1/me/tracks", "", 200},
	"PUT /v1/me/tracks":                                 {"PUT", "/v1/me/tracks?ids=" + timeOfOurLives, "", 200},
	"DELETE /v1/me/tracks":                              {"DELETE", "/v1/me/tracks?ids=" + levels, "", 200},
	"PUT /v1/me/library":                                {"PUT", "/v1/me/library?uris=spotify:track:" + timeOfOurLives, "", 200},
	"DELETE /v1/me/library":                             {"DELETE", "/v1/me/library?uris=spotify:track:" + levels, "", 200},
	"GET /v1/me/following":                              {"GET", "/v1/me/following?type=artist", "", 200},
	"GET /v1/users/{user_id}":                           {"GET", "/v1/users/bob", "", 200},
	"GET /v1/users/{user_id}/playlists":                 {"GET", "/v1/users/bob/playlists", "", 200},
	"POST /v1/users/{user_id}/playlists":                {"POST", "/v1/users/alice/playlists", `{"name":"n"}`, 201},
	"GET /v1/playlists/{playlist_id}":                   {"GET", "/v1/playlists/" + alicePublic, "", 200},
	"GET /v1/playlists/{playlist_id}/items":             {"GET", "/v1/playlists/" + alicePublic + "/items", "", 200},
	"POST /v1/playlists/{playlist_id}/items":            {"POST", "/v1/playlists/" + alicePublic + "/items?uris=spotify:track:" + levels, "", 201},
	"PUT /v1/playlists/{playlist_id}/items":             {"PUT", "/v1/playlists/" + alicePublic + "/items", `{"uris":[]}`, 200},
	"DELETE /v1/playlists/{playlist_id}/items":          {"DELETE", "/v1/playlists/" + alicePublic + "/items", `{"items":[{"uri":"spotify:track:` + mrBrightside + `"}]}`, 200},
	"GET /v1/playlists/{playlist_id}/tracks":            {"GET", "/v1/playlists/" + alicePublic + "/tracks", "", 200},
	"POST /v1/playlists/{playlist_id}/tracks":           {"POST", "/v1/playlists/" + alicePublic + "/tracks?uris=spotify:track:" + levels, "", 201},
	"PUT /v1/playlists/{playlist_id}/tracks":            {"PUT", "/v1/playlists/" + alicePublic + "/tracks", `{"range_start":0,"insert_before":2}`, 200},
	"DELETE /v1/playlists/{playlist_id}/tracks":         {"DELETE", "/v1/playlists/" + alicePublic + "/tracks", `{"tracks":[{"uri":"spotify:track:` + mrBrightside + `"}]}`, 200},
	"GET /v1/search":                                    {"GET", "/v1/search?q=e&type=track", "", 200},
	"GET /v1/tracks":                                    {"GET", "/v1/tracks?ids=" + levels + "," + shapeOfYou, "", 200},
	"GET /v1/tracks/{id}":                               {"GET", "/v1/tracks/" + levels, "", 200},
	"GET /v1/artists/{id}":                              {"GET", "/v1/artists/" + avicii, "", 200},
	"GET /v1/albums/{id}":                               {"GET", "/v1/albums/" + afterHours, "", 200},
	"GET /v1/albums/{id}/tracks":                        {"GET", "/v1/albums/" + afterHours + "/tracks", "", 200},
	"GET /v1/recommendations":                           {"GET", "/v1/recommendations?seed_genres=pop", "", 200},
	"GET /v1/artists/{id}/related-artists":              {"GET", "/v1/artists/" + avicii + "/related-artists", "", 200},
	"GET /v1/artists/{id}/top-tracks":                   {"GET", "/v1/artists/" + avicii + "/top-tracks", "", 200},
	"GET /v1/audio-features":                            {"GET", "/v1/audio-features?ids=" + levels, "", 200},
	"GET /v1/audio-features/{id}":                       {"GET", "/v1/audio-features/" + levels, "", 200},
	"GET /v1/audio-analysis/{id}":                       {"GET", "/v1/audio-analysis/" + levels, "", 200},
	"GET /v1/browse/featured-playlists":                 {"GET", "/v1/browse/featured-playlists", "", 200},
	"GET /v1/browse/categories/{category_id}/playlists": {"GET", "/v1/browse/categories/toplists/playlists", "", 200},
}

// The refusals every endpoint shares, in the order of the checks.
var (
	noToken      = errorJSON(401, wire.MsgNoToken)
	appOnlyToken = errorJSON(401, wire.MsgAppOnly)
	noScope      = errorJSON(403, wire.MsgNoScope)
)

var _ = Describe("every endpoint", func() {
	var e *env
	BeforeEach(func() { e = newEnv() })

	It("has a row below", func() {
		for _, ep := range webapi.Endpoints {
			Expect(calls).To(HaveKey(ep.Method+" "+ep.Pattern), "no row for %s %s", ep.Method, ep.Pattern)
		}
		Expect(calls).To(HaveLen(len(webapi.Endpoints)))
	})

	var entries []TableEntry
	for _, ep := range webapi.Endpoints {
		name := ep.Method + " " + ep.Pattern
		entries = append(entries,
			Entry(name+", no token", ep, "no token"),
			Entry(name+", app-only token", ep, "app-only"),
			Entry(name+", missing scope", ep, "missing scope"),
			Entry(name+", development mode, not allowlisted", ep, "not allowlisted"),
			Entry(name+", owner without Premium", ep, "no premium"),
			Entry(name+", success", ep, "success"),
		)
	}
	DescribeTable("answers each case as the order of the checks says",
		func(ep webapi.Endpoint, kind string) {
			c := calls[ep.Method+" "+ep.Pattern]
			call := func(auth string) response { return e.do(c.method, c.path, auth, c.body) }
			switch kind {
			case "no token":
				res := call("")
				Expect(res.Status).To(Equal(401))
				Expect(res.Body).To(Equal(noToken))
			case "app-only":
				res := call("Bearer " + e.b.issue("web", ""))
				if ep.User {
					Expect(res.Status).To(Equal(401))
					Expect(res.Body).To(Equal(appOnlyToken))
				} else {
					Expect(res.Status).To(Equal(c.ok), res.Body)
				}
			case "missing scope":
				if len(ep.Needs) == 0 {
					Skip("needs no scope")
				}
				res := call("Bearer " + e.b.issue("web", "alice", without(slices.Concat(ep.Needs...)...)...))
				Expect(res.Status).To(Equal(403))
				Expect(res.Body).To(Equal(noScope))
			case "not allowlisted":
				res := call("Bearer " + e.b.issue("dev", "bob", allScopes...))
				Expect(res.Status).To(Equal(403))
				Expect(res.Header.Get("Content-Type")).To(Equal("text/plain; charset=utf-8"))
				Expect(res.Body).To(Equal(wire.MsgNotAllowed2024))
			case "no premium":
				res := call("Bearer " + e.b.issue("nopremium", "alice", allScopes...))
				Expect(res.Status).To(Equal(403))
				Expect(res.Body).To(Equal(wire.MsgOwnerNotPremium))
			case "success":
				res := call("Bearer " + e.b.issue("web", "alice", allScopes...))
				Expect(res.Status).To(Equal(c.ok), res.Body)
				if c.ok == 204 {
					Expect(res.Body).To(BeEmpty())
				}
			}
		},
		entries,
	)
})
