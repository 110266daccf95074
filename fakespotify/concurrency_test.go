package fakespotify_test

import (
	"net/http"
	"net/url"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

var _ = Describe("under concurrent load", func() {
	var h *harness
	var web config.App
	BeforeEach(func() {
		h = newHarness()
		web = h.autoApp("web")
	})

	// race fires n requests at once from n goroutines released together.
	race := func(n int, send func() reply) []reply {
		out := make([]reply, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer GinkgoRecover()
				defer wg.Done()
				<-start
				out[i] = send()
			}(i)
		}
		close(start)
		wg.Wait()
		return out
	}
	statuses := func(rs []reply) map[int]int {
		m := map[int]int{}
		for _, r := range rs {
			m[r.status]++
		}
		return m
	}

	It("redeems one code exactly once among 50 goroutines", func() {
		code := h.code(authQuery(web, webRedir))
		rs := race(50, func() reply { return h.token(exchangeForm(code, webRedir), web.ClientID, web.ClientSecret) })
		Expect(statuses(rs)).To(Equal(map[int]int{http.StatusOK: 1, http.StatusBadRequest: 49}))
		for _, r := range rs {
			if r.status == http.StatusBadRequest {
				Expect(r.body).To(Equal(`{"error":"invalid_grant","error_description":"Invalid authorization code"}`))
			}
		}
	})

	It("rotates one refresh token exactly once among 50 goroutines (pkce-rotate)", func() {
		Expect(h.srv.SetPolicy(web.ClientID, config.Policies{Refresh: wire.RefreshPKCERotate})).To(Succeed())
		q := authQuery(web, webRedir)
		q.Set("code_challenge_method", "S256")
		q.Set("code_challenge", challenge)
		f := exchangeForm(h.code(q), webRedir)
		f.Set("client_id", web.ClientID)
		f.Set("code_verifier", verifier)
		rt := h.token(f, "", "").json()["refresh_token"].(string)
		rs := race(50, func() reply {
			return h.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {web.ClientID}}, "", "")
		})
		Expect(statuses(rs)).To(Equal(map[int]int{http.StatusOK: 1, http.StatusBadRequest: 49}))
	})

	It("keeps every issued token distinct under parallel client-credentials requests", func() {
		rs := race(64, func() reply {
			return h.token(url.Values{"grant_type": {"client_credentials"}}, web.ClientID, web.ClientSecret)
		})
		seen := map[string]bool{}
		for _, r := range rs {
			Expect(r.status).To(Equal(http.StatusOK))
			seen[r.json()["access_token"].(string)] = true
		}
		Expect(seen).To(HaveLen(64))
	})

	It("uses an injected one-shot fault exactly once", func() {
		h.srv.Inject(fakespotifyFault("/api/token", 3))
		rs := race(40, func() reply {
			return h.token(url.Values{"grant_type": {"client_credentials"}}, web.ClientID, web.ClientSecret)
		})
		Expect(statuses(rs)).To(Equal(map[int]int{http.StatusOK: 37, http.StatusServiceUnavailable: 3}))
	})
})
