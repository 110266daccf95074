package webapi_test

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/config"
)

func itemIDs(p pageJSON) []string {
	GinkgoHelper()
	var ids []string
	for _, raw := range p.Items {
		ids = append(ids, decode[map[string]any](string(raw))["id"].(string))
	}
	return ids
}

var _ = Describe("the catalog", func() {
	var e *env
	BeforeEach(func() { e = newEnv() })

	Describe("GET /v1/tracks/{id}", func() {
		It("serves a Spotify-shaped track to an app-only token", func() {
			res := e.get("/v1/tracks/"+timeOfOurLives, e.b.issue("web", ""))
			Expect(res.Status).To(Equal(200))
			t := decode[map[string]any](res.Body)
			Expect(t).To(HaveKeyWithValue("id", timeOfOurLives))
			Expect(t).To(HaveKeyWithValue("name", "Time of Our Lives"))
			Expect(t).To(HaveKeyWithValue("uri", "spotify:track:"+timeOfOurLives))
			Expect(t).To(HaveKeyWithValue("href", e.srv.URL+"/v1/tracks/"+timeOfOurLives))
			Expect(t).To(HaveKeyWithValue("type", "track"))
			Expect(t).To(HaveKeyWithValue("explicit", true))
			Expect(t).To(HaveKeyWithValue("duration_ms", BeNumerically("==", 229360)))
			Expect(t).To(HaveKeyWithValue("popularity", BeNumerically("==", 77)))
			Expect(t).To(HaveKeyWithValue("external_urls", HaveKeyWithValue("spotify", "https://open.spotify.com/track/"+timeOfOurLives)))
			Expect(t["album"]).To(HaveKeyWithValue("name", "Globalization"))
			Expect(t["album"]).To(HaveKeyWithValue("id", MatchRegexp(`^[0-9A-Za-z]{22}$`)))
			artists := t["artists"].([]any)
			Expect(artists).To(HaveLen(1))
			Expect(artists[0]).To(HaveKeyWithValue("name", "Pitbull"))
			Expect(artists[0]).To(HaveKeyWithValue("uri", "spotify:artist:0TnOYISbd1XYRBk9myaseg"))
			Expect(res.Body).To(ContainSubstring("\"artists\" : [ {\n"))
		})
	})

	Describe("GET /v1/search", func() {
		search := func(token, q, rest string) pageJSON {
			GinkgoHelper()
			res := e.get("/v1/search?q="+url.QueryEscape(q)+"&"+rest, token)
			Expect(res.Status).To(Equal(200), res.Body)
			return decode[map[string]pageJSON](res.Body)[strings.Split(strings.TrimPrefix(rest, "type="), "&")[0]+"s"]
		}

		DescribeTable("finds tracks by case-insensitive substring, most popular first",
			func(q string, ids []string) {
				Expect(itemIDs(search(e.b.issue("web", ""), q, "type=track"))).To(Equal(ids))
			},
			Entry("a word of the name", "LEVELS", []string{levels}),
			Entry("part of a word", "bright", []string{mrBrightside}),
			Entry("an artist's name", "avicii", []string{mrBrightside, levels}),
			Entry("words from name and artist", "weeknd blinding", []string{blindingLights}),
			Entry("an artist filter", `artist:"ed sheeran"`, []string{shapeOfYou}),
			Entry("a track filter with a colon in the quotes", `track:"Mr. Brightside"`, []string{mrBrightside}),
			Entry("a genre filter", "genre:edm", []string{mrBrightside, levels}),
			Entry("nothing matching", "zzz", nil),
		)

		It("returns one paging object per requested type", func() {
			res := e.get("/v1/search?q=e&type=artist,album,track,show", e.b.issue("web", ""))
			Expect(res.Status).To(Equal(200))
			m := decode[map[string]pageJSON](res.Body)
			Expect(m).To(HaveKey("artists"))
			Expect(m).To(HaveKey("albums"))
			Expect(m).To(HaveKey("tracks"))
			Expect(m).To(HaveKey("shows"))
			Expect(m).To(HaveLen(4))
			Expect(m["shows"].Items).To(BeEmpty())
			Expect(m["artists"].Total).To(Equal(2))
		})

		It("defaults to 20 and links to the next page on the fake", func() {
			p := search(e.b.issue("web", ""), "e", "type=track")
			Expect(p.Limit).To(Equal(20))
			p = search(e.b.issue("web", ""), "e", "type=track&limit=2")
			Expect(p.Total).To(Equal(5))
			Expect(*p.Next).To(Equal(e.srv.URL + "/v1/search?query=e&type=track&offset=2&limit=2"))
			res := e.get(strings.TrimPrefix(*p.Next, e.srv.URL), e.b.issue("web", ""))
			Expect(res.Status).To(Equal(200))
			Expect(decode[map[string]pageJSON](res.Body)["tracks"].Offset).To(Equal(2))
		})

		It("caps development-mode apps at 10 with a default of 5 (Feb 2026)", func() {
			tok := e.b.issue("dev", "alice")
			Expect(search(tok, "e", "type=track").Limit).To(Equal(5))
			Expect(search(tok, "e", "type=track&limit=10").Limit).To(Equal(10))
			Expect(e.get("/v1/search?q=e&type=track&limit=11", tok).Body).To(Equal(errorJSON(400, "Invalid limit")))
		})
	})

	Describe("endpoints restricted on 2024-11-27", func() {
		// Each path with what a restricted app gets (§8.1): a bare 403,
		// or a bare 404 for recommendations.
		paths := map[string]int{
			"/v1/recommendations?seed_artists=" + avicii: 404,
			"/v1/artists/" + avicii + "/related-artists": 403,
			"/v1/audio-features/" + levels:               403,
			"/v1/audio-features?ids=" + levels:           403,
			"/v1/audio-analysis/" + levels:               403,
			"/v1/browse/featured-playlists":              403,
			"/v1/browse/categories/toplists/playlists":   403,
		}
		bare := func(status int) string { return fmt.Sprintf("{\n  \"error\" : {\n    \"status\" : %d\n  }\n}", status) }

		It("serve an extended-mode app created before the cut-off", func() {
			for p := range paths {
				res := e.get(p, e.b.issue("web", ""))
				Expect(res.Status).To(Equal(200), p)
				Expect(res.Body).NotTo(ContainSubstring("error"), p)
			}
		})

		It("refuse a development-mode app", func() {
			for p, status := range paths {
				res := e.get(p, e.b.issue("dev", "alice"))
				Expect(res.Status).To(Equal(status), p)
				Expect(res.Body).To(Equal(bare(status)), p)
			}
		})

		It("refuse an extended-mode app created on or after the cut-off", func() {
			e.b.addApp(config.App{Name: "new", ClientID: "ab00000000000000000000000000000a", ClientSecret: "s",
				Mode: config.ModeExtended, OwnerPremium: true, Created: config.Date{Time: time.Date(2024, 11, 27, 0, 0, 0, 0, time.UTC)}})
			for p, status := range paths {
				res := e.get(p, e.b.issue("new", ""))
				Expect(res.Status).To(Equal(status), p)
				Expect(res.Body).To(Equal(bare(status)), p)
			}
		})

		It("give plausible data", func() {
			tok := e.b.issue("web", "")
			top := decode[map[string][]map[string]any](e.get("/v1/artists/"+avicii+"/top-tracks", tok).Body)["tracks"]
			Expect(top).To(HaveLen(2))
			Expect(top[0]).To(HaveKeyWithValue("id", mrBrightside))

			rel := decode[map[string][]map[string]any](e.get("/v1/artists/"+theWeeknd+"/related-artists", tok).Body)["artists"]
			Expect(rel).To(HaveLen(3))
			Expect(rel[0]).To(HaveKeyWithValue("name", "Ed Sheeran")) // shares "pop"

			af := decode[map[string]any](e.get("/v1/audio-features/"+levels, tok).Body)
			Expect(af).To(HaveKeyWithValue("type", "audio_features"))
			Expect(af).To(HaveKeyWithValue("duration_ms", BeNumerically("==", 202882)))
			Expect(af["danceability"]).To(And(BeNumerically(">=", 0), BeNumerically("<", 1)))
			Expect(e.get("/v1/audio-features/"+levels, tok).Body).To(Equal(e.get("/v1/audio-features/"+levels, tok).Body))

			rec := decode[map[string][]map[string]any](e.get("/v1/recommendations?seed_tracks="+levels+"&limit=2", tok).Body)
			Expect(rec["tracks"]).To(HaveLen(2))
			Expect(rec["tracks"][0]).To(HaveKeyWithValue("id", mrBrightside)) // same artist as the seed
			Expect(rec["seeds"][0]).To(HaveKeyWithValue("type", "TRACK"))
		})

		DescribeTable("validate their parameters",
			func(path string, status int, message string) {
				Expect(e.get(path, e.b.issue("web", "")).Body).To(Equal(errorJSON(status, message)))
			},
			Entry("no seeds", "/v1/recommendations", 400, "At least one seed is required"),
			Entry("six seeds", "/v1/recommendations?seed_genres=a,b,c,d,e,f", 400, "Too many seeds (at most 5)"),
			Entry("a malformed seed", "/v1/recommendations?seed_tracks=nope", 400, "invalid id"),
			Entry("a malformed artist", "/v1/artists/nope/top-tracks", 400, "invalid id"),
			Entry("an unknown artist", "/v1/artists/0000000000000000000000/related-artists", 404, "Non existing id"),
		)
	})
})
