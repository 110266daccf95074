package reports_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/proto"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/browser"
	"github.com/spotcheck/spotcheck/reports"
	"github.com/spotcheck/spotcheck/reports/reportstest"
)

var _ = Describe("the HTML format", func() {
	It("is one self-contained file that cannot reach the network", func() {
		out := string(render(reports.FormatHTML, runDoc(), reports.Options{}))
		Expect(out).To(HavePrefix("<!doctype html>"))
		Expect(out).To(ContainSubstring(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:;`))
		for _, remote := range []*regexp.Regexp{
			regexp.MustCompile(`(?i)<(link|script|img|iframe|object|embed|source|video|audio)[^>]+(src|href)="(https?:)?//`),
			regexp.MustCompile(`(?i)<link[^>]+rel="?stylesheet`),
			regexp.MustCompile(`(?i)@import|@font-face|url\((["']?)(https?:)?//`),
			regexp.MustCompile(`(?i)<script[^>]+src=`),
		} {
			Expect(remote.FindString(out)).To(BeEmpty(), remote.String())
		}
		Expect(strings.Count(out, `<img src="data:image/png;base64,`)).To(Equal(1))
	})

	It("draws one arrow per exchange, in order, labelled with method, path and status", func() {
		out := string(render(reports.FormatHTML, runDoc(), reports.Options{}))
		// The failed scenario comes first (sc-2 is its position in the run).
		arrows := regexp.MustCompile(`<a href="#(sc-\d+-x\d+)" class="arrow (\w+)"[^>]*>.*?<text x="\d+" y="\d+">([^<]*)</text>`).FindAllStringSubmatch(out, -1)
		var got []string
		for _, a := range arrows {
			got = append(got, a[1]+" "+a[2]+" "+a[3])
		}
		Expect(got).To(Equal([]string{
			"sc-2-x1 ok POST /api/token → 200",
			"sc-2-x2 fail POST /api/token → 400",
			"sc-4-x1 err POST /api/token ✗ error",
			"sc-1-x1 ok GET /authorize → 200",
			"sc-1-x2 redir POST /authorize/accept → 302",
			"sc-1-x3 ok GET /callback → 200",
			"sc-1-x4 ok POST /api/token → 200",
			"sc-1-x5 ok GET /v1/me → 200",
		}))
		for _, a := range arrows {
			Expect(out).To(ContainSubstring(`<details class="exchange ` + a[2] + `" id="` + a[1] + `">`))
		}
		for _, lane := range []string{"Client", "Browser", "Accounts service", "Web API", "Redirect URI"} {
			Expect(out).To(ContainSubstring(`class="lane-label">` + lane + `</text>`))
		}
	})

	It("escapes everything a target sent", func() {
		run := reportstest.Run()
		run.Scenarios[1].Steps[1].Exchanges[0].ResponseBody = `<script>alert("body")</script>`
		run.Scenarios[1].Description = `<img src=x onerror=alert(1)>`
		run.Scenarios[1].Tags = []string{`"><script>alert(2)</script>`}
		out := string(render(reports.FormatHTML, reports.Document{Run: run}, reports.Options{}))
		Expect(out).NotTo(ContainSubstring(`<script>alert`))
		Expect(out).NotTo(ContainSubstring(`<img src=x`))
		Expect(out).To(ContainSubstring(`&lt;script&gt;alert(&#34;body&#34;)&lt;/script&gt;`))
		Expect(strings.Count(out, "<script>")).To(Equal(1), "only the report's own script")
	})

	It("leaves screenshots out when asked, keeping their names and page text", func() {
		out := string(render(reports.FormatHTML, runDoc(), reports.Options{OmitScreenshots: true}))
		Expect(out).NotTo(ContainSubstring("data:image/png"))
		Expect(out).To(ContainSubstring("screenshot not included"))
		Expect(out).To(ContainSubstring("View your email address"))
	})

	It("groups findings by severity with evidence and fix", func() {
		out := string(render(reports.FormatHTML, findingsDoc(), reports.Options{}))
		e, w, i := strings.Index(out, "<h2>Errors (2)</h2>"), strings.Index(out, "<h2>Warnings (1)</h2>"), strings.Index(out, "<h2>Info (1)</h2>")
		Expect([]int{e, w, i}).To(HaveEach(BeNumerically(">", 0)))
		Expect(e).To(BeNumerically("<", w))
		Expect(w).To(BeNumerically("<", i))
		Expect(out).To(ContainSubstring(`<div class="fix"><b>Fix</b>Register http://127.0.0.1:8080/callback`))
		Expect(out).To(ContainSubstring(`<li><code>GET /authorize → 400 INVALID_CLIENT: Invalid redirect URI</code></li>`))
	})
})

// pageLog collects what a page did that a self-contained report must not:
// requests, console errors and warnings, uncaught exceptions.
type pageLog struct {
	mu       sync.Mutex
	requests []string
	problems []string
}

func (l *pageLog) add(list *[]string, s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	*list = append(*list, s)
}

func (l *pageLog) snapshot() (requests, problems []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.requests...), append([]string(nil), l.problems...)
}

var _ = Describe("the HTML report in Chromium", Ordered, func() {
	var (
		b      *browser.Browser
		srv    *httptest.Server
		mu     sync.Mutex
		served []string
	)

	BeforeAll(func() {
		files := map[string][]byte{
			"/run.html":    render(reports.FormatHTML, runDoc(), reports.Options{}),
			"/doctor.html": render(reports.FormatHTML, findingsDoc(), reports.Options{}),
		}
		srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			served = append(served, r.URL.Path)
			mu.Unlock()
			body, ok := files[r.URL.Path]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(body)
		}))
		DeferCleanup(srv.Close)
		var err error
		b, err = browser.Launch(context.Background())
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(b.Close)
	})

	// open loads a report in a fresh tab, watching it from before the first
	// byte arrives.
	open := func(path string) (*rod.Page, *pageLog) {
		GinkgoHelper()
		mu.Lock()
		served = nil
		mu.Unlock()
		ctx, cancel := context.WithCancel(context.Background())
		page, err := b.Page(proto.TargetCreateTarget{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { cancel(); _ = page.Close() })
		page = page.Context(ctx)
		Expect(page.SetViewport(&proto.EmulationSetDeviceMetricsOverride{Width: 1280, Height: 900, DeviceScaleFactor: 1})).To(Succeed())
		log := &pageLog{}
		go page.EachEvent(
			func(e *proto.NetworkRequestWillBeSent) {
				if !strings.HasPrefix(e.Request.URL, "data:") {
					log.add(&log.requests, e.Request.URL)
				}
			},
			func(e *proto.RuntimeConsoleAPICalled) {
				if e.Type == proto.RuntimeConsoleAPICalledTypeError || e.Type == proto.RuntimeConsoleAPICalledTypeWarning {
					log.add(&log.problems, fmt.Sprintf("console.%s %v", e.Type, e.Args))
				}
			},
			func(e *proto.RuntimeExceptionThrown) {
				log.add(&log.problems, "exception: "+e.ExceptionDetails.Text+" "+e.ExceptionDetails.Exception.Description)
			},
			func(e *proto.LogEntryAdded) {
				if e.Entry.Level == proto.LogLogEntryLevelError || e.Entry.Level == proto.LogLogEntryLevelWarning {
					log.add(&log.problems, fmt.Sprintf("log %s %s: %s", e.Entry.Level, e.Entry.Source, e.Entry.Text))
				}
			},
		)()
		Expect(page.Navigate(srv.URL + path)).To(Succeed())
		Expect(page.WaitLoad()).To(Succeed())
		return page.Timeout(20 * time.Second), log
	}

	visible := func(page *rod.Page, selector string) bool {
		GinkgoHelper()
		el, err := page.Element(selector)
		Expect(err).NotTo(HaveOccurred())
		// checkVisibility, unlike a bounding box, knows that the content of
		// a closed <details> is not rendered.
		res, err := el.Eval(`() => this.checkVisibility({visibilityProperty: true, opacityProperty: true})`)
		Expect(err).NotTo(HaveOccurred())
		return res.Value.Bool()
	}

	It("renders with no console error and no request but the file itself", func() {
		page, log := open("/run.html")
		// Open everything so every image and every exchange is laid out.
		page.MustElement("#expand-all").MustClick()
		for _, d := range page.MustElements("details.exchange") {
			d.MustEval(`() => { this.open = true }`)
		}
		Eventually(func() bool {
			return page.MustEval(`() => Array.from(document.images).length > 0 &&
				Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)`).Bool()
		}).Should(BeTrue(), "the screenshot (a data: URI) decodes")
		Expect(page.MustEval(`() => performance.getEntriesByType("resource").map(e => e.name)`).Arr()).To(BeEmpty())
		Expect(page.MustElement("#summary").MustText()).To(Equal("1 passed, 2 failed, 1 skipped"))

		requests, problems := log.snapshot()
		Expect(problems).To(BeEmpty())
		Expect(requests).To(Equal([]string{srv.URL + "/run.html"}))
		mu.Lock()
		defer mu.Unlock()
		Expect(served).To(Equal([]string{"/run.html"}), "no favicon or other fetch reached the server")
	})

	It("hides passing and skipped scenarios with the failed-only filter", func() {
		page, _ := open("/run.html")
		for _, sel := range []string{"#sc-1", "#sc-2", "#sc-3", "#sc-4"} {
			Expect(visible(page, sel)).To(BeTrue(), sel)
		}
		page.MustElement("#failed-only").MustClick()
		Eventually(func() bool { return visible(page, "#sc-1") }).Should(BeFalse(), "the passing scenario")
		Expect(visible(page, "#sc-3")).To(BeFalse(), "the skipped scenario")
		Expect(visible(page, "#sc-2")).To(BeTrue(), "the failed scenario")
		Expect(visible(page, "#sc-4")).To(BeTrue(), "the errored scenario")
		Expect(page.MustElement("#shown").MustText()).To(Equal("2 of 4 shown"))

		page.MustElement("#failed-only").MustClick()
		Eventually(func() bool { return visible(page, "#sc-1") }).Should(BeTrue())
	})

	It("filters by tag", func() {
		page, _ := open("/run.html")
		page.MustElement(`button.tag[data-tag="pkce"]`).MustClick()
		Eventually(func() bool { return visible(page, "#sc-2") }).Should(BeFalse())
		Expect(visible(page, "#sc-1")).To(BeTrue(), "the only scenario tagged pkce")
		page.MustElement(`button.tag[data-tag="token"]`).MustClick()
		Eventually(func() bool { return visible(page, "#sc-2") }).Should(BeTrue(), "tags add up")
		Expect(visible(page, "#sc-3")).To(BeFalse())
	})

	It("expands a failed scenario on click, and an arrow reveals its request and response", func() {
		page, log := open("/run.html")
		failed := page.MustElement("#sc-2")
		Expect(failed.MustProperty("open").Bool()).To(BeFalse())
		Expect(visible(page, "#sc-2 aside.explain")).To(BeFalse())
		page.MustElement("#sc-2 > summary").MustClick()
		Eventually(func() bool { return failed.MustProperty("open").Bool() }).Should(BeTrue())
		Expect(visible(page, "#sc-2 aside.explain")).To(BeTrue())
		Expect(page.MustElement("#sc-2 aside.explain .fix").MustText()).To(ContainSubstring("Exchange each code exactly once"))
		Expect(page.MustElement("#sc-2 tr.bad").MustText()).To(ContainSubstring("400"))

		Expect(visible(page, "#sc-2-x2 section.req pre")).To(BeFalse())
		page.MustElement(`a.arrow[data-x="sc-2-x2"]`).MustClick()
		Eventually(func() bool { return visible(page, "#sc-2-x2 section.req pre") }).Should(BeTrue())
		req := page.MustElement("#sc-2-x2 section.req pre").MustText()
		Expect(req).To(HavePrefix("POST http://127.0.0.1:41234/api/token\n"))
		Expect(req).To(ContainSubstring("Authorization: Basic [redacted 88ch #c0ffee12]"))
		Expect(req).To(ContainSubstring("grant_type=authorization_code&code=[redacted"))
		Expect(page.MustElement("#sc-2-x2 section.resp pre").MustText()).To(ContainSubstring(`"error_description": "Invalid authorization code"`))
		Expect(page.MustElement(`a.arrow[data-x="sc-2-x2"]`).MustEval(`() => this.classList.contains("active")`).Bool()).To(BeTrue())

		// The layout with a failure, its diagram and a passing scenario's screenshot open.
		page.MustElement("#sc-1 > summary").MustClick()
		page.MustElement(`a.arrow[data-x="sc-1-x4"]`).MustClick()
		Eventually(func() bool { return visible(page, "#sc-1 figure.shot img") }).Should(BeTrue())
		png, err := page.Screenshot(true, &proto.PageCaptureScreenshot{Format: proto.PageCaptureScreenshotFormatPng})
		Expect(err).NotTo(HaveOccurred())
		Expect(png[:8]).To(Equal([]byte("\x89PNG\r\n\x1a\n")))
		Expect(os.WriteFile(filepath.Join(GinkgoT().TempDir(), "report.png"), png, 0o644)).To(Succeed())
		saveForReview("report-screenshot.png", png)

		_, problems := log.snapshot()
		Expect(problems).To(BeEmpty())
	})

	It("shows findings by severity and filters them to problems", func() {
		page, log := open("/doctor.html")
		Expect(page.MustElement("h2").MustText()).To(Equal("Errors (2)"))
		info := `article.finding.sev-info`
		Expect(visible(page, info)).To(BeTrue())
		Expect(visible(page, `tr.st-pass`)).To(BeTrue())
		page.MustElement("#failed-only").MustClick()
		Eventually(func() bool { return visible(page, info) }).Should(BeFalse())
		Expect(visible(page, `tr.st-pass`)).To(BeFalse())
		Expect(visible(page, `article.finding.sev-error`)).To(BeTrue())

		page.MustElement("#failed-only").MustClick()
		page.MustElement(`button.tag[data-tag="redirect-uris"]`).MustClick()
		Eventually(func() bool { return visible(page, `#f-1`) }).Should(BeFalse(), "a credentials finding")
		Expect(visible(page, `#f-2`)).To(BeTrue())

		page.MustElement(`button.tag[data-tag="redirect-uris"]`).MustClick()
		page.MustElement(`#f-2 a.arrow`).MustClick()
		Eventually(func() bool { return visible(page, `#f-2-x1 section.resp pre`) }).Should(BeTrue())
		Expect(page.MustElement(`#f-2-x1 section.resp pre`).MustText()).To(ContainSubstring("INVALID_CLIENT: Invalid redirect URI"))

		png, err := page.Screenshot(true, &proto.PageCaptureScreenshot{Format: proto.PageCaptureScreenshotFormatPng})
		Expect(err).NotTo(HaveOccurred())
		saveForReview("report-screenshot-doctor.png", png)
		requests, problems := log.snapshot()
		Expect(problems).To(BeEmpty())
		Expect(requests).To(Equal([]string{srv.URL + "/doctor.html"}))
	})
})

// saveForReview keeps a screenshot where the project lead looks at layouts
// (/work/plan), when that directory exists, and in $SPOTCHECK_REVIEW_DIR.
func saveForReview(name string, png []byte) {
	GinkgoHelper()
	dirs := []string{os.Getenv("SPOTCHECK_REVIEW_DIR")}
	if name == "report-screenshot.png" {
		dirs = append(dirs, "/work/plan")
	}
	for _, dir := range dirs {
		if dir == "" {
			continue
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		Expect(os.WriteFile(filepath.Join(dir, name), png, 0o644)).To(Succeed())
	}
}
