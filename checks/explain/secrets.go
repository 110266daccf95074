package explain

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
	// per key so that each can be skipped when its key is absent. Keys are
	// spelt every way code spells them (refresh_token, refreshToken).
	sensitiveKVRes = func() []*fastRe {
		var out []*fastRe
		for _, k := range []string{"code", `refresh[_\-]?token`, `access[_\-]?token`, `code[_\-]?verifier`, `id[_\-]?token`, "password", "token", "sp_dc", "sp_key"} {
			out = append(out, mustFast(`(?i)(?:^|[^a-z])["']?`+k+`["']?\s*[:=]\s*["']?([^\s"'&,;}\]<>)]+)`, 4096))
		}
		return out
	}()
	// A client secret, the way every client library, config format and
	// person writes its name — client_secret, clientSecret, CLIENT_SECRET,
	// ClientSecret, client-secret, client.secret, "client secret",
	// setClientSecret(, WithClientSecret(, or just secret — then what
	// assigns it: = : := => -> ( or a comma after a quoted name
	// (os.Setenv("SPOTIFY_CLIENT_SECRET", "…")), or in words a space, "is"
	// or "was". Since a value after a word can be a word too, what counts
	// is looksSecret.
	secretKVRe = mustFast(`(?i)(?:client[\s_\-.]?)?secret(?:[_\-]?key)?(?:["'\]]\s*,|["'\]]?\s*(?:=>|:=|->|[:=(])|\s+(?:is|was)\b|\s)\s*[("'\x60]*([^\s"'\x60&,;}\]<>)]+)`, 4096)
	// curl's -u id:secret and --user id:secret.
	userFlagRe = mustFast(`(?:\s-u|--user)[\s=]+["']?[^\s:"']+:([^\s"']+)`, 512)
	// A client id's label right before a value (the text that precedes
	// it): a 32-hex value so labelled is an id and stays readable.
	clientIDLabelRe = regexp.MustCompile(`(?i)client[\s_\-.]?id["'\]]?\s*(?:=>|:=|->|[:=(,]|is|was)?\s*[("'\x60]*$`)
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
	v = strings.Trim(v, `"' `)
	return placeholders[strings.ToLower(v)] || redact.IsFingerprint(v) || strings.HasPrefix(v, "[redacted") || snakeWord(v)
}

// snakeWord reports whether v is an identifier in lowercase words
// (state_mismatch, invalid_grant): an app's error name printed after
// "access token:", never a credential, which has digits or capitals.
func snakeWord(v string) bool {
	words := strings.Split(v, "_")
	if len(words) < 2 {
		return false
	}
	for _, w := range words {
		if w == "" || strings.TrimLeft(w, "abcdefghijklmnopqrstuvwxyz") != "" {
			return false
		}
	}
	return true
}

// looksSecret is a value after a secret's name that is one: 8 characters
// or more and at least one digit. A client secret is 32 hex digits; what
// has no digit is a word ("the client secret (regenerated …)") or a
// placeholder (YOUR_CLIENT_SECRET).
func looksSecret(v string) bool {
	return len(v) >= 8 && !isPlaceholder(v) && strings.ContainsAny(v, "0123456789")
}

// looksToken is a value after "Bearer" that is a token, not a word:
// "Only valid bearer authentication supported" is Spotify's own message.
// Tokens have digits or punctuation; an English word has neither.
func looksToken(v string) bool {
	return !isPlaceholder(v) && strings.ContainsAny(v, "0123456789._~+/=-")
}

// collectSecrets registers every secret-looking value in text.
func collectSecrets(set *redact.Set, text string) {
	lower := lowerASCII(text)
	for _, m := range bearerRe.findAll(text, lower, -1) {
		if v := text[m[2]:m[3]]; looksToken(v) {
			set.Add(v)
		}
	}
	for _, m := range basicRe.findAll(text, lower, -1) {
		addBasic(set, text[m[2]:m[3]])
	}
	for _, re := range sensitiveKVRes {
		for _, m := range re.findAll(text, lower, -1) {
			if v := text[m[2]:m[3]]; !isPlaceholder(v) && len(v) >= 8 {
				addValue(set, v)
			}
		}
	}
	for _, re := range []*fastRe{secretKVRe, userFlagRe} {
		for _, m := range re.findAll(text, lower, -1) {
			if v := text[m[2]:m[3]]; looksSecret(v) {
				addValue(set, v)
			}
		}
	}
	for _, v := range unlabelledHex(text) {
		set.Add(v)
	}
	for _, v := range spotifyOpaqueRe.FindAllString(text, -1) {
		set.Add(v)
	}
}

// addValue registers a value, and its decoded form when it is
// URL-encoded.
func addValue(set *redact.Set, v string) {
	set.Add(v)
	if strings.Contains(v, "%") {
		if u, err := url.QueryUnescape(v); err == nil {
			set.Add(u)
		}
	}
}

// unlabelledHex returns the 32-hex values in text that are not labelled as
// a client id. Spotify's client ids and secrets look alike; the id is what
// support staff compare, and it is labelled wherever it is printed
// (client_id=, clientId:, "Invalid client id …"), while a bare value next
// to an error is as likely the secret. So only a labelled id stays
// readable; everything else 32 hex long is shown as a fingerprint.
func unlabelledHex(text string) []string {
	var out []string
	run := 0
	for i := 0; i <= len(text); i++ {
		if i < len(text) && isHex(text[i:i+1]) {
			run++
			continue
		}
		if run == 32 {
			start := i - 32
			if (start == 0 || !isWordByte(text[start-1])) && (i == len(text) || !isWordByte(text[i])) {
				v := text[start:i]
				from := max(0, start-48)
				if nl := strings.LastIndexAny(text[from:start], "\r\n"); nl >= 0 {
					from += nl + 1
				}
				if strings.ContainsAny(v, "0123456789") && !clientIDLabelRe.MatchString(text[from:start]) {
					out = append(out, v)
				}
			}
		}
		run = 0
	}
	return out
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
