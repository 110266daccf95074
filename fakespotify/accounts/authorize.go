package accounts

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/store"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// authRequest is a validated authorization request.
type authRequest struct {
	app             config.App
	redirectURI     string // as sent: the token request must repeat it byte for byte
	state           string
	hasState        bool
	scopes          []string
	showDialog      bool
	challenge       string
	challengeMethod string
	// implicit: response_type=token under the implicit_grant=allowed
	// policy; the approval redirects with an access token in the fragment.
	implicit bool
}

// authFailure is how a bad request is answered: with a page when the
// client or redirect URI cannot be trusted (§1.3), else by redirecting to
// the app with an error.
type authFailure struct {
	page     string
	location string
}

func (f *authFailure) write(w http.ResponseWriter, r *http.Request) {
	if f.page != "" {
		errorPage(w, f.page)
		return
	}
	http.Redirect(w, r, f.location, http.StatusFound)
}

// parseAuthorize validates an authorization request in the order Spotify
// appears to: the client, then the redirect URI (the only thing that makes
// a redirect safe), then scope, then response type. Reports back this up:
// `response_type=id_token token&scope=openid` got "Illegal Scope", so the
// scope is checked before the response type (§1.1). Parameters are read
// from the query only: a POSTed form is "Missing required parameter".
func (s *Service) parseAuthorize(q url.Values) (*authRequest, *authFailure) {
	clientID := q.Get("client_id")
	if clientID == "" {
		return nil, &authFailure{page: "Missing required parameter: client_id"}
	}
	app, ok := s.env.App(clientID)
	if !ok {
		return nil, &authFailure{page: "INVALID_CLIENT: Invalid client"}
	}
	redirectURI := q.Get("redirect_uri")
	if redirectURI == "" {
		return nil, &authFailure{page: "Missing required parameter: redirect_uri"}
	}
	registered, ok := MatchRedirect(app.RedirectURIs, redirectURI)
	if !ok {
		return nil, &authFailure{page: "INVALID_CLIENT: Invalid redirect URI"}
	}
	pol := s.env.Policies(clientID)
	if Insecure(registered, pol.RedirectSecurity) {
		return nil, &authFailure{page: "INVALID_CLIENT: Insecure redirect URI"}
	}
	req := &authRequest{app: app, redirectURI: redirectURI}
	req.state, req.hasState = q.Get("state"), q.Has("state")

	scopes := wire.ParseScope(q.Get("scope"))
	for _, sc := range scopes {
		if _, ok := wire.LookupScopeFor(sc, app.Created.Time); !ok {
			return nil, &authFailure{page: "Illegal scope"}
		}
	}
	req.scopes = scopes

	switch rt := q.Get("response_type"); rt {
	case "code":
	case "":
		return nil, &authFailure{page: "Missing required parameter: response_type"}
	case "token":
		// The implicit grant was removed on 2025-11-27 (§1.4). Spotify has
		// answered both ways since; the policy picks one, or (allowed)
		// grants it as before the removal.
		if pol.ImplicitGrant == wire.ImplicitAllowed {
			req.implicit = true
			break
		}
		if pol.ImplicitGrant == wire.ImplicitPage {
			return nil, &authFailure{page: "response_type must be code"}
		}
		p := url.Values{"error": {"unsupported_response_type"}}
		if req.hasState {
			p.Set("state", req.state)
		}
		return nil, &authFailure{location: withParams(redirectURI, p, true)}
	default:
		if pol.ImplicitGrant == wire.ImplicitAllowed {
			// Before the removal the page named both (§1.3).
			return nil, &authFailure{page: "response_type must be code or token"}
		}
		return nil, &authFailure{page: "response_type must be code"}
	}

	req.showDialog = strings.EqualFold(q.Get("show_dialog"), "true")
	req.challenge, req.challengeMethod = q.Get("code_challenge"), q.Get("code_challenge_method")
	if req.challenge != "" || req.challengeMethod != "" {
		// Spotify documents S256 only (PKCE doc). What it answers for
		// "plain" or a missing half is not captured; [inferred]: an
		// invalid_request redirect, as RFC 7636 §4.4.1 prescribes.
		desc := ""
		switch {
		case req.challengeMethod != "S256":
			desc = "code_challenge_method must be S256"
		case req.challenge == "":
			desc = "code_challenge required"
		}
		if desc != "" {
			p := url.Values{"error": {"invalid_request"}, "error_description": {desc}}
			if req.hasState {
				p.Set("state", req.state)
			}
			return nil, &authFailure{location: withParams(redirectURI, p, false)}
		}
	}
	return req, nil
}

func (s *Service) authorize(w http.ResponseWriter, r *http.Request) {
	req, fail := s.parseAuthorize(r.URL.Query())
	if fail != nil {
		fail.write(w, r)
		return
	}
	clientID := req.app.ClientID
	if mode, autoUser := s.env.Consent(clientID); mode == config.ConsentAuto {
		// Headless CI of users' own apps: approve as the configured user
		// without any page.
		s.store.GrantConsent(autoUser, clientID, req.scopes)
		s.redirectWithCode(w, r, req, autoUser)
		return
	}
	user, ok := s.sessionUser(r)
	if !ok {
		http.Redirect(w, r, "/login?"+url.Values{"continue": {absoluteURL(r)}}.Encode(), http.StatusFound)
		return
	}
	// "If false (default), a user who has already approved the application
	// may be automatically redirected" (§1.1): only when nothing new is asked.
	if granted, has := s.store.Consent(user, clientID); has && !req.showDialog && covers(granted, req.scopes) {
		s.redirectWithCode(w, r, req, user)
		return
	}
	s.renderConsent(w, req, user, r.URL.RawQuery)
}

func covers(granted map[string]bool, asked []string) bool {
	for _, sc := range asked {
		if !granted[sc] {
			return false
		}
	}
	return true
}

func (s *Service) renderConsent(w http.ResponseWriter, req *authRequest, user, rawQuery string) {
	page := consentPage{User: user, AppName: req.app.Name, AppDescription: req.app.Description, Request: rawQuery}
	if u, ok := s.env.User(user); ok && u.DisplayName != "" {
		page.User = u.DisplayName
	}
	for _, sc := range req.scopes {
		d, _ := wire.LookupScopeFor(sc, req.app.Created.Time)
		page.Scopes = append(page.Scopes, d)
	}
	render(w, http.StatusOK, "consent", page)
}

// decision handles the consent form. The form carries the original
// authorization request, which is validated again: the page may have sat
// open while the app's settings changed.
func (s *Service) decision(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q, err := url.ParseQuery(r.PostFormValue("request"))
	if err != nil {
		errorPage(w, "Missing required parameter: client_id")
		return
	}
	req, fail := s.parseAuthorize(q)
	if fail != nil {
		fail.write(w, r)
		return
	}
	user, ok := s.sessionUser(r)
	if !ok {
		http.Redirect(w, r, "/login?"+url.Values{"continue": {"/authorize?" + q.Encode()}}.Encode(), http.StatusFound)
		return
	}
	if r.PostFormValue("decision") != "accept" {
		// §1.2: "an error parameter (if denied or failed)"; the value is
		// RFC 6749's access_denied.
		p := url.Values{"error": {"access_denied"}}
		if req.hasState {
			p.Set("state", req.state)
		}
		http.Redirect(w, r, withParams(req.redirectURI, p, false), http.StatusFound)
		return
	}
	s.store.GrantConsent(user, req.app.ClientID, req.scopes)
	s.redirectWithCode(w, r, req, user)
}

func (s *Service) redirectWithCode(w http.ResponseWriter, r *http.Request, req *authRequest, user string) {
	clientID := req.app.ClientID
	now := s.env.Now(clientID)
	if req.implicit {
		s.redirectWithToken(w, r, req, user, now)
		return
	}
	c := &store.Code{
		ClientID:      clientID,
		UserID:        user,
		RedirectURI:   req.redirectURI,
		Scopes:        req.scopes,
		Challenge:     req.challenge,
		ChallengeKind: req.challengeMethod,
		Issued:        now,
		Expires:       now.Add(s.env.Lifetimes().Code),
	}
	if !s.store.PutCode(c, s.env.Base()) {
		// The app was deleted while its user approved.
		errorPage(w, "INVALID_CLIENT: Invalid client")
		return
	}
	p := url.Values{"code": {c.Value}}
	if req.hasState {
		p.Set("state", req.state)
	}
	http.Redirect(w, r, withParams(req.redirectURI, p, false), http.StatusFound)
}

// redirectWithToken answers an approved implicit grant as Spotify did
// before its removal (§1.2, web-api#1491): an access token, no refresh
// token, in the fragment, in the order its tutorial showed:
// #access_token=…&token_type=Bearer&expires_in=3600&state=….
func (s *Service) redirectWithToken(w http.ResponseWriter, r *http.Request, req *authRequest, user string, now time.Time) {
	// A grant like a code exchange's, so that revoking it kills the token;
	// its refresh token is never handed out.
	au := store.Authorization{ClientID: req.app.ClientID, UserID: user, Scopes: req.scopes, AuthTime: now}
	access, _, ok := s.store.Authorize(au, now, now.Add(s.env.Lifetimes().AccessToken), s.refreshSweep(req.app.ClientID, now))
	if !ok {
		// The app was deleted while its user approved.
		errorPage(w, "INVALID_CLIENT: Invalid client")
		return
	}
	frag := "access_token=" + url.QueryEscape(access) + "&token_type=Bearer&expires_in=" + strconv.Itoa(s.expiresIn())
	if req.hasState {
		frag += "&state=" + url.QueryEscape(req.state)
	}
	base, _, _ := strings.Cut(req.redirectURI, "#")
	http.Redirect(w, r, base+"#"+frag, http.StatusFound)
}

// absoluteURL rebuilds the URL the browser asked for, as Spotify's login
// page carries it in ?continue=.
func absoluteURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.RequestURI()
}
