package reports

import (
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/checks/result"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// scenarioIDs returns a stable id per scenario: the file's stem and the
// scenario's name, slugged ("authorize/redirect-uri-mismatch"). Ids stay the
// same from run to run as long as file and name do, which is what lets CI
// history and bug reports refer to a scenario. A repeated pair gets "-2", "-3".
func scenarioIDs(run *result.RunResult) []string {
	ids := make([]string, len(run.Scenarios))
	seen := make(map[string]int, len(run.Scenarios))
	for i, s := range run.Scenarios {
		id := slug(s.Name)
		if id == "" {
			id = "scenario"
		}
		if stem := slug(fileStem(s.File)); stem != "" {
			id = stem + "/" + id
		}
		seen[id]++
		if n := seen[id]; n > 1 {
			id += "-" + strconv.Itoa(n)
		}
		ids[i] = id
	}
	return ids
}

// stepID is a step's stable id: its scenario's id, the 1-based position and
// the step's name ("authorize/redirect-uri-mismatch/02-exchange-code").
func stepID(scenarioID string, index int, name string) string {
	s := slug(name)
	if s == "" {
		s = "step"
	}
	return fmt.Sprintf("%s/%02d-%s", scenarioID, index+1, s)
}

func fileStem(file string) string {
	base := path.Base(strings.ReplaceAll(file, "\\", "/"))
	if base == "." || base == "/" {
		return ""
	}
	return strings.TrimSuffix(base, path.Ext(base))
}

// slug lower-cases s and turns every run of characters other than
// letters, digits, '.' and '_' into one hyphen. Scenario names are already
// of that form (scenarios require ^[a-z0-9][a-z0-9._-]*$), so they keep
// the spelling a user types on the command line.
func slug(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

// failedFirst returns the scenario indexes in report order: failures and
// errors, then skipped, then passed, each in run order.
func failedFirst(sc []result.ScenarioResult) []int {
	order := make([]int, 0, len(sc))
	for _, group := range [][]result.Status{{result.StatusFail, result.StatusError}, {result.StatusSkip}, {result.StatusPass}} {
		for i, s := range sc {
			for _, st := range group {
				if s.Status == st {
					order = append(order, i)
				}
			}
		}
	}
	// A status outside the four known ones still gets reported, last.
	if len(order) < len(sc) {
		known := map[result.Status]bool{result.StatusFail: true, result.StatusError: true, result.StatusSkip: true, result.StatusPass: true}
		for i, s := range sc {
			if !known[s.Status] {
				order = append(order, i)
			}
		}
	}
	return order
}

func isFailure(s result.Status) bool { return s == result.StatusFail || s == result.StatusError }

// tally counts outcomes. Errors are kept apart here; the summary line folds
// them into "failed".
type tally struct{ passed, failed, skipped, errored int }

func (t tally) total() int { return t.passed + t.failed + t.skipped + t.errored }

func (t *tally) add(s result.Status) {
	switch s {
	case result.StatusPass:
		t.passed++
	case result.StatusFail:
		t.failed++
	case result.StatusSkip:
		t.skipped++
	default: // error, or a status this version does not know: never a pass
		t.errored++
	}
}

func runTally(run *result.RunResult) tally {
	var t tally
	for _, s := range run.Scenarios {
		t.add(s.Status)
	}
	return t
}

func checkTally(f *result.FindingsResult) tally {
	var t tally
	for _, c := range f.Checks {
		t.add(c.Status)
	}
	return t
}

// summaryLine is the last line of the text report, in the one form CI
// scripts grep for. Errored scenarios count as failed here.
func (t tally) summaryLine() string {
	return fmt.Sprintf("%d passed, %d failed, %d skipped", t.passed, t.failed+t.errored, t.skipped)
}

// severities in report order, most severe first.
var severities = []result.Severity{result.SeverityError, result.SeverityWarning, result.SeverityInfo}

// findingsBySeverity groups finding indexes by severity, most severe first;
// a severity this version does not know is grouped under error.
func findingsBySeverity(fs []result.Finding) map[result.Severity][]int {
	out := map[result.Severity][]int{}
	for i, f := range fs {
		sev := f.Severity
		if sev != result.SeverityWarning && sev != result.SeverityInfo {
			sev = result.SeverityError
		}
		out[sev] = append(out[sev], i)
	}
	return out
}

// groups returns the check groups in order of first appearance, with the
// checks of each, and adds the groups of findings no check claims.
func checkGroups(f *result.FindingsResult) (names []string, byGroup map[string][]int) {
	byGroup = map[string][]int{}
	for i, c := range f.Checks {
		g := groupName(c.Group)
		if _, ok := byGroup[g]; !ok {
			names = append(names, g)
		}
		byGroup[g] = append(byGroup[g], i)
	}
	for _, fd := range f.Findings {
		g := groupName(fd.Group)
		if _, ok := byGroup[g]; !ok {
			names = append(names, g)
			byGroup[g] = nil
		}
	}
	return names, byGroup
}

func groupName(g string) string {
	if g == "" {
		return "general"
	}
	return g
}

// findingsOf returns the indexes of the findings a check produced.
func findingsOf(f *result.FindingsResult, checkID string) []int {
	var out []int
	for i, fd := range f.Findings {
		if fd.Check == checkID {
			out = append(out, i)
		}
	}
	return out
}

// orphanFindings are findings whose Check names no CheckOutcome; reports
// still show them, as their own entries.
func orphanFindings(f *result.FindingsResult) []int {
	known := make(map[string]bool, len(f.Checks))
	for _, c := range f.Checks {
		known[c.ID] = true
	}
	var out []int
	for i, fd := range f.Findings {
		if fd.Check == "" || !known[fd.Check] {
			out = append(out, i)
		}
	}
	return out
}

// seconds formats a duration for XML and Markdown: seconds, millisecond
// precision.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}

// human formats a duration for people: "850ms", "1.24s", "2m03s".
func human(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Millisecond:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + "ms"
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	case d < time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s"
	default:
		m := int(d / time.Minute)
		s := int((d % time.Minute) / time.Second)
		return fmt.Sprintf("%dm%02ds", m, s)
	}
}

// urlPath is the path of a recorded URL for a one-line label; the query is
// left out (it is long and the detail view shows it).
func urlPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Path == "" && u.Host == "" {
		p, _, _ := strings.Cut(raw, "?")
		return p
	}
	if u.Path == "" {
		return "/"
	}
	return u.EscapedPath()
}

// exchangeLabel is "POST /api/token → 400", or "GET /authorize ✗ error".
func exchangeLabel(x wire.Exchange) string {
	return x.Method + " " + urlPath(x.URL) + exchangeOutcome(x)
}

// exchangeOutcome is how an exchange ended, as a label's tail: " → 400",
// " ✗ error", or "" without a status.
func exchangeOutcome(x wire.Exchange) string {
	switch {
	case x.Error != "":
		return " ✗ error"
	case x.Status != 0:
		return " → " + strconv.Itoa(x.Status)
	}
	return ""
}

// failedExpectations returns the expectations of a step that did not hold.
func failedExpectations(st result.StepResult) []result.Expectation {
	var out []result.Expectation
	for _, e := range st.Expectations {
		if !e.Passed {
			out = append(out, e)
		}
	}
	return out
}

// scenarioReason is the one line a scenario failed, errored or was skipped
// for: its message, else the first failing step's message or expectation.
func scenarioReason(s result.ScenarioResult) string {
	if s.Message != "" {
		return s.Message
	}
	for _, st := range s.Steps {
		if st.Status != s.Status && !isFailure(st.Status) {
			continue
		}
		if st.Message != "" {
			return st.Name + ": " + st.Message
		}
		if fe := failedExpectations(st); len(fe) > 0 {
			return fmt.Sprintf("%s: %s: expected %s, got %s", st.Name, fe[0].Name, fe[0].Expected, fe[0].Actual)
		}
	}
	return string(s.Status)
}

// firstExplanation is the catalog explanation of a scenario's first failing
// step, if any.
func firstExplanation(s result.ScenarioResult) *result.Explanation {
	for _, st := range s.Steps {
		if isFailure(st.Status) && st.Explanation != nil {
			return st.Explanation
		}
	}
	return nil
}

// targetLine is "fake (accounts http://…, api http://…)"; a result
// without a target (doctor --offline) asked none.
func targetLine(t result.TargetInfo) string {
	name := t.Name
	if name == "" && t.AccountsURL == "" {
		return "none (offline: no request was sent)"
	}
	var parts []string
	if t.AccountsURL != "" {
		parts = append(parts, "accounts "+t.AccountsURL)
	}
	if t.APIURL != "" && t.APIURL != t.AccountsURL {
		parts = append(parts, "api "+t.APIURL)
	}
	if len(parts) == 0 {
		return name
	}
	return name + " (" + strings.Join(parts, ", ") + ")"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// exchangeID is "<owner>#<seq>": the step (or finding) that made the
// exchange and its sequence number, or its position when Seq is unset.
func exchangeID(owner string, i int, x wire.Exchange) string {
	n := x.Seq
	if n <= 0 {
		n = i + 1
	}
	return owner + "#" + strconv.Itoa(n)
}

func itoa(n int) string { return strconv.Itoa(n) }
