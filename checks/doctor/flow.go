package doctor

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/spotcheck/spotcheck/fakespotify/analyze"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// authorizeURL is the authorize URL an app built, as given with
// --authorize-url.
type authorizeURL struct {
	clientID, redirectURI, responseType string
	scope                               string
	hasScope                            bool
	challenge, method                   string
}

func parseAuthorizeURL(raw string) (*authorizeURL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return nil, &InputError{File: "--authorize-url", Msg: "not an absolute URL (copy it from the browser's address bar or the app's log)"}
	}
	if !strings.Contains(u.Path, "authorize") {
		return nil, &InputError{File: "--authorize-url", Msg: fmt.Sprintf("the path %q is not /authorize", u.Path)}
	}
	q := u.Query()
	a := &authorizeURL{clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"), responseType: q.Get("response_type"),
		scope: q.Get("scope"), hasScope: q.Has("scope"), challenge: q.Get("code_challenge"), method: q.Get("code_challenge_method")}
	return a, nil
}

func (c *checkRun) responseType() {
	r := c.r
	switch {
	case r.o.Flow == FlowImplicit:
		c.add(ImplicitGrantRemoved, "flow:implicit", "--flow implicit: response_type=token")
	case r.authURL != nil && r.authURL.responseType == "token":
		c.add(ImplicitGrantRemoved, "flow:implicit", "--authorize-url asks for response_type=token")
	case r.authURL != nil && r.authURL.responseType != "code":
		c.add(ResponseTypeInvalid, "flow:response-type", fmt.Sprintf("--authorize-url asks for response_type=%q", r.authURL.responseType))
	default:
		c.note("--flow %s", r.o.Flow)
	}
}

// RFC 7636 §4.1: code_verifier = 43*128unreserved.
var verifierRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9\-._~]{43,128}$`) })

func (c *checkRun) pkcePair() {
	r := c.r
	verifier, challenge, method := r.o.CodeVerifier, r.o.CodeChallenge, ""
	fromURL := r.authURL != nil && r.authURL.challenge != ""
	if fromURL {
		method = r.authURL.method
		if challenge == "" {
			challenge = r.authURL.challenge
		}
	}
	if verifier == "" && challenge == "" {
		if r.o.Flow == FlowPKCE {
			c.skip("give --code-verifier and --code-challenge (or --authorize-url) from the app to check its PKCE pair")
		} else {
			c.skip("no PKCE pair given")
		}
		return
	}
	if fromURL && method != "S256" {
		shown := fmt.Sprintf("code_challenge_method=%q", method)
		if method == "" {
			shown = "no code_challenge_method"
		}
		c.add(PKCEMethodNotS256, "pkce:method", "--authorize-url has a code_challenge and "+shown)
	}
	if verifier != "" && !verifierRe().MatchString(verifier) {
		why := fmt.Sprintf("is %d characters long", len(verifier))
		if len(verifier) >= 43 && len(verifier) <= 128 {
			why = "has characters outside A-Z a-z 0-9 - . _ ~"
		}
		c.add(PKCEVerifierMalformed, "pkce:verifier", fmt.Sprintf("--code-verifier %s %s", fp(verifier), why))
	}
	if challenge == "" {
		c.note("no challenge given to compare with the verifier")
		return
	}
	at := fmt.Sprintf("code_challenge %q", challenge)
	switch {
	case verifier == "":
		switch {
		case strings.HasSuffix(challenge, "="):
			c.add(PKCEChallengePadded, "pkce:challenge", at+" ends with '='")
		case len(challenge) == 64 && isHex(challenge):
			c.add(PKCEChallengeHex, "pkce:challenge", at+" is 64 hex digits: a hex SHA-256")
		case len(challenge) != 43:
			c.add(PKCEChallengeMismatch, "pkce:challenge", fmt.Sprintf("%s is %d characters; an S256 challenge is 43", at, len(challenge)))
		default:
			c.note("the challenge has the shape of S256; give --code-verifier to check the pair")
		}
	default:
		c.pair(challenge, verifier, at)
	}
}

// pair compares a challenge with the verifier given beside it, through the
// analyzer's one reading of the encodings. A padded challenge in the
// standard alphabet is named for the alphabet: fixing the padding alone
// would not make it right.
func (c *checkRun) pair(challenge, verifier, at string) {
	cause, derived := analyze.ChallengeOf(challenge, verifier)
	switch {
	case !derived:
		c.add(PKCEChallengeMismatch, "pkce:challenge", fmt.Sprintf("%s is not derived from --code-verifier %s; want %s", at, fp(verifier), wire.S256(verifier)))
	case cause == "":
		c.note("the challenge is base64url(SHA-256(verifier)) without padding")
	case cause == "padding" && !strings.ContainsAny(challenge, "+/"):
		c.add(PKCEChallengePadded, "pkce:challenge", at+" is base64url(SHA-256(verifier)) with '=' padding; Spotify compares it without")
	case cause == "hex":
		c.add(PKCEChallengeHex, "pkce:challenge", at+" is hex(SHA-256(verifier)); want "+wire.S256(verifier))
	case cause == "plain":
		c.add(PKCEChallengeMismatch, "pkce:challenge", at+" is the verifier itself (the plain method); want S256: "+wire.S256(verifier))
	default:
		c.add(PKCEChallengeMismatch, "pkce:challenge", at+" is SHA-256 in the standard base64 alphabet (+ /); want base64url (- _) without padding: "+wire.S256(verifier))
	}
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune("0123456789abcdefABCDEF", rune(s[i])) {
			return false
		}
	}
	return true
}

func (c *checkRun) publicClientSecret() {
	r := c.r
	if r.o.Flow != FlowPKCE {
		c.skip("--flow %s is not a public client", r.o.Flow)
		return
	}
	if !r.o.Credentials.ClientSecret.IsSet() {
		c.note("no client secret configured")
		return
	}
	c.add(PKCEClientSecret, "flow:public-secret", fmt.Sprintf("--flow pkce, and a client secret from %s", r.o.Credentials.ClientSecret.Source))
}

func (c *checkRun) appTokenEndpoints() {
	r := c.r
	if r.o.Flow != FlowClientCredentials {
		c.skip("--flow %s has a user", r.o.Flow)
		return
	}
	var user []string
	for _, e := range r.uses {
		if e.user {
			user = append(user, e.method+" "+e.path)
		}
	}
	if len(user) == 0 {
		c.note("no user endpoint among --uses")
		return
	}
	c.add(AppTokenUserEndpoint, "flow:app-token", fmt.Sprintf("--flow client-credentials, yet --uses names user endpoints: %s", strings.Join(user, ", ")))
}
