package explain

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/spotcheck/spotcheck/fakespotify/analyze"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// What an authorize URL alone says: the request-side mistakes Spotify
// answers with an error page or an error later (wire reference §1, §2).

var clientIDRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

// placeholderRe matches the stand-ins people write in a URL they paste
// instead of their own values: {CLIENTID}, <client_id>, ${CLIENT_ID},
// YOUR_CLIENT_ID, xxxx, … — a value to leave alone, not a mistake.
// It is compiled on first use, like the catalog's expressions.
var placeholderRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(?:.*[{<\[].*|\$\w+|your[_\- ]?\w*|my[_\- ]?\w*|x{3,}|\*{3,}|\.{3}|…|client[_\-]?id|redirect[_\-]?uri|[a-z_]*here)$`)
})

// placeholder reports whether a parameter value is a stand-in.
func placeholder(v string) bool {
	return placeholderRe().MatchString(strings.TrimSpace(v))
}

// placeholderNote says which parameters of an authorize URL hold
// stand-ins, or "" when none do: those are left unchecked, and the user
// is asked for the URL as the app really sends it.
func placeholderNote(u *url.URL) string {
	q := u.Query()
	var names []string
	for _, k := range []string{"client_id", "response_type", "redirect_uri", "scope", "state", "code_challenge"} {
		if q.Has(k) && q.Get(k) != "" && placeholder(q.Get(k)) {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf("The authorize URL holds placeholders instead of values (%s); those were not checked. For a diagnosis of them, copy the URL from the browser's address bar as the app opened it (the client id and redirect URI are not secrets).", strings.Join(names, ", "))
}

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
	case placeholder(rt):
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
	case id == "" || id == "undefined" || id == "null" || id == "None":
		add("client-id-invalid", "unset", 0.9, fmt.Sprintf("client_id is %q: the configuration was not loaded.", id))
	case placeholder(id):
	case !clientIDRe.MatchString(id):
		// Spotify checks the client before anything else: this is the
		// page the user sees, whatever else is wrong.
		add("client-id-invalid", "typo", 0.88, fmt.Sprintf("client_id %q is not 32 lowercase hex characters (%d characters).", id, len(id)))
	}
	if !q.Has("redirect_uri") {
		add("param-missing", "redirect-uri", 0.9, "The authorize URL has no redirect_uri.")
	} else if ru := q.Get("redirect_uri"); placeholder(ru) {
	} else if t := strings.Trim(ru, "\"' \t\r\n"); t != ru {
		// A quoted value from a Windows `set VAR="…"` or a .env file.
		add("redirect-uri-mismatch", "encoding", 0.9, fmt.Sprintf("redirect_uri %q carries quotes or white space around the URI, so it matches no registered one.", ru))
	} else if cause, why := insecureRedirect(ru); cause != "" {
		add("redirect-uri-insecure", cause, 0.85, why)
		if cause == "localhost" {
			// Before 2025 a localhost URI was fine, and an app sending
			// localhost against a dashboard entry of 127.0.0.1 (or the other
			// way round) is the mismatch.
			add("redirect-uri-mismatch", "localhost", 0.6, why)
		}
	}
	var bad []string
	cause := ""
	scope := q.Get("scope")
	if placeholder(scope) {
		scope = ""
	}
	for _, s := range wire.ParseScope(scope) {
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
	if ch := q.Get("code_challenge"); ch != "" && !placeholder(ch) {
		if cause, why := analyze.ChallengeShape(ch, q.Get("code_challenge_method")); cause != "" {
			add("pkce-verifier-mismatch", cause, 0.75, why)
		}
	}
	if len(out) == 0 && whole && q.Has("redirect_uri") && q.Has("client_id") && !placeholder(q.Get("redirect_uri")) && !placeholder(q.Get("client_id")) {
		// Nothing wrong in the URL itself: what goes wrong with a
		// well-formed authorize URL is a redirect URI the app's dashboard
		// does not list, which only the dashboard can show.
		add("redirect-uri-mismatch", "", 0.5, fmt.Sprintf("The authorize URL is well-formed; check that the dashboard lists its redirect_uri %s exactly.", q.Get("redirect_uri")))
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

// insecureCause is the cause of an "insecure redirect URI" the rest of the
// text points at: a redirect URI in it that the 2025 rules refuse, else a
// custom scheme, else the word localhost; "" when it says nothing.
func insecureCause(text string) string {
	lower := lowerASCII(text)
	custom := false
	for _, m := range urlRe.findAll(text, lower, 50) {
		u, err := url.Parse(strings.TrimRight(text[m[0]:m[1]], ".,;)]}"))
		if err != nil {
			continue
		}
		if q := u.Query(); q.Has("redirect_uri") {
			if cause, _ := insecureRedirect(q.Get("redirect_uri")); cause != "" {
				return cause
			}
		}
		switch strings.ToLower(u.Scheme) {
		case "http", "https":
			if cause, _ := insecureRedirect(u.String()); cause != "" && !strings.EqualFold(u.Hostname(), "accounts.spotify.com") {
				return cause
			}
		default:
			custom = true
		}
	}
	switch {
	case custom:
		return "custom-scheme"
	case strings.Contains(lower, "localhost"):
		return "localhost"
	}
	return ""
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
