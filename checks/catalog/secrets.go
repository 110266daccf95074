package catalog

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Secrets found in the input are registered in a redact.Set before any
// evidence is quoted, so that a token, code, verifier or client secret the
// user pasted is only ever shown as a fingerprint.

var (
	bearerRe = mustFast(`(?i)\bBearer\s+([A-Za-z0-9._~+/=\-]{8,})`, 4096)
	basicRe  = mustFast(`(?i)\bBasic\s+([A-Za-z0-9+/=_\-]{8,}(?:[\r\n]+[A-Za-z0-9+/=_\-]+)?)`, 4096)
	// A sensitive key followed by its value, in JSON, JS/Python literals,
	// form bodies, query strings, env files and log lines; one expression
	// per key so that each can be skipped when its key is absent.
	sensitiveKVRes = func() []*fastRe {
		var out []*fastRe
		for _, k := range []string{"code", "refresh_token", "access_token", "client_secret", "code_verifier", "id_token", "password", "token", "sp_dc", "sp_key"} {
			out = append(out, mustFast(`(?i)(?:^|[^a-z])["']?`+k+`["']?\s*[:=]\s*["']?([^\s"'&,;}\]<>)]+)`, 4096))
		}
		return out
	}()
	// Spotify codes and tokens are recognisable on their own: AQ… and BQ…
	spotifyOpaqueRe = regexp.MustCompile(`\b(?:AQ|BQ)[A-Za-z0-9_\-]{40,}`)
)

// placeholders are values of sensitive keys that are not secrets, and that
// must not be fingerprinted wherever they appear ("undefined" as a client id
// is exactly what support staff need to see).
var placeholders = map[string]bool{
	"undefined": true, "null": true, "none": true, "true": true, "false": true,
	"nil": true, "missing": true, "required": true, "expired": true, "provided": true,
	"invalid": true, "incorrect": true, "revoked": true,
}

func isPlaceholder(v string) bool {
	v = strings.ToLower(strings.Trim(v, `"' `))
	return placeholders[v] || redact.IsFingerprint(v) || strings.HasPrefix(v, "[redacted")
}

// collectSecrets registers every secret-looking value in text.
func collectSecrets(set *redact.Set, text string) {
	lower := lowerASCII(text)
	for _, m := range bearerRe.findAll(text, lower, -1) {
		if v := text[m[2]:m[3]]; !isPlaceholder(v) {
			set.Add(v)
		}
	}
	for _, m := range basicRe.findAll(text, lower, -1) {
		addBasic(set, text[m[2]:m[3]])
	}
	for _, re := range sensitiveKVRes {
		for _, m := range re.findAll(text, lower, -1) {
			v := text[m[2]:m[3]]
			if isPlaceholder(v) || len(v) < 8 {
				continue
			}
			set.Add(v)
			if strings.Contains(v, "%") {
				if u, err := url.QueryUnescape(v); err == nil {
					set.Add(u)
				}
			}
		}
	}
	for _, v := range spotifyOpaqueRe.FindAllString(text, -1) {
		set.Add(v)
	}
}

// addBasic registers Basic credentials, decoded as id:secret when they
// decode, so the secret is redacted wherever else it appears.
func addBasic(set *redact.Set, cred string) {
	set.Add(cred)
	clean := strings.Join(strings.Fields(cred), "")
	if clean != cred {
		set.Add(clean)
	}
	if id, secret, ok := wire.DecodeBasicCredentials(clean); ok {
		set.AddClientCredentials(id, secret)
		if t := strings.TrimSpace(secret); t != secret && len(t) >= 8 {
			set.Add(t)
		}
	}
}

// collectHeaderSecrets registers credentials carried in headers.
func collectHeaderSecrets(set *redact.Set, h http.Header) {
	for _, v := range h.Values("Authorization") {
		scheme, cred, _ := strings.Cut(strings.TrimSpace(v), " ")
		switch strings.ToLower(scheme) {
		case "basic":
			addBasic(set, strings.TrimSpace(cred))
		default:
			if c := strings.TrimSpace(cred); c != "" && !isPlaceholder(c) {
				set.Add(c)
			}
		}
	}
	for _, k := range []string{"Cookie", "Set-Cookie"} {
		for _, v := range h.Values(k) {
			for _, part := range strings.Split(v, ";") {
				if _, val, ok := strings.Cut(part, "="); ok && len(val) >= 8 {
					set.Add(strings.TrimSpace(val))
				}
			}
		}
	}
}

// evidence quotes a piece of input for a reader: redacted, on one line,
// and short.
func evidence(set *redact.Set, s string) string {
	s = spotifyOpaqueRe.ReplaceAllStringFunc(s, redact.Fingerprint)
	s = set.String(s)
	s = strings.NewReplacer("\r\n", " ⏎ ", "\n", " ⏎ ", "\r", " ", "\t", " ").Replace(strings.TrimSpace(s))
	return clip(s, 320)
}

// clip shortens s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
