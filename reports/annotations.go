package reports

import (
	"bufio"
	"io"
	"strings"

	"github.com/spotcheck/spotcheck/checks"
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

type annotation struct {
	level   string // error, warning or notice
	file    string
	title   string
	message string
}

func (a annotation) String() string {
	var props []string
	if a.file != "" {
		props = append(props, "file="+ghProperty.Replace(a.file))
	}
	if a.title != "" {
		props = append(props, "title="+ghProperty.Replace(a.title))
	}
	cmd := "::" + a.level
	if len(props) > 0 {
		cmd += " " + strings.Join(props, ",")
	}
	return cmd + "::" + ghData.Replace(a.message)
}

// Annotations returns the GitHub Actions workflow commands for doc's
// failures, one per line: ::error for failed and errored scenarios, findings
// of severity error and checks that errored; ::warning and ::notice for
// warning and info findings.
func Annotations(doc Document) []string {
	var as []annotation
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
			if s.Status == checks.StatusError {
				verb = "errored"
			}
			as = append(as, annotation{"error", s.File, "spotcheck: " + ids[i] + " " + verb, msg})
		}
	}
	if f := doc.Findings; f != nil {
		kind := nameOr(f.Kind, "doctor")
		for _, sev := range severities {
			for _, i := range findingsBySeverity(f.Findings)[sev] {
				fd := f.Findings[i]
				level := map[checks.Severity]string{checks.SeverityWarning: "warning", checks.SeverityInfo: "notice"}[sev]
				if level == "" {
					level = "error"
				}
				msg := strings.Join(fd.Evidence, "\n")
				if fd.Fix != "" {
					msg = strings.TrimPrefix(msg+"\nFix: "+fd.Fix, "\n")
				}
				as = append(as, annotation{level, "", "spotcheck " + kind + ": " + fd.ID + ": " + fd.Title, nameOr(msg, fd.Title)})
			}
		}
		for _, c := range f.Checks {
			if c.Status == checks.StatusError {
				as = append(as, annotation{"error", "", "spotcheck " + kind + ": check " + c.ID + " errored", nameOr(c.Message, "the check could not be evaluated")})
			}
		}
	}
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return out
}

// WriteAnnotations writes Annotations(doc), one per line. Commands write
// it to stderr when stdout carries a format the runner must not mix with
// commands (JSON, JUnit, HTML); the runner reads both streams.
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
