package fakespotify_test

import (
	"net/http"
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
)

var _ = Describe("injected faults", func() {
	var h *harness
	var web, other config.App
	BeforeEach(func() {
		h = newHarness()
		web, other = h.autoApp("web"), h.autoApp("other")
	})
	cc := url.Values{"grant_type": {"client_credentials"}}
	status := func(a config.App) int { return h.token(cc, a.ClientID, a.ClientSecret).status }
	fault := func(clientID string, st, count int) fakespotify.Fault {
		return fakespotify.Fault{Path: "/api/token", ClientID: clientID, Status: st, Count: count}
	}

	It("answers with the first fault queued that matches, an app's or one for every app", func() {
		h.srv.Inject(fault(web.ClientID, http.StatusTooManyRequests, 1))
		h.srv.Inject(fault("", http.StatusServiceUnavailable, 2))
		h.srv.Inject(fault(web.ClientID, http.StatusBadGateway, 1))
		Expect(status(web)).To(Equal(http.StatusTooManyRequests))
		Expect(status(web)).To(Equal(http.StatusServiceUnavailable))
		Expect(status(other)).To(Equal(http.StatusServiceUnavailable))
		Expect(status(web)).To(Equal(http.StatusBadGateway))
		Expect(status(web)).To(Equal(http.StatusOK))
		Expect(status(other)).To(Equal(http.StatusOK))
	})

	DescribeTable("clears an app's faults, those for every app, or all",
		func(clear string, webAfter, otherAfter int) {
			h.srv.Inject(fault(web.ClientID, http.StatusTooManyRequests, -1))
			h.srv.Inject(fault("", http.StatusServiceUnavailable, -1))
			if clear == "$web" {
				clear = web.ClientID
			}
			h.srv.ClearFaults(clear)
			Expect(status(web)).To(Equal(webAfter))
			Expect(status(other)).To(Equal(otherAfter))
		},
		Entry("one app's", "$web", http.StatusServiceUnavailable, http.StatusServiceUnavailable),
		Entry(`"" clears those for every app`, "", http.StatusTooManyRequests, http.StatusOK),
		Entry(`"*" clears all`, "*", http.StatusOK, http.StatusOK),
	)

	It("forgets a deleted app's faults, so an app registered again under its client id has none", func() {
		h.srv.Inject(fault(web.ClientID, http.StatusTooManyRequests, -1))
		Expect(h.srv.DeleteApp(web.ClientID)).To(BeTrue())
		again, err := h.srv.CloneApp("web", fakespotify.AppOverrides{ClientID: web.ClientID, Name: web.Name})
		Expect(err).NotTo(HaveOccurred())
		Expect(status(again)).To(Equal(http.StatusOK))
	})
})
