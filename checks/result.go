// Package checks is spotcheck's engine: targets, the recording HTTP client,
// scenario steps and the runner. Its sub-packages hold the browser driver
// (browser), the error catalog behind `spotcheck explain` (explain), the
// app doctor (doctor) and the result types reports render (result).
package checks

import (
	"io/fs"

	"github.com/spotcheck/spotcheck/checks/result"
	"github.com/spotcheck/spotcheck/fakespotify/grade"
)

// The result types are package result's, so that reports render them
// without linking the engine; these names are the same types, for the
// engine and its callers.
type (
	Status         = result.Status
	Severity       = result.Severity
	Finding        = result.Finding
	Expectation    = result.Expectation
	Explanation    = result.Explanation
	Screenshot     = result.Screenshot
	StepResult     = result.StepResult
	ScenarioResult = result.ScenarioResult
	TargetInfo     = result.TargetInfo
	RunResult      = result.RunResult
	CheckOutcome   = result.CheckOutcome
	FindingsResult = result.FindingsResult
)

// Statuses and severities, as package result spells them.
const (
	StatusPass  = result.StatusPass
	StatusFail  = result.StatusFail
	StatusSkip  = result.StatusSkip
	StatusError = result.StatusError

	SeverityError   = result.SeverityError
	SeverityWarning = result.SeverityWarning
	SeverityInfo    = result.SeverityInfo
)

// GradeResult is result.GradeResult.
func GradeResult(g grade.Report) FindingsResult { return result.GradeResult(g) }

// FileKind is result.FileKind.
func FileKind(m fs.FileMode) string { return result.FileKind(m) }
