package explainweb_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/proto"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/browser"
	"github.com/spotcheck/spotcheck/checks/explain/explainweb"
)

// The page in headless Chromium (the system browser, via checks/browser):
// paste and submit, upload a HAR through the file input, and a screenshot
// to check the layout by eye. SPOTCHECK_EXPLAIN_SCREENSHOT=path also saves
// the screenshot there.
var _ = Describe("the explain page in Chromium", Ordered, func() {
	var (
		page *rod.Page
		url  string
	)

	BeforeAll(func() {
		srv := startServer(explainweb.Options{Version: "test"})
		url = srv.URL
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		DeferCleanup(cancel)
		b, err := browser.Launch(ctx)
		if errors.Is(err, browser.ErrNoChromium) {
			Fail(err.Error())
		}
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(b.Close)
		page, err = b.Page(proto.TargetCreateTarget{URL: url})
		Expect(err).NotTo(HaveOccurred())
		Expect(page.SetViewport(&proto.EmulationSetDeviceMetricsOverride{Width: 1280, Height: 900, DeviceScaleFactor: 1})).To(Succeed())
		Expect(page.WaitLoad()).To(Succeed())
		page = page.Timeout(30 * time.Second)
	})

	topIs := func(id string) *rod.Element {
		GinkgoHelper()
		el, err := page.Element(`#results [data-top="` + id + `"]`)
		Expect(err).NotTo(HaveOccurred(), "waiting for %s", id)
		return el
	}

	It("explains pasted text", func() {
		input := page.MustElement("#input")
		input.MustInput("spotipy.exceptions.SpotifyException: http status: 403, code:-1 - https://api.spotify.com/v1/me/:\n User not registered in the Developer Dashboard, reason: None")
		page.MustElement("#explain").MustClick()
		top := topIs("user-not-allowlisted")
		Expect(top.MustText()).To(ContainSubstring("User Management"))
		Expect(top.MustText()).To(ContainSubstring("October 2021 to November 2023"))
	})

	It("says plainly when it does not recognise the text", func() {
		page.MustElement("#clear").MustClick()
		page.MustElement("#input").MustInput("Error: connect ECONNREFUSED 127.0.0.1:8888")
		page.MustElement("#explain").MustClick()
		Expect(page.MustElement("#not-recognised").MustText()).To(ContainSubstring("Not recognised"))
	})

	It("explains a HAR chosen in the file input, across its requests, and looks right", func() {
		page.MustElement("#clear").MustClick()
		har, err := filepath.Abs("../testdata/token-redirect-uri-mismatch.har")
		Expect(err).NotTo(HaveOccurred())
		page.MustElement("#file").MustSetFiles(har)
		top := topIs("token-redirect-uri-mismatch")
		text := top.MustText()
		Expect(text).To(ContainSubstring("redirect_uri at /authorize"))
		Expect(text).To(ContainSubstring("first difference at character"))
		Expect(text).NotTo(ContainSubstring("9d8c7b6a5f4e3d2c1b0a99887766554f"), "the web app's client secret must not show")
		Expect(page.MustElement("#fileinfo").MustText()).To(ContainSubstring("token-redirect-uri-mismatch.har"))

		png, err := page.Screenshot(true, &proto.PageCaptureScreenshot{Format: proto.PageCaptureScreenshotFormatPng})
		Expect(err).NotTo(HaveOccurred())
		Expect(len(png)).To(BeNumerically(">", 10_000))
		Expect(os.WriteFile(filepath.Join(GinkgoT().TempDir(), "explain.png"), png, 0o644)).To(Succeed())
		if p := os.Getenv("SPOTCHECK_EXPLAIN_SCREENSHOT"); p != "" {
			Expect(os.WriteFile(p, png, 0o644)).To(Succeed())
		}
	})
})
