package webapi_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

var _ = Describe("playlists and their items", func() {
	var (
		e     *env
		alice string
	)
	BeforeEach(func() {
		e = newEnv()
		alice = "Bearer " + e.b.issue("web", "alice", allScopes...)
	})
	items := func(auth, path string) []map[string]any {
		GinkgoHelper()
		res := e.do("GET", path, auth, "")
		Expect(res.Status).To(Equal(200), res.Body)
		return itemsOf(res.Body)
	}
	ids := func(list []map[string]any, field string) []string {
		var out []string
		for _, it := range list {
			out = append(out, it[field].(map[string]any)["id"].(string))
		}
		return out
	}

	It("gives each item under item and the deprecated track on /items, track only on /tracks", func() {
		list := items(alice, "/v1/playlists/"+alicePublic+"/items")
		Expect(ids(list, "item")).To(Equal([]string{blindingLights, mrBrightside, shapeOfYou}))
		Expect(ids(list, "track")).To(Equal(ids(list, "item")))
		Expect(list[0]).To(HaveKeyWithValue("is_local", false))
		Expect(list[0]["added_by"]).To(HaveKeyWithValue("id", "alice"))

		old := items(alice, "/v1/playlists/"+alicePublic+"/tracks")
		Expect(old[0]).NotTo(HaveKey("item"))
		Expect(ids(old, "track")).To(Equal(ids(list, "item")))
	})

	It("answers a development-mode app's /tracks with the 403 of the removed endpoints, /items as usual", func() {
		dev := "Bearer " + e.b.issue("dev", "alice", allScopes...)
		for _, m := range []string{"GET", "POST", "PUT", "DELETE"} {
			res := e.do(m, "/v1/playlists/"+alicePublic+"/tracks", dev, "")
			Expect(res.Status).To(Equal(403), m)
			Expect(res.Body).To(Equal(errorJSON(403, "Forbidden")))
		}
		Expect(items(dev, "/v1/playlists/"+alicePublic+"/items")).To(HaveLen(3))
		// The playlist object is renamed too: items, not tracks.
		p := decode[map[string]any](e.do("GET", "/v1/playlists/"+alicePublic, dev, "").Body)
		Expect(p).NotTo(HaveKey("tracks"))
		Expect(p["items"]).To(HaveKeyWithValue("total", BeNumerically("==", 3)))
		mine := itemsOf(e.do("GET", "/v1/me/playlists", dev, "").Body)
		Expect(mine[0]["items"]).To(HaveKeyWithValue("href", HaveSuffix("/v1/playlists/"+alicePublic+"/items")))
		// An extended-mode app keeps the old field.
		p = decode[map[string]any](e.do("GET", "/v1/playlists/"+alicePublic, alice, "").Body)
		Expect(p).NotTo(HaveKey("items"))
		Expect(p["tracks"]).To(HaveKeyWithValue("total", BeNumerically("==", 3)))
	})

	It("shows another user's public playlist, and not their private one", func() {
		bob := "Bearer " + e.b.issue("web", "bob", allScopes...)
		Expect(e.do("GET", "/v1/playlists/"+alicePublic, bob, "").Status).To(Equal(200))
		res := e.do("GET", "/v1/playlists/"+alicePrivate, bob, "")
		Expect(res.Status).To(Equal(404))
		Expect(res.Body).To(Equal(errorJSON(404, "Not found.")))
		// Its owner needs playlist-read-private to see it.
		Expect(e.do("GET", "/v1/playlists/"+alicePrivate, "Bearer "+e.b.issue("web", "alice"), "").Status).To(Equal(404))
		Expect(e.do("GET", "/v1/playlists/"+alicePrivate, alice, "").Status).To(Equal(200))
	})

	It("adds, replaces, reorders and removes items, each with a new snapshot", func() {
		snap := func(res response) string {
			GinkgoHelper()
			Expect(res.Status).To(BeNumerically("<", 300), res.Body)
			return decode[map[string]string](res.Body)["snapshot_id"]
		}
		path := "/v1/playlists/" + alicePublic + "/items"
		s1 := snap(e.do("POST", path+"?uris=spotify:track:"+levels+"&position=0", alice, ""))
		Expect(ids(items(alice, path), "item")).To(Equal([]string{levels, blindingLights, mrBrightside, shapeOfYou}))
		s2 := snap(e.do("PUT", path, alice, `{"range_start":0,"insert_before":4}`))
		Expect(ids(items(alice, path), "item")).To(Equal([]string{blindingLights, mrBrightside, shapeOfYou, levels}))
		s3 := snap(e.do("DELETE", path, alice, `{"items":[{"uri":"spotify:track:`+mrBrightside+`"}]}`))
		Expect(ids(items(alice, path), "item")).To(Equal([]string{blindingLights, shapeOfYou, levels}))
		s4 := snap(e.do("PUT", path, alice, `{"uris":["spotify:track:`+timeOfOurLives+`"]}`))
		Expect(ids(items(alice, path), "item")).To(Equal([]string{timeOfOurLives}))
		Expect([]string{s1, s2, s3, s4}).To(HaveEach(HaveLen(32)))
		Expect(s1).NotTo(Equal(s2))
	})

	DescribeTable("refuses a change it cannot make",
		func(method, path, body string, who func(*env) string, status int, message string) {
			res := e.do(method, path, who(e), body)
			Expect(res.Status).To(Equal(status))
			Expect(res.Body).To(Equal(errorJSON(status, message)))
		},
		Entry("another user's playlist", "POST", "/v1/playlists/"+bobPublic+"/items?uris=spotify:track:"+levels, "",
			bearer("web", "alice", allScopes...), 403, "You cannot add tracks to a playlist you don't own."),
		Entry("a private playlist without playlist-modify-private", "POST", "/v1/playlists/"+alicePrivate+"/items?uris=spotify:track:"+levels, "",
			bearer("web", "alice", without("playlist-modify-private")...), 403, wire.MsgNoScope),
		Entry("no uris", "POST", "/v1/playlists/"+alicePublic+"/items", "", bearer("web", "alice", allScopes...), 400, "Missing required field: uris"),
		Entry("a URI that is no track", "POST", "/v1/playlists/"+alicePublic+"/items?uris=spotify:album:x", "",
			bearer("web", "alice", allScopes...), 400, "Invalid track uri: spotify:album:x"),
		Entry("more than 100 URIs", "PUT", "/v1/playlists/"+alicePublic+"/items?uris="+strings.TrimSuffix(strings.Repeat("spotify:track:"+levels+",", 101), ","), "",
			bearer("web", "alice", allScopes...), 400, "too many ids requested"),
		Entry("a range out of bounds", "PUT", "/v1/playlists/"+alicePublic+"/items", `{"range_start":5,"insert_before":0}`,
			bearer("web", "alice", allScopes...), 400, "Invalid range"),
		Entry("an unknown playlist", "DELETE", "/v1/playlists/0000000000000000000000/items", `{"items":[]}`,
			bearer("web", "alice", allScopes...), 404, "Not found."),
	)

	It("lists a user's public playlists at /v1/users/{id}/playlists (405 before)", func() {
		list := itemsOf(e.do("GET", "/v1/users/alice/playlists", "Bearer "+e.b.issue("web", "bob"), "").Body)
		Expect(list).To(HaveLen(1))
		Expect(list[0]).To(HaveKeyWithValue("id", alicePublic))
		// Her own, with the scopes, are all three.
		Expect(itemsOf(e.do("GET", "/v1/users/alice/playlists", alice, "").Body)).To(HaveLen(3))
		res := e.do("GET", "/v1/users/nobody/playlists", alice, "")
		Expect(res.Status).To(Equal(404))
		Expect(res.Body).To(Equal(errorJSON(404, "No such user")))
		// Removed for development mode in February 2026, as is the profile.
		dev := "Bearer " + e.b.issue("dev", "alice", allScopes...)
		Expect(e.do("GET", "/v1/users/alice/playlists", dev, "").Body).To(Equal(errorJSON(403, "Forbidden")))
		Expect(e.do("GET", "/v1/users/alice", dev, "").Body).To(Equal(errorJSON(403, "Forbidden")))
		Expect(e.do("POST", "/v1/users/alice/playlists", dev, `{"name":"x"}`).Body).To(Equal(errorJSON(403, "Forbidden")))
		Expect(e.do("POST", "/v1/me/playlists", dev, `{"name":"x"}`).Status).To(Equal(201))
	})
})

var _ = Describe("batch GET /v1/tracks", func() {
	var e *env
	BeforeEach(func() { e = newEnv() })

	It("answers in the order asked, null for an id the catalog lacks", func() {
		res := e.get("/v1/tracks?ids="+levels+",0000000000000000000000,"+shapeOfYou, e.b.issue("web", ""))
		Expect(res.Status).To(Equal(200))
		tracks := decode[map[string][]map[string]any](res.Body)["tracks"]
		Expect(tracks).To(HaveLen(3))
		Expect(tracks[0]).To(HaveKeyWithValue("id", levels))
		Expect(tracks[1]).To(BeNil())
		Expect(tracks[2]).To(HaveKeyWithValue("id", shapeOfYou))
	})

	DescribeTable("refuses what Spotify refuses",
		func(query string, status int, message string) {
			Expect(e.get("/v1/tracks"+query, e.b.issue("web", "")).Body).To(Equal(errorJSON(status, message)))
		},
		Entry("51 ids", "?ids="+strings.TrimSuffix(strings.Repeat(levels+",", 51), ","), 400, "too many ids requested"),
		Entry("a malformed id", "?ids="+levels+",nope", 400, "invalid id"),
		Entry("a trailing comma", "?ids="+levels+",", 400, "invalid id"),
		Entry("no ids", "", 400, "invalid id"),
	)

	It("is removed for development-mode apps (403 Forbidden, §8.1)", func() {
		res := e.get("/v1/tracks?ids="+levels, e.b.issue("dev", "alice"))
		Expect(res.Status).To(Equal(403))
		Expect(res.Body).To(Equal(errorJSON(403, "Forbidden")))
		// The single track stays.
		Expect(e.get("/v1/tracks/"+levels, e.b.issue("dev", "alice")).Status).To(Equal(200))
	})
})

var _ = Describe("PUT and DELETE /v1/me/library", func() {
	var (
		e     *env
		alice string
	)
	BeforeEach(func() {
		e = newEnv()
		alice = "Bearer " + e.b.issue("web", "alice", allScopes...)
	})

	It("saves tracks and albums and follows artists by URI, from the query or a JSON body, and removes them", func() {
		Expect(e.do("PUT", "/v1/me/library?uris=spotify:track:"+timeOfOurLives+",spotify:artist:"+avicii, alice, "").Status).To(Equal(200))
		Expect(e.savedIDs(strings.TrimPrefix(alice, "Bearer "))).To(HaveExactElements(timeOfOurLives, levels, blindingLights))
		following := func() []string {
			var out []string
			body := decode[struct {
				Artists struct{ Items []map[string]any }
			}](e.do("GET", "/v1/me/following?type=artist", alice, "").Body)
			for _, a := range body.Artists.Items {
				out = append(out, a["id"].(string))
			}
			return out
		}
		Expect(following()).To(Equal([]string{theWeeknd, avicii}))

		res := e.do("DELETE", "/v1/me/library", alice, `{"uris":["spotify:track:`+timeOfOurLives+`","spotify:artist:`+theWeeknd+`","spotify:album:`+afterHours+`"]}`)
		Expect(res.Status).To(Equal(200))
		Expect(res.Body).To(BeEmpty())
		Expect(e.savedIDs(strings.TrimPrefix(alice, "Bearer "))).To(HaveExactElements(levels, blindingLights))
		Expect(following()).To(Equal([]string{avicii}))
	})

	DescribeTable("refuses a list it cannot take",
		func(query, body string, message string) {
			res := e.do("PUT", "/v1/me/library"+query, alice, body)
			Expect(res.Status).To(Equal(400))
			Expect(res.Body).To(Equal(errorJSON(400, message)))
		},
		Entry("no uris", "", "", "Missing required field: uris"),
		Entry("ids instead of uris", "?uris="+levels, "", "Invalid uri: "+levels),
		Entry("a show the catalog lacks", "?uris=spotify:show:0000000000000000000000", "", "Invalid uri: spotify:show:0000000000000000000000"),
		Entry("41 uris", "?uris="+strings.TrimSuffix(strings.Repeat("spotify:track:"+levels+",", 41), ","), "", "too many ids requested"),
		Entry("a body that is not JSON", "", "{", "Error parsing JSON."),
	)
})

// itemsOf is the items of a paging object.
func itemsOf(body string) []map[string]any {
	GinkgoHelper()
	return decode[struct{ Items []map[string]any }](body).Items
}
