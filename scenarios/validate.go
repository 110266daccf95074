package scenarios

import (
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// checker runs the checks that need a whole decoded scenario, and fills in
// the defaults, so that a runner never has to guess.
type checker struct {
	d      *decoder
	s      *Scenario
	l      Loader
	byName map[string]int // step name → index of its first step
}

// maxSteps bounds a scenario; with aliases a few lines could otherwise
// make a list of steps whose checks take minutes.
const maxSteps = 1000

func reflectValue(s *Scenario) reflect.Value { return reflect.ValueOf(s).Elem() }

func (d *decoder) check(s *Scenario, l Loader) {
	c := &checker{d: d, s: s, l: l, byName: map[string]int{}}
	if len(s.Steps) > maxSteps {
		d.problem(c.pos(&s.Steps, s.Pos), "steps: %d steps; a scenario has at most %d", len(s.Steps), maxSteps)
		return
	}
	c.scenario()
	c.names()
	for i, st := range s.Steps {
		if st == nil {
			d.problem(s.Pos, "steps[%d]: empty step", i)
			continue
		}
		c.step(i, st)
	}
	c.references()
}

func (c *checker) problem(p Pos, format string, args ...any) { c.d.problem(p, format, args...) }

func (c *checker) pos(addr any, fallback Pos) Pos { return c.d.fieldPos(addr, fallback) }

func (c *checker) spotify() bool { return c.s.RunsOn(TargetSpotify) }
func (c *checker) fake() bool    { return c.s.RunsOn(TargetFake) }

func (c *checker) scenario() {
	s := c.s
	if len(s.Targets) == 0 && !c.d.given(&s.Targets) {
		s.Targets = []Target{TargetFake}
	}
	if c.d.given(&s.Targets) && len(s.Targets) == 0 {
		c.problem(c.pos(&s.Targets, s.Pos), "targets: list at least one of fake, spotify")
	}
	seenT := map[Target]bool{}
	for _, t := range s.Targets {
		if seenT[t] {
			c.problem(c.pos(&s.Targets, s.Pos), "targets: %s is listed twice", t)
		}
		seenT[t] = true
	}
	seenR := map[string]bool{}
	policy := map[string]string{}
	for _, r := range s.Requires {
		reqPos := r.pos
		if r.Kind == "" {
			continue // reported while decoding
		}
		if seenR[r.String()] {
			c.problem(reqPos, "requires: %s is listed twice", r)
			continue
		}
		seenR[r.String()] = true
		switch r.Kind {
		case RequireControl:
			if c.spotify() {
				c.problem(reqPos, "requires: control is the fake's control API; remove spotify from targets")
			}
		case RequirePolicy:
			if v, dup := policy[r.Field]; dup {
				c.problem(reqPos, "requires: policy %s is both %s and %s", r.Field, v, r.Value)
			}
			policy[r.Field] = r.Value
			if c.spotify() && !defaultPolicy(r.Field, r.Value) {
				c.problem(reqPos, "requires: %s can only be selected on the fake (Spotify today behaves as the fake's default); remove spotify from targets", r)
			}
		}
	}
	switch tagged := slices.Contains(s.Tags, TagBrowser); {
	case s.NeedsBrowser() && !tagged:
		s.Tags = append(s.Tags, TagBrowser)
	case !s.NeedsBrowser() && tagged:
		c.problem(c.pos(&s.Tags, s.Pos), "tags: %s marks the scenarios that drive Chromium (requires: browser), and this one does not; choose another tag", TagBrowser)
	}
	if s.App == "" {
		s.App = "web"
	}
	c.app(c.pos(&s.App, s.Pos), "app", s.App, true)
	if s.User != "" {
		c.user(c.pos(&s.User, s.Pos), "user", s.User)
	}
	if s.FreshUser && c.spotify() {
		c.problem(c.pos(&s.FreshUser, s.Pos), "fresh_user: the fake clones a user for the scenario; on spotify the user is always the test account, whose library a scenario must not change; remove spotify from targets")
	}
}

// app checks an app name. scenarioApp is true for the scenario's own app,
// which on spotify stands for the user's app.
func (c *checker) app(p Pos, field, name string, scenarioApp bool) {
	if c.fake() && !contains(c.l.apps(), name) {
		msg := "unknown app " + strconv.Quote(name) + " (the fake's apps: " + strings.Join(c.l.apps(), ", ") + ")"
		if s := suggest(name, c.l.apps()); s != "" {
			msg += "; did you mean " + strconv.Quote(s) + "?"
		}
		c.problem(p, "%s: %s", field, msg)
		return
	}
	if !scenarioApp && c.spotify() && name != c.s.App {
		c.problem(p, "%s: app %q is not the scenario's app %q, and on spotify there is only the user's app; remove spotify from targets", field, name, c.s.App)
	}
}

func (c *checker) user(p Pos, field, name string) {
	if c.fake() && !contains(c.l.users(), name) {
		c.problem(p, "%s: unknown user %q (the fake's users: %s)", field, name, strings.Join(c.l.users(), ", "))
	}
	if c.spotify() {
		c.problem(p, "%s: on spotify the user is always the test account (SPOTCHECK_TEST_USERNAME); remove %s or remove spotify from targets", field, field)
	}
}

var stepName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func (c *checker) names() {
	seen := map[string]*Step{}
	for i, st := range c.s.Steps {
		if st == nil {
			continue
		}
		if st.Name == "" && !c.d.given(&st.Name) {
			st.Name = "step-" + strconv.Itoa(i+1)
		}
		p := c.pos(&st.Name, st.Pos)
		if !stepName.MatchString(st.Name) {
			continue // reported while decoding
		}
		if f, dup := seen[st.Name]; dup {
			c.problem(p, "steps[%d]: duplicate step name %q (first at line %d)", i, st.Name, f.Pos.Line)
			continue
		}
		seen[st.Name] = st
		c.byName[st.Name] = i
	}
}

// latest is the latest step before i whose action is one of kinds.
func (c *checker) latest(i int, kinds ...Kind) *Step {
	for j := i - 1; j >= 0; j-- {
		st := c.s.Steps[j]
		if st == nil || st.Action() == nil {
			continue
		}
		for _, k := range kinds {
			if st.Action().Kind() == k {
				return st
			}
		}
	}
	return nil
}

// earlier returns the step named name when it comes before step i.
func (c *checker) earlier(i int, name string) *Step {
	if j, ok := c.byName[name]; ok && j < i {
		return c.s.Steps[j]
	}
	return nil
}

var wholeRef = regexp.MustCompile(`^\$\{steps\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\}$`)

// refStep returns the step and field when t is exactly one step reference.
func (c *checker) refStep(i int, t Template) (*Step, string) {
	m := wholeRef.FindStringSubmatch(string(t))
	if m == nil {
		return nil, ""
	}
	return c.earlier(i, m[1]), m[2]
}

// authorizeOf is the Authorize step a code-bearing step's code comes from.
func (c *checker) authorizeOf(st *Step, depth int) *Step {
	if st == nil || depth > len(c.s.Steps) {
		return nil
	}
	i := c.index(st)
	switch a := st.Action().(type) {
	case *Authorize:
		return st
	case *Consent:
		return c.authorizeOf(c.earlier(i, a.From), depth+1)
	case *Callback:
		if a.URL != nil {
			return nil
		}
		return c.authorizeOf(c.earlier(i, a.From), depth+1)
	}
	return nil
}

// tokenOrigin is the Authorize step behind an Exchange or Refresh step's
// tokens.
func (c *checker) tokenOrigin(st *Step, depth int) *Step {
	if st == nil || depth > len(c.s.Steps) {
		return nil
	}
	i := c.index(st)
	switch a := st.Action().(type) {
	case *Exchange:
		from, _ := c.refStep(i, a.Code)
		return c.authorizeOf(from, depth+1)
	case *Refresh:
		from, _ := c.refStep(i, a.RefreshToken)
		return c.tokenOrigin(from, depth+1)
	}
	return nil
}

func (c *checker) index(st *Step) int {
	for i, x := range c.s.Steps {
		if x == st {
			return i
		}
	}
	return -1
}

// appRef is ${app.field} for the scenario's app, ${apps.name.field} for
// another.
func (c *checker) appRef(app, field string) Template {
	if app == c.s.App {
		return Template("${app." + field + "}")
	}
	return Template("${apps." + app + "." + field + "}")
}

func stepRef(st *Step, field string) Template {
	return Template("${steps." + st.Name + "." + field + "}")
}

func usesPKCE(st *Step) bool {
	if st == nil {
		return false
	}
	a, ok := st.Action().(*Authorize)
	return ok && a.PKCE != PKCENone
}

func (c *checker) step(i int, st *Step) {
	a := st.Action()
	if a == nil {
		return
	}
	path := "steps[" + strconv.Itoa(i) + "]." + string(a.Kind())
	actPos := c.pos(actionField(st), st.Pos)
	if a.Kind().FakeOnly() && c.spotify() {
		c.problem(actPos, "%s: %s is fake-only (it drives the fake's control API); remove spotify from targets", path, a.Kind())
	}
	switch a := a.(type) {
	case *Authorize:
		c.authorize(i, st, a, path)
	case *Consent:
		if !c.s.NeedsBrowser() {
			c.problem(actPos, "%s: consent drives the browser; add browser to requires (without it the fake consents automatically and %s gets the redirect)", path, "authorize")
		}
		if a.From == "" {
			if prev := c.latest(i, KindAuthorize); prev != nil {
				a.From = prev.Name
			} else {
				c.problem(actPos, "%s: no earlier authorize step to consent to", path)
			}
		} else if kindOf(c.earlier(i, a.From)) != KindAuthorize {
			c.problem(c.pos(&a.From, actPos), "%s.from: %q is not an earlier authorize step", path, a.From)
		}
		if a.Decision == "" {
			a.Decision = DecisionApprove
		}
		if a.User != "" {
			c.user(c.pos(&a.User, actPos), path+".user", a.User)
		}
	case *Callback:
		switch {
		case a.URL != nil && a.From != "":
			c.problem(c.pos(&a.URL, actPos), "%s: set from or url, not both", path)
		case a.URL == nil && a.From == "":
			if prev := c.latest(i, KindAuthorize, KindConsent); prev != nil {
				a.From = prev.Name
			} else {
				c.problem(actPos, "%s: no earlier authorize or consent step; set from or url", path)
			}
		case a.From != "":
			if k := kindOf(c.earlier(i, a.From)); k != KindAuthorize && k != KindConsent {
				c.problem(c.pos(&a.From, actPos), "%s.from: %q is not an earlier authorize or consent step", path, a.From)
			}
		}
	case *Exchange:
		c.exchange(i, st, a, path, actPos)
	case *Refresh:
		c.refresh(i, st, a, path, actPos)
	case *ClientCredentials:
		if a.App == "" {
			a.App = c.s.App
		}
		c.tokenRequest(&a.TokenRequest, "client_credentials", AuthBasic, path, actPos, map[string]bool{"scope": a.Scope != nil})
	case *API:
		c.api(i, a, path, actPos)
	case *AdvanceClock:
	case *Revoke:
		if a.User == "" {
			a.User = c.s.User
		} else if c.fake() && !contains(c.l.users(), a.User) {
			c.problem(c.pos(&a.User, actPos), "%s.user: unknown user %q (the fake's users: %s)", path, a.User, strings.Join(c.l.users(), ", "))
		}
		c.stepApp(&a.App, path, actPos)
	case *RotateSecret:
		c.stepApp(&a.App, path, actPos)
	case *Inject:
		c.stepApp(&a.App, path, actPos)
		if a.Count == 0 {
			a.Count = 1
		}
		for _, h := range slices.Sorted(maps.Keys(a.Headers)) {
			if !headerName.MatchString(h) {
				c.problem(c.pos(&a.Headers, actPos), "%s.headers: %q is not a header name", path, h)
			}
		}
	case *SetPolicy:
		if *a == (SetPolicy{}) {
			c.problem(actPos, "%s: set at least one policy (%s)", path, strings.Join(policyNames, ", "))
		}
	}
	c.expect(i, st, path)
}

// kindOf is the kind of a step's action, "" for no step or no action.
func kindOf(st *Step) Kind {
	if st == nil || st.Action() == nil {
		return ""
	}
	return st.Action().Kind()
}

func actionField(st *Step) any {
	switch st.Action().(type) {
	case *Authorize:
		return &st.Authorize
	case *Consent:
		return &st.Consent
	case *Callback:
		return &st.Callback
	case *Exchange:
		return &st.Exchange
	case *Refresh:
		return &st.Refresh
	case *ClientCredentials:
		return &st.ClientCredentials
	case *API:
		return &st.API
	case *AdvanceClock:
		return &st.AdvanceClock
	case *Revoke:
		return &st.Revoke
	case *Inject:
		return &st.Inject
	case *SetPolicy:
		return &st.SetPolicy
	case *RotateSecret:
		return &st.RotateSecret
	}
	return nil
}

func (c *checker) stepApp(app *string, path string, actPos Pos) {
	if *app == "" {
		*app = c.s.App
		return
	}
	c.app(c.pos(app, actPos), path+".app", *app, false)
}

var headerName = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")

func (c *checker) authorize(i int, st *Step, a *Authorize, path string) {
	actPos := c.pos(&st.Authorize, st.Pos)
	c.stepApp(&a.App, path, actPos)
	given := map[string]bool{
		"client_id": c.d.given(&a.ClientID), "response_type": c.d.given(&a.ResponseType),
		"redirect_uri": c.d.given(&a.RedirectURI), "scope": a.Scope != nil, "state": a.State != nil,
		"show_dialog": a.ShowDialog != nil, "code_challenge": a.CodeChallenge != nil,
		"code_challenge_method": a.CodeChallengeMethod != nil,
	}
	if !given["client_id"] {
		a.ClientID = c.appRef(a.App, "client_id")
	}
	if !given["response_type"] {
		a.ResponseType = "code"
	}
	if !given["redirect_uri"] {
		a.RedirectURI = c.appRef(a.App, "redirect_uri")
	}
	if a.PKCE == "" {
		a.PKCE = PKCENone
	}
	if c.d.given(&a.Verifier) && a.PKCE == PKCENone {
		c.problem(c.pos(&a.Verifier, actPos), "%s.verifier: a verifier needs pkce: s256 or plain", path)
	}
	if a.ChallengeEncoding != "" && a.PKCE != PKCES256 {
		c.problem(c.pos(&a.ChallengeEncoding, actPos), "%s.challenge_encoding: only with pkce: s256", path)
	}
	if a.PKCE == PKCES256 && a.ChallengeEncoding == "" {
		a.ChallengeEncoding = ChallengeBase64URL
	}
	if a.Path == "" {
		a.Path = "/authorize"
	}
	c.omits(a.Omit, a.Params, given, c.pos(&a.Omit, actPos), path)
}

// omits reports a parameter that is both set and omitted.
func (c *checker) omits(omit []string, params map[string]Template, given map[string]bool, p Pos, path string) {
	for _, name := range omit {
		if given[name] {
			c.problem(p, "%s.omit: %s is both set and omitted", path, name)
		}
		if _, ok := params[name]; ok {
			c.problem(p, "%s.omit: %s is both in params and omitted", path, name)
		}
	}
}

func (c *checker) exchange(i int, st *Step, a *Exchange, path string, actPos Pos) {
	if !c.d.given(&a.Code) {
		if prev := c.latest(i, KindAuthorize, KindConsent, KindCallback); prev != nil {
			a.Code = stepRef(prev, "code")
		} else {
			c.problem(actPos, "%s: no earlier authorize, consent or callback step gives a code; set code", path)
		}
	}
	from, _ := c.refStep(i, a.Code)
	auth := c.authorizeOf(from, 0)
	if a.App == "" {
		if auth != nil {
			a.App = auth.Authorize.App
		} else {
			a.App = c.s.App
		}
	} else {
		c.app(c.pos(&a.App, actPos), path+".app", a.App, false)
	}
	omitted := contains(a.Omit, "code_verifier")
	if !c.d.given(&a.RedirectURI) {
		if auth != nil {
			a.RedirectURI = stepRef(auth, "redirect_uri")
		} else {
			a.RedirectURI = c.appRef(a.App, "redirect_uri")
		}
	}
	if a.CodeVerifier == nil && !omitted && usesPKCE(auth) {
		v := stepRef(auth, "verifier")
		a.CodeVerifier = &v
	}
	def := AuthBasic
	if usesPKCE(auth) {
		def = AuthPublic
	}
	own := map[string]bool{"code": c.d.given(&a.Code), "redirect_uri": c.d.given(&a.RedirectURI), "code_verifier": c.d.given(&a.CodeVerifier)}
	c.tokenRequest(&a.TokenRequest, "authorization_code", def, path, actPos, own)
}

func (c *checker) refresh(i int, st *Step, a *Refresh, path string, actPos Pos) {
	if !c.d.given(&a.RefreshToken) {
		if prev := c.latest(i, KindExchange, KindRefresh); prev != nil {
			a.RefreshToken = stepRef(prev, "refresh_token")
		} else {
			c.problem(actPos, "%s: no earlier exchange or refresh step gives a refresh token; set refresh_token", path)
		}
	}
	from, _ := c.refStep(i, a.RefreshToken)
	if a.App == "" {
		switch {
		case from != nil && from.Exchange != nil:
			a.App = from.Exchange.App
		case from != nil && from.Refresh != nil:
			a.App = from.Refresh.App
		default:
			a.App = c.s.App
		}
	} else {
		c.app(c.pos(&a.App, actPos), path+".app", a.App, false)
	}
	def := AuthBasic
	if usesPKCE(c.tokenOrigin(from, 0)) {
		def = AuthPublic
	}
	c.tokenRequest(&a.TokenRequest, "refresh_token", def, path, actPos, map[string]bool{"refresh_token": c.d.given(&a.RefreshToken)})
}

func (c *checker) tokenRequest(r *TokenRequest, grant string, auth AuthStyle, path string, actPos Pos, own map[string]bool) {
	if r.Auth == "" {
		r.Auth = auth
	}
	given := map[string]bool{
		"grant_type": c.d.given(&r.GrantType), "client_id": c.d.given(&r.ClientID),
		"client_secret": c.d.given(&r.ClientSecret),
	}
	for k, v := range own {
		given[k] = v
	}
	if !given["grant_type"] {
		r.GrantType = Template(grant)
	}
	if !given["client_id"] {
		r.ClientID = c.appRef(r.App, "client_id")
	}
	if !given["client_secret"] {
		r.ClientSecret = c.appRef(r.App, "client_secret")
	}
	if given["client_secret"] && (r.Auth == AuthPublic || r.Auth == AuthNone) {
		c.problem(c.pos(&r.ClientSecret, actPos), "%s.client_secret: not sent with auth: %s (use basic or body)", path, r.Auth)
	}
	if given["client_id"] && r.Auth == AuthNone && r.Authorization == nil {
		c.problem(c.pos(&r.ClientID, actPos), "%s.client_id: not sent with auth: none (use public, basic or body)", path)
	}
	if r.BodyFormat == "" {
		r.BodyFormat = BodyForm
	}
	if r.ParamsIn == "" {
		r.ParamsIn = ParamsInBody
	}
	if r.ParamsIn == ParamsInQuery && r.BodyFormat == BodyJSON {
		c.problem(c.pos(&r.BodyFormat, actPos), "%s.body_format: json needs params_in: body", path)
	}
	if r.Repeat > 1 && r.Parallel > 1 {
		c.problem(c.pos(&r.Parallel, actPos), "%s: set repeat or parallel, not both", path)
	}
	if r.Path == "" {
		r.Path = "/api/token"
	}
	c.requestHeaders(r.Headers, c.pos(&r.Headers, actPos), path)
	c.omits(r.Omit, r.Params, given, c.pos(&r.Omit, actPos), path)
}

func (c *checker) requestHeaders(h map[string]Template, p Pos, path string) {
	for _, name := range slices.Sorted(maps.Keys(h)) {
		switch {
		case !headerName.MatchString(name):
			c.problem(p, "%s.headers: %q is not a header name", path, name)
		case strings.EqualFold(name, "Authorization"):
			c.problem(p, "%s.headers: set Authorization with authorization", path)
		case strings.EqualFold(name, "Content-Type"):
			c.problem(p, "%s.headers: set Content-Type with content_type", path)
		}
	}
}

func (c *checker) api(i int, a *API, path string, actPos Pos) {
	if a.Method == "" {
		a.Method = "GET"
	}
	if strings.Contains(string(a.Path), "?") {
		c.problem(c.pos(&a.Path, actPos), "%s.path: put the query in query, not in the path", path)
	}
	if a.Auth == "" {
		a.Auth = APIBearer
	}
	switch {
	case a.Auth == APINone && c.d.given(&a.Token):
		c.problem(c.pos(&a.Token, actPos), "%s.token: not sent with auth: none", path)
	case a.Auth == APIBearer && !c.d.given(&a.Token) && a.Authorization == nil:
		if prev := c.latest(i, KindExchange, KindRefresh, KindClientCredentials); prev != nil {
			a.Token = stepRef(prev, "access_token")
		} else {
			c.problem(actPos, "%s: no earlier exchange, refresh or client_credentials step gives an access token; set token, authorization or auth: none", path)
		}
	}
	if a.JSON != nil && a.Body != nil {
		c.problem(c.pos(&a.Body, actPos), "%s: set json or body, not both", path)
	}
	if a.Repeat > 1 && a.Parallel > 1 {
		c.problem(c.pos(&a.Parallel, actPos), "%s: set repeat or parallel, not both", path)
	}
	c.requestHeaders(a.Headers, c.pos(&a.Headers, actPos), path)
}

// allowed lists, per action, the expect fields it takes.
var allowed = map[Kind][]string{
	KindAuthorize:         {"status", "body", "body_contains", "page_text", "page_text_contains", "content_type", "headers", "redirect"},
	KindConsent:           {"redirect", "dialog_shown", "login_shown"},
	KindCallback:          {"redirect"},
	KindExchange:          {"status", "statuses", "error", "error_description", "body", "body_contains", "content_type", "headers", "json", "refresh_token", "scope"},
	KindRefresh:           {"status", "statuses", "error", "error_description", "body", "body_contains", "content_type", "headers", "json", "refresh_token", "rotated", "scope"},
	KindClientCredentials: {"status", "statuses", "error", "error_description", "body", "body_contains", "content_type", "headers", "json", "refresh_token", "scope"},
	KindAPI:               {"status", "statuses", "api_error", "body", "body_contains", "page_text", "page_text_contains", "content_type", "headers", "json"},
}

// perFailure are the expect fields that still apply, to each failed
// response, when a step makes several requests.
var perFailure = []string{"statuses", "error", "error_description", "api_error", "body", "body_contains", "content_type", "headers"}

// AllowedExpectations lists the expect fields a step of kind k accepts.
func AllowedExpectations(k Kind) []string { return allowed[k] }

func stepCount(st *Step) int {
	switch a := st.Action().(type) {
	case *Exchange:
		return a.Count()
	case *Refresh:
		return a.Count()
	case *ClientCredentials:
		return a.Count()
	case *API:
		return a.Count()
	}
	return 1
}

func (c *checker) expect(i int, st *Step, path string) {
	e := &st.Expect
	kind := st.Action().Kind()
	n := stepCount(st)
	v := reflect.ValueOf(e).Elem()
	si := infoOf(v.Type())
	for _, f := range si.fields {
		fv := v.FieldByIndex(f.index)
		if fv.IsZero() && !c.d.given(fv.Addr().Interface()) {
			continue
		}
		p := c.pos(fv.Addr().Interface(), st.Pos)
		name := "steps[" + strconv.Itoa(i) + "].expect." + f.name
		switch {
		case !contains(allowed[kind], f.name):
			takes := "nothing: it has no expectations"
			if len(allowed[kind]) > 0 {
				takes = strings.Join(allowed[kind], ", ")
			}
			c.problem(p, "%s: does not apply to %s (it takes %s)", name, kind, takes)
		case n > 1 && !contains(perFailure, f.name):
			c.problem(p, "%s: does not apply to a step that makes %d requests (use statuses, and error, api_error, body or headers for the failed ones)", name, n)
		case n == 1 && f.name == "statuses":
			c.problem(p, "%s: needs repeat or parallel (use status for one request)", name)
		}
	}
	for code := range e.Statuses {
		if code < 100 || code > 599 {
			c.problem(c.pos(&e.Statuses, st.Pos), "steps[%d].expect.statuses: %d is not an HTTP status", i, code)
		}
	}
	c.matchers(e.JSON, "steps["+strconv.Itoa(i)+"].expect.json", false)
	c.matchers(e.Headers, "steps["+strconv.Itoa(i)+"].expect.headers", true)
}

func (c *checker) matchers(as Assertions, path string, header bool) {
	for _, a := range as {
		p := path + "." + a.Key
		m := a.Match
		if header {
			if !headerName.MatchString(a.Key) {
				c.problem(a.Pos, "%s: %q is not a header name", path, a.Key)
			}
			if m.Length != nil || m.Type != "" {
				c.problem(a.Pos, "%s: length and type do not apply to a header", p)
			}
			for _, v := range []any{m.Equals, m.Contains, m.Omits} {
				switch v.(type) {
				case map[string]any, []any:
					c.problem(a.Pos, "%s: a header is text; compare it with a string", p)
				}
			}
		} else if _, err := parsePath(a.Key); err != nil {
			c.problem(a.Pos, "%s: %v", path, err)
		}
		if m.Present != nil && m.Absent != nil {
			c.problem(a.Pos, "%s: set present or absent, not both", p)
		}
		if m.Matches != "" {
			if _, err := regexp.Compile(m.Matches); err != nil {
				c.problem(a.Pos, "%s.matches: not a regular expression: %v", p, err)
			}
		}
	}
}

// references checks every ${…} written in the scenario.
func (c *checker) references() {
	for _, st := range c.d.sites {
		if c.d.full() {
			return
		}
		refs, _ := st.t.Refs()
		for _, r := range refs {
			if msg := c.reference(st, r); msg != "" {
				c.problem(st.pos, "%s: %s", st.path, msg)
			}
		}
	}
}

func (c *checker) reference(at site, r Ref) string {
	switch r.Kind {
	case RefSteps:
		if at.inVars {
			return "vars may refer to app and apps only, not to " + r.String()
		}
		var target *Step
		idx, ok := c.byName[r.Step]
		if ok {
			target = c.s.Steps[idx]
		}
		if target == nil {
			names := []string{}
			for _, s := range c.s.Steps[:max(0, min(at.step, len(c.s.Steps)))] {
				if s != nil {
					names = append(names, s.Name)
				}
			}
			msg := "unknown step " + strconv.Quote(r.Step) + " in " + r.String()
			if sug := suggest(r.Step, names); sug != "" {
				msg += "; did you mean " + strconv.Quote(sug) + "?"
			}
			return msg
		}
		if target.Action() == nil {
			return ""
		}
		kind := target.Action().Kind()
		switch {
		case idx > at.step:
			return "step " + strconv.Quote(r.Step) + " comes after this step; " + r.String() + " can only refer to an earlier step"
		case idx == at.step && !at.inExpect:
			return "a step cannot refer to itself (" + r.String() + ")"
		case idx == at.step && !contains(kind.RequestExports(), r.Name):
			if len(kind.RequestExports()) == 0 {
				return r.String() + " is not known before this step's response"
			}
			return r.String() + " is not known before this step's response (its own expect may use " + strings.Join(kind.RequestExports(), ", ") + ")"
		}
		if r.Name == "json" || r.Name == "header" {
			if !kind.HTTP() {
				return "step " + strconv.Quote(r.Step) + " (" + string(kind) + ") makes no HTTP request, so it has no " + r.Name
			}
			return ""
		}
		if !contains(kind.Exports(), r.Name) {
			list := kind.Exports()
			if kind.HTTP() {
				list = append(append([]string{}, list...), "json.<path>", "header.<Name>")
			}
			if len(list) == 0 {
				return "step " + strconv.Quote(r.Step) + " (" + string(kind) + ") exports nothing"
			}
			msg := "step " + strconv.Quote(r.Step) + " (" + string(kind) + ") exports no " + strconv.Quote(r.Name) + " (it exports " + strings.Join(list, ", ") + ")"
			if sug := suggest(r.Name, kind.Exports()); sug != "" {
				msg = "step " + strconv.Quote(r.Step) + " (" + string(kind) + ") exports no " + strconv.Quote(r.Name) + "; did you mean " + strconv.Quote(sug) + "?"
			}
			return msg
		}
		if (r.Name == "verifier" || r.Name == "challenge") && target.Authorize != nil && target.Authorize.PKCE == PKCENone && target.Authorize.CodeChallenge == nil {
			return "step " + strconv.Quote(r.Step) + " does not use PKCE, so it has no " + r.Name
		}
	case RefApp:
		if !contains(appFields, r.Name) {
			return "unknown app field " + strconv.Quote(r.Name) + " in " + r.String() + " (want " + orList(appFields) + ")"
		}
	case RefApps:
		if !contains(appFields, r.Name) {
			return "unknown app field " + strconv.Quote(r.Name) + " in " + r.String() + " (want " + orList(appFields) + ")"
		}
		if c.fake() && !contains(c.l.apps(), r.App) {
			return "unknown app " + strconv.Quote(r.App) + " in " + r.String() + " (the fake's apps: " + strings.Join(c.l.apps(), ", ") + ")"
		}
		if c.spotify() && r.App != c.s.App {
			return r.String() + " names another app, and on spotify there is only the user's app; remove spotify from targets"
		}
		if !contains(c.s.refApps, r.App) {
			c.s.refApps = append(c.s.refApps, r.App)
		}
	case RefVars:
		if at.inVars {
			return "vars may refer to app and apps only, not to " + r.String()
		}
		if _, ok := c.s.Vars[r.Name]; !ok {
			return "unknown var " + strconv.Quote(r.Name) + " in " + r.String()
		}
	}
	return ""
}
