package analyze

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// PKCE judged once: explain reads a pasted authorize URL and a HAR's
// verifier with these, and the fake's grader reads the methods it logged
// with MethodProblem (RFC 7636 §4.2 and §4.3).

// ChallengeShape finds a code_challenge that cannot be right whatever the
// verifier: padded, hex, or in the standard base64 alphabet.
func ChallengeShape(ch, method string) (cause, why string) {
	switch {
	case strings.HasSuffix(ch, "="):
		return "padding", fmt.Sprintf("code_challenge ends with %q: base64 padding must be stripped (base64url without =).", "=")
	case len(ch) == 64 && isHexDigest(ch):
		return "hex", "code_challenge is 64 hex characters: the hex SHA-256 digest instead of base64url of the raw digest."
	case strings.ContainsAny(ch, "+/"):
		return "alphabet", "code_challenge contains + or /: standard base64 instead of base64url (- and _)."
	case method != "" && !strings.EqualFold(method, "S256"):
		return "plain", fmt.Sprintf("code_challenge_method=%s: use S256.", method)
	}
	return "", ""
}

// ChallengeOf says how challenge was made from verifier: cause "" when
// it is S256 exactly (base64url of SHA-256, no padding), or "padding",
// "hex", "alphabet" or "plain" for the usual wrong encodings of it.
// derived is false when challenge is not made from this verifier at all.
// The doctor (a pair given on its command line) and DiagnosePKCE (a pair
// seen in a HAR) both ask it.
func ChallengeOf(challenge, verifier string) (cause string, derived bool) {
	if challenge == wire.S256(verifier) {
		return "", true
	}
	sum := sha256.Sum256([]byte(verifier))
	switch {
	case challenge == base64.URLEncoding.EncodeToString(sum[:]) || challenge == base64.StdEncoding.EncodeToString(sum[:]):
		return "padding", true
	case strings.EqualFold(challenge, hex.EncodeToString(sum[:])):
		return "hex", true
	case challenge == base64.RawStdEncoding.EncodeToString(sum[:]):
		return "alphabet", true
	case challenge == verifier:
		return "plain", true
	}
	return "", false
}

// DiagnosePKCE explains why verifier does not match challenge: a cause
// of pkce-verifier-mismatch and a sentence. mismatch is false
// when it does match.
func DiagnosePKCE(challenge, method, verifier string) (cause, why string, mismatch bool) {
	switch cause, derived := ChallengeOf(challenge, verifier); {
	case derived && cause == "":
		return "", "", false
	case cause == "padding":
		return cause, "The verifier does hash to the challenge, but the challenge kept its base64 \"=\" padding; Spotify compares against base64url without padding.", true
	case cause == "hex":
		return cause, "The challenge is hex(SHA-256(verifier)); Spotify expects base64url of the raw 32-byte digest.", true
	case cause == "alphabet":
		return cause, "The challenge is standard base64 of the digest (+ and /); Spotify expects base64url (- and _).", true
	case cause == "plain":
		return cause, "The verifier itself was sent as the challenge (plain), while Spotify expects S256.", true
	}
	if c, w := ChallengeShape(challenge, method); c != "" {
		return c, w + " (And the verifier sent does not belong to this challenge.)", true
	}
	if n := len(verifier); n < 43 || n > 128 {
		return "regenerated", fmt.Sprintf("The verifier sent is %d characters (RFC 7636 wants 43 to 128) and does not hash to the challenge.", n), true
	}
	return "regenerated", "SHA-256 of the verifier sent is not the challenge sent to /authorize: the verifier was regenerated or lost in between.", true
}

// isHexDigest reports whether ch is hex digits (an even number of them:
// ChallengeShape asks about 64).
func isHexDigest(ch string) bool {
	_, err := hex.DecodeString(ch)
	return err == nil
}

// MethodProblem says what is wrong with an authorize request's
// code_challenge_method: "" when nothing is (S256, or no PKCE at all),
// MethodMissing (a challenge without a method, which RFC 7636 defines as
// plain), MethodPlain, or MethodOther (any other value; the method is
// case-sensitive, so "s256" is one).
func MethodProblem(challenge, method string) string {
	switch {
	case method == "S256" || method == "" && challenge == "":
		return ""
	case method == "":
		return MethodMissing
	case strings.EqualFold(method, "plain"):
		return MethodPlain
	}
	return MethodOther
}

// What MethodProblem finds.
const (
	MethodMissing = "missing"
	MethodPlain   = "plain"
	MethodOther   = "other"
)
