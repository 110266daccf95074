package grade

import (
	"fmt"
	"strings"

	"github.com/spotcheck/spotcheck/fakespotify/accounts"
	"github.com/spotcheck/spotcheck/fakespotify/analyze"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

const noAuthorize = "no authorization requests in the window"

func checkStateMissing(s *session) result {
	groups := s.authorizeRequests()
	if len(groups) == 0 {
		return result{skip: noAuthorize}
	}
	var plainEv, pkceEv []string
	var plainR, pkceR []*req
	for _, g := range groups {
		q := g.first.q
		if q.Get("state") != "" {
			continue
		}
		line := s.at(g.first) + " without state" + g.again()
		if q.Get("code_challenge_method") == "S256" && q.Get("code_challenge") != "" {
			pkceEv, pkceR = append(pkceEv, line+"; PKCE S256 is used"), append(pkceR, g.all()...)
		} else {
			plainEv, plainR = append(plainEv, line+"; no PKCE either"), append(plainR, g.all()...)
		}
	}
	var out []Finding
	if len(plainEv) > 0 {
		out = append(out, s.finding(SeverityError,
			"Authorization request without state and without PKCE: the callback cannot tell a forged response (CSRF)",
			"Send a state parameter on every /authorize request: a fresh random value (16 or more random bytes, "+
				"base64url; oauth2.GenerateVerifier() will do) stored in the user's session, and compare it with the "+
				"state on the callback before exchanging the code. Without it an attacker can complete your callback "+
				"with their own code and log your user in to the attacker's Spotify account (RFC 6749 §10.12). Spotify "+
				"calls state \"strongly recommended\".",
			plainEv, plainR))
	}
	if len(pkceEv) > 0 {
		out = append(out, s.finding(SeverityWarning,
			"Authorization request without state (PKCE S256 protects the code exchange, but not your callback's own session)",
			"Send a fresh random state on every /authorize request and check it on the callback. PKCE stops a "+
				"stolen code from being redeemed (RFC 9700 §4.7.1), but only state lets the callback refuse responses to "+
				"requests this browser session never started, and Spotify \"strongly recommends\" it.",
			pkceEv, pkceR))
	}
	return result{findings: out}
}

func checkPKCEPlain(s *session) result {
	groups := s.authorizeRequests()
	if len(groups) == 0 {
		return result{skip: noAuthorize}
	}
	type variant struct {
		title string
		ev    []string
		rs    []*req
	}
	var order []string
	variants := map[string]*variant{}
	for _, g := range groups {
		q := g.first.q
		method, challenge := q.Get("code_challenge_method"), q.Get("code_challenge")
		var title string
		switch analyze.MethodProblem(challenge, method) {
		case "":
			continue
		case analyze.MethodMissing:
			title = "code_challenge without code_challenge_method, which RFC 7636 defines as plain"
		case analyze.MethodPlain:
			title = "PKCE with code_challenge_method=plain: the challenge is the verifier itself"
		default:
			title = fmt.Sprintf("code_challenge_method %q is not S256 (the value is case-sensitive)", method)
		}
		v, ok := variants[title]
		if !ok {
			v = &variant{title: title}
			variants[title] = v
			order = append(order, title)
		}
		answer := ""
		if e := locationError(g.first); e != "" {
			answer = "; answered with " + e
		}
		v.ev = append(v.ev, fmt.Sprintf("%s %s%s%s", s.at(g.first), param("code_challenge_method", method), answer, g.again()))
		v.rs = append(v.rs, g.all()...)
	}
	var out []Finding
	for _, t := range order {
		v := variants[t]
		out = append(out, s.finding(SeverityError, v.title,
			"Use S256: code_challenge = base64url(SHA-256(code_verifier)) without '=' padding, and "+
				"code_challenge_method=S256 (golang.org/x/oauth2: oauth2.S256ChallengeOption(verifier) in AuthCodeURL, "+
				"oauth2.VerifierOption(verifier) in Exchange). With plain, anyone who sees the authorization URL "+
				"knows the verifier; Spotify documents S256 only.",
			v.ev, v.rs))
	}
	return result{findings: out}
}

// locationError is the error a redirect carried back to the app, e.g.
// `invalid_request "code_challenge_method must be S256"`.
func locationError(r *req) string {
	loc := r.ResponseHeader.Get("Location")
	if loc == "" {
		return ""
	}
	_, query, _ := strings.Cut(loc, "?")
	query, frag, _ := strings.Cut(query, "#")
	q := accounts.ParseFormLenient(query)
	if q.Get("error") == "" {
		q = accounts.ParseFormLenient(frag)
	}
	if q.Get("error") == "" {
		return ""
	}
	out := "error=" + q.Get("error")
	if d := q.Get("error_description"); d != "" {
		out += fmt.Sprintf(" %q", d)
	}
	return out
}

func checkImplicitGrant(s *session) result {
	groups := s.authorizeRequests()
	if len(groups) == 0 {
		return result{skip: noAuthorize}
	}
	var ev []string
	var rs []*req
	for _, g := range groups {
		if rt := g.first.q.Get("response_type"); rt != "token" && !strings.Contains(rt, "token") {
			continue
		}
		answer := ""
		if e := locationError(g.first); e != "" {
			answer = "; answered with " + e
		}
		ev = append(ev, fmt.Sprintf("%s %s%s%s", s.at(g.first), param("response_type", g.first.q.Get("response_type")), answer, g.again()))
		rs = append(rs, g.all()...)
	}
	if len(ev) == 0 {
		return result{}
	}
	return result{findings: []Finding{s.finding(SeverityError,
		"Implicit grant (response_type=token), which Spotify removed on 2025-11-27",
		"Use the authorization code flow with PKCE: response_type=code with an S256 code_challenge, then POST the "+
			"code with code_verifier and client_id to /api/token. A browser app can do this without a client secret. "+
			"Spotify now answers response_type=token with #error=unsupported_response_type or \"response_type must be code\".",
		ev, rs)}}
}

func checkLocalhostRedirect(s *session) result {
	var ev []string
	var rs []*req
	seen := map[string]int{} // redirect URI -> index in ev
	counts := map[string]int{}
	sent := false
	for _, r := range s.reqs {
		var uri string
		switch {
		case r.Endpoint == wire.EndpointAuthorize:
			uri = r.q.Get("redirect_uri")
		case r.grant() == "authorization_code":
			uri = r.form.Get("redirect_uri")
		default:
			continue
		}
		if uri == "" {
			continue
		}
		sent = true
		host := hostOf(uri)
		if host != "localhost" && !strings.HasSuffix(host, ".localhost") {
			continue
		}
		counts[uri]++
		if _, ok := seen[uri]; ok {
			continue
		}
		seen[uri] = len(ev)
		answer := ""
		if r.Endpoint == wire.EndpointAuthorize && r.Status == 400 {
			answer = fmt.Sprintf("; answered %d (Spotify shows \"INVALID_CLIENT: Insecure redirect URI\" or \"Invalid redirect URI\")", r.Status)
		}
		ev = append(ev, s.at(r)+" "+param("redirect_uri", uri)+answer)
		rs = append(rs, r)
	}
	if !sent {
		return result{skip: "no redirect_uri sent in the window"}
	}
	if len(ev) == 0 {
		return result{}
	}
	for uri, i := range seen {
		if n := counts[uri]; n > 1 {
			ev[i] += fmt.Sprintf(" (%s with this URI)", plural(n, "request", "requests"))
		}
	}
	return result{findings: []Finding{s.finding(SeverityError,
		"Redirect URI on localhost, which Spotify rejects since 2025",
		"Use a loopback IP literal instead: http://127.0.0.1:PORT/callback (or http://[::1]:PORT/callback). "+
			"Register it in the Spotify dashboard (registered without a port, a loopback literal matches any port), "+
			"and send the same value at /authorize and /api/token. Spotify refuses localhost with "+
			"\"INVALID_CLIENT: Insecure redirect URI\" (new apps since 2025-04-09, all apps since 2025-11-27).",
		ev, rs)}}
}

func checkSecretInQuery(s *session) result {
	var ev []string
	var rs []*req
	for _, r := range s.reqs {
		if !r.q.Has("client_secret") {
			continue
		}
		line := s.at(r) + " with " + param("client_secret", r.q.Get("client_secret")) + " in the query string"
		switch r.Endpoint {
		case wire.EndpointToken:
			if e, d := oauthError(r); e == "unsupported_grant_type" {
				line += fmt.Sprintf("; answered %d %s %q (Spotify reads token parameters from the body only)", r.Status, e, d)
			}
		case wire.EndpointAuthorize:
			line += ": it went through the user's browser"
		}
		ev, rs = append(ev, line), append(rs, r)
	}
	if len(ev) == 0 {
		return result{}
	}
	return result{findings: []Finding{s.finding(SeverityError,
		"Client secret sent in a URL query string",
		"Send the client secret only to /api/token, as Authorization: Basic base64(client_id:client_secret) "+
			"(golang.org/x/oauth2: AuthStyleInHeader) or in the POST body, never in a URL: URLs are written to "+
			"server and proxy logs and browser history, and a secret in an /authorize URL is handed to every user. "+
			"Rotate the secret in the Spotify dashboard if such a URL ever left your machine.",
		ev, rs)}}
}

func checkTokenFromBrowser(s *session) result {
	var ev []string
	var rs []*req
	tokens := 0
	for _, r := range s.reqs {
		if r.grant() == "" {
			continue
		}
		tokens++
		origin := r.Header.Get("Origin")
		if origin == "" || !r.sentSecret() {
			continue
		}
		where := "in the Authorization header"
		if !r.basicAuth() {
			where = "in the body"
		}
		ev = append(ev, fmt.Sprintf("%s grant_type=%s from Origin %q with the client secret %s", s.at(r), r.grant(), origin, where))
		rs = append(rs, r)
	}
	if tokens == 0 {
		return result{skip: "no token requests in the window"}
	}
	if len(ev) == 0 {
		return result{}
	}
	return result{findings: []Finding{s.finding(SeverityError,
		"Client secret sent to /api/token from a web page (Origin header): the secret is in client-side code",
		"Never ship the client secret to a browser. Either exchange codes and refresh tokens on your server, or "+
			"make the web page a public client: PKCE with code_challenge/code_verifier and client_id only, no secret "+
			"(Spotify allows that from the browser). Then rotate the client secret in the Spotify dashboard: anyone "+
			"who loaded the page could read it.",
		ev, rs)}}
}
