package sandbox

import (
	"slices"
	"strings"
)

// Settings are what the app's command is told about the fake.
type Settings struct {
	// ProxyURL is the fake's proxy (http://127.0.0.1:8787), for
	// HTTPS_PROXY and HTTP_PROXY.
	ProxyURL string
	// AccountsURL and APIURL are the base URLs for apps that can change
	// them (SPOTIFY_ACCOUNTS_URL, SPOTIFY_API_URL).
	AccountsURL, APIURL string
	// CACert is the CA certificate alone (NODE_EXTRA_CA_CERTS adds it to
	// Node's roots); Bundle is the system roots plus the CA
	// (SSL_CERT_FILE, REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE replace the
	// system roots with it).
	CACert, Bundle string
	// The app the command should act as.
	ClientID, ClientSecret, RedirectURI string
}

// loopback is never sent through the proxy: the fake's own base URL, the
// app's callback server and its other local services are reached
// directly.
var loopback = []string{"localhost", "127.0.0.1", "::1"}

// Vars returns the variables Env sets, in a stable order. Proxy variables
// come in both cases: curl and Python read the lower-case names (curl
// reads http_proxy only in lower case), Go and Node libraries mostly the
// upper-case ones.
func (s Settings) Vars(base []string) [][2]string {
	var vs [][2]string
	add := func(k, v string) {
		if v != "" {
			vs = append(vs, [2]string{k, v})
		}
	}
	noProxy := noProxy(lookup(base, "NO_PROXY"), lookup(base, "no_proxy"))
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		add(k, s.ProxyURL)
	}
	if s.ProxyURL != "" {
		add("NO_PROXY", noProxy)
		add("no_proxy", noProxy)
	}
	for _, k := range []string{"SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"} {
		add(k, s.Bundle)
	}
	add("NODE_EXTRA_CA_CERTS", s.CACert)
	add("SPOTIFY_ACCOUNTS_URL", s.AccountsURL)
	add("SPOTIFY_API_URL", s.APIURL)
	for _, prefix := range []string{"SPOTIFY_", "SPOTIPY_"} {
		add(prefix+"CLIENT_ID", s.ClientID)
		add(prefix+"CLIENT_SECRET", s.ClientSecret)
		add(prefix+"REDIRECT_URI", s.RedirectURI)
	}
	return vs
}

// Env returns base (os.Environ's form) with the variables of s in place of
// any of the same name, and without the sandbox's own marker.
func Env(base []string, s Settings) []string {
	vars := s.Vars(base)
	set := map[string]bool{envMarker: true}
	for _, kv := range vars {
		set[kv[0]] = true
	}
	out := make([]string, 0, len(base)+len(vars))
	for _, e := range base {
		k, _, _ := strings.Cut(e, "=")
		if !set[k] {
			out = append(out, e)
		}
	}
	for _, kv := range vars {
		out = append(out, kv[0]+"="+kv[1])
	}
	return out
}

func lookup(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// noProxy is loopback plus whatever the user's NO_PROXY already excluded,
// less any entry that would let a Spotify host bypass the fake ("*",
// ".spotify.com", "api.spotify.com").
func noProxy(values ...string) string {
	out := slices.Clone(loopback)
	for _, v := range values {
		for _, e := range strings.Split(v, ",") {
			e = strings.TrimSpace(e)
			if e != "" && !slices.Contains(out, e) && !exemptsSpotify(e) {
				out = append(out, e)
			}
		}
	}
	return strings.Join(out, ",")
}

func exemptsSpotify(entry string) bool {
	d := strings.ToLower(strings.TrimLeft(entry, "*."))
	if d == "" {
		return true // "*": everything
	}
	for _, h := range spotifyHosts {
		if h == d || strings.HasSuffix(h, "."+d) {
			return true
		}
	}
	return false
}
