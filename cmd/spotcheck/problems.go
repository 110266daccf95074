package main

import (
	"fmt"

	"github.com/spotcheck/spotcheck/checks/cisafe"
	"github.com/spotcheck/spotcheck/reports"
)

// problem is one thing wrong with an input file (a scenario, the fake's
// configuration), located, with its file:line text.
type problem struct {
	File      string
	Line, Col int
	Text      string
}

// printProblem prints one problem as one line on stderr. In a GitHub
// Actions job it is an ::error annotation instead, which the runner shows
// in the log as the same line and on the file in the pull request.
func printProblem(a *app, p problem, title string) {
	if inGitHubActions() {
		an := reports.Annotation{Level: "error", File: p.File, Line: p.Line, Col: p.Col, Title: "spotcheck: " + title, Message: oneLine(p.Text)}
		fmt.Fprintln(a.stderr, an.String())
		return
	}
	fmt.Fprintln(a.stderr, cisafe.Text(oneLine(p.Text)))
}
