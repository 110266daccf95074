package webapi_test

import (
	"encoding/json"
	"slices"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/webapi"
)

// scopeCase calls one endpoint with a token lacking scopes.
type scopeCase struct {
	method, path, body string
	missing            []string
}

// scopeCases covers every endpoint of webapi.Endpoints that requires a
// scope; the spec below fails when the table grows without a row here.
var scopeCases = map[string]scopeCase{
	"GET /v1/me/top/artists":            {"GET", "/v1/me/top/artists", "", []string{"user-top-read"}},
	"GET /v1/me/top/tracks":             {"GET", "/v1/me/top/tracks", "", []string{"user-top-read"}},
	"GET /v1/me/player/recently-played": {"GET", "/v1/me/player/recently-played", "", []string{"user-read-recently-played"}},
	"GET /v1/me/tracks":                 {"GET", "/v1/me/tracks", "", []string{"user-library-read"}},
	"PUT /v1/me/tracks":                 {"PUT", "/v1/me/tracks?ids=" + timeOfOurLives, "", []string{"user-library-modify"}},
	"DELETE /v1/me/tracks":              {"DELETE", "/v1/me/tracks?ids=" + levels, "", []string{"user-library-modify"}},
	"GET /v1/me/following":              {"GET", "/v1/me/following?type=artist", "", []string{"user-follow-read"}},
	"POST /v1/users/{user_id}/playlists": {"POST", "/v1/users/alice/playlists", `{"name":"x"}`,
		[]string{"playlist-modify-public", "playlist-modify-private"}},
	"POST /v1/me/playlists": {"POST", "/v1/me/playlists", `{"name":"x"}`,
		[]string{"playlist-modify-public", "playlist-modify-private"}},
	"PUT /v1/me/library":        {"PUT", "/v1/me/library?uris=spotify:track:" + timeOfOurLives, "", []string{"user-library-modify"}},
	"DELETE /v1/me/library":     {"DELETE", "/v1/me/library?uris=spotify:track:" + levels, "", []string{"user-library-modify"}},
	"GET /v1/me/player":         {"GET", "/v1/me/player", "", []string{"user-read-playback-state"}},
	"GET /v1/me/player/devices": {"GET", "/v1/me/player/devices", "", []string{"user-read-playback-state"}},
	"GET /v1/me/player/currently-playing": {"GET", "/v1/me/player/currently-playing", "",
		[]string{"user-read-currently-playing", "user-read-playback-state"}},
	"PUT /v1/me/player":       {"PUT", "/v1/me/player", `{"device_ids":["` + aliceLaptop + `"]}`, []string{"user-modify-playback-state"}},
	"PUT /v1/me/player/play":  {"PUT", "/v1/me/player/play?device_id=" + aliceLaptop, "", []string{"user-modify-playback-state"}},
	"PUT /v1/me/player/pause": {"PUT", "/v1/me/player/pause?device_id=" + aliceLaptop, "", []string{"user-modify-playback-state"}},
	"POST /v1/playlists/{playlist_id}/items": {"POST", "/v1/playlists/" + alicePublic + "/items?uris=spotify:track:" + levels, "",
		[]string{"playlist-modify-public", "playlist-modify-private"}},
	"PUT /v1/playlists/{playlist_id}/items": {"PUT", "/v1/playlists/" + alicePublic + "/items", `{"uris":["spotify:track:` + levels + `"]}`,
		[]string{"playlist-modify-public", "playlist-modify-private"}},
	"DELETE /v1/playlists/{playlist_id}/items": {"DELETE", "/v1/playlists/" + alicePublic + "/items", `{"items":[{"uri":"spotify:track:` + mrBrightside + `"}]}`,
		[]string{"playlist-modify-public", "playlist-modify-private"}},
	"POST /v1/playlists/{playlist_id}/tracks": {"POST", "/v1/playlists/" + alicePublic + "/tracks?uris=spotify:track:" + levels, "",
		[]string{"playlist-modify-public", "playlist-modify-private"}},
	"PUT /v1/playlists/{playlist_id}/tracks": {"PUT", "/v1/playlists/" + alicePublic + "/tracks", `{"uris":["spotify:track:` + levels + `"]}`,
		[]string{"playlist-modify-public", "playlist-modify-private"}},
	"DELETE /v1/playlists/{playlist_id}/tracks": {"DELETE", "/v1/playlists/" + alicePublic + "/tracks", `{"tracks":[{"uri":"spotify:track:` + mrBrightside + `"}]}`,
		[]string{"playlist-modify-public", "playlist-modify-private"}},
}

var _ = Describe("scopes", func() {
	var e *env
	BeforeEach(func() { e = newEnv() })

	It("has a row below for every endpoint that requires a scope", func() {
		var want []string
		for _, ep := range webapi.Endpoints {
			if len(ep.Needs) > 0 {
				want = append(want, ep.Method+" "+ep.Pattern)
				Expect(scopeCases).To(HaveKey(ep.Method+" "+ep.Pattern), "no scope row for %s %s", ep.Method, ep.Pattern)
				Expect(scopeCases[ep.Method+" "+ep.Pattern].missing).To(ConsistOf(slices.Concat(ep.Needs...)))
			}
		}
		Expect(scopeCases).To(HaveLen(len(want)))
	})

	entries := []TableEntry{}
	for name, sc := range scopeCases {
		entries = append(entries, Entry(name, sc))
	}
	DescribeTable("every endpoint without its scope is 403 Insufficient client scope",
		func(sc scopeCase) {
			res := e.do(sc.method, sc.path, "Bearer "+e.b.issue("web", "alice", without(sc.missing...)...), sc.body)
			Expect(res.Status).To(Equal(403))
			Expect(res.Body).To(Equal(errorJSON(403, "Insufficient client scope")))

			// And the same call with every scope succeeds, so the 403 was
			// about the scope and nothing else.
			res = e.do(sc.method, sc.path, "Bearer "+e.b.issue("web", "alice", allScopes...), sc.body)
			Expect(res.Status).To(BeNumerically("<", 300), res.Body)
		},
		entries,
	)

	DescribeTable("creating a playlist needs the scope its visibility selects",
		func(body string, scopes []string, status int) {
			res := e.do("POST", "/v1/users/alice/playlists", "Bearer "+e.b.issue("web", "alice", scopes...), body)
			Expect(res.Status).To(Equal(status), res.Body)
			if status == 403 {
				Expect(res.Body).To(Equal(errorJSON(403, "Insufficient client scope")))
			}
		},
		Entry("public by default, with only modify-private", `{"name":"a"}`, []string{"playlist-modify-private"}, 403),
		Entry("public by default, with modify-public", `{"name":"a"}`, []string{"playlist-modify-public"}, 201),
		Entry("public false, with only modify-public", `{"name":"a","public":false}`, []string{"playlist-modify-public"}, 403),
		Entry("public false, with modify-private", `{"name":"a","public":false}`, []string{"playlist-modify-private"}, 201),
	)

	DescribeTable("GET /v1/me shows fields by scope and never refuses",
		func(app string, scopes []string, keys []string) {
			res := e.get("/v1/me", e.b.issue(app, "alice", scopes...))
			Expect(res.Status).To(Equal(200))
			var got map[string]any
			Expect(json.Unmarshal([]byte(res.Body), &got)).To(Succeed())
			base := []string{"display_name", "external_urls", "href", "id", "images", "type", "uri"}
			Expect(mapKeys(got)).To(ConsistOf(append(base, keys...)))
		},
		Entry("no scope", "web", nil, []string{"followers"}),
		Entry("user-read-email", "web", []string{"user-read-email"}, []string{"followers", "email"}),
		Entry("user-read-private", "web", []string{"user-read-private"}, []string{"followers", "country", "product", "explicit_content"}),
		Entry("both", "web", []string{"user-read-email", "user-read-private"}, []string{"followers", "email", "country", "product", "explicit_content"}),
		Entry("both, development mode (Feb 2026)", "dev", []string{"user-read-email", "user-read-private"}, []string{"explicit_content"}),
		Entry("no scope, development mode", "dev", nil, nil),
	)

	It("prints /v1/me the way Spotify does", func() {
		res := e.get("/v1/me", e.b.issue("web", "alice", "user-read-email", "user-read-private"))
		Expect(res.Body).To(Equal(`{
  "country" : "SE",
  "display_name" : "Alice Example",
  "email" : "alice@example.com",
  "explicit_content" : {
    "filter_enabled" : false,
    "filter_locked" : false
  },
  "external_urls" : {
    "spotify" : "https://open.spotify.com/user/alice"
  },
  "followers" : {
    "href" : null,
    "total" : 12
  },
  "href" : "` + e.srv.URL + `/v1/users/alice",
  "id" : "alice",
  "images" : [ ],
  "product" : "premium",
  "type" : "user",
  "uri" : "spotify:user:alice"
}`))
	})

	DescribeTable("GET /v1/me/playlists filters private and collaborative playlists by scope",
		func(scopes []string, ids []string) {
			res := e.get("/v1/me/playlists", e.b.issue("web", "alice", scopes...))
			Expect(res.Status).To(Equal(200))
			var p struct {
				Items []struct {
					ID string `json:"id"`
				} `json:"items"`
				Total int `json:"total"`
			}
			Expect(json.Unmarshal([]byte(res.Body), &p)).To(Succeed())
			var got []string
			for _, it := range p.Items {
				got = append(got, it.ID)
			}
			Expect(got).To(Equal(ids))
			Expect(p.Total).To(Equal(len(ids)))
		},
		Entry("no scope: public only", nil, []string{"37i9alicepub0000000001"}),
		Entry("playlist-read-private", []string{"playlist-read-private"}, []string{"37i9alicepub0000000001", "37i9alicepriv000000002"}),
		Entry("playlist-read-collaborative", []string{"playlist-read-collaborative"}, []string{"37i9alicepub0000000001", "37i9alicecollab0000003"}),
		Entry("both", []string{"playlist-read-private", "playlist-read-collaborative"},
			[]string{"37i9alicepub0000000001", "37i9alicepriv000000002", "37i9alicecollab0000003"}),
	)
})

func mapKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
