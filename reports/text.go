package reports

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/spotcheck/spotcheck/checks/result"
)

// ANSI SGR codes, used only when Options.Color says so.
const (
	ansiReset   = "\x1b[0m"
	ansiBold    = "\x1b[1m"
	ansiDim     = "\x1b[2m"
	ansiRed     = "\x1b[31m"
	ansiGreen   = "\x1b[32m"
	ansiYellow  = "\x1b[33m"
	ansiMagenta = "\x1b[35m"
	ansiCyan    = "\x1b[36m"
)

// painter wraps text in ANSI codes when colour is on, and is a no-op
// otherwise, so the layout code reads the same either way.
type painter bool

func (p painter) paint(code, s string) string {
	if !p || s == "" {
		return s
	}
	return code + s + ansiReset
}

func (p painter) status(s result.Status) string {
	switch s {
	case result.StatusPass:
		return p.paint(ansiGreen, "PASS ")
	case result.StatusFail:
		return p.paint(ansiBold+ansiRed, "FAIL ")
	case result.StatusSkip:
		return p.paint(ansiYellow, "SKIP ")
	case result.StatusError:
		return p.paint(ansiBold+ansiMagenta, "ERROR")
	}
	return p.paint(ansiBold+ansiMagenta, fmt.Sprintf("%-5s", strings.ToUpper(clean(string(s)))))
}

func (p painter) stepMark(s result.Status) string {
	switch s {
	case result.StatusPass:
		return p.paint(ansiGreen, "✓")
	case result.StatusFail:
		return p.paint(ansiRed, "✗")
	case result.StatusSkip:
		return p.paint(ansiYellow, "–")
	}
	return p.paint(ansiMagenta, "!")
}

func (p painter) severity(s result.Severity) string {
	switch s {
	case result.SeverityWarning:
		return p.paint(ansiBold+ansiYellow, "WARNING")
	case result.SeverityInfo:
		return p.paint(ansiBold+ansiCyan, "INFO")
	}
	return p.paint(ansiBold+ansiRed, "ERROR")
}

// clean makes text from outside (response bodies, messages, page text)
// safe to print on a terminal: control characters other than newline and
// tab are shown as escapes, so a hostile body cannot move the cursor,
// clear the screen or forge a summary line.
func clean(s string) string {
	ok := true
	for _, r := range s {
		if r == utf8.RuneError || r != '\n' && r != '\t' && unicode.IsControl(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r != '\n' && r != '\t' && unicode.IsControl(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// indent prefixes every line but the first of s with pad, so multi-line
// values (bodies, page text) stay inside their block.
func indent(s, pad string) string {
	return strings.ReplaceAll(strings.TrimRight(clean(s), "\n"), "\n", "\n"+pad)
}

func writeText(w *bufio.Writer, doc Document, opts Options) error {
	p := painter(opts.Color)
	if doc.Run != nil {
		textRun(w, p, doc.Run, opts)
	} else {
		textFindings(w, p, doc.Findings, opts)
	}
	return nil
}

func textRun(w *bufio.Writer, p painter, run *result.RunResult, opts Options) {
	ids := scenarioIDs(run)
	fmt.Fprintf(w, "%s %s · run against %s\n", p.paint(ansiBold, "spotcheck"), clean(opts.version(run.Version)), clean(targetLine(run.Target)))

	order := failedFirst(run.Scenarios)
	prev := result.Status("")
	for _, i := range order {
		s := run.Scenarios[i]
		if opts.Brief && !isFailure(s.Status) {
			continue
		}
		// A blank line between sections and around every detailed failure.
		if isFailure(s.Status) || s.Status != prev {
			w.WriteString("\n")
		}
		prev = s.Status
		textScenario(w, p, s, ids[i])
	}

	t := runTally(run)
	fmt.Fprintf(w, "\nRan %s against %s in %s", plural(t.total(), "scenario", "scenarios"), clean(nameOr(run.Target.Name, "unknown target")), human(run.Duration))
	if t.errored > 0 {
		fmt.Fprintf(w, " (%s, counted as failed)", plural(t.errored, "error", "errors"))
	}
	w.WriteString("\n")
	line := t.summaryLine()
	switch {
	case t.failed+t.errored > 0:
		line = p.paint(ansiBold+ansiRed, line)
	case t.passed > 0:
		line = p.paint(ansiBold+ansiGreen, line)
	}
	w.WriteString(line + "\n")
}

func nameOr(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}

func textScenario(w *bufio.Writer, p painter, s result.ScenarioResult, id string) {
	where := ""
	if s.File != "" {
		where = "  " + p.paint(ansiDim, clean(s.File))
	}
	switch s.Status {
	case result.StatusPass:
		fmt.Fprintf(w, "%s  %s  %s\n", p.status(s.Status), clean(id), p.paint(ansiDim, human(s.Duration)))
		return
	case result.StatusSkip:
		fmt.Fprintf(w, "%s  %s — %s\n", p.status(s.Status), clean(id), indent(scenarioReason(s), "         "))
		return
	}
	fmt.Fprintf(w, "%s  %s%s  %s\n", p.status(s.Status), p.paint(ansiBold, clean(id)), where, p.paint(ansiDim, human(s.Duration)))
	if s.Message != "" {
		fmt.Fprintf(w, "       %s\n", indent(s.Message, "       "))
	}
	for i, st := range s.Steps {
		textStep(w, p, i, st)
	}
}

func textStep(w *bufio.Writer, p painter, i int, st result.StepResult) {
	const pad = "       "
	head := fmt.Sprintf("  %s %d. %s", p.stepMark(st.Status), i+1, clean(st.Name))
	if st.Action != "" && st.Action != st.Name {
		head += p.paint(ansiDim, " ("+clean(st.Action)+")")
	}
	switch st.Status {
	case result.StatusPass:
		fmt.Fprintf(w, "%s %s\n", head, p.paint(ansiDim, human(st.Duration)))
		return
	case result.StatusSkip:
		reason := "skipped"
		if st.Message != "" {
			reason += ": " + st.Message
		}
		fmt.Fprintf(w, "%s %s\n", head, p.paint(ansiYellow, indent(reason, pad)))
		return
	}
	fmt.Fprintf(w, "%s %s\n", head, p.paint(ansiDim, human(st.Duration)))
	if st.Message != "" {
		fmt.Fprintf(w, "%s%s\n", pad, indent(st.Message, pad))
	}
	for _, e := range failedExpectations(st) {
		fmt.Fprintf(w, "%s%s\n", pad, p.paint(ansiBold, clean(e.Name)))
		fmt.Fprintf(w, "%s  expected: %s\n", pad, p.paint(ansiGreen, indent(e.Expected, pad+"            ")))
		fmt.Fprintf(w, "%s  actual:   %s\n", pad, p.paint(ansiRed, indent(e.Actual, pad+"            ")))
	}
	if x := st.Explanation; x != nil {
		fmt.Fprintf(w, "%s⇒ %s [%s]\n", pad, p.paint(ansiBold, clean(x.Title)), clean(x.ID))
		for _, f := range x.Findings {
			fmt.Fprintf(w, "%s  seen: %s\n", pad, indent(f, pad+"        "))
		}
		for _, c := range x.Causes {
			fmt.Fprintf(w, "%s  cause: %s\n", pad, indent(c, pad+"         "))
		}
		if x.Fix != "" {
			fmt.Fprintf(w, "%s  %s %s\n", pad, p.paint(ansiBold+ansiGreen, "fix:"), indent(x.Fix, pad+"       "))
		}
		for _, c := range x.Check {
			fmt.Fprintf(w, "%s  check in the dashboard: %s\n", pad, indent(c, pad+"                          "))
		}
	}
}

func textFindings(w *bufio.Writer, p painter, f *result.FindingsResult, opts Options) {
	kind := nameOr(f.Kind, "doctor")
	subject := ""
	if f.Subject != "" {
		subject = " of " + clean(f.Subject)
	}
	where := " against " + clean(targetLine(f.Target))
	if f.Target.Name == "" && f.Target.AccountsURL == "" {
		where = ", offline (no request was sent)"
	}
	fmt.Fprintf(w, "%s %s · %s%s%s\n", p.paint(ansiBold, "spotcheck"), clean(opts.version(f.Version)), clean(kind), subject, where)

	bySev := findingsBySeverity(f.Findings)
	for _, sev := range severities {
		idx := bySev[sev]
		if len(idx) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%d)\n", p.severity(sev), len(idx))
		for _, i := range idx {
			textFinding(w, p, f.Findings[i], opts)
		}
	}
	if len(f.Findings) == 0 {
		fmt.Fprintf(w, "\n%s\n", p.paint(ansiGreen, "No findings."))
	}

	var errored, skipped []result.CheckOutcome
	for _, c := range f.Checks {
		switch c.Status {
		case result.StatusError:
			errored = append(errored, c)
		case result.StatusSkip:
			skipped = append(skipped, c)
		}
	}
	if len(errored) > 0 {
		w.WriteString("\n")
		for _, c := range errored {
			para(w, opts.Width, p.status(c.Status)+"  "+clean(c.ID)+" — ", "         ", nameOr(c.Message, "could not be evaluated"))
		}
	}
	// Skipped checks are mostly "no --token-cache given": one count line,
	// unless asked for each reason.
	if len(skipped) > 0 {
		w.WriteString("\n")
		if !opts.Verbose {
			fmt.Fprintf(w, "%s  %s %s\n", p.status(result.StatusSkip), plural(len(skipped), "check", "checks"), p.paint(ansiDim, "(--verbose lists each with the reason)"))
		}
		for _, c := range skipped {
			if opts.Verbose {
				para(w, opts.Width, p.status(c.Status)+"  "+clean(c.ID)+" — ", "         ", nameOr(c.Message, "skipped"))
			}
		}
	}
	textDetails(w, p, f.Checks, opts.Verbose)

	t := checkTally(f)
	fmt.Fprintf(w, "\nRan %s in %s; %s", plural(t.total(), "check", "checks"), human(f.Duration), severityCounts(f))
	if t.errored > 0 {
		fmt.Fprintf(w, " (%s, counted as failed)", plural(t.errored, "check error", "check errors"))
	}
	w.WriteString("\n")
	line := t.summaryLine()
	switch {
	case t.failed+t.errored > 0:
		line = p.paint(ansiBold+ansiRed, line)
	case t.passed > 0:
		line = p.paint(ansiBold+ansiGreen, line)
	}
	w.WriteString(line + "\n")
}

// textDetails shows the checks that left something out (the files a
// secret scan did not read): their message, which counts it, and with
// verbose every detail line. Errored and skipped checks showed their
// message already.
func textDetails(w *bufio.Writer, p painter, cs []result.CheckOutcome, verbose bool) {
	started := false
	for _, c := range cs {
		shown := c.Status == result.StatusError || c.Status == result.StatusSkip
		if len(c.Details) == 0 || shown && !verbose {
			continue
		}
		if !started {
			w.WriteString("\n")
			started = true
		}
		if !shown {
			hint := ""
			if !verbose {
				hint = " " + p.paint(ansiDim, "(--verbose lists them)")
			}
			fmt.Fprintf(w, "%s  %s — %s%s\n", p.paint(ansiCyan, "NOTE "), clean(c.ID), indent(c.Message, "         "), hint)
		}
		if verbose {
			for _, d := range c.Details {
				fmt.Fprintf(w, "         %s\n", clean(d))
			}
		}
	}
}

// severityCounts is "2 errors, 1 warning, 0 info findings".
func severityCounts(f *result.FindingsResult) string {
	by := findingsBySeverity(f.Findings)
	return fmt.Sprintf("findings: %s, %s, %d info", plural(len(by[result.SeverityError]), "error", "errors"),
		plural(len(by[result.SeverityWarning]), "warning", "warnings"), len(by[result.SeverityInfo]))
}

func textFinding(w *bufio.Writer, p painter, fd result.Finding, opts Options) {
	const pad = "      "
	mark := map[result.Severity]string{result.SeverityWarning: p.paint(ansiYellow, "!"), result.SeverityInfo: p.paint(ansiCyan, "i")}[fd.Severity]
	if mark == "" {
		mark = p.paint(ansiRed, "✗")
	}
	where := groupName(fd.Group)
	if fd.Check != "" {
		where += " · " + fd.Check
	}
	fmt.Fprintf(w, "  %s %s — %s  %s\n", mark, p.paint(ansiBold, clean(fd.ID)), clean(fd.Title), p.paint(ansiDim, "["+clean(where)+"]"))
	for _, e := range fd.Evidence {
		para(w, opts.Width, pad+"evidence: ", pad+"          ", e)
	}
	// An exchange number means nothing on a terminal, where it cannot be
	// opened: list them when asked, else say where they are.
	switch {
	case len(fd.Exchanges) > 0 && opts.Verbose:
		for _, x := range fd.Exchanges {
			fmt.Fprintf(w, "%s  #%d %s %s\n", pad, x.Seq, clean(exchangeLabel(x)), p.paint(ansiDim, "("+clean(string(x.Actor))+" → "+clean(string(x.Peer))+")"))
		}
	case len(fd.Exchanges) > 0:
		it := "it"
		if len(fd.Exchanges) > 1 {
			it = "them"
		}
		fmt.Fprintf(w, "%s%s\n", pad, p.paint(ansiDim, "("+plural(len(fd.Exchanges), "exchange", "exchanges")+": --verbose lists "+it+"; --report html=FILE shows "+it+" in full)"))
	}
	if fd.Fix != "" {
		para(w, opts.Width, pad+p.paint(ansiBold+ansiGreen, "fix:")+" ", pad+"     ", fd.Fix)
	}
}

// para writes text after first, its continuation lines after rest, each
// line of it wrapped at width columns (0: not wrapped) on word and URL
// boundaries, so that a long evidence line does not break mid-URL at the
// terminal's edge.
func para(w *bufio.Writer, width int, first, rest, text string) {
	prefix := first
	for _, line := range strings.Split(strings.TrimRight(clean(text), "\n"), "\n") {
		avail := width - visibleLen(prefix)
		if width <= 0 {
			avail = 0
		}
		for i, l := range wrapLine(line, avail, width-visibleLen(rest)) {
			if i > 0 {
				prefix = rest
			}
			w.WriteString(prefix + l + "\n")
			prefix = rest
		}
		prefix = rest
	}
}

// minWrap keeps a deeply indented line from wrapping into slivers.
const minWrap = 30

// wrapLine breaks s into lines of at most first runes (the first line)
// and rest runes (the others), between words; a word longer than a line
// (a URL) is broken after a / ? & = , or ; where it can be, else cut.
// A limit of 0 or less does not wrap.
func wrapLine(s string, first, rest int) []string {
	if first <= 0 || rest <= 0 {
		return []string{s}
	}
	first, rest = max(first, minWrap), max(rest, minWrap)
	var out []string
	var cur strings.Builder
	curLen, limit := 0, first
	flush := func() {
		out = append(out, cur.String())
		cur.Reset()
		curLen, limit = 0, rest
	}
	for i, word := range strings.Split(s, " ") {
		n := utf8.RuneCountInString(word)
		if i > 0 {
			if curLen+1+n <= limit {
				cur.WriteString(" " + word)
				curLen += 1 + n
				continue
			}
			flush()
		}
		for n > limit-curLen {
			head, tail := splitURL(word, limit-curLen)
			if head == "" { // nothing fits after what the line has
				flush()
				continue
			}
			cur.WriteString(head)
			flush()
			word, n = tail, utf8.RuneCountInString(tail)
		}
		cur.WriteString(word)
		curLen += n
	}
	out = append(out, cur.String())
	return out
}

// splitURL cuts word after its last URL boundary within n runes, or at n
// runes when it has none there.
func splitURL(word string, n int) (head, tail string) {
	if n <= 0 {
		return "", word
	}
	cut, runes := -1, 0
	for i, r := range word {
		if runes == n {
			break
		}
		runes++
		if strings.ContainsRune("/?&=,;", r) {
			cut = i + utf8.RuneLen(r)
		}
	}
	if cut <= 0 {
		// No boundary: cut at n runes.
		cut = len(word)
		runes = 0
		for i := range word {
			if runes == n {
				cut = i
				break
			}
			runes++
		}
	}
	return word[:cut], word[cut:]
}

// visibleLen is the width of s on a terminal, ANSI codes left out.
func visibleLen(s string) int {
	n, esc := 0, false
	for _, r := range s {
		switch {
		case r == '\x1b':
			esc = true
		case esc && r == 'm':
			esc = false
		case !esc:
			n++
		}
	}
	return n
}
