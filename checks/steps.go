package checks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spotcheck/spotcheck/checks/browser"
	"github.com/spotcheck/spotcheck/checks/explain"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/control"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
	"github.com/spotcheck/spotcheck/scenarios"
)

// runApp is an app as one scenario sees it: on a fake with the control
// API its clone, otherwise the configured app or, on spotify, the user's.
type runApp struct {
	Name, ClientID, ClientSecret string
	RedirectURI                  string // the first registered URI
	RedirectURIs                 []string
	clone                        bool
}

// scenarioRun is the state of one scenario while it runs.
type scenarioRun struct {
	r       *runner
	s       *scenarios.Scenario
	client  *Client
	spotify bool
	apps    map[string]*runApp
	vars    map[string]string
	exports map[string]*exports
	session *browser.Session
	// fresh is the user the fake cloned for a fresh_user scenario, and
	// freshFrom the user it was cloned from (whose password it has).
	fresh, freshFrom string
	// history is the exchanges of the steps before, for the analyzer.
	history []wire.Exchange
}

// scenario runs one scenario. The error is non-nil only when an exchange
// found the target unreachable: the run stops then.
func (r *runner) scenario(ctx context.Context, s *scenarios.Scenario) (res ScenarioResult, stop error) {
	res = scenarioResult(s)
	t0 := time.Now()
	defer func() { res.Duration = time.Since(t0) }()
	if why := skipReason(s, r.t, r.o, false); why != "" {
		res.Status, res.Message = StatusSkip, why
		return res, nil
	}
	client, err := NewClient(ClientConfig{
		AccountsURL: r.t.AccountsURL, APIURL: r.apiBase, Timeout: r.o.RequestTimeout, Transport: r.transport,
	})
	if err != nil {
		res.Status, res.Message = StatusError, "target: "+err.Error()
		return res, nil
	}
	defer client.Close()
	client.Learn(r.passwords...)
	sr := &scenarioRun{r: r, s: s, client: client, spotify: r.t.Kind == TargetSpotify,
		apps: map[string]*runApp{}, vars: map[string]string{}, exports: map[string]*exports{}}
	defer sr.teardown(ctx)

	if err := sr.setup(ctx); err != nil {
		res.Status, res.Message = StatusError, "set up: "+sr.redact(err.Error())
		return res, unreachable(err)
	}
	for _, name := range slices.Sorted(maps.Keys(s.Vars)) {
		v, err := s.Vars[name].Expand(sr.varLookup)
		if err != nil {
			res.Status, res.Message = StatusError, "vars."+name+": "+sr.redact(err.Error())
			return res, nil
		}
		sr.vars[name] = v
	}

	res.Status = StatusPass
	skipWhy := "" // set once a step failed or errored
	for _, st := range s.Steps {
		if skipWhy != "" {
			res.Steps = append(res.Steps, StepResult{Name: st.Name, Action: kindName(st), Status: StatusSkip, Message: skipWhy, Line: st.Pos.Line, Column: st.Pos.Column})
			continue
		}
		sres, err := sr.step(ctx, st)
		res.Steps = append(res.Steps, sres)
		if err != nil && stop == nil {
			stop = unreachable(err)
		}
		switch sres.Status {
		case StatusFail:
			skipWhy = "step " + st.Name + " failed"
		case StatusError:
			skipWhy = "step " + st.Name + " errored"
		default:
			continue
		}
		res.Status = sres.Status
		res.Message = "step " + st.Name + ": " + stepReason(sres)
	}
	return res, stop
}

// stepReason is the one line a failed or errored step failed for.
func stepReason(st StepResult) string {
	if st.Message != "" {
		return st.Message
	}
	for _, e := range st.Expectations {
		if !e.Passed {
			return fmt.Sprintf("%s: expected %s, got %s", e.Name, e.Expected, e.Actual)
		}
	}
	return string(st.Status)
}

// unreachable returns err when it means the target could not be reached.
func unreachable(err error) error {
	if errors.Is(err, ErrUnreachable) {
		return err
	}
	return nil
}

func kindName(st *scenarios.Step) string {
	if a := st.Action(); a != nil {
		return string(a.Kind())
	}
	return ""
}

func (sr *scenarioRun) redact(s string) string { return sr.client.Redactor().String(s) }

// setup provides the scenario's apps: clones on a fake with the control
// API, the configured apps on one without, the user's app on spotify.
func (sr *scenarioRun) setup(ctx context.Context) error {
	switch {
	case sr.spotify:
		c := sr.r.o.Credentials
		if c == nil || c.ClientID.Value == "" || c.ClientSecret.Value == "" || len(c.RedirectURIs) == 0 {
			return fmt.Errorf("target spotify needs the app's credentials: set %s, %s and %s", EnvClientID, EnvClientSecret, EnvRedirectURI)
		}
		c.RegisterSecrets(sr.client.Redactor())
		uris := c.RedirectURIList()
		sr.apps[sr.s.App] = &runApp{Name: sr.s.App, ClientID: c.ClientID.Value, ClientSecret: c.ClientSecret.Value, RedirectURI: uris[0], RedirectURIs: uris}
	case sr.r.t.Control != nil:
		if sr.s.FreshUser {
			u, err := sr.r.t.Control.CloneUser(ctx, sr.user())
			if err != nil {
				return fmt.Errorf("clone user %s: %w", sr.user(), controlErr(ctx, err))
			}
			sr.fresh, sr.freshFrom = u.ID, sr.user()
		}
		for _, name := range sr.s.Apps() {
			o := control.AppOverrides{Policies: sr.s.Policies(), Consent: config.ConsentAuto, AutoUser: sr.s.User}
			if sr.fresh != "" {
				o.AutoUser = sr.fresh
			}
			if sr.s.NeedsBrowser() {
				o.Consent, o.AutoUser = config.ConsentPage, ""
			}
			a, err := sr.r.t.Control.CloneApp(ctx, name, o)
			if err != nil {
				return fmt.Errorf("clone app %s: %w", name, controlErr(ctx, err))
			}
			sr.apps[name] = &runApp{Name: a.Name, ClientID: a.ClientID, ClientSecret: a.ClientSecret, RedirectURIs: a.RedirectURIs, clone: true}
		}
	default:
		for _, name := range sr.s.Apps() {
			a, ok := sr.r.cfg.AppNamed(name)
			if !ok {
				return fmt.Errorf("the fake's configuration has no app %q (give the fake's own configuration with --fake-config)", name)
			}
			sr.apps[name] = &runApp{Name: a.Name, ClientID: a.ClientID, ClientSecret: a.ClientSecret, RedirectURIs: a.RedirectURIs}
		}
	}
	for _, a := range sr.apps {
		if len(a.RedirectURIs) > 0 {
			a.RedirectURI = a.RedirectURIs[0]
		}
		if a.ClientSecret != "" {
			sr.client.AddClientCredentials(a.ClientID, a.ClientSecret)
		}
		if err := sr.client.AddRedirectURIs(a.RedirectURIs...); err != nil {
			return err
		}
	}
	return nil
}

// teardown deletes the clones and closes the browser session, also when
// the run was canceled: clones must not pile up in a fake that stays up.
func (sr *scenarioRun) teardown(ctx context.Context) {
	if sr.session != nil {
		_ = sr.session.Close()
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	for _, a := range sr.apps {
		if a.clone {
			_ = sr.r.t.Control.DeleteApp(ctx, a.ClientID)
		}
	}
	if sr.fresh != "" {
		_ = sr.r.t.Control.DeleteUser(ctx, sr.fresh)
	}
}

// outcome is what an action produced, for the step's result.
type outcome struct {
	obs   []*scenarios.Observation // one per request; one for browser and callback steps
	exp   *exports
	shots []Screenshot
	// failed are failures the action itself found (deny without a consent
	// page); failMsg is an action that could not reach its end (a page that
	// did not appear): both fail the step.
	failed  []Expectation
	failMsg string
	// explain reads the error the step received, if any, with the catalog.
	explain func(*explain.Catalog) []explain.Match
}

// step runs one step. The error is the action's, for the run to see
// whether the target became unreachable.
func (sr *scenarioRun) step(ctx context.Context, st *scenarios.Step) (StepResult, error) {
	t0 := time.Now()
	res := StepResult{Name: st.Name, Action: kindName(st), Line: st.Pos.Line, Column: st.Pos.Column}
	out := &outcome{}
	err := sr.act(ctx, st, out)
	if out.exp != nil {
		sr.exports[st.Name] = out.exp
	}
	switch {
	case err != nil:
		res.Status, res.Message = StatusError, sr.redact(err.Error())
	case out.failMsg != "":
		res.Status, res.Message = StatusFail, sr.redact(out.failMsg)
	default:
		res.Status = StatusPass
		var checks []scenarios.Check
		var cerr error
		switch len(out.obs) {
		case 0:
		case 1:
			checks, cerr = st.Expect.Check(out.obs[0], sr.lookup)
		default:
			checks, cerr = st.Expect.CheckAll(out.obs, sr.lookup)
		}
		if cerr != nil {
			res.Status, res.Message = StatusError, "cannot evaluate the expectations: "+sr.redact(cerr.Error())
			break
		}
		for _, c := range checks {
			res.Expectations = append(res.Expectations, Expectation{Name: c.Name, Expected: sr.redact(c.Expected), Actual: sr.redact(c.Actual), Passed: c.Passed})
		}
		res.Expectations = append(res.Expectations, out.failed...)
		for _, e := range res.Expectations {
			if !e.Passed {
				res.Status = StatusFail
				break
			}
		}
	}
	res.Exchanges = sr.client.Take()
	for i := range res.Exchanges {
		if res.Exchanges[i].Step == "" {
			res.Exchanges[i].Step = st.Name
		}
	}
	if res.Status == StatusFail || res.Status == StatusError {
		var ms []explain.Match
		if out.explain != nil {
			ms = out.explain(sr.r.cat)
		}
		res.Explanation = sr.explanation(withAcross(ms, sr.acrossRequests(res.Exchanges)))
	}
	sr.history = append(sr.history, res.Exchanges...)
	res.Screenshots = out.shots
	res.Duration = time.Since(t0)
	return res, err
}

func (sr *scenarioRun) act(ctx context.Context, st *scenarios.Step, out *outcome) error {
	switch a := st.Action().(type) {
	case *scenarios.Authorize:
		return sr.authorize(ctx, st.Name, a, out)
	case *scenarios.Consent:
		return sr.consent(ctx, st.Name, a, out)
	case *scenarios.Callback:
		return sr.callback(a, out)
	case *scenarios.Exchange:
		own := [][2]string{}
		code, err := a.Code.Expand(sr.lookup)
		if err != nil {
			return err
		}
		redirectURI, err := a.RedirectURI.Expand(sr.lookup)
		if err != nil {
			return err
		}
		own = append(own, [2]string{"code", code}, [2]string{"redirect_uri", redirectURI})
		if a.CodeVerifier != nil {
			v, err := a.CodeVerifier.Expand(sr.lookup)
			if err != nil {
				return err
			}
			own = append(own, [2]string{"code_verifier", v})
		}
		return sr.token(ctx, st.Name, scenarios.KindExchange, &a.TokenRequest, own, "", out)
	case *scenarios.Refresh:
		rt, err := a.RefreshToken.Expand(sr.lookup)
		if err != nil {
			return err
		}
		return sr.token(ctx, st.Name, scenarios.KindRefresh, &a.TokenRequest, [][2]string{{"refresh_token", rt}}, rt, out)
	case *scenarios.ClientCredentials:
		var own [][2]string
		if a.Scope != nil {
			own = append(own, [2]string{"scope", a.Scope.String()})
		}
		return sr.token(ctx, st.Name, scenarios.KindClientCredentials, &a.TokenRequest, own, "", out)
	case *scenarios.API:
		return sr.api(ctx, st.Name, a, out)
	case *scenarios.AdvanceClock:
		return sr.eachClone(ctx, func(id string) error {
			_, err := sr.r.t.Control.AdvanceClock(ctx, id, a.By.D())
			return err
		})
	case *scenarios.SetPolicy:
		return sr.eachClone(ctx, func(id string) error {
			_, err := sr.r.t.Control.SetPolicy(ctx, id, a.Policies())
			return err
		})
	case *scenarios.Revoke:
		app, err := sr.app(a.App)
		if err != nil {
			return err
		}
		user := a.User
		if user == "" {
			user = sr.user()
		}
		_, err = sr.r.t.Control.Revoke(ctx, user, app.ClientID)
		return controlErr(ctx, err)
	case *scenarios.RotateSecret:
		app, err := sr.app(a.App)
		if err != nil {
			return err
		}
		secret, err := sr.r.t.Control.RotateSecret(ctx, app.ClientID)
		if err != nil {
			return controlErr(ctx, err)
		}
		sr.client.AddClientCredentials(app.ClientID, secret)
		app.ClientSecret = secret
		return nil
	case *scenarios.Inject:
		app, err := sr.app(a.App)
		if err != nil {
			return err
		}
		return controlErr(ctx, sr.r.t.Control.Inject(ctx, control.Fault{
			Method: a.Method, Path: a.Path, ClientID: app.ClientID, Count: max(a.Count, 1),
			Status: a.Status, Body: a.Body, ContentType: a.ContentType, Headers: a.Headers,
		}))
	}
	return fmt.Errorf("step %s has no action the runner knows", st.Name)
}

// eachClone applies a control call to every app of the scenario, in name
// order.
func (sr *scenarioRun) eachClone(ctx context.Context, call func(clientID string) error) error {
	for _, name := range sortedNames(sr.apps) {
		if err := call(sr.apps[name].ClientID); err != nil {
			return controlErr(ctx, err)
		}
	}
	return nil
}

// user is the fake user the scenario authorizes as.
func (sr *scenarioRun) user() string {
	if sr.fresh != "" {
		return sr.fresh
	}
	if sr.s.User != "" {
		return sr.s.User
	}
	return sr.r.defaultUser()
}

func (sr *scenarioRun) authorize(ctx context.Context, step string, a *scenarios.Authorize, out *outcome) error {
	q := url.Values{}
	for _, p := range []struct {
		name string
		t    scenarios.Template
	}{{"client_id", a.ClientID}, {"response_type", a.ResponseType}, {"redirect_uri", a.RedirectURI}} {
		v, err := p.t.Expand(sr.lookup)
		if err != nil {
			return err
		}
		q.Set(p.name, v)
	}
	state := randomHex(16)
	if a.State != nil {
		var err error
		if state, err = a.State.Expand(sr.lookup); err != nil {
			return err
		}
	}
	q.Set("state", state)
	if a.Scope != nil {
		q.Set("scope", a.Scope.String())
	}
	if a.ShowDialog != nil {
		q.Set("show_dialog", strconv.FormatBool(*a.ShowDialog))
	}
	verifier := ""
	if a.PKCE == scenarios.PKCES256 || a.PKCE == scenarios.PKCEPlain {
		verifier = randomVerifier()
		if a.Verifier != "" {
			var err error
			if verifier, err = a.Verifier.Expand(sr.lookup); err != nil {
				return err
			}
		}
		// A plain challenge is the verifier itself: it must not show in
		// the transcript's authorize URL.
		sr.client.Learn(verifier)
	}
	challenge, method := scenarios.Challenge(verifier, a.PKCE, a.ChallengeEncoding)
	var err error
	if a.CodeChallenge != nil {
		if challenge, err = sr.expand(a.CodeChallenge); err != nil {
			return err
		}
	}
	if a.CodeChallengeMethod != nil {
		if method, err = sr.expand(a.CodeChallengeMethod); err != nil {
			return err
		}
	}
	if challenge != "" || a.CodeChallenge != nil {
		q.Set("code_challenge", challenge)
	}
	if method != "" || a.CodeChallengeMethod != nil {
		q.Set("code_challenge_method", method)
	}
	if err := sr.params(q, a.Params, a.Omit); err != nil {
		return err
	}
	u := sr.client.AccountsURL(a.Path) + "?" + q.Encode()

	exp := newExports(scenarios.KindAuthorize)
	out.exp = exp
	exp.set("url", u)
	for _, name := range []string{"client_id", "redirect_uri", "scope", "state"} {
		exp.set(name, q.Get(name))
	}
	exp.set("verifier", verifier)
	exp.set("challenge", q.Get("code_challenge"))

	resp, err := sr.client.Do(ctx, Request{Step: step, Method: http.MethodGet, URL: u})
	if err != nil {
		return err
	}
	exp.setResponse(resp)
	loc := resp.Location()
	exp.set("location", loc)
	exp.set("page_text", scenarios.PageText(string(resp.Body)))
	var rd *scenarios.Redirect
	if resp.Status >= 300 && resp.Status < 400 && loc != "" {
		if rd, err = scenarios.ParseRedirect(loc, u); err != nil {
			rd = nil
		}
	}
	exp.redirect = rd
	for _, name := range []string{"code", "error", "error_description"} {
		switch {
		case rd != nil && rd.Params.Has(name):
			exp.set(name, rd.Params.Get(name))
		case rd != nil:
			exp.why[name] = "its redirect carried no " + name
		default:
			exp.why[name] = fmt.Sprintf("it was answered with %d, not a redirect", resp.Status)
		}
	}
	out.obs = []*scenarios.Observation{{Status: resp.Status, Header: resp.Header, Body: resp.Body, Redirect: rd}}
	out.explain = func(c *explain.Catalog) []explain.Match {
		switch {
		case rd != nil && rd.Error != "":
			return c.MatchCallback(loc, state)
		case resp.Status >= 400:
			if ms := c.MatchResponse(explain.WhereAuthorizePage, resp.Status, resp.Header.Get("Content-Type"), resp.Body); len(ms) > 0 {
				return ms
			}
			return c.MatchPage(string(resp.Body))
		}
		return nil
	}
	return nil
}

// params applies a step's raw parameters (added or replacing) and then its
// omissions.
func (sr *scenarioRun) params(q url.Values, params map[string]scenarios.Template, omit []string) error {
	for _, k := range slices.Sorted(maps.Keys(params)) {
		v, err := params[k].Expand(sr.lookup)
		if err != nil {
			return err
		}
		q.Set(k, v)
	}
	for _, k := range omit {
		q.Del(k)
	}
	return nil
}

func (sr *scenarioRun) consent(ctx context.Context, step string, c *scenarios.Consent, out *outcome) error {
	from, ok := sr.exports[c.From]
	if !ok {
		return fmt.Errorf("step %s has not run", c.From)
	}
	authURL, redirectURI, sentState := from.values["url"], from.values["redirect_uri"], from.values["state"]
	if sr.r.o.Browser == nil {
		return errors.New("this run has no browser")
	}
	if sr.session == nil {
		s, err := sr.r.o.Browser.NewSession()
		if err != nil {
			return err
		}
		sr.session = s
	}
	username, password, err := sr.login(c.User)
	if err != nil {
		return err
	}
	sr.client.Learn(password)
	res, err := sr.session.Consent(ctx, browser.ConsentOptions{
		AuthorizeURL: authURL, RedirectURI: redirectURI, Username: username, Password: password,
		Approve: c.Decision != scenarios.DecisionDeny, Timeout: sr.r.o.ConsentTimeout,
	})
	if res == nil {
		res = &browser.Consent{}
	}
	// Learn the callback's code before anything shows a URL or page text.
	if res.CallbackURL != "" {
		sr.client.LearnURL(res.CallbackURL)
	}
	sr.recordBrowser(step, res)
	for _, sh := range res.Shots {
		out.shots = append(out.shots, sr.screenshot(sh))
	}
	var te *browser.TimeoutError
	switch {
	case errors.As(err, &te):
		out.failMsg = err.Error()
	case errors.Is(err, browser.ErrLoginFailed):
		out.failMsg = fmt.Sprintf("logging in as %s: %v", username, err)
	case err != nil:
		return err
	}

	exp := newExports(scenarios.KindConsent)
	out.exp = exp
	var rd *scenarios.Redirect
	if res.CallbackURL != "" {
		if rd, err = scenarios.ParseRedirect(res.CallbackURL, ""); err != nil {
			return fmt.Errorf("the browser's redirect does not parse: %w", err)
		}
		exp.setRedirect(rd)
	} else {
		why := "the browser never reached the redirect_uri"
		if res.PageText != "" {
			why = "the browser stopped on a page: " + strconv.Quote(res.PageText)
			if out.failMsg == "" {
				out.failMsg = "the browser stopped on a page instead of reaching the redirect_uri: " + strconv.Quote(res.PageText)
			}
		}
		for _, name := range []string{"url", "code", "state", "error", "error_description"} {
			exp.why[name] = why
		}
	}
	login := slices.Contains(res.Actions, "login")
	dialog := slices.Contains(res.Actions, "approve") || slices.Contains(res.Actions, "deny")
	out.obs = []*scenarios.Observation{{Redirect: rd, DialogShown: dialog, LoginShown: login}}
	if c.Decision == scenarios.DecisionDeny && !dialog && out.failMsg == "" && rd != nil {
		out.failed = append(out.failed, Expectation{Name: "decision deny",
			Expected: "the consent page, to press Cancel on", Actual: "no consent page (the consent was remembered)"})
	}
	pageText := res.PageText
	out.explain = func(cat *explain.Catalog) []explain.Match {
		switch {
		case rd != nil && rd.Error != "":
			return cat.MatchCallback(rd.URL, sentState)
		case pageText != "":
			return cat.MatchPage(pageText)
		}
		return nil
	}
	return nil
}

// login is who logs in on the consent page: the test account on spotify,
// the consent step's or the scenario's fake user otherwise.
func (sr *scenarioRun) login(user string) (string, string, error) {
	if sr.spotify {
		c := sr.r.o.Credentials
		return c.TestUsername.Value, c.TestPassword.Value, nil
	}
	if user == "" {
		user = sr.user()
	}
	if user == sr.fresh && sr.fresh != "" {
		user = sr.freshFrom // the clone logs in as itself with its template's password
		u, ok := sr.r.cfg.User(user)
		if !ok {
			return "", "", fmt.Errorf("the fake's configuration has no user %q to log in as", user)
		}
		return sr.fresh, u.Password, nil
	}
	u, ok := sr.r.cfg.User(user)
	if !ok {
		return "", "", fmt.Errorf("the fake's configuration has no user %q to log in as", user)
	}
	return u.ID, u.Password, nil
}

func (sr *scenarioRun) screenshot(sh browser.Shot) Screenshot {
	red := sr.client.Redactor()
	return Screenshot{Name: sh.Name, URL: red.URL(sh.URL), PNG: sh.PNG, PageText: red.String(sh.Text)}
}

// recordBrowser puts the browser's navigations into the transcript, so
// that a report shows the consent step's requests next to the client's.
func (sr *scenarioRun) recordBrowser(step string, res *browser.Consent) {
	for _, n := range res.Navigations {
		ex := wire.Exchange{Step: step, Actor: wire.ActorBrowser, Started: n.Started, Duration: n.Duration,
			Method: n.Method, URL: n.URL, RequestHeaders: n.RequestHeaders, RequestBody: n.RequestBody,
			Status: n.Status, ResponseHeaders: n.ResponseHeaders, Error: n.Error}
		if n.Caught {
			ex.Peer = wire.PeerRedirect
		}
		sr.client.Record(ex)
	}
}

func (sr *scenarioRun) callback(c *scenarios.Callback, out *outcome) error {
	exp := newExports(scenarios.KindCallback)
	out.exp = exp
	var raw, sentState string
	if c.URL != nil {
		var err error
		if raw, err = sr.expand(c.URL); err != nil {
			return err
		}
	} else {
		from, ok := sr.exports[c.From]
		if !ok {
			return fmt.Errorf("step %s has not run", c.From)
		}
		if from.redirect == nil {
			out.failMsg = "step " + c.From + " got no redirect to parse"
			for _, name := range []string{"url", "code", "state", "error", "error_description"} {
				exp.why[name] = out.failMsg
			}
			return nil
		}
		raw = from.redirect.URL
		if from.kind == scenarios.KindAuthorize {
			sentState = from.values["state"]
		}
	}
	sr.client.LearnURL(raw)
	rd, err := scenarios.ParseRedirect(raw, "")
	if err != nil {
		return fmt.Errorf("the callback URL does not parse: %w", err)
	}
	exp.setRedirect(rd)
	out.obs = []*scenarios.Observation{{Redirect: rd}}
	out.explain = func(cat *explain.Catalog) []explain.Match {
		if rd.Error != "" {
			return cat.MatchCallback(raw, sentState)
		}
		return nil
	}
	return nil
}

// token sends a token request (exchange, refresh, client_credentials),
// built as scenarios.TokenRequest documents.
func (sr *scenarioRun) token(ctx context.Context, step string, kind scenarios.Kind, tr *scenarios.TokenRequest, own [][2]string, sentRefresh string, out *outcome) error {
	grant, err := tr.GrantType.Expand(sr.lookup)
	if err != nil {
		return err
	}
	id, err := tr.ClientID.Expand(sr.lookup)
	if err != nil {
		return err
	}
	secret, err := tr.ClientSecret.Expand(sr.lookup)
	if err != nil {
		return err
	}
	if secret != "" {
		sr.client.AddClientCredentials(id, secret)
	}
	params := url.Values{"grant_type": {grant}}
	for _, kv := range own {
		params.Set(kv[0], kv[1])
	}
	switch tr.Auth {
	case scenarios.AuthBody:
		params.Set("client_id", id)
		params.Set("client_secret", secret)
	case scenarios.AuthPublic:
		params.Set("client_id", id)
	}
	if err := sr.params(params, tr.Params, tr.Omit); err != nil {
		return err
	}
	h := http.Header{}
	switch {
	case tr.Authorization != nil:
		v, err := sr.expand(tr.Authorization)
		if err != nil {
			return err
		}
		h.Set("Authorization", v)
	case tr.Auth == scenarios.AuthBasic:
		h.Set("Authorization", wire.BasicAuth(id, secret))
	}
	u := sr.client.AccountsURL(tr.Path)
	var body []byte
	ct := "application/x-www-form-urlencoded"
	switch {
	case tr.ParamsIn == scenarios.ParamsInQuery:
		u += "?" + params.Encode()
		body = []byte{}
	case tr.BodyFormat == scenarios.BodyJSON:
		obj := make(map[string]string, len(params))
		for k := range params {
			obj[k] = params.Get(k)
		}
		body, _ = json.Marshal(obj) // a map of strings always encodes, keys sorted
		ct = "application/json"
	default:
		body = []byte(params.Encode())
	}
	if tr.ContentType != nil {
		if ct, err = sr.expand(tr.ContentType); err != nil {
			return err
		}
	}
	if ct != "" {
		h.Set("Content-Type", ct)
	}
	if err := sr.headers(h, tr.Headers); err != nil {
		return err
	}
	req := Request{Step: step, Method: http.MethodPost, URL: u, Header: h, Body: body, Raw: needsRaw(h)}

	exp := newExports(kind)
	out.exp = exp
	if kind == scenarios.KindRefresh {
		exp.set("used_refresh_token", sentRefresh)
	}
	resps, err := sr.send(ctx, req, tr.Count(), tr.Parallel > 1)
	if err != nil {
		return err
	}
	resp := exportFrom(resps)
	exp.setResponse(resp)
	names := []string{"access_token", "refresh_token", "scope", "expires_in", "token_type"}
	if kind == scenarios.KindClientCredentials {
		names = []string{"access_token", "scope", "expires_in", "token_type"}
	}
	exp.setTokenFields(resp.Body, names...)
	if kind == scenarios.KindRefresh {
		if v, ok := exp.values["refresh_token"]; !ok || v == "" {
			exp.set("refresh_token", sentRefresh)
		}
	}
	for _, r := range resps {
		out.obs = append(out.obs, &scenarios.Observation{Status: r.Status, Header: r.Header, Body: r.Body, SentRefreshToken: sentRefresh})
	}
	out.explain = explainFirstError(resps, explain.WhereToken)
	return nil
}

func (sr *scenarioRun) api(ctx context.Context, step string, a *scenarios.API, out *outcome) error {
	path, err := a.Path.Expand(sr.lookup)
	if err != nil {
		return err
	}
	q := url.Values{}
	for _, k := range slices.Sorted(maps.Keys(a.Query)) {
		v, err := a.Query[k].Expand(sr.lookup)
		if err != nil {
			return err
		}
		q.Set(k, v)
	}
	u := sr.client.APIURL(path)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	h := http.Header{}
	switch {
	case a.Authorization != nil:
		v, err := sr.expand(a.Authorization)
		if err != nil {
			return err
		}
		h.Set("Authorization", v)
	case a.Auth != scenarios.APINone:
		tok, err := a.Token.Expand(sr.lookup)
		if err != nil {
			return err
		}
		h.Set("Authorization", "Bearer "+tok)
	}
	var body []byte
	ct := ""
	switch {
	case a.JSON != nil:
		v, err := scenarios.ExpandValue(a.JSON, sr.lookup)
		if err != nil {
			return err
		}
		if body, err = json.Marshal(v); err != nil {
			return fmt.Errorf("json: %w", err)
		}
		ct = "application/json"
	case a.Body != nil:
		b, err := sr.expand(a.Body)
		if err != nil {
			return err
		}
		body = []byte(b)
	}
	if a.ContentType != nil {
		if ct, err = sr.expand(a.ContentType); err != nil {
			return err
		}
	}
	if ct != "" {
		h.Set("Content-Type", ct)
	}
	if err := sr.headers(h, a.Headers); err != nil {
		return err
	}
	method := a.Method
	if method == "" {
		method = http.MethodGet
	}
	req := Request{Step: step, Method: method, URL: u, Header: h, Body: body, Raw: needsRaw(h)}
	exp := newExports(scenarios.KindAPI)
	out.exp = exp
	resps, err := sr.send(ctx, req, a.Count(), a.Parallel > 1)
	if err != nil {
		return err
	}
	exp.setResponse(exportFrom(resps))
	for _, r := range resps {
		out.obs = append(out.obs, &scenarios.Observation{Status: r.Status, Header: r.Header, Body: r.Body})
	}
	out.explain = explainFirstError(resps, explain.WhereWebAPI)
	return nil
}

func (sr *scenarioRun) headers(h http.Header, extra map[string]scenarios.Template) error {
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		v, err := extra[k].Expand(sr.lookup)
		if err != nil {
			return err
		}
		h.Set(k, v)
	}
	return nil
}

// needsRaw reports whether a header holds what net/http refuses to send (a
// line break, a NUL): such a request is written to the socket as it is.
func needsRaw(h http.Header) bool {
	for _, vs := range h {
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n\x00") {
				return true
			}
		}
	}
	return false
}

// send makes n copies of req, one after the other or all at once, and
// returns the responses numbered in the order the requests were started.
// A request that got no response makes the step an error.
func (sr *scenarioRun) send(ctx context.Context, req Request, n int, parallel bool) ([]*Response, error) {
	resps := make([]*Response, n)
	errs := make([]error, n)
	if parallel && n > 1 {
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resps[i], errs[i] = sr.client.Do(ctx, req)
			}()
		}
		wg.Wait()
	} else {
		for i := range n {
			if resps[i], errs[i] = sr.client.Do(ctx, req); errs[i] != nil {
				break
			}
		}
	}
	for i, err := range errs {
		if err != nil {
			if n > 1 {
				return nil, fmt.Errorf("request %d of %d: %w", i+1, n, err)
			}
			return nil, err
		}
	}
	return resps, nil
}

// exportFrom picks the response a repeated step exports: the first
// successful one, else the last.
func exportFrom(resps []*Response) *Response {
	for _, r := range resps {
		if r.Status >= 200 && r.Status < 300 {
			return r
		}
	}
	return resps[len(resps)-1]
}

// explainFirstError reads the first error response of a step.
func explainFirstError(resps []*Response, where explain.Where) func(*explain.Catalog) []explain.Match {
	return func(c *explain.Catalog) []explain.Match {
		for _, r := range resps {
			if r.Status >= 400 {
				return c.MatchResponse(where, r.Status, r.Header.Get("Content-Type"), r.Body)
			}
		}
		return nil
	}
}

// randomHex is n random bytes, hex-encoded: the default state.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

const unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"

// randomVerifier is a PKCE code verifier: 64 characters from the
// unreserved set (RFC 7636 §4.1 allows 43 to 128).
func randomVerifier() string {
	b := make([]byte, 64)
	_, _ = rand.Read(b)
	for i := range b {
		// Reject the bytes that would favour the first characters.
		for int(b[i]) >= 256-256%len(unreserved) {
			var one [1]byte
			_, _ = rand.Read(one[:])
			b[i] = one[0]
		}
		b[i] = unreserved[int(b[i])%len(unreserved)]
	}
	return string(b)
}
