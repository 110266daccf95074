package reports

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spotcheck/spotcheck/checks/result"
)

// The JUnit format follows the schema Jenkins' JUnit plugin documents
// (reports/testdata/jenkins-junit.xsd) and the xUnit plugin's Surefire-era
// one (reports/testdata/junit-10.xsd); a report validates against both.
// That fixes a few choices: the skip reason is the text of <skipped> (the
// older schema allows no attributes there), <testsuites> carries no skipped
// total, and a testcase holds at most one of skipped, error or failure.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	ID         int             `xml:"id,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// junitCase's field order is the element order the schemas require.
type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitText    `xml:"skipped"`
	Error     *junitProblem `xml:"error"`
	Failure   *junitProblem `xml:"failure"`
	SystemOut *junitText    `xml:"system-out"`
}

// Multi-line text goes in CDATA so that it reads as written in a raw
// report (encoding/xml would turn every newline of chardata into &#xA;).
type junitText struct {
	Text string `xml:",cdata"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Detail  string `xml:",cdata"`
}

// text wraps s for CDATA, or nil when empty.
func text(s string) *junitText {
	if s == "" {
		return nil
	}
	return &junitText{Text: xmlSafe(s)}
}

func problem(message, typ, detail string) *junitProblem {
	return &junitProblem{Message: message, Type: typ, Detail: xmlSafe(detail)}
}

// xmlSafe replaces the characters XML 1.0 forbids (most C0 controls, such
// as ESC from a coloured log, and broken UTF-8) with U+FFFD: encoding/xml
// does that for attributes and chardata but not inside CDATA.
func xmlSafe(s string) string {
	ok := utf8.ValidString(s)
	for _, r := range s {
		if !ok || !xmlChar(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	return strings.Map(func(r rune) rune {
		if xmlChar(r) {
			return r
		}
		return '\uFFFD'
	}, s)
}

func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

func (s *junitSuite) count(st result.Status, d time.Duration, total *time.Duration) {
	s.Tests++
	*total += d
	switch st {
	case result.StatusPass:
	case result.StatusFail:
		s.Failures++
	case result.StatusSkip:
		s.Skipped++
	default:
		s.Errors++
	}
}

func writeJUnit(w *bufio.Writer, doc Document, opts Options) error {
	var root junitSuites
	if doc.Run != nil {
		root = junitRun(doc.Run, opts)
	} else {
		root = junitFindings(doc.Findings, opts)
	}
	for _, s := range root.Suites {
		root.Tests += s.Tests
		root.Failures += s.Failures
		root.Errors += s.Errors
	}
	w.WriteString(xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return err
	}
	w.WriteString("\n")
	return nil
}

func junitProperties(t result.TargetInfo, version string) []junitProperty {
	return []junitProperty{
		{"target", nameOr(t.Name, "unknown")},
		{"target.accounts_url", t.AccountsURL},
		{"target.api_url", t.APIURL},
		{"spotcheck.version", version},
	}
}

// junitTimestamp is ISO 8601 without a zone, the form Ant wrote and every
// consumer parses.
func junitTimestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05")
}

// classname turns a scenario file into a dotted class name, because CI
// front ends split classname at the last dot into package and class:
// "scenarios/authorize.yaml" shows as package "scenarios", class "authorize".
func classname(file string) string {
	f := strings.ReplaceAll(file, "\\", "/")
	f = strings.TrimSuffix(f, ".yaml")
	f = strings.TrimSuffix(f, ".yml")
	f = strings.Trim(f, "/.")
	f = strings.ReplaceAll(f, ".", "_")
	f = strings.ReplaceAll(f, "/", ".")
	if f == "" {
		return "spotcheck"
	}
	return f
}

func junitRun(run *result.RunResult, opts Options) junitSuites {
	version := opts.version(run.Version)
	ids := scenarioIDs(run)
	root := junitSuites{Name: "spotcheck run", Time: seconds(run.Duration)}
	index := map[string]int{}
	var totals []time.Duration
	for i, s := range run.Scenarios {
		file := nameOr(s.File, "scenarios")
		k, ok := index[file]
		if !ok {
			k = len(root.Suites)
			index[file] = k
			root.Suites = append(root.Suites, junitSuite{
				Name: file, ID: k, Timestamp: junitTimestamp(run.Started),
				Properties: junitProperties(run.Target, version),
			})
			totals = append(totals, 0)
		}
		suite := &root.Suites[k]
		suite.count(s.Status, s.Duration, &totals[k])
		suite.Cases = append(suite.Cases, junitScenario(s, ids[i]))
	}
	for k := range root.Suites {
		root.Suites[k].Time = seconds(totals[k])
	}
	return root
}

func junitScenario(s result.ScenarioResult, id string) junitCase {
	c := junitCase{Name: nameOr(s.Name, id), Classname: classname(s.File), Time: seconds(s.Duration)}
	switch s.Status {
	case result.StatusPass:
	case result.StatusSkip:
		c.Skipped = &junitText{Text: xmlSafe(scenarioReason(s))}
	case result.StatusFail:
		c.Failure = problem(scenarioReason(s), problemType(s, "expectation"), scenarioDetail(s, id))
	default:
		c.Error = problem(scenarioReason(s), problemType(s, "error"), scenarioDetail(s, id))
	}
	c.SystemOut = text(transcriptLines(s))
	return c
}

// problemType is the catalog id of the failure's explanation, which CI
// front ends show next to the message, or a generic kind.
func problemType(s result.ScenarioResult, dflt string) string {
	if x := firstExplanation(s); x != nil && x.ID != "" {
		return x.ID
	}
	return dflt
}

// scenarioDetail is the failure's body: each failing step with expected vs
// actual, its explanation and fix.
func scenarioDetail(s result.ScenarioResult, id string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)\n", id, nameOr(s.File, "no file"))
	if s.Description != "" {
		fmt.Fprintf(&b, "%s\n", s.Description)
	}
	for i, st := range s.Steps {
		if !isFailure(st.Status) {
			continue
		}
		fmt.Fprintf(&b, "\nstep %d %s (%s): %s\n", i+1, st.Name, st.Action, st.Status)
		if st.Message != "" {
			fmt.Fprintf(&b, "  %s\n", st.Message)
		}
		for _, e := range failedExpectations(st) {
			fmt.Fprintf(&b, "  %s\n    expected: %s\n    actual:   %s\n", e.Name, e.Expected, e.Actual)
		}
		if x := st.Explanation; x != nil {
			fmt.Fprintf(&b, "  explanation: %s [%s]\n", x.Title, x.ID)
			for _, c := range x.Causes {
				fmt.Fprintf(&b, "    cause: %s\n", c)
			}
			if x.Fix != "" {
				fmt.Fprintf(&b, "  fix: %s\n", x.Fix)
			}
			for _, c := range x.Check {
				fmt.Fprintf(&b, "  check in the dashboard: %s\n", c)
			}
		}
	}
	return b.String()
}

// transcriptLines lists the scenario's exchanges one per line, so a CI log
// shows the flow without opening the HTML report.
func transcriptLines(s result.ScenarioResult) string {
	var b strings.Builder
	for _, st := range s.Steps {
		for _, x := range st.Exchanges {
			fmt.Fprintf(&b, "#%d %s %s → %s: %s", x.Seq, st.Name, x.Actor, x.Peer, exchangeLabel(x))
			if x.Error != "" {
				fmt.Fprintf(&b, " (%s)", x.Error)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func junitFindings(f *result.FindingsResult, opts Options) junitSuites {
	kind := nameOr(f.Kind, "doctor")
	version := opts.version(f.Version)
	props := junitProperties(f.Target, version)
	if f.Subject != "" {
		props = append(props, junitProperty{"subject", f.Subject})
	}
	root := junitSuites{Name: "spotcheck " + kind, Time: seconds(f.Duration)}
	names, byGroup := checkGroups(f)
	orphans := orphanFindings(f)
	for k, g := range names {
		suite := junitSuite{Name: kind + ": " + g, ID: k, Timestamp: junitTimestamp(f.Started), Properties: props}
		var total time.Duration
		for _, ci := range byGroup[g] {
			c := f.Checks[ci]
			suite.count(c.Status, c.Duration, &total)
			suite.Cases = append(suite.Cases, junitCheck(f, c, kind+"."+slug(g)))
		}
		// Findings no check claims are reported as their own test cases.
		for _, fi := range orphans {
			fd := f.Findings[fi]
			if groupName(fd.Group) != g {
				continue
			}
			st := result.StatusPass
			if fd.Severity.AtLeast(result.SeverityWarning) || fd.Severity == "" {
				st = result.StatusFail
			}
			suite.count(st, 0, &total)
			tc := junitCase{Name: fd.ID, Classname: kind + "." + slug(g), Time: seconds(0)}
			if st == result.StatusFail {
				tc.Failure = problem(findingMessage(fd), nameOr(string(fd.Severity), "error"), findingDetail(fd))
			} else {
				tc.SystemOut = text(findingDetail(fd))
			}
			suite.Cases = append(suite.Cases, tc)
		}
		suite.Time = seconds(total)
		root.Suites = append(root.Suites, suite)
	}
	return root
}

func junitCheck(f *result.FindingsResult, c result.CheckOutcome, class string) junitCase {
	tc := junitCase{Name: c.ID, Classname: class, Time: seconds(c.Duration)}
	var detail strings.Builder
	if c.Title != "" {
		detail.WriteString(c.Title + "\n")
	}
	found := findingsOf(f, c.ID)
	worst := result.Severity("")
	for _, fi := range found {
		fd := f.Findings[fi]
		if fd.Severity.AtLeast(worst) {
			worst = fd.Severity
		}
		detail.WriteString("\n" + findingDetail(fd))
	}
	switch c.Status {
	case result.StatusPass:
		if len(found) > 0 {
			tc.SystemOut = text(detail.String())
		}
	case result.StatusSkip:
		tc.Skipped = &junitText{Text: xmlSafe(nameOr(c.Message, "skipped"))}
	case result.StatusFail:
		msg := c.Message
		if msg == "" && len(found) > 0 {
			msg = findingMessage(f.Findings[found[0]])
		}
		tc.Failure = problem(nameOr(msg, "check failed"), nameOr(string(worst), "failure"), detail.String())
	default:
		tc.Error = problem(nameOr(c.Message, "check could not be evaluated"), "error", detail.String())
	}
	return tc
}

func findingMessage(fd result.Finding) string {
	return fmt.Sprintf("%s: %s", fd.ID, fd.Title)
}

func findingDetail(fd result.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s [%s] %s\n", strings.ToUpper(nameOr(string(fd.Severity), "error")), fd.ID, fd.Title)
	for _, e := range fd.Evidence {
		fmt.Fprintf(&b, "  evidence: %s\n", e)
	}
	for _, x := range fd.Exchanges {
		fmt.Fprintf(&b, "  #%d %s → %s: %s\n", x.Seq, x.Actor, x.Peer, exchangeLabel(x))
	}
	if fd.Fix != "" {
		fmt.Fprintf(&b, "  fix: %s\n", fd.Fix)
	}
	return b.String()
}
