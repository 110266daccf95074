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
			"sc-1-x2 redir POST /authorize/acce… → 302",
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

	It("renders `code` in fixes as <code>, escaped first, so a fix cannot open a tag", func() {
		doc := findingsDoc()
		doc.Findings.Findings[0].Fix = "Rotate it, `git rm --cached .env`, then `<img src=x onerror=alert(1)>` and \"`\" onmouseover=alert(2) x=\"`\""
		run := reportstest.Run()
		run.Scenarios[1].Steps[1].Explanation.Fix = "Exchange it once: `<script>alert(3)</script>`"
		for _, out := range []string{string(render(reports.FormatHTML, doc, reports.Options{})), string(render(reports.FormatHTML, reports.Document{Run: run}, reports.Options{}))} {
			Expect(out).NotTo(ContainSubstring("<img src=x"))
			Expect(out).NotTo(ContainSubstring("<script>alert"))
			Expect(out).NotTo(ContainSubstring(`" onmouseover`))
			Expect(strings.Count(out, "<script>")).To(Equal(1), "only the report's own script")
		}
		out := string(render(reports.FormatHTML, doc, reports.Options{}))
		Expect(out).To(ContainSubstring("Rotate it, <code>git rm --cached .env</code>, then <code>&lt;img src=x onerror=alert(1)&gt;</code> and &#34;<code>&#34; onmouseover=alert(2) x=&#34;</code>&#34;"))
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
			"/layout.html": render(reports.FormatHTML, layoutDoc(), reports.Options{}),
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

	It("opens failures by default, and an arrow reveals its request and response", func() {
		page, log := open("/run.html")
		failed := page.MustElement("#sc-2")
		Expect(failed.MustProperty("open").Bool()).To(BeTrue(), "a failed scenario is open")
		Expect(page.MustElement("#sc-4").MustProperty("open").Bool()).To(BeTrue(), "an errored one too")
		Expect(page.MustElement("#sc-1").MustProperty("open").Bool()).To(BeFalse(), "a passing one is not")
		Expect(page.MustElement("#sc-3").MustProperty("open").Bool()).To(BeFalse(), "nor a skipped one")
		Expect(visible(page, "#sc-2 aside.explain")).To(BeTrue())
		page.MustElement("#sc-2 > summary").MustClick()
		Eventually(func() bool { return failed.MustProperty("open").Bool() }).Should(BeFalse(), "a click folds it")
		page.MustElement("#sc-2 > summary").MustClick()
		Eventually(func() bool { return failed.MustProperty("open").Bool() }).Should(BeTrue())
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

	It("wraps long URL-encoded captions under screenshots inside their figure", func() {
		page, _ := open("/layout.html")
		page.MustElement("#expand-all").MustClick()
		res := page.MustEval(`() => Array.from(document.querySelectorAll("figure.shot")).map(f => {
			const c = f.querySelector("figcaption"), u = f.querySelector(".url"), r = f.getBoundingClientRect(), m = document.querySelector("main").getBoundingClientRect();
			return {overflow: c.scrollWidth - c.clientWidth, right: r.right, mainRight: m.right, lines: Math.round(u.getBoundingClientRect().height / parseFloat(getComputedStyle(u).lineHeight))};
		})`).Arr()
		Expect(res).NotTo(BeEmpty())
		for _, r := range res {
			m := r.Map()
			Expect(m["overflow"].Int()).To(BeNumerically("<=", 0), "nothing sticks out of the caption")
			Expect(m["right"].Num()).To(BeNumerically("<=", m["mainRight"].Num()), "the figure stays in the page")
			Expect(m["lines"].Int()).To(BeNumerically(">", 2), "the long URL wrapped")
		}
		// Engines without overflow-wrap: anywhere (Safari before 15.4)
		// must wrap the URL too: word-break carries it there.
		page.MustEval(`() => { const s = document.createElement("style"); s.textContent = "figure.shot *, figure.shot figcaption { overflow-wrap: normal !important; }"; document.head.appendChild(s); }`)
		fallback := page.MustEval(`() => Array.from(document.querySelectorAll("figure.shot figcaption")).map(c => c.scrollWidth - c.clientWidth)`).Arr()
		for _, o := range fallback {
			Expect(o.Int()).To(BeNumerically("<=", 0), "the caption wraps without overflow-wrap: anywhere")
		}
		shot := page.MustElement("figure.shot")
		shot.MustScrollIntoView()
		png, err := page.Screenshot(false, &proto.PageCaptureScreenshot{Format: proto.PageCaptureScreenshotFormatPng})
		Expect(err).NotTo(HaveOccurred())
		saveForReview("layout-caption.png", png)
	})

	It("keeps every sequence-diagram label inside its lane and inside the diagram", func() {
		page, _ := open("/layout.html")
		page.MustElement("#expand-all").MustClick()
		res := page.MustEval(`() => Array.from(document.querySelectorAll("a.arrow")).map(a => {
			const l = a.querySelector("line"), t = a.querySelector("text:not(.seqno)"), b = t.getBBox(), svg = a.ownerSVGElement;
			const x1 = +l.getAttribute("x1"), x2 = +l.getAttribute("x2");
			return {lo: Math.min(x1, x2), hi: Math.max(x1, x2), left: b.x, right: b.x + b.width, width: svg.viewBox.baseVal.width, label: t.textContent, title: a.querySelector("title").textContent};
		})`).Arr()
		Expect(len(res)).To(BeNumerically(">", 10))
		cut := 0
		for _, r := range res {
			m := r.Map()
			label := m["label"].Str()
			// The lane: between the two lifelines the arrow joins (the arrow
			// stops 2-4 units short of them).
			Expect(m["left"].Num()).To(BeNumerically(">=", m["lo"].Num()-4), label)
			Expect(m["right"].Num()).To(BeNumerically("<=", m["hi"].Num()+4), label)
			Expect(m["right"].Num()).To(BeNumerically("<=", m["width"].Num()), label)
			if strings.Contains(label, "…") {
				cut++
				Expect(label).To(MatchRegexp(`^(GET|POST) /\S*… (→ \d{3}|✗ error)$`), "the method and the outcome stay")
				Expect(m["title"].Str()).To(ContainSubstring(strings.TrimSuffix(strings.Fields(label)[1], "…")), "the tooltip has it whole")
			}
		}
		Expect(cut).To(BeNumerically(">", 0), "the layout document has labels too long for their lane")
		arrow := page.MustElement("#sc-44 figure.seq")
		arrow.MustScrollIntoView()
		png, err := page.Screenshot(false, &proto.PageCaptureScreenshot{Format: proto.PageCaptureScreenshotFormatPng})
		Expect(err).NotTo(HaveOccurred())
		saveForReview("layout-diagram.png", png)
	})

	DescribeTable("lands an anchor below the sticky filter bar, however tall it is",
		func(width int, hash string) {
			page, _ := open("/layout.html")
			Expect(page.SetViewport(&proto.EmulationSetDeviceMetricsOverride{Width: width, Height: 800, DeviceScaleFactor: 1})).To(Succeed())
			Expect(page.Navigate(srv.URL + "/layout.html#" + hash)).To(Succeed())
			Expect(page.WaitLoad()).To(Succeed())
			var m map[string]float64
			Eventually(func() float64 {
				r := page.MustEval(`(id) => { const t = document.getElementById(id).getBoundingClientRect(), n = document.querySelector("nav.filters").getBoundingClientRect();
					return {top: t.top, navBottom: n.bottom, navHeight: n.height, inner: innerHeight, open: document.getElementById(id).closest("details.scenario").open ? 1 : 0}; }`, hash).Map()
				m = map[string]float64{}
				for k, v := range r {
					m[k] = v.Num()
				}
				return m["top"]
			}).Should(BeNumerically(">", 0))
			Expect(m["top"]).To(BeNumerically(">=", m["navBottom"]), "not under the bar")
			Expect(m["top"]).To(BeNumerically("<", m["navBottom"]+40), "right below it")
			Expect(m["open"]).To(Equal(1.0), "the scenario it names is open")
			png, err := page.Screenshot(false, &proto.PageCaptureScreenshot{Format: proto.PageCaptureScreenshotFormatPng})
			Expect(err).NotTo(HaveOccurred())
			saveForReview(fmt.Sprintf("layout-anchor-%d.png", width), png)
		},
		Entry("a wide window", 1280, "sc-44"),
		Entry("a narrow one, where the tags wrap the bar", 640, "sc-44"),
		Entry("an exchange", 1280, "sc-44-x3"),
	)

	It("keeps the doctor's findings and checks in two tallies", func() {
		page, _ := open("/doctor.html")
		findings := page.MustElement(`.tally[data-of="findings"]`).MustText()
		checks := page.MustElement(`.tally[data-of="checks"]`).MustText()
		Expect(findings).To(ContainSubstring("Findings"))
		Expect(findings).To(ContainSubstring("2 errors"))
		Expect(findings).To(ContainSubstring("1 warning"))
		Expect(findings).NotTo(ContainSubstring("passed"))
		Expect(checks).To(ContainSubstring("Checks"))
		Expect(checks).To(ContainSubstring("2 passed"))
		Expect(checks).To(ContainSubstring("1 skipped"))
		Expect(checks).NotTo(ContainSubstring("error "))
		Expect(checks).NotTo(ContainSubstring("warning"))
	})

	It("shows backticked parts of a fix as code", func() {
		page, _ := open("/layout.html")
		page.MustNavigate(srv.URL + "/doctor.html").MustWaitLoad()
		code := page.MustElements("article.finding .fix code")
		Expect(code).NotTo(BeEmpty())
		Expect(code[0].MustText()).To(Equal("git rm --cached"))
		Expect(code[0].MustEval(`() => getComputedStyle(this).fontFamily`).Str()).To(ContainSubstring("monospace"))
		header := page.MustElement("header.page-head")
		png, err := header.Screenshot(proto.PageCaptureScreenshotFormatPng, 0)
		Expect(err).NotTo(HaveOccurred())
		saveForReview("layout-doctor-head.png", png)
		fix := page.MustElement("article.finding .fix")
		png, err = fix.Screenshot(proto.PageCaptureScreenshotFormatPng, 0)
		Expect(err).NotTo(HaveOccurred())
		saveForReview("layout-doctor-fix.png", png)
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

// layoutDoc is a run that strains the layout: a long URL-encoded caption
// under a screenshot, paths too long for their lane, enough scenarios to
// scroll, and enough tags to wrap the filter bar on a narrow window.
func layoutDoc() reports.Document {
	run := reportstest.LargeRun(60)
	path := "/v1/users/alice-with-a-long-user-id/playlists/37i9dQZF1DXcBWIGoYBM5M/followers/contains"
	long := "/authorize?client_id=0f1e2d3c4b5a69788796a5b4c3d2e1f0&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A8888%2Fcallback%2Fwith%2Fa%2Fvery%2Flong%2Fpath&scope=user-read-email%20user-read-private%20playlist-read-private%20user-top-read&state=" + strings.Repeat("9c2e", 12)
	for i := range run.Scenarios {
		sc := &run.Scenarios[i]
		sc.Tags = append(sc.Tags, fmt.Sprintf("group-%d", i%14))
		for j := range sc.Steps {
			st := &sc.Steps[j]
			for k := range st.Exchanges {
				if k == 0 {
					x := &st.Exchanges[k]
					u := x.URL
					if q := strings.Index(u, "/"+strings.SplitN(strings.SplitN(u, "://", 2)[1], "/", 2)[1]); q >= 0 {
						x.URL = u[:q] + path + long[len("/authorize"):]
					}
				}
			}
			for k := range st.Screenshots {
				st.Screenshots[k].URL = "http://127.0.0.1:41234" + long + "%26" + strings.Repeat("x%3D1%26", 20)
			}
		}
	}
	return reports.Document{Run: run}
}
