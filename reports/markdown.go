package reports

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/spotcheck/spotcheck/checks/result"
)

var mdStatus = map[result.Status]string{
	result.StatusPass:  "✅ pass",
	result.StatusFail:  "❌ fail",
	result.StatusSkip:  "⏭️ skip",
	result.StatusError: "💥 error",
}

var mdSeverity = map[result.Severity]string{
	result.SeverityError:   "❌ error",
	result.SeverityWarning: "⚠️ warning",
	result.SeverityInfo:    "ℹ️ info",
}

// mdReplacer escapes text for GitHub-flavoured Markdown: characters that
// start emphasis, links, code or raw HTML, and the pipe that ends a table
// cell. Targets control much of what reports print (bodies, descriptions),
// so nothing they send may turn into markup in a pull-request comment.
var mdReplacer = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "&", "&amp;", "|", `\|`, "#", `\#`, "~", `\~`,
	"\r\n", "<br>", "\n", "<br>", "\r", "<br>",
)

// md escapes s for Markdown. (Workflow commands are disarmed in the
// finished report: see Write.)
func md(s string) string { return mdReplacer.Replace(s) }

// mdCode renders s as inline code, safe inside a table cell: a backtick
// fence longer than any run in s, pipes escaped (GFM splits cells before it
// parses code), newlines shown as ⏎ since code spans cannot break lines.
func mdCode(s string) string {
	if s == "" {
		return "*(empty)*"
	}
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			if run > longest {
				longest = run
			}
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	s = strings.NewReplacer("|", `\|`, "\r\n", "⏎", "\n", "⏎", "\r", "⏎").Replace(s)
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return fence + pad + s + pad + fence
}

func writeMarkdown(w *bufio.Writer, doc Document, opts Options) error {
	if doc.Run != nil {
		markdownRun(w, doc.Run, opts)
	} else {
		markdownFindings(w, doc.Findings, opts)
	}
	return nil
}

func markdownRun(w *bufio.Writer, run *result.RunResult, opts Options) {
	t := runTally(run)
	verdict := "✅ all passed"
	if t.failed+t.errored > 0 {
		verdict = "❌ " + plural(t.failed+t.errored, "failure", "failures")
	}
	fmt.Fprintf(w, "## spotcheck run: %s\n\n", verdict)
	fmt.Fprintf(w, "| ✅ Passed | ❌ Failed | 💥 Errors | ⏭️ Skipped | Total | Time |\n|---:|---:|---:|---:|---:|---:|\n")
	fmt.Fprintf(w, "| %d | %d | %d | %d | %d | %ss |\n\n", t.passed, t.failed, t.errored, t.skipped, t.total(), seconds(run.Duration))
	fmt.Fprintf(w, "Target: %s · spotcheck %s\n", md(targetLine(run.Target)), md(opts.version(run.Version)))

	ids := scenarioIDs(run)
	if t.failed+t.errored > 0 {
		w.WriteString("\n### Failures\n")
		for _, i := range failedFirst(run.Scenarios) {
			s := run.Scenarios[i]
			if !isFailure(s.Status) {
				continue
			}
			markdownFailure(w, s, ids[i])
		}
	}

	var skipped, passed []int
	for i, s := range run.Scenarios {
		switch s.Status {
		case result.StatusSkip:
			skipped = append(skipped, i)
		case result.StatusPass:
			passed = append(passed, i)
		}
	}
	if len(skipped) > 0 {
		fmt.Fprintf(w, "\n<details><summary>⏭️ Skipped (%d)</summary>\n\n| Scenario | Reason |\n|---|---|\n", len(skipped))
		for _, i := range skipped {
			fmt.Fprintf(w, "| %s | %s |\n", mdCode(ids[i]), md(scenarioReason(run.Scenarios[i])))
		}
		w.WriteString("\n</details>\n")
	}
	if len(passed) > 0 {
		fmt.Fprintf(w, "\n<details><summary>✅ Passed (%d)</summary>\n\n| Scenario | Time |\n|---|---:|\n", len(passed))
		for _, i := range passed {
			fmt.Fprintf(w, "| %s | %ss |\n", mdCode(ids[i]), seconds(run.Scenarios[i].Duration))
		}
		w.WriteString("\n</details>\n")
	}
}

func markdownFailure(w *bufio.Writer, s result.ScenarioResult, id string) {
	fmt.Fprintf(w, "\n#### %s %s\n\n", mdStatus[s.Status], mdCode(id))
	fmt.Fprintf(w, "%s · %ss", mdCode(nameOr(s.File, "no file")), seconds(s.Duration))
	if len(s.Tags) > 0 {
		w.WriteString(" · tags: ")
		for i, t := range s.Tags {
			if i > 0 {
				w.WriteString(", ")
			}
			w.WriteString(mdCode(t))
		}
	}
	w.WriteString("\n\n")
	if s.Description != "" {
		fmt.Fprintf(w, "%s\n\n", md(s.Description))
	}
	if s.Message != "" {
		fmt.Fprintf(w, "> %s\n\n", md(s.Message))
	}
	for i, st := range s.Steps {
		if !isFailure(st.Status) {
			continue
		}
		fmt.Fprintf(w, "**Step %d %s** (%s): %s\n\n", i+1, md(st.Name), md(st.Action), mdStatus[st.Status])
		if st.Message != "" {
			fmt.Fprintf(w, "%s\n\n", md(st.Message))
		}
		if fe := failedExpectations(st); len(fe) > 0 {
			w.WriteString("| Expectation | Expected | Actual |\n|---|---|---|\n")
			for _, e := range fe {
				fmt.Fprintf(w, "| %s | %s | %s |\n", md(e.Name), mdCode(e.Expected), mdCode(e.Actual))
			}
			w.WriteString("\n")
		}
		if x := st.Explanation; x != nil {
			fmt.Fprintf(w, "**Why:** %s (%s)\n\n", md(x.Title), mdCode(x.ID))
			for _, c := range x.Causes {
				fmt.Fprintf(w, "- %s\n", md(c))
			}
			if len(x.Causes) > 0 {
				w.WriteString("\n")
			}
			if x.Fix != "" {
				fmt.Fprintf(w, "**Fix:** %s\n\n", md(x.Fix))
			}
			if len(x.Check) > 0 {
				w.WriteString("**Check in the dashboard:**\n\n")
				for _, c := range x.Check {
					fmt.Fprintf(w, "- %s\n", md(c))
				}
				w.WriteString("\n")
			}
		}
	}
}

func markdownFindings(w *bufio.Writer, f *result.FindingsResult, opts Options) {
	kind := nameOr(f.Kind, "doctor")
	by := findingsBySeverity(f.Findings)
	verdict := "✅ no problems"
	switch {
	case len(by[result.SeverityError]) > 0:
		verdict = "❌ " + plural(len(by[result.SeverityError]), "error", "errors")
	case len(by[result.SeverityWarning]) > 0:
		verdict = "⚠️ " + plural(len(by[result.SeverityWarning]), "warning", "warnings")
	}
	fmt.Fprintf(w, "## spotcheck %s: %s\n\n", md(kind), verdict)
	t := checkTally(f)
	w.WriteString("| ❌ Errors | ⚠️ Warnings | ℹ️ Info | Checks passed | Checks failed | Checks skipped | Time |\n|---:|---:|---:|---:|---:|---:|---:|\n")
	fmt.Fprintf(w, "| %d | %d | %d | %d | %d | %d | %ss |\n\n", len(by[result.SeverityError]), len(by[result.SeverityWarning]),
		len(by[result.SeverityInfo]), t.passed, t.failed+t.errored, t.skipped, seconds(f.Duration))
	if f.Subject != "" {
		fmt.Fprintf(w, "Subject: %s · ", md(f.Subject))
	}
	fmt.Fprintf(w, "Target: %s · spotcheck %s\n", md(targetLine(f.Target)), md(opts.version(f.Version)))

	for _, sev := range severities {
		idx := by[sev]
		if len(idx) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n### %s (%d)\n", mdSeverity[sev], len(idx))
		for _, i := range idx {
			fd := f.Findings[i]
			fmt.Fprintf(w, "\n#### %s %s\n\n", mdCode(fd.ID), md(fd.Title))
			fmt.Fprintf(w, "Group: %s", md(groupName(fd.Group)))
			if fd.Check != "" {
				fmt.Fprintf(w, " · check %s", mdCode(fd.Check))
			}
			w.WriteString("\n\n")
			for _, e := range fd.Evidence {
				fmt.Fprintf(w, "- %s\n", md(e))
			}
			if len(fd.Evidence) > 0 {
				w.WriteString("\n")
			}
			if fd.Fix != "" {
				fmt.Fprintf(w, "**Fix:** %s\n", md(fd.Fix))
			}
		}
	}

	var notPassed []result.CheckOutcome
	for _, c := range f.Checks {
		if c.Status == result.StatusError || c.Status == result.StatusSkip {
			notPassed = append(notPassed, c)
		}
	}
	if len(notPassed) > 0 {
		w.WriteString("\n<details><summary>Checks not evaluated</summary>\n\n| Check | Status | Reason |\n|---|---|---|\n")
		for _, c := range notPassed {
			fmt.Fprintf(w, "| %s | %s | %s |\n", mdCode(c.ID), mdStatus[c.Status], md(c.Message))
		}
		w.WriteString("\n</details>\n")
	}
}
