package explain

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/spotcheck/spotcheck/fakespotify/analyze"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// What an authorize URL alone says: the request-side mistakes Spotify
// answers with an error page or an error later (wire reference §1, §2).

var clientIDRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

// lintAuthorize checks one /authorize URL. whole is true when the URL is the
// whole input (the user asks about it); inside a longer text its findings
// weigh less, since the error asked about may be another.
func (c *Catalog) lintAuthorize(u *url.URL, set *redact.Set, whole bool) []candidate {
	q := u.Query()
	ev := "authorize URL: " + clip(set.URL(u.String()), 300)
	weight := 1.0
	if !whole {
		weight = 0.9
	}
	var out []candidate
	add := func(id, cause string, score float64, finding string) {
		e, ok := c.byID[id]
		if !ok {
			return
		}
		out = append(out, candidate{entry: e, score: score * weight, cause: cause, evidence: ev, findings: []string{set.String(finding)}, source: "authorize URL", span: [2]int{-1, -1}})
	}
	switch rt := q.Get("response_type"); {
	case rt == "token":
		add("implicit-grant-removed", "implicit", 0.92, "The authorize URL asks for response_type=token, the implicit grant Spotify removed on 2025-11-27.")
	case q.Has("response_type") && rt != "code":
		add("response-type-invalid", "typo", 0.8, fmt.Sprintf("response_type=%q: Spotify accepts only code.", rt))
	case !q.Has("response_type"):
		add("param-missing", "", 0.85, "The authorize URL has no response_type.")
	}
	switch id := q.Get("client_id"); {
	case !q.Has("client_id"):
		add("param-missing", "client-id", 0.9, "The authorize URL has no client_id.")
	case id == "" || id == "undefined" || id == "null" || id == "None" || strings.Contains(id, "{") || strings.Contains(id, "<"):
		add("client-id-invalid", "unset", 0.9, fmt.Sprintf("client_id is %q: the configuration was not loaded.", id))
	case !clientIDRe.MatchString(id):
		add("client-id-invalid", "typo", 0.6, fmt.Sprintf("client_id %q is not 32 lowercase hex characters (%d characters).", id, len(id)))
	}
	if !q.Has("redirect_uri") {
		add("param-missing", "redirect-uri", 0.9, "The authorize URL has no redirect_uri.")
	} else if cause, why := insecureRedirect(q.Get("redirect_uri")); cause != "" {
		add("redirect-uri-insecure", cause, 0.85, why)
	}
	var bad []string
	cause := ""
	for _, s := range wire.ParseScope(q.Get("scope")) {
		for _, part := range strings.Split(s, ",") {
			if _, valid := wire.LookupScope(part); part != "" && !valid {
				bad = append(bad, part)
				if cause == "" {
					cause = illegalScopeCause(part)
				}
			}
		}
		if strings.Contains(s, ",") {
			cause = "typo"
			bad = append(bad, "(comma-separated: "+s+")")
		}
	}
	if len(bad) > 0 {
		add("scope-illegal", cause, 0.85, "Scopes Spotify does not accept: "+strings.Join(bad, ", ")+".")
	}
	if ch := q.Get("code_challenge"); ch != "" {
		if cause, why := challengeShape(ch, q.Get("code_challenge_method")); cause != "" {
			add("pkce-verifier-mismatch", cause, 0.75, why)
		}
	}
	return out
}

// insecureRedirect says whether Spotify's 2025 rules refuse a redirect URI.
func insecureRedirect(raw string) (cause, why string) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return "", ""
	}
	host := u.Hostname()
	switch {
	case strings.EqualFold(host, "localhost"):
		return "localhost", fmt.Sprintf("redirect_uri %s uses localhost, which Spotify refuses since 2025 (use 127.0.0.1 or [::1]).", raw)
	case strings.EqualFold(u.Scheme, "http"):
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return "http-remote", fmt.Sprintf("redirect_uri %s uses http:// on %s, which is not a loopback IP literal.", raw, host)
		}
	}
	return "", ""
}

// challengeS256 is the PKCE S256 transform (RFC 7636 §4.2).
func challengeS256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// challengeShape finds a code_challenge that cannot be right whatever the
// verifier: padded, hex, or in the standard base64 alphabet.
func challengeShape(ch, method string) (cause, why string) {
	switch {
	case strings.HasSuffix(ch, "="):
		return "padding", fmt.Sprintf("code_challenge ends with %q: base64 padding must be stripped (base64url without =).", "=")
	case len(ch) == 64 && isHex(ch):
		return "hex", "code_challenge is 64 hex characters: the hex SHA-256 digest instead of base64url of the raw digest."
	case strings.ContainsAny(ch, "+/"):
		return "alphabet", "code_challenge contains + or /: standard base64 instead of base64url (- and _)."
	case method != "" && !strings.EqualFold(method, "S256"):
		return "plain", fmt.Sprintf("code_challenge_method=%s: use S256.", method)
	}
	return "", ""
}

// diagnosePKCE explains why verifier does not match challenge. ok is false
// when it does match.
func diagnosePKCE(challenge, method, verifier string) (cause, why string, mismatch bool) {
	want := challengeS256(verifier)
	if challenge == want {
		return "", "", false
	}
	sum := sha256.Sum256([]byte(verifier))
	switch {
	case challenge == base64.URLEncoding.EncodeToString(sum[:]) || challenge == base64.StdEncoding.EncodeToString(sum[:]):
		return "padding", "The verifier does hash to the challenge, but the challenge kept its base64 \"=\" padding; Spotify compares against base64url without padding.", true
	case strings.EqualFold(challenge, hex.EncodeToString(sum[:])):
		return "hex", "The challenge is hex(SHA-256(verifier)); Spotify expects base64url of the raw 32-byte digest.", true
	case challenge == base64.RawStdEncoding.EncodeToString(sum[:]):
		return "alphabet", "The challenge is standard base64 of the digest (+ and /); Spotify expects base64url (- and _).", true
	case challenge == verifier:
		return "plain", "The verifier itself was sent as the challenge (plain), while Spotify expects S256.", true
	}
	if c, w := challengeShape(challenge, method); c != "" {
		return c, w + " (And the verifier sent does not belong to this challenge.)", true
	}
	if n := len(verifier); n < 43 || n > 128 {
		return "regenerated", fmt.Sprintf("The verifier sent is %d characters (RFC 7636 wants 43 to 128) and does not hash to the challenge.", n), true
	}
	return "regenerated", "SHA-256 of the verifier sent is not the challenge sent to /authorize: the verifier was regenerated or lost in between.", true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// stateCheck compares a callback's state with the state the app sent.
func (c *Catalog) stateCheck(u *url.URL, o *observation, sent string, set *redact.Set) []candidate {
	if sent == "" || (!o.params.Has("code") && !o.params.Has("error")) {
		return nil
	}
	e := c.byID["state-mismatch"]
	got := o.params.Get("state")
	ev := "callback: " + clip(set.URL(u.String()), 300)
	switch {
	case !o.params.Has("state"):
		return []candidate{{entry: e, score: 0.9, cause: "lost-session", evidence: ev, source: "callback URL",
			findings: []string{fmt.Sprintf("The callback carries no state, but the app sent state %q.", sent)}, span: [2]int{-1, -1}}}
	case got != sent:
		return []candidate{{entry: e, score: 0.95, evidence: ev, source: "callback URL",
			findings: []string{fmt.Sprintf("The callback's state %q differs from the state the app sent, %q%s.", got, sent, firstDiff(sent, got))}, span: [2]int{-1, -1}}}
	}
	return nil
}

// firstDiff describes where two strings first differ: ", first difference
// at character 23: '/' versus end of text".
func firstDiff(a, b string) string { return analyze.FirstDiff(a, b) }
