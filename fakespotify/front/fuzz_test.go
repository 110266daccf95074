package front

import (
	"strings"
	"testing"
)

// FuzzProxyTarget feeds the proxy's request-target parsers (CONNECT's
// authority form, absolute-form URLs) and the tunnel list: they must never
// panic, and what they accept must be a normalised host and a real port
// that parse back to themselves.
func FuzzProxyTarget(f *testing.F) {
	for _, s := range []string{
		"api.spotify.com:443", "ACCOUNTS.SPOTIFY.COM.:443", "[::1]:8787", "127.0.0.1:0", "host:65536",
		"http://api.spotify.com/v1/me?x=1", "https://accounts.spotify.com:443/api/token", "HTTP://[::1]:80/",
		"ftp://x/", "http://user:pw@api.spotify.com/", "http://%zz/", "http://a..b/", "evil.com", ":443", "[::1]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		check := func(tg target) {
			if tg.host != normalizeHost(tg.host) || !validHost(tg.host) || tg.port < 1 || tg.port > 65535 {
				t.Fatalf("%q parsed to %+v", s, tg)
			}
			again, err := parseAuthority(tg.String())
			if err != nil || again != tg {
				t.Fatalf("%q: %+v does not parse back (%+v, %v)", s, tg, again, err)
			}
			if IsSpotifyHost(tg.host) != (tg.host == AccountsHost || tg.host == APIHost) {
				t.Fatalf("%q: IsSpotifyHost(%q) is wrong", s, tg.host)
			}
		}
		if tg, err := parseAuthority(s); err == nil {
			check(tg)
		}
		if tg, u, err := parseAbsolute(s); err == nil {
			check(tg)
			if u.Scheme != "http" && u.Scheme != "https" {
				t.Fatalf("%q: scheme %q accepted", s, u.Scheme)
			}
		}
		if l, err := parseTunnel(strings.Split(s, ",")); err == nil {
			for _, e := range l {
				if IsSpotifyHost(e.host) {
					t.Fatalf("%q: tunnels a Spotify host", s)
				}
			}
		}
	})
}
