package reports

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/spotcheck/spotcheck/checks/result"
)

// GitHub Actions reads workflow commands such as
// "::error file=F,title=T::message" from a step's output and shows them as
// annotations on the run and the pull request. The escaping is the one
// @actions/core uses (toolkit packages/core/src/command.ts): in the message
// % CR LF are percent-encoded; in properties also ':' and ','. Without it a
// body holding a newline could start a command of its own.
var (
	ghData     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	ghProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// Annotation is one workflow command: a level (error, warning or notice),
// where it points (a file, and a line and column in it when known), a
// title and the message.
type Annotation struct {
	Level     string
	File      string
	Line, Col int
	Title     string
	Message   string
}

// String is the command as the runner reads it, escaped.
func (a Annotation) String() string {
	var props []string
	if a.File != "" {
		props = append(props, "file="+ghProperty.Replace(a.File))
		if a.Line > 0 {
			props = append(props, "line="+strconv.Itoa(a.Line))
			if a.Col > 0 {
				props = append(props, "col="+strconv.Itoa(a.Col))
			}
		}
	}
	if a.Title != "" {
		props = append(props, "title="+ghProperty.Replace(a.Title))
	}
	cmd := "::" + a.Level
	if len(props) > 0 {
		cmd += " " + strings.Join(props, ",")
	}
	return cmd + "::" + ghData.Replace(a.Message)
}

// Annotations returns the GitHub Actions workflow commands for doc's
// failures, one per line: ::error for failed and errored scenarios, findings
// of severity error and checks that errored; ::warning and ::notice for
// warning and info findings.
func Annotations(doc Document) []string {
	var as []Annotation
	if doc.Run != nil {
		ids := scenarioIDs(doc.Run)
		for _, i := range failedFirst(doc.Run.Scenarios) {
			s := doc.Run.Scenarios[i]
			if !isFailure(s.Status) {
				continue
			}
			msg := scenarioReason(s)
			if x := firstExplanation(s); x != nil && x.Fix != "" {
				msg += "\nFix: " + x.Fix
			}
			verb := "failed"
			if s.Status == result.StatusError {
				verb = "errored"
			}
			line, col := failureAt(s)
			as = append(as, Annotation{Level: "error", File: s.File, Line: line, Col: col, Title: "spotcheck: " + ids[i] + " " + verb, Message: msg})
		}
	}
	if f := doc.Findings; f != nil {
		kind := nameOr(f.Kind, "doctor")
		for _, sev := range severities {
			for _, i := range findingsBySeverity(f.Findings)[sev] {
				fd := f.Findings[i]
				level := map[result.Severity]string{result.SeverityWarning: "warning", result.SeverityInfo: "notice"}[sev]
				if level == "" {
					level = "error"
				}
				msg := strings.Join(fd.Evidence, "\n")
				if fd.Fix != "" {
					msg = strings.TrimPrefix(msg+"\nFix: "+fd.Fix, "\n")
				}
				as = append(as, Annotation{Level: level, Title: "spotcheck " + kind + ": " + fd.ID + ": " + fd.Title, Message: nameOr(msg, fd.Title)})
			}
		}
		for _, c := range f.Checks {
			if c.Status == result.StatusError {
				as = append(as, Annotation{Level: "error", Title: "spotcheck " + kind + ": check " + c.ID + " errored", Message: nameOr(c.Message, "the check could not be evaluated")})
			}
		}
	}
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return out
}

// failureAt is where a failed scenario's annotation points: the first
// step that failed or errored, else the scenario itself.
func failureAt(s result.ScenarioResult) (line, col int) {
	for _, st := range s.Steps {
		if isFailure(st.Status) && st.Line > 0 {
			return st.Line, st.Column
		}
	}
	return s.Line, s.Column
}

// WriteAnnotations writes Annotations(doc), one per line, apart from any
// report: the commands write it to stderr, which the Actions runner reads
// for workflow commands as it reads stdout (actions/runner,
// src/Runner.Worker/Handlers/ScriptHandler.cs hands both streams to its
// command manager), so that stdout carries the report alone, whether it
// goes to the log, a file or $GITHUB_STEP_SUMMARY.
func WriteAnnotations(w io.Writer, doc Document) error {
	if err := doc.validate(); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	for _, line := range Annotations(doc) {
		bw.WriteString(line + "\n")
	}
	return bw.Flush()
}
