package wire

import (
	"encoding/base64"
	"strings"
	"sync"
)

// Basic is what an Authorization header with the Basic scheme carried
// (RFC 7617), read the way both a strict and a lenient server would.
type Basic struct {
	// Credentials is everything after the scheme, exactly as sent.
	Credentials string
	// ClientID and ClientSecret are the halves of the decoded
	// "client_id:client_secret", set when Decoded.
	ClientID, ClientSecret string
	// Decoded reports that the credentials decode to a pair separated by
	// a colon once whitespace is dropped, in any base64 alphabet, padded
	// or not: what a lenient server, or a diagnosis of what the client
	// meant, reads.
	Decoded bool
	// Strict reports that Spotify's token endpoint accepts the header as
	// client authentication (§3.1): one space after the scheme, standard
	// padded base64 with nothing else in it (a line break from the base64
	// tool's wrapping is refused) and a colon in what it decodes to.
	Strict bool
}

// BasicAuth is the Authorization value Spotify documents (§3.1):
// "Basic " + base64(client_id:client_secret), standard alphabet, padded,
// on one line.
func BasicAuth(clientID, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(clientID+":"+secret))
}

// basicEncodings are tried in order; Strict needs the first.
var basicEncodings = []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding}

// ParseBasic reads an Authorization header value. ok is false when the
// scheme is not Basic; the scheme is matched without regard to case, as
// RFC 7617 §2 and RFC 9110 §11.1 say schemes are. With ok true, Strict
// and Decoded say how well-formed the credentials are.
func ParseBasic(header string) (b Basic, ok bool) {
	trimmed := strings.TrimSpace(header)
	scheme, cred, _ := strings.Cut(trimmed, " ")
	if !strings.EqualFold(scheme, "Basic") {
		return Basic{}, false
	}
	b.Credentials = cred
	id, secret, alphabet, decoded := decodePair(cred)
	if !decoded {
		return b, true
	}
	b.ClientID, b.ClientSecret, b.Decoded = id, secret, true
	b.Strict = alphabet == 0 && trimmed == header && !strings.ContainsAny(cred, " \t\r\n")
	return b, true
}

// DecodeBasicCredentials decodes the credentials part of a Basic header
// ("base64(id:secret)") leniently, as Basic.Decoded does: for a value
// found without its scheme, such as a pasted header value.
func DecodeBasicCredentials(cred string) (clientID, secret string, ok bool) {
	clientID, secret, _, ok = decodePair(cred)
	return clientID, secret, ok
}

// decodePair drops whitespace and tries each alphabet; alphabet is the
// index in basicEncodings of the one that decoded.
func decodePair(cred string) (id, secret string, alphabet int, ok bool) {
	compact := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, cred)
	if compact == "" {
		return "", "", 0, false
	}
	for i, enc := range basicEncodings {
		raw, err := enc.DecodeString(compact)
		if err != nil {
			continue
		}
		id, secret, found := strings.Cut(string(raw), ":")
		return id, secret, i, found
	}
	return "", "", 0, false
}

// BasicCache remembers what ParseBasic made of Authorization values seen
// again and again — a load test sends the same Basic credentials with
// every token request — so that reading them costs a map lookup and no
// allocation. It holds the credentials themselves, so it belongs to a
// server that holds them anyway (the fake), and it is bounded: when full
// it starts over. The zero value is ready to use; it is safe for
// concurrent use.
type BasicCache struct {
	mu sync.RWMutex
	m  map[string]basicResult
}

type basicResult struct {
	b  Basic
	ok bool
}

// basicCacheSize bounds a BasicCache: more distinct credentials than any
// test suite's apps; a flood of distinct values only resets it.
const basicCacheSize = 4096

// Parse is ParseBasic(header), remembered.
func (c *BasicCache) Parse(header string) (Basic, bool) {
	c.mu.RLock()
	r, hit := c.m[header]
	c.mu.RUnlock()
	if hit {
		return r.b, r.ok
	}
	r.b, r.ok = ParseBasic(header)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= basicCacheSize {
		c.m = make(map[string]basicResult, 16)
	}
	c.m[header] = r
	c.mu.Unlock()
	return r.b, r.ok
}
