package doctor

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/browser"
	"github.com/spotcheck/spotcheck/checks/explain"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// fullTimeout bounds the browser part of --full.
const fullTimeout = 45 * time.Second

// The fake's built-in test account, used against a fake when no
// SPOTCHECK_TEST_USERNAME is set.
const (
	fakeUser     = "alice"
	fakePassword = "alice-password"
)

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// testAccount is who --full logs in as.
func (r *runner) testAccount() (user, password, from string) {
	cr := r.o.Credentials
	if cr.TestUsername.IsSet() {
		return cr.TestUsername.Value, cr.TestPassword.Value, cr.TestUsername.Source.String()
	}
	if cfg := r.o.Target.Config; cfg != nil {
		if u, ok := cfg.User(cfg.DefaultUser); ok {
			return u.ID, u.Password, "the fake's default user"
		}
	}
	return fakeUser, fakePassword, "the fake's built-in user"
}

func (c *checkRun) fullFlow() {
	r := c.r
	if !r.o.Full {
		c.skip("--full runs a complete authorization in the browser")
		return
	}
	if !c.needOnline() {
		return
	}
	uri := r.registeredURI()
	switch {
	case !r.o.Flow.hasUser() || r.o.Flow == FlowImplicit:
		c.skip("--flow %s has no authorization-code flow to run", r.o.Flow)
		return
	case r.cred.idKnown != yes:
		c.skip("Spotify has not accepted the client id")
		return
	case uri == "":
		c.skip("no redirect URI that /authorize accepts")
		return
	case r.o.Flow == FlowCode && r.cred.secretOK != yes:
		c.skip("the code exchange needs a client secret Spotify accepts")
		return
	}
	user, password, from := r.testAccount()
	r.client.Learn(password)
	r.set.Add(password)

	launch := r.o.Browser
	if launch == nil {
		launch = browser.LaunchWith
	}
	ctx := r.ctx
	b, err := launch(ctx, browser.LaunchOptions{AllowNetwork: r.o.Target.Kind == checks.TargetSpotify})
	if err != nil {
		if errors.Is(err, browser.ErrNoChromium) {
			r.fatal = err
			return
		}
		c.fail("start Chromium: %v", err)
		return
	}
	defer b.Close()
	session, err := b.NewSession()
	if err != nil {
		c.fail("%v", err)
		return
	}
	defer session.Close()

	state := randomToken(12)
	params := r.authorizeParams(uri, strings.Join(r.scopes.valid, " "))
	params.Set("state", state)
	verifier := ""
	if r.o.Flow == FlowPKCE {
		verifier = randomToken(48)
		r.client.Learn(verifier)
		params.Set("code_challenge_method", "S256")
		params.Set("code_challenge", wire.S256(verifier))
	}
	authURL := r.client.AccountsURL("/authorize") + "?" + params.Encode()
	t0 := time.Now()
	res, err := session.Consent(ctx, browser.ConsentOptions{AuthorizeURL: authURL, RedirectURI: uri, Username: user, Password: password,
		Approve: true, Timeout: fullTimeout})
	var cb string
	if res != nil {
		cb = res.CallbackURL
		r.client.LearnURL(cb)
	}
	nav := r.client.Record(wire.Exchange{Step: "browser: authorize as " + user, Actor: wire.ActorBrowser, Peer: wire.PeerAccounts,
		Started: t0, Duration: time.Since(t0), Method: http.MethodGet, URL: authURL})
	ex := []wire.Exchange{nav}
	var te *browser.TimeoutError
	switch {
	case errors.Is(err, browser.ErrLoginFailed):
		f := c.add(TestAccountLoginFailed, "full:login", fmt.Sprintf("logging in as %s (%s): %s", user, from, r.set.String(err.Error())))
		f.Exchanges = ex
		return
	case errors.As(err, &te):
		f := c.add(FullFlowFailed, "full:flow", "the browser "+r.set.String(te.Error()))
		f.Exchanges = ex
		return
	case err != nil:
		c.fail("browser: %s", r.set.String(err.Error()))
		return
	case res.PageText != "":
		id := FullFlowFailed
		if ms := r.cat.MatchPage(res.PageText); len(ms) > 0 && ms[0].Level() != explain.LevelLow {
			id = ID(ms[0].Entry.ID)
		}
		f := c.add(id, "full:"+string(id), "the authorize page stopped with: "+clip(oneLine(r.set.String(res.PageText)), 300))
		f.Exchanges = ex
		return
	}
	r.client.Record(wire.Exchange{Step: "browser: callback", Actor: wire.ActorBrowser, Peer: wire.PeerRedirect,
		Started: time.Now(), Method: http.MethodGet, URL: cb})
	u, perr := url.Parse(cb)
	if perr != nil {
		c.fail("the callback URL does not parse")
		return
	}
	q := u.Query()
	if q.Get("code") == "" || q.Get("state") != state {
		id := FullFlowFailed
		if ms := r.cat.MatchCallback(cb, state); len(ms) > 0 {
			id = ID(ms[0].Entry.ID)
		}
		c.add(id, "full:"+string(id), "the browser came back to "+r.set.URL(cb))
		return
	}

	t := checks.TokenRequest{Step: "full: exchange the code", Auth: checks.AuthBasic, ClientID: r.cred.id.clean, ClientSecret: r.cred.secret.clean,
		Params: checks.AuthorizationCodeParams(q.Get("code"), uri, verifier)}
	if r.o.Flow == FlowPKCE {
		t.Auth, t.ClientSecret = checks.AuthPublic, ""
	}
	resp, ok := c.token(t)
	if !ok {
		return
	}
	if resp.Status != http.StatusOK {
		c.flowFailure(resp, "exchanging the code: ", explain.WhereToken)
		return
	}
	tok, err := resp.Token()
	if err != nil || tok.AccessToken == "" {
		c.fail("the code exchange answered 200 without an access token")
		return
	}
	me, ok := c.do(r.client.APIRequest("full: GET /v1/me", http.MethodGet, "/v1/me", tok.AccessToken, nil))
	if !ok {
		return
	}
	if me.Status != http.StatusOK {
		c.flowFailure(me, "GET /v1/me after the browser flow: ", explain.WhereWebAPI)
		return
	}
	var who struct {
		ID string `json:"id"`
	}
	_ = me.JSON(&who)
	c.note("%s logged in, approved, the code was exchanged (%s) and GET /v1/me answered for %s", user, r.o.Flow, who.ID)
}

// flowFailure reports a refused step of --full, folded into the finding
// the other checks already made for the same cause.
func (c *checkRun) flowFailure(resp *checks.Response, what string, where explain.Where) {
	r := c.r
	ex := []wire.Exchange{resp.Exchange}
	ev := what + quote(resp.Exchange)
	id := r.matchID(where, resp)
	subject := map[ID]string{UserNotAllowlisted: "api:allowlist", OwnerNotPremium: "owner-premium"}[id]
	if subject == "" {
		subject = "full:" + string(id)
	}
	if id == "" {
		id = FullFlowFailed
	}
	if r.fold(subject, ex, ev) {
		return
	}
	f := c.add(id, subject, ev)
	f.Exchanges = ex
}
