package browser_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/browser"
)

func TestBrowser(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "browser")
}

var _ = Describe("Launch", func() {
	It("opens a loopback page in the system Chromium", func() {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(`<!doctype html><title>t</title><p id="x">hello from loopback</p>`))
		}))
		DeferCleanup(srv.Close)

		b, err := browser.Launch(context.Background())
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(b.Close)

		page, err := b.Page(protoTarget(srv.URL))
		Expect(err).NotTo(HaveOccurred())
		Expect(page.WaitLoad()).To(Succeed())
		el, err := page.Element("#x")
		Expect(err).NotTo(HaveOccurred())
		Expect(el.Text()).To(Equal("hello from loopback"))
	})

	It("refuses to run without a Chromium binary instead of downloading one", func() {
		GinkgoT().Setenv("SPOTCHECK_CHROME", "/nonexistent/chromium")
		_, err := browser.Launch(context.Background())
		Expect(err).To(MatchError(browser.ErrNoChromium))
		Expect(err.Error()).To(ContainSubstring("apt-get install -y chromium"))
	})
})
