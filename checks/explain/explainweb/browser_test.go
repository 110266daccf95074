package explainweb_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/proto"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/browser"
	"github.com/spotcheck/spotcheck/checks/explain"
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
		// seen are the request URIs the server received, to show that a
		// shared link's text never reaches it.
		seenMu sync.Mutex
		seen   []string
	)

	BeforeAll(func() {
		h := explainweb.New(explain.Default(), explainweb.Options{Version: "test"})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seenMu.Lock()
			seen = append(seen, r.RequestURI)
			seenMu.Unlock()
			h.ServeHTTP(w, r)
		}))
		DeferCleanup(srv.Close)
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

	It("says plainly when it does not recognise the text, and what to collect next", func() {
		page.MustElement("#clear").MustClick()
		page.MustElement("#input").MustInput("Error: connect ECONNREFUSED 127.0.0.1:8888")
		page.MustElement("#explain").MustClick()
		text := page.MustElement("#not-recognised").MustText()
		Expect(text).To(ContainSubstring("Not recognised"))
		Expect(strings.ToLower(text)).To(ContainSubstring("what to collect next"), "headings are upper-cased by CSS")
		Expect(text).To(ContainSubstring("Save all as HAR"))
	})

	It("gives a link that carries the input in the fragment", func() {
		page.MustElement("#clear").MustClick()
		page.MustElement("#input").MustInput("User not registered in the Developer Dashboard")
		page.MustElement("#explain").MustClick()
		top := topIs("user-not-allowlisted")
		Expect(strings.ToLower(top.MustText())).To(ContainSubstring("check in the dashboard (the developer)"))
		link := page.MustElement("#share").MustProperty("value").String()
		u, err := neturl.Parse(link)
		Expect(err).NotTo(HaveOccurred())
		Expect(u.RawQuery).To(BeEmpty())
		frag, err := neturl.ParseQuery(u.Fragment)
		Expect(err).NotTo(HaveOccurred())
		Expect(frag.Get("text")).To(Equal("User not registered in the Developer Dashboard"))
		Expect(page.MustInfo().URL).To(Equal(link), "the address bar holds the link too")
		Expect(page.MustElement("#share-secrets").MustVisible()).To(BeFalse())
	})

	It("explains a shared link on load, and the text never reaches the server", func() {
		const shared = "INVALID_CLIENT: Invalid redirect URI"
		link := url + "/#" + neturl.Values{"text": {shared}, "as": {"page"}}.Encode()
		Expect(page.Navigate("about:blank")).To(Succeed())
		Expect(page.Navigate(link)).To(Succeed())
		top := topIs("redirect-uri-mismatch")
		Expect(top.MustText()).To(ContainSubstring("Redirect URIs"))
		Expect(page.MustElement("#input").MustProperty("value").String()).To(Equal(shared))
		Expect(page.MustElement("#as").MustProperty("value").String()).To(Equal("page"))
		seenMu.Lock()
		defer seenMu.Unlock()
		Expect(seen).To(ContainElement("/"), "the page itself was fetched")
		for _, uri := range seen {
			Expect(strings.ToLower(uri)).NotTo(ContainSubstring("invalid"), "a request URI carried the fragment's text")
		}
	})

	It("warns that a link carries the secrets of the text", func() {
		page.MustElement("#clear").MustClick()
		page.MustElement("#input").MustInput(`{"error":"invalid_client","error_description":"Invalid client secret"} client_secret=9d8c7b6a5f4e3d2c1b0a99887766554f`)
		page.MustElement("#explain").MustClick()
		topIs("client-secret-invalid")
		Expect(page.MustElement("#share-secrets").MustVisible()).To(BeTrue())
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
