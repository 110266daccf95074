package grade

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/spotcheck/spotcheck/fakespotify/analyze"
)

const noExchange = "no authorization-code exchanges in the window"

func checkPublicWithoutPKCE(s *session) result {
	order, uses := s.codeUses()
	if len(order) == 0 {
		return result{skip: noExchange}
	}
	var noPKCE, noVerifier []string
	var noPKCER, noVerifierR []*req
	for _, code := range order {
		for _, r := range uses[code] {
			if r.sentSecret() || r.form.Get("code_verifier") != "" {
				continue
			}
			issuer := s.codes[code]
			var challenge string
			if issuer != nil {
				challenge = issuer.authParams().Get("code_challenge")
			}
			line := fmt.Sprintf("%s %s %s and no code_verifier", s.at(r), param("code", code), how(r))
			if issuer != nil && challenge != "" {
				line += fmt.Sprintf(", though the code was requested at seq %d with a code_challenge; %s", issuer.Seq, answer(r))
				noVerifier, noVerifierR = append(noVerifier, line), append(noVerifierR, issuer, r)
				continue
			}
			if issuer != nil {
				line += fmt.Sprintf("; the code came from seq %d without code_challenge", issuer.Seq)
			}
			noPKCE, noPKCER = append(noPKCE, line+"; "+answer(r)), append(noPKCER, issuer, r)
		}
	}
	var out []Finding
	if len(noPKCE) > 0 {
		out = append(out, s.finding(SeverityError,
			"Code exchanged without a client secret and without PKCE",
			"A client that cannot keep a secret (a browser, mobile or desktop app, a CLI) must use PKCE: send "+
				"code_challenge=base64url(SHA-256(verifier)) and code_challenge_method=S256 to /authorize, and "+
				"code_verifier with client_id to /api/token (golang.org/x/oauth2: oauth2.S256ChallengeOption and "+
				"oauth2.VerifierOption with AuthStyleInParams). A server-side app should authenticate with its client "+
				"secret instead (AuthStyleInHeader). Spotify answers a bare client_id with invalid_client.",
			noPKCE, noPKCER))
	}
	if len(noVerifier) > 0 {
		out = append(out, s.finding(SeverityError,
			"PKCE started at /authorize, but no code_verifier sent to /api/token",
			"Keep the code_verifier that produced the code_challenge (in the user's session, next to the state) and "+
				"send it as code_verifier in the token request; Spotify answers without it with invalid_request "+
				"\"code_verifier required\".",
			noVerifier, noVerifierR))
	}
	return result{findings: out}
}

func checkCodeReused(s *session) result {
	if order, _ := s.codeUses(); len(order) == 0 {
		return result{skip: noExchange}
	}
	var retryEv, reuseEv []string
	var retryR, reuseR []*req
	for _, fd := range s.found(analyze.CodeInvalid) {
		// analyze cites the second use, the first, then any more.
		first, us := fd.reqs[1], append([]*req{fd.reqs[1], fd.reqs[0]}, fd.reqs[2:]...)
		code := first.form.Get("code")
		if fd.Cause == "auth-style-retry" {
			retryEv = append(retryEv,
				fmt.Sprintf("%s %s %s: %s — the real error, which golang.org/x/oauth2 does not report", s.at(first), param("code", code), how(first), answer(first)),
				fmt.Sprintf("%s %s (second use; first at seq %d) %s: %s", s.at(us[1]), param("code", code), first.Seq, how(us[1]), answer(us[1])))
			retryR = append(retryR, first, us[1])
			for i, r := range us[2:] {
				retryEv = append(retryEv, fmt.Sprintf("%s %s (%s use; first at seq %d): %s", s.at(r), param("code", code), ordinal(i+3), first.Seq, answer(r)))
				retryR = append(retryR, r)
			}
			continue
		}
		reuseR = append(reuseR, first)
		for i, r := range us[1:] {
			reuseEv = append(reuseEv, fmt.Sprintf("%s %s (%s use; first at seq %d, %s): %s",
				s.at(r), param("code", code), ordinal(i+2), first.Seq, answer(first), answer(r)))
			reuseR = append(reuseR, r)
		}
	}
	var out []Finding
	if len(retryEv) > 0 {
		out = append(out, s.finding(SeverityError,
			"Code sent twice by golang.org/x/oauth2's auth-style auto-detection (Basic header, then credentials in the body)",
			"Set Endpoint.AuthStyle explicitly — oauth2.AuthStyleInHeader for a client with a secret (Spotify takes "+
				"Basic credentials), oauth2.AuthStyleInParams for a PKCE client without one — so that a failed exchange "+
				"is not retried with the same code: once Spotify has consumed the code, the retry always gets "+
				"invalid_grant \"Invalid authorization code\", and that is the only error x/oauth2 returns. Then fix the "+
				"first attempt's error shown in the evidence.",
			retryEv, retryR))
	}
	if len(reuseEv) > 0 {
		out = append(out, s.finding(SeverityError,
			"Authorization code sent to /api/token more than once",
			"Exchange each code exactly once: make the callback idempotent against double delivery (a page reload, "+
				"a double click, two tabs, a retried request) and never retry a failed exchange with the same code; "+
				"start a new authorization instead. Spotify answers every reuse with invalid_grant \"Invalid "+
				"authorization code\".",
			reuseEv, reuseR))
	}
	return result{findings: out}
}

// judgesCodes is why a code rule cannot judge the window, or "": no code
// exchanges, or only of codes issued before the window.
func (s *session) judgesCodes() string {
	order, _ := s.codeUses()
	if len(order) == 0 {
		return noExchange
	}
	for _, code := range order {
		if s.codes[code] != nil {
			return ""
		}
	}
	return "the codes exchanged in the window were issued before it"
}

func checkCodeLate(s *session) result {
	if why := s.judgesCodes(); why != "" {
		return result{skip: why}
	}
	var lateEv, expiredEv []string
	var lateR, expiredR []*req
	// analyze judges the first exchange of each code, and cites it, then
	// the request whose answer issued the code.
	for _, fd := range s.found(analyze.CodeExpired) {
		r, issuer := fd.reqs[0], fd.reqs[1]
		d := r.Time.Sub(issuer.Time)
		line := fmt.Sprintf("%s issued at seq %d (%s), exchanged at seq %d (%s): %s later; %s",
			param("code", r.form.Get("code")), issuer.Seq, s.clock(issuer.Time), r.Seq, s.clock(r.Time), since(d), answer(r))
		if fd.Cause == "late" {
			lateEv, lateR = append(lateEv, line), append(lateR, issuer, r)
		} else {
			expiredEv, expiredR = append(expiredEv, line), append(expiredR, issuer, r)
		}
	}
	fix := "Exchange the code in the callback handler itself, as soon as it arrives: do not queue it, wait for " +
		"user input or keep it across a restart. Spotify's codes expire after about 10 minutes (invalid_grant " +
		"\"Authorization code expired\"), and a code that sits in a URL or a log is a code someone else can try."
	var out []Finding
	if len(expiredEv) > 0 {
		out = append(out, s.finding(SeverityError,
			fmt.Sprintf("Code exchanged after it expired (codes live %s)", since(s.in.CodeLifetime)), fix, expiredEv, expiredR))
	}
	if len(lateEv) > 0 {
		out = append(out, s.finding(SeverityWarning,
			fmt.Sprintf("Code exchanged more than %s after it was issued", since(s.opts.LateExchange)), fix, lateEv, lateR))
	}
	return result{findings: out}
}

func checkRedirectMismatch(s *session) result {
	if why := s.judgesCodes(); why != "" {
		return result{skip: why}
	}
	var ev []string
	var rs []*req
	lined := map[string]bool{}
	// analyze cites the token request, then the authorization request
	// behind its code.
	for _, fd := range s.found(analyze.TokenRedirectURIMismatch) {
		r, issuer := fd.reqs[0], fd.reqs[1]
		code := r.form.Get("code")
		if lined[code] {
			continue // one line per code: later uses repeat the same mistake
		}
		lined[code] = true
		want := issuer.authParams().Get("redirect_uri")
		got, sent := r.form.Get("redirect_uri"), r.form.Has("redirect_uri")
		line := fmt.Sprintf("%s %s without redirect_uri, but the code was requested at seq %d with %s",
			s.at(r), param("code", code), issuer.Seq, param("redirect_uri", want))
		if sent {
			line = fmt.Sprintf("%s %s, but the code was requested at seq %d with %s",
				s.at(r), param("redirect_uri", got), issuer.Seq, param("redirect_uri", want))
			if d := uriDifference(got, want); d != "" {
				line += " (they differ in " + d + ")"
			}
		}
		ev, rs = append(ev, line+"; "+answer(r)), append(rs, issuer, r)
	}
	if len(ev) == 0 {
		return result{}
	}
	return result{findings: []Finding{s.finding(SeverityError,
		"Token request's redirect_uri differs from the authorization request's",
		"Send the redirect_uri of the /authorize request again at /api/token, byte for byte: take both from one "+
			"constant or setting (golang.org/x/oauth2 uses Config.RedirectURL for both) and do not re-encode, "+
			"re-case or add a trailing slash. Spotify answers a difference with invalid_grant \"Invalid redirect URI\".",
		ev, rs)}}
}

// uriDifference names how two redirect URIs that should be equal differ.
func uriDifference(a, b string) string {
	switch {
	case strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/"):
		return "a trailing slash"
	case strings.EqualFold(a, b):
		return "letter case"
	}
	ua, errA := url.QueryUnescape(a)
	ub, errB := url.QueryUnescape(b)
	if errA == nil && errB == nil && ua == ub {
		return "URL encoding"
	}
	pa, errA := url.Parse(a)
	pb, errB := url.Parse(b)
	if errA == nil && errB == nil {
		switch {
		case pa.Scheme != pb.Scheme:
			return "the scheme"
		case pa.Hostname() != pb.Hostname():
			return "the host"
		case pa.Port() != pb.Port():
			return "the port"
		case pa.Path != pb.Path:
			return "the path"
		}
	}
	return ""
}
