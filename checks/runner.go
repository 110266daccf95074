package checks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spotcheck/spotcheck/checks/browser"
	"github.com/spotcheck/spotcheck/checks/explain"
	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
	"github.com/spotcheck/spotcheck/scenarios"
)

// RunOptions shape a run of scenarios. The zero value runs every scenario
// given, runtime.NumCPU() at a time, without a browser.
type RunOptions struct {
	// Parallel is how many scenarios run at once; 0 means
	// runtime.NumCPU(). Results come in the input order whatever it is.
	Parallel int
	// Tags keeps only the scenarios that have at least one of these tags
	// and none of those written with a leading "!" (see SelectTags); empty
	// keeps all. The others are left out of the result, not skipped.
	Tags []string
	// Browser drives consent steps: one browser for the run, an incognito
	// session per scenario. Nil: scenarios that require the browser are
	// skipped, with the reason. Launch it with browser.LaunchWith and
	// AllowNetwork for target spotify.
	Browser *browser.Browser
	// Credentials are the app and the test account on target spotify
	// (ResolveCredentials). Ignored on a fake, whose apps are cloned.
	Credentials *Credentials
	// FakeConfig describes a fake that runs at a URL: its users (who logs
	// in on the consent page, with which password), its default user and,
	// when it has no control API, its apps. Default: the embedded fake's
	// own configuration, else the built-in one.
	FakeConfig *config.Config
	// Catalog explains the errors of failing steps; nil means
	// explain.Default().
	Catalog *explain.Catalog
	// Version is recorded in the result.
	Version string
	// RequestTimeout bounds each exchange (DefaultRequestTimeout if zero).
	RequestTimeout time.Duration
	// ConsentTimeout bounds each consent step (browser.DefaultTimeout if
	// zero).
	ConsentTimeout time.Duration
	// OnStart and OnDone, when set, are called as each scenario starts and
	// finishes (index into the result, in the order things happen; never
	// two calls at once), for progress displays.
	OnStart func(index int, s *scenarios.Scenario)
	OnDone  func(index int, r ScenarioResult)
}

// SelectTags returns the scenarios that have at least one of tags and
// none of the tags written "!tag", in order: ["pkce", "!browser"] is the
// PKCE scenarios that need no browser, ["!browser"] every scenario but
// those. All of them when tags is empty.
func SelectTags(list []*scenarios.Scenario, tags []string) []*scenarios.Scenario {
	if len(tags) == 0 {
		return list
	}
	var include, exclude []string
	for _, t := range tags {
		if name, ok := strings.CutPrefix(t, "!"); ok {
			exclude = append(exclude, name)
		} else {
			include = append(include, t)
		}
	}
	var out []*scenarios.Scenario
	for _, s := range list {
		has := func(t string) bool { return slices.Contains(s.Tags, t) }
		if (len(include) == 0 || slices.ContainsFunc(include, has)) && !slices.ContainsFunc(exclude, has) {
			out = append(out, s)
		}
	}
	return out
}

// UnknownTags returns the tags (included or "!"-excluded) that no scenario
// of list has, without the "!", so that a typo in --tags is an error
// rather than an empty or a complete run.
func UnknownTags(list []*scenarios.Scenario, tags []string) []string {
	known := map[string]bool{}
	for _, s := range list {
		for _, t := range s.Tags {
			known[t] = true
		}
	}
	var out []string
	for _, t := range tags {
		if t = strings.TrimPrefix(t, "!"); !known[t] {
			out = append(out, t)
		}
	}
	return out
}

// SkipReason says why Run would skip s on t with o, or "" when it would
// run it.
func SkipReason(s *scenarios.Scenario, t *Target, o RunOptions) string {
	return skipReason(s, t, o, false)
}

// NeedsBrowser reports whether any scenario Run would select needs the
// browser and would otherwise run, so that a caller launches Chromium only
// then (and can say how to install it when it is missing).
func NeedsBrowser(list []*scenarios.Scenario, t *Target, o RunOptions) bool {
	for _, s := range SelectTags(list, o.Tags) {
		if s.NeedsBrowser() && skipReason(s, t, o, true) == "" {
			return true
		}
	}
	return false
}

func skipReason(s *scenarios.Scenario, t *Target, o RunOptions, ignoreBrowser bool) string {
	onSpotify := t.Kind == TargetSpotify
	want := scenarios.TargetFake
	if onSpotify {
		want = scenarios.TargetSpotify
	}
	if !s.RunsOn(want) {
		return fmt.Sprintf("runs on %s only; this run targets %s", targetList(s.Targets), want)
	}
	if onSpotify {
		if p := nonDefaultPolicies(s); p != "" {
			return "requires " + p + ", which only the fake can switch"
		}
		if needsControlAPI(s) {
			return "drives the fake's control API (/_spotcheck/), which real Spotify does not have"
		}
	} else if t.Control == nil && s.NeedsControl() {
		return "needs the fake's control API (/_spotcheck/), which this fake has turned off (--no-control)"
	}
	if !s.NeedsBrowser() {
		return ""
	}
	if onSpotify {
		c := o.Credentials
		if c == nil || c.TestUsername.Value == "" || c.TestPassword.Value == "" {
			return "logs in on Spotify's consent pages as the test account: set " + EnvTestUsername + " and " + EnvTestPassword
		}
	}
	if o.Browser == nil && !ignoreBrowser {
		return "requires the browser (Chromium), and this run has none"
	}
	return ""
}

func targetList(ts []scenarios.Target) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = string(t)
	}
	return strings.Join(parts, ", ")
}

// needsControlAPI is NeedsControl without the policy requirements: on
// spotify a requirement of a default policy is what Spotify does anyway.
func needsControlAPI(s *scenarios.Scenario) bool {
	for _, r := range s.Requires {
		if r.Kind == scenarios.RequireControl {
			return true
		}
	}
	for _, st := range s.Steps {
		if a := st.Action(); a != nil && a.Kind().FakeOnly() {
			return true
		}
	}
	return false
}

func nonDefaultPolicies(s *scenarios.Scenario) string {
	p := s.Policies()
	var out []string
	for _, pol := range wire.Policies {
		if v := p.Get(pol.Name); v != "" && v != pol.Default() {
			out = append(out, "policy:"+pol.Name+"="+v)
		}
	}
	return strings.Join(out, ", ")
}

// Run runs the scenarios against t and returns their results in the input
// order (after SelectTags), whatever order they finished in.
//
// Each scenario runs with its own state. On a fake with the control API
// it gets clones of the apps it uses (fresh client ids, with the consent
// mode and policies it needs), deleted again afterwards, so that scenarios
// running in parallel share no grants, clocks, policies or faults. Each
// has its own recording client (its transcript and secret set) and, for
// consent steps, its own incognito browser session.
//
// The error is nil unless the run could not be completed: when an exchange
// found the target unreachable (errors.Is(err, ErrUnreachable)) the
// scenarios not yet started are skipped and the run stops; when ctx ends,
// the same. The result is complete either way.
func Run(ctx context.Context, list []*scenarios.Scenario, t *Target, o RunOptions) (RunResult, error) {
	sel := SelectTags(list, o.Tags)
	res := RunResult{Version: o.Version, Target: t.Info(), Started: time.Now(), Scenarios: make([]ScenarioResult, len(sel))}
	r := newRunner(t, o)
	defer r.close()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	parallel := o.Parallel
	if parallel <= 0 {
		parallel = runtime.NumCPU()
	}
	var (
		mu   sync.Mutex // serialises the callbacks
		wg   sync.WaitGroup
		jobs = make(chan int)
	)
	for range min(parallel, len(sel)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				s := sel[i]
				if ctx.Err() != nil {
					res.Scenarios[i] = notRun(s, context.Cause(ctx))
				} else {
					if o.OnStart != nil {
						mu.Lock()
						o.OnStart(i, s)
						mu.Unlock()
					}
					var err error
					res.Scenarios[i], err = r.scenario(ctx, s)
					if err != nil {
						cancel(err)
					}
				}
				if o.OnDone != nil {
					mu.Lock()
					o.OnDone(i, res.Scenarios[i])
					mu.Unlock()
				}
			}
		}()
	}
	for i := range sel {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	res.Duration = time.Since(res.Started)
	return res, context.Cause(ctx)
}

// notRun is the result of a scenario the run stopped before.
func notRun(s *scenarios.Scenario, cause error) ScenarioResult {
	r := scenarioResult(s)
	r.Status = StatusSkip
	r.Message = "not run: " + stopReason(cause)
	return r
}

func stopReason(cause error) string {
	var te *TransportError
	switch {
	case errors.As(cause, &te):
		return "the target became unreachable (" + te.Error() + ")"
	case errors.Is(cause, context.Canceled):
		return "the run was canceled"
	case errors.Is(cause, context.DeadlineExceeded):
		return "the run timed out"
	case cause != nil:
		return cause.Error()
	}
	return "the run stopped"
}

func scenarioResult(s *scenarios.Scenario) ScenarioResult {
	return ScenarioResult{Name: s.Name, File: s.Pos.File, Line: s.Pos.Line, Column: s.Pos.Column, Description: s.Description, Tags: s.Tags, Steps: []StepResult{}}
}

// runner is what the scenarios of one run share.
type runner struct {
	t         *Target
	o         RunOptions
	cat       *explain.Catalog
	cfg       *config.Config // users, default user, apps without control
	transport *http.Transport
	apiBase   string
	passwords []string
}

func newRunner(t *Target, o RunOptions) *runner {
	r := &runner{t: t, o: o, cat: o.Catalog, cfg: o.FakeConfig}
	if r.cat == nil {
		r.cat = explain.Default()
	}
	if t.Config != nil && r.cfg == nil {
		r.cfg = t.Config
	}
	if r.cfg == nil {
		r.cfg = fakespotify.DefaultConfig()
	}
	for _, u := range r.cfg.Users {
		if u.Password != "" {
			r.passwords = append(r.passwords, u.Password)
		}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// The transcript shows what came over the wire, not what net/http
	// decoded behind our back.
	tr.DisableCompression = true
	tr.MaxIdleConnsPerHost = 64
	r.transport = tr
	r.apiBase = t.APIBase()
	return r
}

func (r *runner) close() { r.transport.CloseIdleConnections() }

// defaultUser is the fake user a scenario without one authorizes as.
func (r *runner) defaultUser() string {
	if r.cfg.DefaultUser != "" {
		return r.cfg.DefaultUser
	}
	if len(r.cfg.Users) > 0 {
		return r.cfg.Users[0].ID
	}
	return ""
}

// sortedNames is for messages that list names.
func sortedNames(m map[string]*runApp) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
