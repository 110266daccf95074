// Package grade judges the client of a fake Spotify app by the requests it
// sent: a code exchanged twice, a missing state, a refresh token kept after
// it was rotated, a Retry-After ignored. Each rule has a stable kebab-case
// id, a severity, the evidence (requests by sequence number and time, with
// every secret as a redact.Fingerprint) and the fix.
//
// The fake (package fakespotify) feeds Run with its request log; Run never
// touches the network and takes time linear in the number of entries. The
// output has the JSON shape of spotcheck's doctor findings (checks.Finding,
// checks.CheckOutcome), so the same reports render both.
package grade

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Severity ranks findings: error, warning, info.
type Severity string

// Severities, most severe first.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

var severityRank = map[Severity]int{SeverityInfo: 1, SeverityWarning: 2, SeverityError: 3}

// AtLeast reports whether s is as severe as min or more. An unknown
// severity ranks below info.
func (s Severity) AtLeast(min Severity) bool { return severityRank[s] >= severityRank[min] }

// ParseSeverity reads "error", "warning" or "info".
func ParseSeverity(s string) (Severity, error) {
	switch v := Severity(strings.ToLower(strings.TrimSpace(s))); v {
	case SeverityError, SeverityWarning, SeverityInfo:
		return v, nil
	}
	return "", fmt.Errorf("severity %q: want error, warning or info", s)
}

// Status is the outcome of one rule.
type Status string

// Rule statuses, as checks.Status spells them.
const (
	StatusPass Status = "pass" // nothing found, or only info findings
	StatusFail Status = "fail" // a finding of severity error or warning
	StatusSkip Status = "skip" // could not be judged: no requests, nothing to judge, or turned off
)

// Finding is one problem with the client, in the JSON shape of
// checks.Finding plus the app it concerns.
type Finding struct {
	ID string `json:"id"`
	// Alias is the id's earlier spelling, for one release (Rule.Alias).
	Alias    string   `json:"alias,omitempty"`
	Severity Severity `json:"severity"`
	Group    string   `json:"group,omitempty"`
	Check    string   `json:"check,omitempty"` // the rule id
	Title    string   `json:"title"`
	Evidence []string `json:"evidence,omitempty"`
	Fix      string   `json:"fix"`
	// Exchanges are the redacted requests the evidence cites.
	Exchanges []wire.Exchange `json:"exchanges,omitempty"`

	// ClientID and App say which app's client it is about; they are not
	// part of checks.Finding and decoding into it drops them.
	ClientID string `json:"client_id,omitempty"`
	App      string `json:"app,omitempty"`
}

// Exchange is a logged request and its answer, redacted.
//
// Deprecated: it is wire.Exchange, the one exchange type; the name stays
// so that code written against fakespotify.Grade still compiles.
type Exchange = wire.Exchange

// Outcome says that a rule ran and what it concluded, in the JSON shape of
// checks.CheckOutcome, so that a JUnit report can list passing rules too.
type Outcome struct {
	ID       string        `json:"id"`
	Alias    string        `json:"alias,omitempty"` // Rule.Alias
	Group    string        `json:"group"`
	Title    string        `json:"title"`
	Status   Status        `json:"status"`
	Message  string        `json:"message,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// Window is the stretch of the request log a report judged.
type Window struct {
	From     time.Time `json:"from,omitzero"` // first request judged, on the app's clock
	To       time.Time `json:"to,omitzero"`   // last request judged
	Requests int       `json:"requests"`
	// Dropped counts requests the ring buffer overwrote before grading:
	// evidence that began before the window (a code's first use, say)
	// cannot be seen. Raise request_log or grade more often.
	Dropped uint64 `json:"dropped,omitempty"`
}

// Report is the grade of one app's client, or of several merged. Its JSON
// decodes into checks.FindingsResult (kind "grade"); ClientIDs, Apps and
// Window are extra.
type Report struct {
	Kind     string        `json:"kind"` // always "grade"
	Subject  string        `json:"subject,omitempty"`
	Started  time.Time     `json:"started"` // when grading ran, on the fake's clock
	Duration time.Duration `json:"duration_ns"`
	Checks   []Outcome     `json:"checks"`
	Findings []Finding     `json:"findings"`

	ClientIDs []string `json:"client_ids,omitempty"`
	Apps      []string `json:"apps,omitempty"`
	Window    Window   `json:"window"`
}

// Worst returns the most severe severity among the findings, or "".
func (r Report) Worst() Severity {
	worst := Severity("")
	for _, f := range r.Findings {
		if severityRank[f.Severity] > severityRank[worst] {
			worst = f.Severity
		}
	}
	return worst
}

// AtLeast returns the findings of severity min or more.
func (r Report) AtLeast(min Severity) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Severity.AtLeast(min) {
			out = append(out, f)
		}
	}
	return out
}

// Failed reports whether a finding of severity min or more exists: the
// condition on which a CI job should fail.
func (r Report) Failed(min Severity) bool { return len(r.AtLeast(min)) > 0 }

// IDs returns the distinct finding ids, sorted.
func (r Report) IDs() []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range r.Findings {
		if !seen[f.ID] {
			seen[f.ID] = true
			out = append(out, f.ID)
		}
	}
	sort.Strings(out)
	return out
}

// Text renders findings for a human: each with its id, severity, title,
// evidence and fix. It is what the Gomega matcher prints on failure.
func Text(findings []Finding) string {
	var b strings.Builder
	for i, f := range findings {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "[%s] %s: %s", f.Severity, f.ID, f.Title)
		if f.App != "" {
			fmt.Fprintf(&b, " (app %s)", f.App)
		}
		b.WriteByte('\n')
		for _, e := range f.Evidence {
			fmt.Fprintf(&b, "    evidence: %s\n", e)
		}
		fmt.Fprintf(&b, "    fix: %s\n", f.Fix)
	}
	return b.String()
}

// Merge combines the reports of several apps into one: findings in order,
// a rule failing if it failed for any app, skipped only if skipped for all.
func Merge(reports []Report, started time.Time) Report {
	out := Report{Kind: "grade", Started: started, Findings: []Finding{}}
	byID := map[string]int{}
	var msgs = map[string][]string{}
	for _, r := range reports {
		out.Duration += r.Duration
		for _, f := range r.Findings {
			if len(reports) > 1 {
				// Reports that drop the App field still say whose client it was.
				f.Evidence = append([]string{"app " + f.App}, f.Evidence...)
			}
			out.Findings = append(out.Findings, f)
		}
		out.ClientIDs = append(out.ClientIDs, r.ClientIDs...)
		out.Apps = append(out.Apps, r.Apps...)
		out.Window.Requests += r.Window.Requests
		out.Window.Dropped += r.Window.Dropped
		if !r.Window.From.IsZero() && (out.Window.From.IsZero() || r.Window.From.Before(out.Window.From)) {
			out.Window.From = r.Window.From
		}
		if r.Window.To.After(out.Window.To) {
			out.Window.To = r.Window.To
		}
		app := strings.Join(r.Apps, ", ")
		for _, c := range r.Checks {
			i, ok := byID[c.ID]
			if !ok {
				byID[c.ID] = len(out.Checks)
				out.Checks = append(out.Checks, Outcome{ID: c.ID, Alias: c.Alias, Group: c.Group, Title: c.Title, Status: c.Status})
				i = len(out.Checks) - 1
			} else {
				out.Checks[i].Status = worseStatus(out.Checks[i].Status, c.Status)
			}
			out.Checks[i].Duration += c.Duration
			if c.Message != "" {
				msgs[c.ID] = append(msgs[c.ID], app+": "+c.Message)
			}
		}
	}
	for i := range out.Checks {
		out.Checks[i].Message = strings.Join(msgs[out.Checks[i].ID], "; ")
	}
	out.Subject = subject(out.Apps)
	return out
}

// worseStatus orders fail > pass > skip: a rule that judged one app
// passes even if it had nothing to judge in another.
func worseStatus(a, b Status) Status {
	rank := map[Status]int{StatusSkip: 0, StatusPass: 1, StatusFail: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

func subject(apps []string) string {
	switch len(apps) {
	case 0:
		return "no app (no requests in the window)"
	case 1:
		return "app " + apps[0]
	}
	return fmt.Sprintf("%d apps: %s", len(apps), strings.Join(apps, ", "))
}

// Empty is the report when there is nothing to grade: every rule skipped,
// with the reason, except no-requests, which fails with it unless o skips
// it: a grade of nothing is not a pass.
func Empty(started time.Time, reason string, o Options) Report {
	out := Report{Kind: "grade", Started: started, Subject: subject(nil), Findings: []Finding{}}
	newSession(Input{Now: started}, o.WithDefaults()).judgeAll(&out, reason)
	return out
}
