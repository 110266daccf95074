package redact

import "strings"

// MinTokenRun is the shortest run of characters Tokens offers to its
// recogniser: Spotify's codes and tokens are well over a hundred
// base64url characters (§1.2, §3.2 of the wire reference); a client id
// is 32.
const MinTokenRun = 40

// Tokens replaces with its fingerprint every run of base64url characters
// (A–Z, a–z, 0–9, '-', '_') at least MinTokenRun long that recognize
// accepts: values a server issued itself and can tell by their form (a
// MAC), wherever a client put them — a path, an unknown parameter, a
// header it made up. Only whole runs are offered, so a token glued to
// other such characters is not found; recognize is not called for
// shorter runs, and never for text without a long run.
func Tokens(text string, recognize func(string) bool) string {
	if recognize == nil || len(text) < MinTokenRun {
		return text
	}
	var b strings.Builder
	at := 0
	for i := 0; i < len(text); {
		if !tokenByte(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && tokenByte(text[j]) {
			j++
		}
		if j-i >= MinTokenRun && recognize(text[i:j]) {
			if at == 0 {
				b.Grow(len(text))
			}
			b.WriteString(text[at:i])
			b.WriteString(Fingerprint(text[i:j]))
			at = j
		}
		i = j
	}
	if at == 0 {
		return text
	}
	b.WriteString(text[at:])
	return b.String()
}

func tokenByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}
