package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spotcheck/spotcheck/checks/cisafe"
	"github.com/spotcheck/spotcheck/fakespotify/config"
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
func printProblem(w io.Writer, p problem, title string) {
	if inGitHubActions() {
		an := reports.Annotation{Level: "error", File: p.File, Line: p.Line, Col: p.Col, Title: "spotcheck: " + title, Message: oneLine(p.Text)}
		fmt.Fprintln(w, an.String())
		return
	}
	fmt.Fprintln(w, cisafe.Text(oneLine(p.Text)))
}

// printConfigProblems prints every problem of a fake configuration file
// that has more than one, a line each as `run --validate` prints a
// scenario's, then the count; it reports whether err was such a list.
func printConfigProblems(w io.Writer, err error) bool {
	var es config.Errors
	if !errors.As(err, &es) || len(es) < 2 {
		return false
	}
	for _, e := range es {
		printProblem(w, problem{File: e.File, Line: e.Line, Text: e.Error()}, "invalid fake configuration")
	}
	fmt.Fprintf(w, "spotcheck: %s in %s\n", plural(len(es), "problem"), cisafe.Text(es[0].File))
	return true
}
