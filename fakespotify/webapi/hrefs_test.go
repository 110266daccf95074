package webapi_test

import (
	"encoding/json"
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// linkKeys are the members of Spotify's objects that hold a Web API URL.
var linkKeys = map[string]bool{"href": true, "next": true, "previous": true, "analysis_url": true, "track_href": true}

// links collects every Web API URL in a JSON answer.
func links(v any, base string, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && linkKeys[k] && strings.HasPrefix(s, base) {
				out[s] = true
			}
			links(val, base, out)
		}
	case []any:
		for _, val := range x {
			links(val, base, out)
		}
	}
}

var _ = Describe("every href", func() {
	It("resolves on the fake: each link of each GET answer, for each built-in user, and the links of those", func() {
		e := newEnv()
		base := e.srv.URL
		for _, user := range []string{"alice", "bob"} {
			tok := "Bearer " + e.b.issue("web", user, allScopes...)
			// Something playing, so that the player's answers have links too.
			e.do("PUT", "/v1/me/player/play?device_id="+aliceLaptop, "Bearer "+e.b.issue("web", "alice", allScopes...), "")
			queue := map[string]bool{}
			for name, c := range calls {
				if c.method != "GET" {
					continue
				}
				res := e.do("GET", c.path, tok, "")
				Expect(res.Status).To(BeNumerically("<", 300), "%s as %s: %s", name, user, res.Body)
				var v any
				if res.Body != "" {
					Expect(json.Unmarshal([]byte(res.Body), &v)).To(Succeed())
				}
				links(v, base, queue)
			}
			Expect(len(queue)).To(BeNumerically(">=", 30), "too few links found to mean anything")
			seen := map[string]bool{}
			for len(queue) > 0 {
				var next []string
				for u := range queue {
					if !seen[u] {
						next = append(next, u)
					}
				}
				sort.Strings(next)
				queue = map[string]bool{}
				for _, u := range next {
					seen[u] = true
					res := e.do("GET", strings.TrimPrefix(u, base), tok, "")
					Expect(res.Status).To(BeNumerically("<", 300), "%s as %s: %s", u, user, res.Body)
					var v any
					if res.Body != "" {
						Expect(json.Unmarshal([]byte(res.Body), &v)).To(Succeed())
					}
					links(v, base, queue)
				}
			}
			Expect(seen).To(HaveKey(HaveSuffix("/v1/users/alice")))
			Expect(seen).To(HaveKey(HaveSuffix("/v1/albums/" + afterHours)))
			Expect(seen).To(HaveKey(HaveSuffix("/v1/artists/" + avicii)))
			Expect(seen).To(HaveKey(ContainSubstring("/v1/playlists/" + alicePublic + "/tracks")))
			Expect(seen).To(HaveKey(ContainSubstring("/v1/audio-analysis/")))
		}
	})
})
