package fakespotify_test

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/proto"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/browser"
	"github.com/spotcheck/spotcheck/fakespotify"
)

// The fake's package imports nothing of spotcheck; only this test borrows
// the project's Chromium launcher (system browser, never a download).
var _ = Describe("the login and consent pages in Chromium", Ordered, func() {
	var b *browser.Browser
	var callbacks chan string
	BeforeAll(func() {
		var err error
		b, err = browser.Launch(context.Background())
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(b.Close)
		// Catch the redirect to the app's loopback redirect_uri: no callback server.
		callbacks = make(chan string, 4)
		router := b.HijackRequests()
		router.MustAdd("http://127.0.0.1:8888/*", func(ctx *rod.Hijack) {
			callbacks <- ctx.Request.URL().String()
			ctx.Response.SetHeader("Content-Type", "text/html; charset=utf-8")
			ctx.Response.SetBody("<p>callback received</p>")
		})
		go router.Run()
		DeferCleanup(router.Stop)
	})

	flow := func(h *harness, buttonTestID string) *url.URL {
		app, err := h.srv.CloneApp("web", fakespotify.AppOverrides{})
		Expect(err).NotTo(HaveOccurred())
		incognito, err := b.Incognito()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(incognito.Close)
		page, err := incognito.Page(proto.TargetCreateTarget{URL: h.srv.URL + "/authorize?" + authQuery(app, webRedir).Encode()})
		Expect(err).NotTo(HaveOccurred())
		page = page.Timeout(15 * time.Second)
		page.MustElement("#login-username").MustInput("alice")
		page.MustElement("#login-password").MustInput("alice-password")
		page.MustElement("#login-button").MustClick()
		Expect(page.MustElement("#app-name").MustText()).To(Equal(app.Name))
		Expect(page.MustElement("#scopes").MustText()).To(ContainSubstring("Get your real email address"))
		page.MustElement(`button[data-testid="` + buttonTestID + `"]`).MustClick()
		var got string
		Eventually(callbacks).WithTimeout(15 * time.Second).Should(Receive(&got))
		u, err := url.Parse(got)
		Expect(err).NotTo(HaveOccurred())
		if u.Query().Get("code") != "" {
			m := h.token(exchangeForm(u.Query().Get("code"), webRedir), app.ClientID, app.ClientSecret)
			Expect(m.status).To(Equal(http.StatusOK), m.body)
		}
		return u
	}

	It("logs in, approves and lands on the redirect URI with a code that exchanges", func() {
		u := flow(newHarness(), "auth-accept")
		Expect(u.Query().Get("code")).To(HavePrefix("AQ"))
		Expect(u.Query().Get("state")).To(Equal("xyz"))
	})

	It("lands with error=access_denied when the user cancels", func() {
		u := flow(newHarness(), "auth-cancel")
		Expect(u.Query().Get("error")).To(Equal("access_denied"))
		Expect(u.Query().Get("state")).To(Equal("xyz"))
	})
})
