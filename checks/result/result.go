// Package result holds what a run, a doctor or a grade produced: the
// types reports render and the JSON report schema describes. It is apart
// from package checks, the engine, so that rendering a report does not
// link the engine's browser driver (rod) and HTTP machinery.
package result

import (
	"io/fs"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/grade"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Status is the outcome of a step or a scenario.
type Status string

const (
	StatusPass  Status = "pass"
	StatusFail  Status = "fail"  // an expectation did not hold
	StatusSkip  Status = "skip"  // not run: wrong target, missing requirement, earlier failure
	StatusError Status = "error" // could not be evaluated: transport error, bad reference
)

// Severity ranks findings (doctor, grade) and explanations. It is the
// grader's type, so that one ranking serves a grade and every other result.
type Severity = grade.Severity

const (
	SeverityError   = grade.SeverityError
	SeverityWarning = grade.SeverityWarning
	SeverityInfo    = grade.SeverityInfo
)

// Finding is one problem found by the doctor or by grading a client, with a
// stable kebab-case ID. Evidence is already redacted.
type Finding struct {
	ID string `json:"id"`
	// Alias is the id's earlier spelling, kept for one release where a
	// grader id took the catalog's (grade.Rule.Alias).
	Alias    string   `json:"alias,omitempty"`
	Severity Severity `json:"severity"`
	Group    string   `json:"group,omitempty"` // e.g. credentials, redirect-uris, scopes
	Check    string   `json:"check,omitempty"` // the CheckOutcome.ID that produced it
	Title    string   `json:"title"`
	Evidence []string `json:"evidence,omitempty"`
	Fix      string   `json:"fix"`
	// Exchanges are the redacted HTTP exchanges that show the problem.
	Exchanges []wire.Exchange `json:"exchanges,omitempty"`
}

// Expectation is one checked assertion of a step: what the scenario wanted
// and what the target did.
type Expectation struct {
	Name     string `json:"name"` // e.g. "status", "error_description", "refresh_token rotated"
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
	Passed   bool   `json:"passed"`
}

// Explanation is the catalog's reading of an error a step received: the
// same knowledge base `spotcheck explain` uses.
type Explanation struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	Causes []string `json:"causes,omitempty"` // most likely first
	Fix    string   `json:"fix"`
	Ask    []string `json:"ask,omitempty"`   // questions support staff should ask the user
	Check  []string `json:"check,omitempty"` // what the developer looks up in the app's dashboard
	// Library is the client library Fix and Causes are worded for, when
	// the evidence names one (golang.org/x/oauth2's auth-style retry).
	Library  string `json:"library,omitempty"`
	Since    string `json:"since,omitempty"`
	Evidence string `json:"evidence,omitempty"` // the text that matched, redacted
	// Confidence is the catalog's, 0..1; Cause names the cause the
	// evidence points at, when it singles one out; Findings are what a
	// comparison across requests showed (e.g. the two redirect URIs).
	Confidence float64  `json:"confidence,omitempty"`
	Cause      string   `json:"cause,omitempty"`
	Findings   []string `json:"findings,omitempty"`
}

// Screenshot is a PNG the browser driver took of a page it acted on.
type Screenshot struct {
	Name     string `json:"name"`
	URL      string `json:"url"` // redacted
	PNG      []byte `json:"png"`
	PageText string `json:"page_text,omitempty"` // redacted visible text
}

// StepResult is the outcome of one scenario step.
type StepResult struct {
	Name         string          `json:"name"`
	Action       string          `json:"action"`
	Status       Status          `json:"status"`
	Message      string          `json:"message,omitempty"` // why it failed, errored or was skipped
	Expectations []Expectation   `json:"expectations,omitempty"`
	Exchanges    []wire.Exchange `json:"exchanges,omitempty"`
	Screenshots  []Screenshot    `json:"screenshots,omitempty"`
	Explanation  *Explanation    `json:"explanation,omitempty"`
	Duration     time.Duration   `json:"duration_ns"`
	// Line and Column are where the step is written in its scenario
	// file (0 when it is not from a file).
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

// ScenarioResult is the outcome of one scenario.
type ScenarioResult struct {
	Name        string        `json:"name"`
	File        string        `json:"file"`
	Description string        `json:"description,omitempty"`
	Tags        []string      `json:"tags,omitempty"`
	Status      Status        `json:"status"`
	Message     string        `json:"message,omitempty"` // skip reason or first failure
	Steps       []StepResult  `json:"steps"`
	Duration    time.Duration `json:"duration_ns"`
	// Line and Column are where the scenario starts in File (0 when it
	// is not from a file), for annotations that point at it.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

// TargetInfo says where a run sent its requests.
type TargetInfo struct {
	Name        string `json:"name"` // "fake", "spotify" or a URL
	AccountsURL string `json:"accounts_url"`
	APIURL      string `json:"api_url"`
}

// RunResult is everything one `spotcheck run` produced.
type RunResult struct {
	Version   string           `json:"version"`
	Target    TargetInfo       `json:"target"`
	Started   time.Time        `json:"started"`
	Duration  time.Duration    `json:"duration_ns"`
	Scenarios []ScenarioResult `json:"scenarios"`
}

// Counts tallies scenarios by status.
func (r RunResult) Counts() (passed, failed, skipped, errored int) {
	for _, s := range r.Scenarios {
		switch s.Status {
		case StatusPass:
			passed++
		case StatusFail:
			failed++
		case StatusSkip:
			skipped++
		case StatusError:
			errored++
		}
	}
	return
}

// CheckOutcome is one doctor check (or grading rule) that ran, whether or
// not it found anything, so that reports can list what passed too.
type CheckOutcome struct {
	ID       string        `json:"id"`
	Alias    string        `json:"alias,omitempty"` // as Finding.Alias
	Group    string        `json:"group"`
	Title    string        `json:"title"`
	Status   Status        `json:"status"` // pass, fail (has findings of severity error or warning), skip, error
	Message  string        `json:"message,omitempty"`
	Details  []string      `json:"details,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// FindingsResult is what `spotcheck doctor` and `spotcheck grade` produce.
type FindingsResult struct {
	Kind     string         `json:"kind"` // "doctor" or "grade"
	Version  string         `json:"version"`
	Target   TargetInfo     `json:"target"`
	Subject  string         `json:"subject,omitempty"` // what was examined, e.g. an app name or a fingerprinted client id
	Started  time.Time      `json:"started"`
	Duration time.Duration  `json:"duration_ns"`
	Checks   []CheckOutcome `json:"checks"`
	Findings []Finding      `json:"findings"`
}

// Worst returns the most severe severity among the findings, or "" if none.
func (r FindingsResult) Worst() Severity {
	worst := Severity("")
	for _, f := range r.Findings {
		if !worst.AtLeast(f.Severity) {
			worst = f.Severity
		}
	}
	return worst
}

// GradeResult is a fake's grade as the FindingsResult that reports render:
// field for field, as the grade's JSON decodes into one (the app a
// finding concerns, which FindingsResult has no place for, is dropped).
func GradeResult(g grade.Report) FindingsResult {
	res := FindingsResult{Kind: g.Kind, Subject: g.Subject, Started: g.Started, Duration: g.Duration}
	if g.Checks != nil { // nil and empty stay apart, as in JSON
		res.Checks = make([]CheckOutcome, len(g.Checks))
	}
	if g.Findings != nil {
		res.Findings = make([]Finding, len(g.Findings))
	}
	for i, o := range g.Checks {
		res.Checks[i] = CheckOutcome{ID: o.ID, Alias: o.Alias, Group: o.Group, Title: o.Title, Status: Status(o.Status), Message: o.Message, Duration: o.Duration}
	}
	for i, f := range g.Findings {
		res.Findings[i] = Finding{ID: f.ID, Alias: f.Alias, Severity: Severity(f.Severity), Group: f.Group, Check: f.Check, Title: f.Title,
			Evidence: f.Evidence, Fix: f.Fix, Exchanges: f.Exchanges}
	}
	return res
}

// FileKind names what a file mode says a file is ("a FIFO", "a
// directory"), for messages about a path that is not the regular file a
// command expected.
func FileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsRegular():
		return "a regular file"
	}
	return "a special file"
}
