package grade

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/analyze"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Options tune the rules. The zero value is the documented defaults.
type Options struct {
	// LateExchange is how long after its issue a code may be exchanged
	// before code-exchanged-late warns. Default 60 s: a working callback
	// exchanges within a second or two; Spotify's hard limit is ~10 min.
	LateExchange time.Duration `json:"late_exchange,omitempty"`
	// EarlyRefresh is the fraction of an access token's life that must be
	// used up before refreshing it is not a refresh storm. Default 0.5:
	// refreshing while more than half of the hour is left is early.
	EarlyRefresh float64 `json:"early_refresh,omitempty"`
	// RefreshesPerMinute is how many refreshes of one grant (one refresh
	// token and its rotated successors) within any 60 s are allowed.
	// Default 5.
	RefreshesPerMinute int `json:"refreshes_per_minute,omitempty"`
	// Skip lists rule ids not to run: they are reported as skipped.
	Skip []string `json:"skip,omitempty"`
	// MaxEvidence caps the evidence lines and exchanges of one finding.
	// Default 10; the last line then says how many more there were.
	MaxEvidence int `json:"max_evidence,omitempty"`
}

// Defaults for Options.
const (
	DefaultLateExchange       = 60 * time.Second
	DefaultEarlyRefresh       = 0.5
	DefaultRefreshesPerMinute = 5
	DefaultMaxEvidence        = 10
	// DefaultCodeLifetime is Spotify's ~10 minutes, used when Input does
	// not give the fake's.
	DefaultCodeLifetime = 10 * time.Minute
)

// WithDefaults returns o with every zero field set to its default.
func (o Options) WithDefaults() Options {
	if o.LateExchange <= 0 {
		o.LateExchange = DefaultLateExchange
	}
	if o.EarlyRefresh <= 0 || o.EarlyRefresh > 1 {
		o.EarlyRefresh = DefaultEarlyRefresh
	}
	if o.RefreshesPerMinute <= 0 {
		o.RefreshesPerMinute = DefaultRefreshesPerMinute
	}
	if o.MaxEvidence <= 0 {
		o.MaxEvidence = DefaultMaxEvidence
	}
	return o
}

// Validate reports an unknown rule id in Skip.
func (o Options) Validate() error {
	for _, id := range o.Skip {
		if _, ok := ruleByID[id]; !ok && aliases[id] == "" {
			return fmt.Errorf("skip: no rule %q (rules: %s)", id, strings.Join(RuleIDs(), ", "))
		}
	}
	return nil
}

// Input is what Run judges: one app's requests, oldest first.
type Input struct {
	ClientID string
	App      string // the app's name, for the subject and evidence
	Entries  []Entry
	Dropped  uint64    // requests the log overwrote before these
	Now      time.Time // when grading runs, on the fake's clock
	// CodeLifetime is how long the fake's codes live (default 10 min).
	CodeLifetime time.Duration
	Oracle       Oracle // may be nil
	Options      Options
}

// Rule is one client rule.
type Rule struct {
	ID string
	// Alias is the id's spelling before it took the catalog's (one
	// release): Skip accepts it, and findings and outcomes carry it.
	Alias string
	Group string // authorize, token, refresh, api, scopes
	Title string // what the rule checks, as a JUnit test case reads
	// Severity is the most severe finding the rule reports; some report
	// a milder one for a milder form of the mistake.
	Severity Severity
	// Fix is the general fix; each finding carries one for its case.
	Fix   string
	check func(*session) result
	// judgesEmpty marks the rule that runs on an empty window; every
	// other rule is skipped there.
	judgesEmpty bool
}

// result is what a rule's check concluded: findings, or why it could not
// judge (skip), and a note for the outcome either way.
type result struct {
	findings []Finding
	skip     string
	note     string
}

// Rules returns every rule, in the order they run and reports list them.
func Rules() []Rule { return slices.Clone(rules) }

// RuleIDs returns the ids of every rule, in order.
func RuleIDs() []string {
	ids := make([]string, len(rules))
	for i, r := range rules {
		ids[i] = r.ID
	}
	return ids
}

var ruleByID = map[string]*Rule{}

// aliases maps a rule's old id to its id.
var aliases = map[string]string{}

func init() {
	for i := range rules {
		ruleByID[rules[i].ID] = &rules[i]
		if rules[i].Alias != "" {
			aliases[rules[i].Alias] = rules[i].ID
		}
	}
}

// skipped reports whether Skip names a rule, by its id or its alias.
func (o Options) skipped(r *Rule) bool {
	return slices.Contains(o.Skip, r.ID) || r.Alias != "" && slices.Contains(o.Skip, r.Alias)
}

// Run grades one app's client.
func Run(in Input) Report {
	opts := in.Options.WithDefaults()
	if in.CodeLifetime <= 0 {
		in.CodeLifetime = DefaultCodeLifetime
	}
	s := newSession(in, opts)
	rep := Report{Kind: "grade", Started: in.Now, Findings: []Finding{}, Window: s.window}
	if in.ClientID != "" {
		rep.ClientIDs = []string{in.ClientID}
	}
	name := s.appName()
	rep.Apps = []string{name}
	rep.Subject = subject(rep.Apps)
	s.judgeAll(&rep, "no requests from this app in the window")
	return rep
}

// judgeAll runs every rule into rep; on an empty window only the rules
// that judge emptiness run, the others are skipped for emptyReason.
func (s *session) judgeAll(rep *Report, emptyReason string) {
	t0 := time.Now()
	s.emptyReason = emptyReason
	name := s.appName()
	for i := range rules {
		rule := &rules[i]
		out := Outcome{ID: rule.ID, Alias: rule.Alias, Group: rule.Group, Title: rule.Title}
		r0 := time.Now()
		switch {
		case s.opts.skipped(rule):
			out.Status, out.Message = StatusSkip, "turned off (skip)"
		case len(s.reqs) == 0 && !rule.judgesEmpty:
			out.Status, out.Message = StatusSkip, emptyReason
		default:
			res := rule.check(s)
			findings := res.findings
			out.Status, out.Message = StatusPass, res.note
			switch {
			case res.skip != "" && len(findings) == 0:
				out.Status, out.Message = StatusSkip, res.skip
			case len(findings) > 0:
				infos := 0
				for j := range findings {
					findings[j].Check, findings[j].Group = rule.ID, rule.Group
					if findings[j].ID == "" {
						findings[j].ID, findings[j].Alias = rule.ID, rule.Alias
					}
					findings[j].ClientID, findings[j].App = s.in.ClientID, name
					if findings[j].Severity == SeverityInfo {
						infos++
					}
				}
				if infos < len(findings) {
					out.Status = StatusFail
				} else if out.Message == "" {
					out.Message = fmt.Sprintf("%d info finding(s)", infos)
				}
				rep.Findings = append(rep.Findings, findings...)
			}
		}
		out.Duration = time.Since(r0)
		rep.Checks = append(rep.Checks, out)
	}
	rep.Duration = time.Since(t0)
}

// session is the parsed log and the facts every rule shares.
type session struct {
	in     Input
	opts   Options
	reqs   []*req
	layout string
	window Window

	// codes maps a code to the request that issued it (an authorize or
	// consent answer).
	codes map[string]*req
	// emptyReason says why the window is empty, for the rule that judges it.
	emptyReason string
	// flow is the window as analyze reads it; reqOf maps the indexes its
	// findings cite (the order exchanges were added in) to the requests.
	flow  *analyze.Flow
	reqOf []*req
	// found holds analyze's findings by id, once a rule asks (found).
	findings map[analyze.ID][]analyze.Finding
}

func newSession(in Input, opts Options) *session {
	s := &session{in: in, opts: opts, codes: map[string]*req{}}
	for i := range in.Entries {
		e := &in.Entries[i]
		switch e.Endpoint {
		case wire.EndpointAuthorize, wire.EndpointLogin, wire.EndpointConsent, wire.EndpointToken, wire.EndpointAPI:
		default:
			continue
		}
		s.reqs = append(s.reqs, parse(e))
	}
	s.read()
	s.window = Window{Requests: len(s.reqs), Dropped: in.Dropped}
	s.layout = "15:04:05"
	if len(s.reqs) > 0 {
		first, last := s.reqs[0].Time.UTC(), s.reqs[len(s.reqs)-1].Time.UTC()
		s.window.From, s.window.To = s.reqs[0].Time, s.reqs[len(s.reqs)-1].Time
		if first.YearDay() != last.YearDay() || first.Year() != last.Year() {
			s.layout = "2006-01-02 15:04:05"
		}
	}
	return s
}

func (s *session) appName() string {
	switch {
	case s.in.App != "" && s.in.ClientID != "":
		return s.in.App + " (client id " + s.in.ClientID + ")"
	case s.in.App != "":
		return s.in.App
	}
	return s.in.ClientID
}

// at is "seq 12 at 12:00:03 POST /api/token": how evidence names a request.
func (s *session) at(r *req) string {
	return fmt.Sprintf("seq %d at %s %s %s", r.Seq, r.Time.UTC().Format(s.layout), r.Method, r.Path)
}

// clock formats a time as the evidence does.
func (s *session) clock(t time.Time) string { return t.UTC().Format(s.layout) }

// fp is how a secret appears in evidence.
func fp(v string) string { return redact.Fingerprint(v) }

// answer is a short account of the response: `400 invalid_grant "Invalid
// authorization code"`, or just the status.
func answer(r *req) string {
	out := fmt.Sprintf("answered %d", r.Status)
	if r.Injected {
		out += " (injected)"
	}
	e, d := oauthError(r)
	if e != "" {
		out += " " + e
	}
	if d != "" {
		out += fmt.Sprintf(" %q", d)
	}
	return out
}

// since is a duration as evidence shows it: "90s", "1.5s", "2h0m0s".
func since(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// finding assembles a finding from evidence lines and the requests they
// cite, capped at MaxEvidence.
func (s *session) finding(sev Severity, title, fix string, evidence []string, cited []*req) Finding {
	f := Finding{Severity: sev, Title: title, Fix: fix}
	max := s.opts.MaxEvidence
	if len(evidence) > max {
		more := len(evidence) - max + 1
		evidence = append(evidence[:max-1:max-1], fmt.Sprintf("… and %d more like these", more))
	}
	f.Evidence = evidence
	seen := map[uint64]bool{}
	for _, r := range cited {
		if r == nil || seen[r.Seq] || r.Exchange == nil {
			continue
		}
		if len(f.Exchanges) == max {
			break
		}
		seen[r.Seq] = true
		f.Exchanges = append(f.Exchanges, r.Exchange())
	}
	slices.SortFunc(f.Exchanges, func(a, b Exchange) int { return a.Seq - b.Seq })
	return f
}
