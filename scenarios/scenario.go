package scenarios

import (
	"sort"
	"strconv"
	"strings"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Pos is where something was written: a file, a 1-based line and a 1-based
// column. The zero Pos means "not from a file" (a default Load filled in).
type Pos struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// String formats the position as file:line:col, the form editors and CI
// annotations parse; a position without a line (a file that cannot be
// read) is just the file.
func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return p.File + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
}

// Target is where a scenario may run.
type Target string

const (
	// TargetFake is fakespotify: the embedded one or one running at a URL.
	TargetFake Target = "fake"
	// TargetSpotify is real Spotify (accounts.spotify.com, api.spotify.com)
	// with the user's own app from SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET
	// and SPOTIFY_REDIRECT_URI, and the test account from
	// SPOTCHECK_TEST_USERNAME / SPOTCHECK_TEST_PASSWORD for consent steps.
	TargetSpotify Target = "spotify"
)

// Scenario is one document of a scenario file: a named, ordered list of
// steps that runs against one target with fresh state.
//
// Before the first step, on target fake, the runner clones every app the
// scenario uses (Apps) with the fake's clone operation, so that scenarios
// running in parallel share no grants, clocks, policies or faults:
//   - consent "auto" with auto_user = User (the fake's default user when
//     User is empty), unless the scenario requires the browser, in which
//     case consent "page" so that Consent steps see the real pages;
//   - the policies of the scenario's policy requirements (Policies) are
//     set on every clone before step 1.
//
// References to an app (${app.client_id}, ${apps.other.redirect_uri}, an
// App field of an action) mean the clone. On target spotify there is one
// app, the user's, whatever App says; a scenario that needs a second app
// is fake-only and Load says so.
type Scenario struct {
	// Name identifies the scenario in reports and on the command line. It is
	// unique across everything loaded together.
	Name string `yaml:"name" schema:"required,pattern=^[a-z0-9][a-z0-9._-]*$"`
	// Description says what the scenario shows, in a sentence or two.
	Description string `yaml:"description"`
	// Tags select scenarios with `spotcheck run --tags`.
	Tags []string `yaml:"tags" schema:"pattern=^[a-z0-9][a-z0-9._-]*$"`
	// Targets lists where the scenario may run (fake, spotify). Default
	// [fake]. A runner reports the scenario as skipped, with the reason, on
	// any other target.
	Targets []Target `yaml:"targets" schema:"enum=fake|spotify"`
	// Requires lists what the scenario needs beyond a target: `browser`
	// (Chromium drives Consent steps; without it the scenario is skipped),
	// `control` (the fake's /_spotcheck control API; implied by fake-only
	// actions and policy requirements) and `policy:<field>=<value>` (for
	// example policy:refresh=pkce-rotate; the short form policy:<value> is
	// accepted when the value belongs to exactly one policy field). On
	// target fake the runner sets the policies on the scenario's clones
	// before the first step. A policy that is not the fake's default (what
	// Spotify does today) makes the scenario fake-only.
	Requires []Requirement `yaml:"requires"`
	// App is the name of the fake app whose credentials and registered
	// redirect URIs the scenario uses (an app of the fake's config: web,
	// other, dev, nopremium or legacy in the built-in one). Default "web".
	// On target spotify it is ignored: the app is the user's.
	App string `yaml:"app"`
	// User is the fake user who authorizes: the auto-consent user, and the
	// login of Consent steps. Default: the fake's default user (alice in
	// the built-in config). Fake-only: on spotify the user is always the
	// test account, so a scenario that sets User cannot target spotify.
	User string `yaml:"user"`
	// FreshUser makes the runner clone the scenario's user (User, or the
	// fake's default user) under a fresh id before step 1, authorize as the
	// clone, and delete it afterwards: the fake keeps a user's library,
	// playlists and player per user, shared by every app, so a scenario
	// that writes to them needs a user nobody else reads. The clone has the
	// template's library and devices; its playlists get fresh ids (read them
	// from GET /v1/me/playlists). Fake-only.
	FreshUser bool `yaml:"fresh_user"`
	// Vars are named values for ${vars.<name>}. A var may refer to
	// ${app.…} and ${apps.<name>.…}, not to steps or other vars.
	Vars map[string]Template `yaml:"vars"`
	// Steps run in order. After a step fails or errors, the remaining
	// steps are skipped ("earlier failure").
	Steps []*Step `yaml:"steps" schema:"required,min=1"`

	// Pos is where the scenario's document starts.
	Pos Pos `yaml:"-"`

	refApps []string // apps named only in ${apps.<name>.…}
}

// RunsOn reports whether t is one of the scenario's targets.
func (s *Scenario) RunsOn(t Target) bool {
	for _, x := range s.Targets {
		if x == t {
			return true
		}
	}
	return false
}

// FakeOnly reports whether the scenario cannot target spotify.
func (s *Scenario) FakeOnly() bool { return !s.RunsOn(TargetSpotify) }

// NeedsBrowser reports whether the scenario requires the browser.
func (s *Scenario) NeedsBrowser() bool { return s.requires(RequireBrowser) }

// TagBrowser is the tag of every scenario that drives Chromium: the loader
// adds it to each scenario that requires the browser, so that
// `spotcheck run --skip-tags browser` leaves exactly those out.
const TagBrowser = "browser"

// NeedsControl reports whether the scenario needs the fake's control API:
// it requires `control` or a policy, or it has a fake-only step. A runner
// pointed at a fake without the control API skips such scenarios.
func (s *Scenario) NeedsControl() bool {
	if s.requires(RequireControl) || s.requires(RequirePolicy) || s.FreshUser {
		return true
	}
	for _, st := range s.Steps {
		if a := st.Action(); a != nil && a.Kind().FakeOnly() {
			return true
		}
	}
	return false
}

func (s *Scenario) requires(k RequirementKind) bool {
	for _, r := range s.Requires {
		if r.Kind == k {
			return true
		}
	}
	return false
}

// Policies returns the policies the scenario's requirements ask for; the
// fields no requirement names are empty (config.Policies.Merge fills them
// from the fake's own).
func (s *Scenario) Policies() config.Policies {
	var p config.Policies
	for _, r := range s.Requires {
		if r.Kind == RequirePolicy {
			p.Set(r.Field, r.Value)
		}
	}
	return p
}

// Apps returns the names of every app the scenario uses, sorted: its App,
// the App field of any step and any app a ${apps.<name>.…} reference
// names. On target fake the runner clones each.
func (s *Scenario) Apps() []string {
	seen := map[string]bool{s.App: true}
	for _, a := range s.refApps {
		seen[a] = true
	}
	for _, st := range s.Steps {
		if name := st.appName(); name != "" {
			seen[name] = true
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Step returns the step with the given name, or nil.
func (s *Scenario) Step(name string) *Step {
	for _, st := range s.Steps {
		if st.Name == name {
			return st
		}
	}
	return nil
}

// RequirementKind is the kind of a Requirement.
type RequirementKind string

const (
	RequireBrowser RequirementKind = "browser"
	RequireControl RequirementKind = "control"
	RequirePolicy  RequirementKind = "policy"
)

// Requirement is one entry of Scenario.Requires. In YAML it is a string:
// "browser", "control" or "policy:<field>=<value>".
type Requirement struct {
	Kind RequirementKind
	// Field and Value are set for RequirePolicy: Field is a yaml name of
	// config.Policies (refresh, redirect_security, unauthorized_message,
	// implicit_grant, allowlist_message, verifier_message, rate_limit) and Value one of
	// its values.
	Field, Value string

	pos Pos
}

// String gives the canonical YAML form.
func (r Requirement) String() string {
	if r.Kind == RequirePolicy {
		return "policy:" + r.Field + "=" + r.Value
	}
	return string(r.Kind)
}

// policyNames are the policies' names, in wire.Policies order.
var policyNames = func() []string {
	out := make([]string, len(wire.Policies))
	for i, p := range wire.Policies {
		out[i] = p.Name
	}
	return out
}()

// parseRequirement reads "browser", "control", "policy:field=value" or
// "policy:value".
func parseRequirement(s string) (Requirement, string) {
	switch s {
	case string(RequireBrowser):
		return Requirement{Kind: RequireBrowser}, ""
	case string(RequireControl):
		return Requirement{Kind: RequireControl}, ""
	}
	rest, ok := strings.CutPrefix(s, "policy:")
	if !ok {
		return Requirement{}, "unknown requirement " + strconv.Quote(s) + " (want browser, control or policy:<field>=<value>)"
	}
	if field, value, ok := strings.Cut(rest, "="); ok {
		pol, known := wire.LookupPolicy(field)
		if !known {
			return Requirement{}, "unknown policy field " + strconv.Quote(field) + " (want " + orList(policyNames) + ")"
		}
		if !pol.Allows(value) {
			return Requirement{}, "unknown value " + strconv.Quote(value) + " for policy " + field + " (want " + orList(pol.ValueNames()) + ")"
		}
		return Requirement{Kind: RequirePolicy, Field: field, Value: value}, ""
	}
	var fields []string
	for _, pol := range wire.Policies {
		if pol.Allows(rest) {
			fields = append(fields, pol.Name)
		}
	}
	switch len(fields) {
	case 1:
		return Requirement{Kind: RequirePolicy, Field: fields[0], Value: rest}, ""
	case 0:
		return Requirement{}, "unknown policy " + strconv.Quote(rest) + " (write policy:<field>=<value>)"
	}
	forms := make([]string, len(fields))
	for i, f := range fields {
		forms[i] = "policy:" + f + "=" + rest
	}
	return Requirement{}, "ambiguous policy " + strconv.Quote(rest) + ": write " + orList(forms)
}

// defaultPolicy reports whether value is the fake's default for field, which
// is what Spotify does today.
func defaultPolicy(field, value string) bool {
	pol, ok := wire.LookupPolicy(field)
	return ok && pol.Default() == value
}
