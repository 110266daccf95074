package reports

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/spotcheck/spotcheck/checks/result"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// The HTML report is one file that support staff can open offline, mail or
// attach to a ticket: CSS and JS are inline, screenshots are data: URIs, and
// a Content-Security-Policy forbids every fetch, so nothing in it (not even
// a hostile response body) can reach the network. html/template escapes
// every value from the results.

//go:embed html/report.html.tmpl
var htmlSource string

// htmlTemplate is parsed on first use, not at start-up: every command
// (`spotcheck version` too) would pay for it otherwise.
var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(template.FuncMap{
		"tagKey": tagKey,
		"code":   codeSpans,
		"statusLabel": func(s result.Status) string {
			return map[result.Status]string{result.StatusPass: "passed", result.StatusFail: "failed", result.StatusSkip: "skipped", result.StatusError: "error"}[s]
		},
	}).Parse(htmlSource))
})

type htmlPage struct {
	Kind        string // run, doctor or grade
	Title       string
	Version     string
	Target      string
	Subject     string
	Started     string
	Duration    string
	SummaryLine string
	// Bars are tallies with a legend each: a run's scenarios; a doctor's
	// or grade's findings by severity and, apart, its checks by status.
	Bars        []htmlBar
	Tags        []htmlTag
	FilterLabel string // "Failed only" / "Problems only"

	Scenarios []htmlScenario

	Severities []htmlSeverity
	Checks     []htmlCheck
}

type htmlBar struct {
	Of       string // "scenarios", "findings" or "checks", for the page's script and specs
	Label    string
	Segments []htmlSegment
}

// Line is the bar's legend in words, for screen readers.
func (b htmlBar) Line() string {
	var parts []string
	for _, s := range b.Segments {
		parts = append(parts, s.Text())
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

type htmlSegment struct {
	Class   string
	One     string // label for a count of one: "1 warning"
	Many    string // and otherwise: "2 warnings"
	Count   int
	Percent string
}

// Text is the segment's legend, e.g. "2 warnings".
func (s htmlSegment) Text() string { return plural(s.Count, s.One, s.Many) }

type htmlTag struct {
	Name  string
	Count int
}

type htmlScenario struct {
	DOMID       string
	ID          string
	Name        string
	File        string
	Description string
	Status      result.Status
	Failed      bool
	Reason      string
	Duration    string
	Tags        []string
	TagAttr     string
	Diagram     *htmlDiagram
	Exchanges   []htmlExchange
	Steps       []htmlStep
}

type htmlStep struct {
	Index        int
	Name         string
	Action       string
	Status       result.Status
	Failed       bool
	Message      string
	Duration     string
	Expectations []result.Expectation
	Explanation  *result.Explanation
	Screenshots  []htmlShot
}

type htmlShot struct {
	Name     string
	URL      string
	PageText string
	Src      template.URL
	Omitted  bool
	Size     string
}

type htmlExchange struct {
	DOMID       string
	Seq         int
	Step        string
	Actor       string
	Peer        string
	Method      string
	URL         string
	Path        string
	Class       string // ok, redir, fail, err
	StatusText  string
	Duration    string
	ReqHeaders  []htmlHeader
	ReqBody     string
	HasResponse bool
	RespHeaders []htmlHeader
	RespBody    string
	Error       string
}

type htmlHeader struct{ Name, Value string }

type htmlSeverity struct {
	Severity result.Severity
	Label    string
	Findings []htmlFinding
}

type htmlFinding struct {
	DOMID     string
	ID        string
	Severity  result.Severity
	Failed    bool
	Group     string
	Check     string
	Title     string
	Evidence  []string
	Fix       string
	Diagram   *htmlDiagram
	Exchanges []htmlExchange
}

type htmlCheck struct {
	ID       string
	Group    string
	Title    string
	Status   result.Status
	Failed   bool
	Message  string
	Duration string
	Findings int
}

func writeHTML(w *bufio.Writer, doc Document, opts Options) error {
	var page htmlPage
	if doc.Run != nil {
		page = htmlRun(doc.Run, opts)
	} else {
		page = htmlFindings(doc.Findings, opts)
	}
	return htmlTemplate().Execute(w, page)
}

// backticked is a `code span` in a fix, as the catalog and the doctor
// write commands and file names.
var backticked = regexp.MustCompile("`([^`\n]+)`")

// codeSpans renders s with its `code spans` as <code>: s is escaped
// first, and only the backticks of the escaped text become tags, so
// nothing in s can open a tag of its own.
func codeSpans(s string) template.HTML {
	return template.HTML(backticked.ReplaceAllString(template.HTMLEscapeString(s), "<code>$1</code>"))
}

func bar(segs ...htmlSegment) []htmlSegment {
	total := 0
	for _, s := range segs {
		total += s.Count
	}
	var out []htmlSegment
	for _, s := range segs {
		if s.Count == 0 || total == 0 {
			continue
		}
		s.Percent = strconv.FormatFloat(100*float64(s.Count)/float64(total), 'f', 2, 64) + "%"
		out = append(out, s)
	}
	return out
}

func htmlRun(run *result.RunResult, opts Options) htmlPage {
	t := runTally(run)
	page := htmlPage{
		Kind:        "run",
		Title:       "spotcheck run: " + t.summaryLine(),
		Version:     opts.version(run.Version),
		Target:      targetLine(run.Target),
		Started:     jsonTime(run.Started),
		Duration:    human(run.Duration),
		SummaryLine: t.summaryLine(),
		FilterLabel: "Failed only",
		Bars: []htmlBar{{Of: "scenarios", Label: "Scenarios", Segments: bar(
			htmlSegment{Class: "fail", One: "failed", Many: "failed", Count: t.failed},
			htmlSegment{Class: "error", One: "errored", Many: "errored", Count: t.errored},
			htmlSegment{Class: "skip", One: "skipped", Many: "skipped", Count: t.skipped},
			htmlSegment{Class: "pass", One: "passed", Many: "passed", Count: t.passed},
		)}},
	}
	ids := scenarioIDs(run)
	tagCount := map[string]int{}
	for _, i := range failedFirst(run.Scenarios) {
		s := run.Scenarios[i]
		hs := htmlScenario{
			DOMID: "sc-" + itoa(i+1), ID: ids[i], Name: s.Name, File: s.File, Description: s.Description,
			Status: s.Status, Failed: isFailure(s.Status), Duration: human(s.Duration), Tags: s.Tags,
		}
		if s.Status != result.StatusPass {
			hs.Reason = scenarioReason(s)
		}
		var tagSlugs []string
		for _, tg := range s.Tags {
			tagCount[tg]++
			tagSlugs = append(tagSlugs, tagKey(tg))
		}
		hs.TagAttr = strings.Join(tagSlugs, " ")
		var all []wire.Exchange
		for j, st := range s.Steps {
			hst := htmlStep{
				Index: j + 1, Name: st.Name, Action: st.Action, Status: st.Status, Failed: isFailure(st.Status),
				Message: st.Message, Duration: human(st.Duration), Expectations: st.Expectations, Explanation: st.Explanation,
			}
			for _, sh := range st.Screenshots {
				hst.Screenshots = append(hst.Screenshots, htmlShotOf(sh, opts))
			}
			hs.Steps = append(hs.Steps, hst)
			for _, x := range st.Exchanges {
				if x.Step == "" {
					x.Step = st.Name
				}
				all = append(all, x)
			}
		}
		hs.Exchanges = htmlExchanges(hs.DOMID, all)
		hs.Diagram = diagram(all, hs.Exchanges)
		page.Scenarios = append(page.Scenarios, hs)
	}
	page.Tags = sortedTags(tagCount)
	return page
}

// tagKey is how a tag is matched by the filter script: space-free, so that
// a data-tags attribute can list several.
func tagKey(tag string) string {
	if s := slug(tag); s != "" {
		return s
	}
	return "tag"
}

func sortedTags(count map[string]int) []htmlTag {
	tags := make([]htmlTag, 0, len(count))
	for name, n := range count {
		tags = append(tags, htmlTag{Name: name, Count: n})
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Name < tags[j].Name })
	return tags
}

func htmlShotOf(sh result.Screenshot, opts Options) htmlShot {
	hs := htmlShot{Name: sh.Name, URL: sh.URL, PageText: sh.PageText, Size: strconv.Itoa(len(sh.PNG)/1024+1) + " KB"}
	switch {
	case len(sh.PNG) == 0:
		hs.Omitted = true
		hs.Size = "no image"
	case opts.OmitScreenshots:
		hs.Omitted = true
	default:
		// Safe as a URL: the scheme is ours and base64 has no character
		// that could end the attribute.
		hs.Src = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(sh.PNG))
	}
	return hs
}

func statusClass(x wire.Exchange) string {
	switch {
	case x.Error != "" || x.Status == 0:
		return "err"
	case x.Status >= 400:
		return "fail"
	case x.Status >= 300:
		return "redir"
	}
	return "ok"
}

func htmlExchanges(owner string, xs []wire.Exchange) []htmlExchange {
	out := make([]htmlExchange, len(xs))
	for i, x := range xs {
		hx := htmlExchange{
			DOMID: owner + "-x" + itoa(i+1), Seq: x.Seq, Step: x.Step, Actor: nameOr(string(x.Actor), string(wire.ActorClient)), Peer: nameOr(string(x.Peer), string(wire.PeerOther)),
			Method: x.Method, URL: x.URL, Path: urlPath(x.URL), Class: statusClass(x), Duration: human(x.Duration),
			ReqHeaders: htmlHeaders(x.RequestHeaders), ReqBody: prettyBody(x.RequestBody),
			HasResponse: x.Status != 0, RespHeaders: htmlHeaders(x.ResponseHeaders), RespBody: prettyBody(x.ResponseBody),
			Error: x.Error,
		}
		if hx.Seq <= 0 {
			hx.Seq = i + 1
		}
		switch {
		case x.Error != "":
			hx.StatusText = "error"
		case x.Status != 0:
			hx.StatusText = strconv.Itoa(x.Status)
			if t := http.StatusText(x.Status); t != "" {
				hx.StatusText += " " + t
			}
		default:
			hx.StatusText = "no response"
		}
		out[i] = hx
	}
	return out
}

func htmlHeaders(h http.Header) []htmlHeader {
	if len(h) == 0 {
		return nil
	}
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []htmlHeader
	for _, k := range names {
		for _, v := range h[k] {
			out = append(out, htmlHeader{k, v})
		}
	}
	return out
}

// prettyBody indents a JSON body for reading; anything else is shown as
// received.
func prettyBody(body string) string {
	t := strings.TrimSpace(body)
	if len(t) < 2 || (t[0] != '{' && t[0] != '[') || !json.Valid([]byte(t)) {
		return body
	}
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(t), "", "  "); err != nil {
		return body
	}
	return b.String()
}

// The sequence diagram: one lane per party, one arrow per exchange in
// order, from the party that sent it to the one that answered. Geometry is
// in SVG user units; the SVG scales to the page width.
const (
	laneGap    = 200
	laneMargin = 80
	laneTop    = 44 // first y below the lane headers
	rowHeight  = 34
	bandHeight = 26 // a step's name between its arrows and the previous step's
)

var laneNames = []struct{ key, label, sub string }{
	{"client", "Client", "spotcheck / app"},
	{"browser", "Browser", "user agent"},
	{"accounts", "Accounts service", "/authorize, /api/token"},
	{"api", "Web API", "/v1/…"},
	{"redirect", "Redirect URI", "the app's callback"},
	{"other", "Other", ""},
}

type htmlDiagram struct {
	Width, Height int
	LineBottom    int
	Lanes         []htmlLane
	Bands         []htmlBand
	Arrows        []htmlArrow
}

type htmlLane struct {
	X, BoxX     int
	Label, Sub  string
	Highlighted bool
}

type htmlBand struct {
	Y, LineY int
	Label    string
}

type htmlArrow struct {
	Target       string // DOM id of the exchange's detail
	Seq          int
	X1, X2, Y    int
	LabelX       int
	LabelY       int
	HitY         int
	Label, Title string
	Class        string
	Marker       string
}

func lane(key string) int {
	for i, l := range laneNames {
		if l.key == key {
			return i
		}
	}
	return len(laneNames) - 1
}

func actorLane(actor wire.Actor) int {
	if actor == wire.ActorBrowser {
		return 1
	}
	return 0
}

func peerLane(peer wire.Peer) int {
	switch peer {
	case wire.PeerAccounts, wire.PeerAPI, wire.PeerRedirect:
		return lane(string(peer))
	}
	return lane("other")
}

func diagram(xs []wire.Exchange, hx []htmlExchange) *htmlDiagram {
	if len(xs) == 0 {
		return nil
	}
	n := len(laneNames) - 1 // "other" only when an exchange went there
	for _, x := range xs {
		if peerLane(x.Peer) == len(laneNames)-1 {
			n = len(laneNames)
		}
	}
	d := &htmlDiagram{Width: 2*laneMargin + (n-1)*laneGap}
	used := map[int]bool{}
	y := laneTop
	prevStep := "\x00"
	for i, x := range xs {
		if x.Step != prevStep && x.Step != "" {
			y += bandHeight
			// The step's name sits just above its first arrow, under a rule
			// that parts it from the previous step.
			d.Bands = append(d.Bands, htmlBand{Y: y + 2, LineY: y - 11, Label: "step " + x.Step})
		}
		prevStep = x.Step
		y += rowHeight
		from, to := actorLane(x.Actor), peerLane(x.Peer)
		used[from], used[to] = true, true
		x1, x2 := laneX(from), laneX(to)
		a := htmlArrow{
			Target: hx[i].DOMID, Seq: hx[i].Seq, Y: y, Class: hx[i].Class, Marker: "ah-" + hx[i].Class,
			Title: x.Method + " " + x.URL + " — " + hx[i].StatusText + " (" + hx[i].Actor + " → " + hx[i].Peer + ")",
		}
		// Stop short of the lifeline so the arrowhead touches it.
		if x2 >= x1 {
			a.X1, a.X2 = x1+2, x2-4
		} else {
			a.X1, a.X2 = x1-2, x2+4
		}
		a.Label, a.LabelX = laneLabel(x.Method+" ", urlPath(x.URL), exchangeOutcome(x), x1, x2)
		a.LabelY = y - 7
		// The whole row is the click target: easier to hit than a 2px line,
		// and it holds the row's number at the left edge too.
		a.HitY = y - rowHeight + 6
		d.Arrows = append(d.Arrows, a)
	}
	d.Height = y + 18
	d.LineBottom = d.Height - 4
	for i := 0; i < n; i++ {
		l := laneNames[i]
		d.Lanes = append(d.Lanes, htmlLane{X: laneX(i), BoxX: laneX(i) - 62, Label: l.label, Sub: l.sub, Highlighted: used[i]})
	}
	return d
}

func laneX(i int) int { return laneMargin + i*laneGap }

// labelCharWidth is the advance of one character of an arrow's label
// (11.5px monospace), in SVG units, rounded up.
const labelCharWidth = 7

// laneLabel fits an arrow's label into its lane, between the two
// lifelines it joins, so that it never runs into the lanes beside it: the
// path is cut with an ellipsis where it must be, the method and the
// outcome ("→ 400") stay. The arrow's tooltip and the exchange's detail
// keep the path whole.
func laneLabel(method, path, outcome string, x1, x2 int) (label string, x int) {
	fit := (max(x1, x2) - min(x1, x2) - 8) / labelCharWidth
	room := fit - utf8.RuneCountInString(method) - utf8.RuneCountInString(outcome)
	return method + truncate(path, max(room, 4)) + outcome, (x1 + x2) / 2
}

// truncate shortens s to n runes with an ellipsis; the arrow's tooltip and
// detail keep the full text.
func truncate(s string, n int) string {
	if n < 4 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func htmlFindings(f *result.FindingsResult, opts Options) htmlPage {
	kind := nameOr(f.Kind, "doctor")
	t := checkTally(f)
	by := findingsBySeverity(f.Findings)
	page := htmlPage{
		Kind:        kind,
		Title:       "spotcheck " + kind + ": " + severityCounts(f),
		Version:     opts.version(f.Version),
		Target:      targetLine(f.Target),
		Subject:     f.Subject,
		Started:     jsonTime(f.Started),
		Duration:    human(f.Duration),
		SummaryLine: severityCounts(f) + " · checks: " + t.summaryLine(),
		FilterLabel: "Problems only",
		// Findings and checks are two different tallies (a check can find
		// several problems, or none and still fail to run): a bar each.
		Bars: []htmlBar{
			{Of: "findings", Label: "Findings", Segments: bar(
				htmlSegment{Class: "fail", One: "error", Many: "errors", Count: len(by[result.SeverityError])},
				htmlSegment{Class: "skip", One: "warning", Many: "warnings", Count: len(by[result.SeverityWarning])},
				htmlSegment{Class: "info", One: "info", Many: "info", Count: len(by[result.SeverityInfo])},
			)},
			{Of: "checks", Label: "Checks", Segments: bar(
				htmlSegment{Class: "fail", One: "failed", Many: "failed", Count: t.failed},
				htmlSegment{Class: "error", One: "errored", Many: "errored", Count: t.errored},
				htmlSegment{Class: "skip", One: "skipped", Many: "skipped", Count: t.skipped},
				htmlSegment{Class: "pass", One: "passed", Many: "passed", Count: t.passed},
			)},
		},
	}
	groupCount := map[string]int{}
	labels := map[result.Severity]string{result.SeverityError: "Errors", result.SeverityWarning: "Warnings", result.SeverityInfo: "Info"}
	for _, sev := range severities {
		idx := by[sev]
		if len(idx) == 0 {
			continue
		}
		hs := htmlSeverity{Severity: sev, Label: labels[sev]}
		for _, i := range idx {
			fd := f.Findings[i]
			g := groupName(fd.Group)
			groupCount[g]++
			dom := "f-" + itoa(i+1)
			hf := htmlFinding{
				DOMID: dom, ID: fd.ID, Severity: sev, Failed: sev != result.SeverityInfo, Group: g, Check: fd.Check,
				Title: fd.Title, Evidence: fd.Evidence, Fix: fd.Fix,
			}
			hf.Exchanges = htmlExchanges(dom, fd.Exchanges)
			hf.Diagram = diagram(fd.Exchanges, hf.Exchanges)
			hs.Findings = append(hs.Findings, hf)
		}
		page.Severities = append(page.Severities, hs)
	}
	for _, c := range f.Checks {
		g := groupName(c.Group)
		groupCount[g]++ // a group's chip counts what it filters: findings and checks
		page.Checks = append(page.Checks, htmlCheck{
			ID: c.ID, Group: g, Title: c.Title, Status: c.Status, Failed: isFailure(c.Status),
			Message: c.Message, Duration: human(c.Duration), Findings: len(findingsOf(f, c.ID)),
		})
	}
	page.Tags = sortedTags(groupCount)
	return page
}
