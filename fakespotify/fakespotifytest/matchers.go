// Package fakespotifytest holds Gomega matchers for tests that run an app
// against a fake Spotify:
//
//	Expect(srv).To(fakespotifytest.HaveNoClientFindings())
//
// It is the only package of fakespotify that imports Gomega, so that
// users who embed the fake without Gomega do not pull it in.
package fakespotifytest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/grade"
)

// Option tunes HaveNoClientFindings.
type Option func(*clientFindings)

// AtLeast sets the lowest severity that fails the match. The default is
// error, as for `spotcheck fake --fail-on`; AtLeast(grade.SeverityWarning)
// also fails on warnings, AtLeast(grade.SeverityInfo) on any finding.
func AtLeast(min grade.Severity) Option { return func(m *clientFindings) { m.min = min } }

// ForClient grades one app (a client id or an app name) instead of every
// app that sent requests. An app the fake does not know is an error, so
// that a typo cannot make the match pass with nothing graded.
func ForClient(idOrName string) Option { return func(m *clientFindings) { m.client = idOrName } }

// Ignoring leaves rules out: they are not run on a fake, and their
// findings are dropped from a Grade given as the actual value.
func Ignoring(ruleIDs ...string) Option {
	return func(m *clientFindings) { m.opts.Skip = append(m.opts.Skip, ruleIDs...) }
}

// WithGradeOptions grades a fake with these options (thresholds, rules to
// skip) instead of its own.
func WithGradeOptions(o fakespotify.GradeOptions) Option {
	return func(m *clientFindings) {
		skip := m.opts.Skip
		m.opts = o
		m.opts.Skip = append(append([]string(nil), o.Skip...), skip...)
		m.own = true
	}
}

// HaveNoClientFindings succeeds when grading the clients of a fake finds
// nothing at or above the severity (default error). The actual value is a
// *fakespotify.Server, a *fakespotify.Fake (graded now, every app unless
// ForClient says which) or a fakespotify.Grade already taken. On failure
// it lists each finding's id, title, evidence and fix. A window without
// requests has no findings and passes: check Grade.Window.Requests where
// the app must have been exercised.
func HaveNoClientFindings(opts ...Option) types.GomegaMatcher {
	m := &clientFindings{min: grade.SeverityError}
	for _, o := range opts {
		o(m)
	}
	return m
}

type clientFindings struct {
	min    grade.Severity
	client string
	opts   fakespotify.GradeOptions
	own    bool // opts replace the fake's own options

	graded  fakespotify.Grade
	failing []grade.Finding
	below   int
}

func (m *clientFindings) Match(actual any) (bool, error) {
	if _, err := grade.ParseSeverity(string(m.min)); err != nil {
		return false, fmt.Errorf("HaveNoClientFindings: AtLeast: %w", err)
	}
	var f *fakespotify.Fake
	switch a := actual.(type) {
	case *fakespotify.Server:
		if a == nil {
			return false, fmt.Errorf("HaveNoClientFindings: got a nil *fakespotify.Server")
		}
		f = a.Fake
	case *fakespotify.Fake:
		if a == nil {
			return false, fmt.Errorf("HaveNoClientFindings: got a nil *fakespotify.Fake")
		}
		f = a
	case fakespotify.Grade:
		m.graded = a
	case *fakespotify.Grade:
		if a == nil {
			return false, fmt.Errorf("HaveNoClientFindings: got a nil *fakespotify.Grade")
		}
		m.graded = *a
	default:
		return false, fmt.Errorf("HaveNoClientFindings expects a *fakespotify.Server, *fakespotify.Fake or fakespotify.Grade, got %T", actual)
	}
	if f != nil {
		if m.client != "" {
			if _, ok := f.App(m.client); !ok {
				return false, fmt.Errorf("HaveNoClientFindings: ForClient(%q): the fake has no app with that client id or name", m.client)
			}
		}
		opts := m.opts
		if !m.own {
			// The fake's own options, plus what Ignoring added.
			opts = f.GradeOptions()
			opts.Skip = append(opts.Skip, m.opts.Skip...)
		}
		if err := opts.Validate(); err != nil {
			return false, fmt.Errorf("HaveNoClientFindings: %w", err)
		}
		m.graded = f.GradeWith(m.client, opts)
	}
	m.failing, m.below = nil, 0
	for _, fd := range m.graded.Findings {
		switch {
		case slices.Contains(m.opts.Skip, fd.ID):
		case f == nil && m.client != "" && fd.ClientID != m.client && !strings.HasPrefix(fd.App, m.client+" ("):
		case fd.Severity.AtLeast(m.min):
			m.failing = append(m.failing, fd)
		default:
			m.below++
		}
	}
	return len(m.failing) == 0, nil
}

func (m *clientFindings) subject() string {
	s := "the fake's clients"
	switch n := len(m.graded.Apps); {
	case n == 1:
		s = "the client of " + m.graded.Subject
	case n > 1:
		s = "the clients of " + m.graded.Subject
	}
	if w := m.graded.Window; w.Requests > 0 {
		s += fmt.Sprintf(" (%d requests graded)", w.Requests)
	}
	return s
}

func (m *clientFindings) FailureMessage(any) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Expected %s to have no findings at or above %s, but grading found %d:\n\n",
		m.subject(), m.min, len(m.failing))
	for _, line := range strings.Split(strings.TrimRight(grade.Text(m.failing), "\n"), "\n") {
		b.WriteString("  " + line + "\n")
	}
	if m.below > 0 {
		fmt.Fprintf(&b, "\n(and %d below %s, not counted)\n", m.below, m.min)
	}
	return b.String()
}

func (m *clientFindings) NegatedFailureMessage(any) string {
	return fmt.Sprintf("Expected %s to have findings at or above %s, but grading found none", m.subject(), m.min)
}
