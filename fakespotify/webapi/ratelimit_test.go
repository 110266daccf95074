package webapi_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

var _ = Describe("the rate limit (policy rate_limit)", func() {
	var e *env
	BeforeEach(func() { e = newEnv() })

	// burst makes n calls and returns the status of each.
	burst := func(tok string, n int) map[int]int {
		out := map[int]int{}
		for range n {
			out[e.get("/v1/tracks/"+levels, tok).Status]++
		}
		return out
	}

	It("is off by default: no call is refused", func() {
		Expect(burst(e.b.issue("dev", "alice"), 300)).To(Equal(map[int]int{200: 300}))
	})

	It("refuses the call past the limit of the rolling 30 seconds with 429, Retry-After and Spotify's body", func() {
		web := e.b.clientID("web")
		e.b.setPolicy(web, config.Policies{RateLimit: wire.RateLimitWindow})
		tok := e.b.issue("web", "")
		Expect(burst(tok, wire.RateLimitExtended)).To(Equal(map[int]int{200: wire.RateLimitExtended}))
		res := e.get("/v1/tracks/"+levels, tok)
		Expect(res.Status).To(Equal(429))
		Expect(res.Header.Get("Retry-After")).To(Equal("30"))
		Expect(res.Body).To(Equal(errorJSON(429, "API rate limit exceeded")))

		// The window rolls on the app's clock: 29 s later the calls still
		// count; 30 s after them they have left the window.
		e.b.advance(web, 29*time.Second)
		res = e.get("/v1/tracks/"+levels, tok)
		Expect(res.Status).To(Equal(429))
		Expect(res.Header.Get("Retry-After")).To(Equal("30"))
		e.b.advance(web, time.Second)
		Expect(e.get("/v1/tracks/"+levels, tok).Status).To(Equal(200))
	})

	It("rolls: calls spread over the window leave it one second at a time", func() {
		dev := e.b.clientID("dev")
		e.b.setPolicy(dev, config.Policies{RateLimit: wire.RateLimitWindow})
		tok := e.b.issue("dev", "alice")
		// Two calls a second for 30 seconds fill the window of 60.
		for range 30 {
			Expect(burst(tok, 2)).To(Equal(map[int]int{200: 2}))
			e.b.advance(dev, time.Second)
		}
		// Now the first second has left: two more fit, the third does not.
		Expect(burst(tok, 3)).To(Equal(map[int]int{200: 2, 429: 1}))
	})

	It("is lower in development mode, and counts each app apart", func() {
		for _, name := range []string{"dev", "web"} {
			e.b.setPolicy(e.b.clientID(name), config.Policies{RateLimit: wire.RateLimitWindow})
		}
		dev := e.b.issue("dev", "alice")
		Expect(burst(dev, wire.RateLimitDevelopment+5)).To(Equal(map[int]int{200: wire.RateLimitDevelopment, 429: 5}))
		Expect(e.get("/v1/tracks/"+levels, e.b.issue("web", "")).Status).To(Equal(200))
	})

	It("counts every user of an app together, as Spotify counts per app", func() {
		web := e.b.clientID("web")
		e.b.setPolicy(web, config.Policies{RateLimit: wire.RateLimitWindow})
		Expect(burst(e.b.issue("web", "alice"), wire.RateLimitExtended)).To(HaveKeyWithValue(200, wire.RateLimitExtended))
		Expect(e.get("/v1/me", e.b.issue("web", "bob")).Status).To(Equal(429))
	})
})
