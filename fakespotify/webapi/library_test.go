package webapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

type pageJSON struct {
	Href     string            `json:"href"`
	Items    []json.RawMessage `json:"items"`
	Limit    int               `json:"limit"`
	Next     *string           `json:"next"`
	Offset   int               `json:"offset"`
	Previous *string           `json:"previous"`
	Total    int               `json:"total"`
}

func decode[T any](body string) T {
	GinkgoHelper()
	var v T
	Expect(json.Unmarshal([]byte(body), &v)).To(Succeed(), body)
	return v
}

// savedIDs lists the user's saved track ids through GET /v1/me/tracks.
func (e *env) savedIDs(token string) []string {
	GinkgoHelper()
	res := e.get("/v1/me/tracks?limit=50", token)
	Expect(res.Status).To(Equal(200), res.Body)
	p := decode[pageJSON](res.Body)
	var ids []string
	for _, raw := range p.Items {
		item := decode[struct {
			AddedAt string `json:"added_at"`
			Track   struct {
				ID string `json:"id"`
			} `json:"track"`
		}](string(raw))
		Expect(item.AddedAt).To(MatchRegexp(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))
		ids = append(ids, item.Track.ID)
	}
	Expect(p.Total).To(Equal(len(ids)))
	return ids
}

var _ = Describe("the user's library", func() {
	var e *env
	var tok string
	BeforeEach(func() {
		e = newEnv()
		tok = e.b.issue("web", "alice", allScopes...)
	})

	Describe("saved tracks", func() {
		It("starts from the configured library, newest first", func() {
			Expect(e.savedIDs(tok)).To(Equal([]string{levels, blindingLights}))
		})

		It("saves ids from the query and removes them again, with an empty 200", func() {
			res := e.do("PUT", "/v1/me/tracks?ids="+timeOfOurLives+","+mrBrightside, "Bearer "+tok, "")
			Expect(res.Status).To(Equal(200))
			Expect(res.Body).To(BeEmpty())
			Expect(res.Header.Get("Content-Length")).To(Equal("0"))
			Expect(res.Header.Values("Content-Type")).To(BeEmpty())
			Expect(e.savedIDs(tok)).To(Equal([]string{timeOfOurLives, mrBrightside, levels, blindingLights}))

			res = e.do("DELETE", "/v1/me/tracks?ids="+levels, "Bearer "+tok, "")
			Expect(res.Status).To(Equal(200))
			Expect(e.savedIDs(tok)).To(Equal([]string{timeOfOurLives, mrBrightside, blindingLights}))
		})

		It("takes the ids from a JSON body", func() {
			Expect(e.do("PUT", "/v1/me/tracks", "Bearer "+tok, `{"ids":["`+shapeOfYou+`"]}`).Status).To(Equal(200))
			Expect(e.do("DELETE", "/v1/me/tracks", "Bearer "+tok, `{"ids":["`+blindingLights+`"]}`).Status).To(Equal(200))
			Expect(e.savedIDs(tok)).To(Equal([]string{shapeOfYou, levels}))
		})

		It("keeps one entry when a saved track is saved again", func() {
			Expect(e.do("PUT", "/v1/me/tracks?ids="+levels+","+levels, "Bearer "+tok, "").Status).To(Equal(200))
			Expect(e.savedIDs(tok)).To(Equal([]string{levels, blindingLights}))
		})

		It("keeps each user's library apart", func() {
			Expect(e.do("PUT", "/v1/me/tracks?ids="+timeOfOurLives, "Bearer "+tok, "").Status).To(Equal(200))
			Expect(e.savedIDs(e.b.issue("other", "bob", "user-library-read"))).To(Equal([]string{shapeOfYou}))
		})

		DescribeTable("refuses bad ids without changing the library",
			func(method, query, body string, status int, message string) {
				res := e.do(method, "/v1/me/tracks"+query, "Bearer "+tok, body)
				Expect(res.Status).To(Equal(status))
				Expect(res.Body).To(Equal(errorJSON(status, message)))
				Expect(e.savedIDs(tok)).To(Equal([]string{levels, blindingLights}))
			},
			Entry("no ids at all", "PUT", "", "", 400, "Missing required field: ids"),
			Entry("a bare JSON array", "PUT", "", `["`+shapeOfYou+`"]`, 400, "Missing required field: ids"),
			Entry("a body that is not JSON", "PUT", "", `{"ids":[`, 400, "Error parsing JSON."),
			Entry("a malformed id", "PUT", "?ids="+shapeOfYou+",nope", "", 400, "Invalid base62 id"),
			Entry("an id the catalog lacks", "DELETE", "?ids=0000000000000000000000", "", 400, "invalid id"),
			Entry("more than 50 ids", "PUT", "?ids="+strings.TrimSuffix(strings.Repeat(shapeOfYou+",", 51), ","), "", 400, "too many ids requested"),
		)

		It("pages with limit and offset and links that work", func() {
			Expect(e.do("PUT", "/v1/me/tracks?ids="+timeOfOurLives, "Bearer "+tok, "").Status).To(Equal(200))
			p := decode[pageJSON](e.get("/v1/me/tracks?limit=2", tok).Body)
			Expect(p.Items).To(HaveLen(2))
			Expect(p.Total).To(Equal(3))
			Expect(p.Previous).To(BeNil())
			Expect(p.Next).NotTo(BeNil())
			Expect(*p.Next).To(Equal(e.srv.URL + "/v1/me/tracks?offset=2&limit=2"))
			next := decode[pageJSON](e.get(strings.TrimPrefix(*p.Next, e.srv.URL), tok).Body)
			Expect(next.Items).To(HaveLen(1))
			Expect(next.Next).To(BeNil())
			Expect(*next.Previous).To(Equal(e.srv.URL + "/v1/me/tracks?offset=0&limit=2"))
		})
	})

	Describe("creating a playlist", func() {
		It("answers 201 with the playlist, which then heads /v1/me/playlists", func() {
			res := e.do("POST", "/v1/users/alice/playlists", "Bearer "+tok, `{"name":"Road trip: 2026","description":"a, b & c"}`)
			Expect(res.Status).To(Equal(201))
			pl := decode[map[string]any](res.Body)
			id := pl["id"].(string)
			Expect(id).To(MatchRegexp(`^[0-9A-Za-z]{22}$`))
			Expect(pl).To(HaveKeyWithValue("name", "Road trip: 2026"))
			Expect(pl).To(HaveKeyWithValue("description", "a, b & c"))
			Expect(pl).To(HaveKeyWithValue("public", true))
			Expect(pl).To(HaveKeyWithValue("collaborative", false))
			Expect(pl).To(HaveKeyWithValue("type", "playlist"))
			Expect(pl).To(HaveKeyWithValue("uri", "spotify:playlist:"+id))
			Expect(pl["owner"]).To(HaveKeyWithValue("id", "alice"))
			Expect(pl["tracks"]).To(HaveKeyWithValue("total", BeNumerically("==", 0)))
			Expect(res.Body).To(ContainSubstring(`"name" : "Road trip: 2026"`))

			p := decode[pageJSON](e.get("/v1/me/playlists", e.b.issue("web", "alice")).Body)
			Expect(p.Total).To(Equal(2))
			Expect(decode[map[string]any](string(p.Items[0]))).To(HaveKeyWithValue("id", id))
		})

		It("shows a new private playlist only with playlist-read-private", func() {
			res := e.do("POST", "/v1/users/alice/playlists", "Bearer "+tok, `{"name":"secret","public":false}`)
			Expect(res.Status).To(Equal(201))
			Expect(decode[pageJSON](e.get("/v1/me/playlists", e.b.issue("web", "alice")).Body).Total).To(Equal(1))
			Expect(decode[pageJSON](e.get("/v1/me/playlists", e.b.issue("web", "alice", "playlist-read-private")).Body).Total).To(Equal(3))
		})

		DescribeTable("refusals",
			func(path, body string, status int, message string) {
				res := e.do("POST", path, "Bearer "+tok, body)
				Expect(res.Status).To(Equal(status))
				Expect(res.Body).To(Equal(errorJSON(status, message)))
			},
			Entry("another user's id", "/v1/users/bob/playlists", `{"name":"x"}`, 403, "You cannot create a playlist for another user"),
			Entry("no name", "/v1/users/alice/playlists", `{"public":true}`, 400, "Missing required field: name"),
			Entry("an empty body", "/v1/users/alice/playlists", ``, 400, "Missing required field: name"),
			Entry("a name that is not a string", "/v1/users/alice/playlists", `{"name":5}`, 400, "Missing required field: name"),
			Entry("a body that is not JSON", "/v1/users/alice/playlists", `name=x`, 400, "Error parsing JSON."),
			Entry("collaborative and public", "/v1/users/alice/playlists", `{"name":"x","collaborative":true}`, 400, "Collaborative playlists can only be private"),
		)
	})

	Describe("history and follows", func() {
		It("lists top artists and tracks", func() {
			p := decode[pageJSON](e.get("/v1/me/top/tracks?time_range=short_term&limit=2", tok).Body)
			Expect(p.Total).To(Equal(3))
			Expect(decode[map[string]any](string(p.Items[0]))).To(HaveKeyWithValue("id", blindingLights))
			Expect(*p.Next).To(Equal(e.srv.URL + "/v1/me/top/tracks?time_range=short_term&offset=2&limit=2"))
			a := decode[pageJSON](e.get("/v1/me/top/artists", tok).Body)
			Expect(a.Total).To(Equal(2))
			Expect(decode[map[string]any](string(a.Items[0]))).To(HaveKeyWithValue("type", "artist"))
		})

		It("lists recently played tracks newest first, with cursors", func() {
			type recent struct {
				Cursors struct{ After, Before *string } `json:"cursors"`
				Items   []struct {
					PlayedAt string `json:"played_at"`
					Track    struct {
						ID string `json:"id"`
					} `json:"track"`
				} `json:"items"`
				Next *string `json:"next"`
			}
			r := decode[recent](e.get("/v1/me/player/recently-played?limit=1", tok).Body)
			Expect(r.Items).To(HaveLen(1))
			Expect(r.Items[0].Track.ID).To(Equal(mrBrightside))
			Expect(r.Items[0].PlayedAt).To(Equal("2026-09-30T11:55:00.000Z"))
			Expect(r.Next).NotTo(BeNil())
			older := decode[recent](e.get(strings.TrimPrefix(*r.Next, e.srv.URL), tok).Body)
			Expect(older.Items).To(HaveLen(1))
			Expect(older.Items[0].Track.ID).To(Equal(levels))
			Expect(older.Next).To(BeNil())
		})

		It("lists followed artists with a cursor", func() {
			type following struct {
				Artists struct {
					Items []struct {
						ID string `json:"id"`
					} `json:"items"`
					Total   int `json:"total"`
					Cursors struct {
						After *string `json:"after"`
					} `json:"cursors"`
				} `json:"artists"`
			}
			f := decode[following](e.get("/v1/me/following?type=artist", tok).Body)
			Expect(f.Artists.Total).To(Equal(1))
			Expect(f.Artists.Items[0].ID).To(Equal(theWeeknd))
			Expect(f.Artists.Cursors.After).To(BeNil())
		})
	})

	It("stays consistent with 50 goroutines saving and creating at once", func() {
		ids := []string{blindingLights, shapeOfYou, mrBrightside, levels, timeOfOurLives}
		statuses := make(chan int, 100)
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Add(2)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("PUT", e.srv.URL+"/v1/me/tracks?ids="+ids[i%len(ids)], nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				res, err := e.srv.Client().Do(req)
				if err != nil {
					statuses <- -1
					return
				}
				res.Body.Close()
				statuses <- res.StatusCode
			}()
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("POST", e.srv.URL+"/v1/users/alice/playlists", strings.NewReader(`{"name":"p"}`))
				req.Header.Set("Authorization", "Bearer "+tok)
				res, err := e.srv.Client().Do(req)
				if err != nil {
					statuses <- -1
					return
				}
				res.Body.Close()
				statuses <- res.StatusCode
			}()
		}
		wg.Wait()
		close(statuses)
		counts := map[int]int{}
		for s := range statuses {
			counts[s]++
		}
		Expect(counts).To(Equal(map[int]int{200: 50, 201: 50}))

		saved := e.savedIDs(tok)
		Expect(saved).To(ConsistOf(ids))
		p := decode[pageJSON](e.get("/v1/me/playlists?limit=50", tok).Body)
		Expect(p.Total).To(Equal(53))
		seen := map[string]bool{}
		for _, raw := range p.Items {
			seen[decode[map[string]any](string(raw))["id"].(string)] = true
		}
		Expect(seen).To(HaveLen(50))
	})
})
