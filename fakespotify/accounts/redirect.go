package accounts

import (
	"net"
	"net/url"
	"strings"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// MatchRedirect finds the registered URI a requested redirect_uri stands
// for. Spotify's rule (code-flow doc): the value "must exactly match one of
// the values you entered when you registered your application, including
// upper or lowercase, terminating slashes, and such" — so the comparison is
// on bytes, not on parsed URLs.
//
// The one exception (redirect_uri concept doc, after RFC 8252 §7.3):
// "When using a loopback IP literal ... register your redirect URI with a
// loopback IP literal, but without any port number. You can add the
// dynamically assigned port number to the redirect URI in the
// authorization request ... only supported for loopback IP literals."
// So a request that, with its port removed, equals a registered
// loopback-literal URI without a port also matches.
func MatchRedirect(registered []string, requested string) (string, bool) {
	for _, r := range registered {
		if r == requested {
			return r, true
		}
	}
	stripped, ok := stripLoopbackPort(requested)
	if !ok {
		return "", false
	}
	for _, r := range registered {
		if r == stripped && isLoopbackLiteralWithoutPort(r) {
			return r, true
		}
	}
	return "", false
}

// stripLoopbackPort removes ":port" from the authority of an http URI
// whose host is a loopback IP literal, leaving every other byte alone.
func stripLoopbackPort(raw string) (string, bool) {
	rest, ok := strings.CutPrefix(raw, "http://")
	if !ok {
		return "", false
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority := rest[:end]
	host, port, err := net.SplitHostPort(authority)
	if err != nil || port == "" || !isLoopbackIP(host) {
		return "", false
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return "http://" + host + rest[end:], true
}

func isLoopbackLiteralWithoutPort(registered string) bool {
	u, err := url.Parse(registered)
	return err == nil && u.Scheme == "http" && u.Port() == "" && isLoopbackIP(u.Hostname())
}

// isLoopbackIP is true for IP literals only: "localhost" is a name, and
// Spotify rejects it since the 2025 rules.
func isLoopbackIP(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Insecure reports whether a registered redirect URI breaks the 2025
// rules: "Use HTTPS for your redirect URI, unless you are using a loopback
// address, when HTTP is permitted" and "localhost is not allowed as
// redirect URI" (redirect_uri concept doc). Custom schemes stay allowed
// ("will still be supported", blog 2025-02-12).
func Insecure(registered string, policy wire.RedirectSecurityPolicy) bool {
	if policy == wire.RedirectSecurityLegacy {
		return false
	}
	u, err := url.Parse(registered)
	if err != nil {
		return true
	}
	host := strings.ToLower(u.Hostname())
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	return u.Scheme == "http" && !isLoopbackIP(host)
}

// withParams appends query (or fragment) parameters to a redirect URI that
// may already carry a query of its own.
func withParams(redirectURI string, params url.Values, fragment bool) string {
	enc := params.Encode()
	if fragment {
		base, _, _ := strings.Cut(redirectURI, "#")
		return base + "#" + enc
	}
	base, frag, hasFrag := strings.Cut(redirectURI, "#")
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	out := base + sep + enc
	if hasFrag {
		out += "#" + frag
	}
	return out
}
