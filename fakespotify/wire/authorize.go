package wire

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
)

// LocalePattern is a locale segment of an accounts path, as a regular
// expression without anchors: a language tag in the shape of RFC 5646
// §2.1, a language of two or three letters and at most one more subtag,
// either a region (two letters, or three digits as in es-419) or a script
// (four letters, as in zh-Hant). Tags are compared without regard to case
// (RFC 5646 §2.1.1), so /EN/authorize is /en/authorize. Working URLs show
// /en/, /pt-BR/, /es-ES/, /zh-TW/ and /zh-CN/ (§1.1). Scanners that look
// for authorize URLs in free text build on it.
const LocalePattern = `(?i:[a-z]{2,3}(?:-(?:[a-z]{2}|[0-9]{3}|[a-z]{4}))?)`

// AuthorizePathPattern is the authorize path as a regular expression
// without anchors: /authorize or /authorize/, optionally after one locale
// segment.
const AuthorizePathPattern = `(?:/` + LocalePattern + `)?/authorize/?`

var authorizePath = regexp.MustCompile(`^` + AuthorizePathPattern + `$`)

// IsAuthorizePath reports whether a request path is Spotify's
// authorization endpoint: /authorize, /authorize/, /en/authorize,
// /pt-BR/authorize and the like (§1.1). The word authorize itself is
// matched exactly, as Spotify's paths are.
func IsAuthorizePath(path string) bool {
	return len(path) <= len("/xxx-xxxx/authorize/") && authorizePath.MatchString(path)
}

// S256 is the PKCE transform: base64url(SHA-256(verifier)) without padding
// (RFC 7636 §4.2). The fake checks a verifier with it, explain and the
// doctor compare what an app sent with it, and a client that pads or
// hex-encodes never matches.
func S256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
