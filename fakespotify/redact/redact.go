// Package redact replaces secrets with fingerprints before text is stored,
// logged or shown: client secrets, authorization codes, access and refresh
// tokens, PKCE verifiers and passwords. A fingerprint keeps what a reader
// needs to correlate values (length and a short hash) and nothing that
// helps recover them. The fake and the checker share it so that a value
// reads the same in a fake's log, a transcript and a report.
package redact

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Fingerprint returns the stand-in for a secret value: its length and the
// first 8 hex digits of its SHA-256, e.g. "[redacted 32ch #1a2b3c4d]".
// Equal values give equal fingerprints, so a reader can still see that the
// same code was sent twice.
func Fingerprint(v string) string {
	sum := sha256.Sum256([]byte(v))
	return "[redacted " + strconv.Itoa(len(v)) + "ch #" + hex.EncodeToString(sum[:4]) + "]"
}

// IsFingerprint reports whether s is exactly a fingerprint.
func IsFingerprint(s string) bool {
	return strings.HasPrefix(s, "[redacted ") && strings.HasSuffix(s, "]") && strings.Contains(s, "ch #")
}

// SensitiveFields are the form, query and JSON field names whose values are
// always secret, whether or not the Set has seen the value before.
var SensitiveFields = map[string]bool{
	"client_secret": true,
	"code":          true,
	"code_verifier": true,
	"refresh_token": true,
	"access_token":  true,
	"id_token":      true,
	"password":      true,
	"token":         true,
}

// MinSecretLen is the shortest value or form a Set registers: shorter,
// common strings ("code", "a") would shred unrelated text. So no text
// shorter than it holds a registered secret.
const MinSecretLen = 8

// Set is a concurrency-safe collection of secret values to scrub from text.
// The zero value is ready to use.
//
// A scan costs the same however many secrets are registered: the forms
// are matched by one automaton (matcher.go), rebuilt on the first scan
// after a change and read without a lock.
type Set struct {
	mu    sync.Mutex
	forms map[string]*entry // encoded form -> its fingerprint and registrations
	seq   uint64            // registration order, which breaks ties between equal lengths
	cur   atomic.Pointer[matcher]
}

type entry struct {
	fp   string // the fingerprint of the raw value that first registered it
	refs int    // registrations not yet removed: clones share their template's secret
	seq  uint64
}

// Add registers secret values. Each is also registered in the encodings it
// travels in: URL query escaping, path escaping and base64.
func (s *Set) Add(values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		s.putAllLocked(valueForms(v), Fingerprint(v), 1)
	}
}

// Remove unregisters values added with Add (a deleted app's, an expired
// session's), so that the set does not grow for ever in a long-lived fake.
// A form registered more than once stays until every registration is
// removed.
func (s *Set) Remove(values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		s.putAllLocked(valueForms(v), "", -1)
	}
}

// AddClientCredentials registers a client secret together with the Basic
// credentials built from it, base64("id:secret"), in standard and URL-safe
// alphabets, with and without padding.
func (s *Set) AddClientCredentials(clientID, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.putAllLocked(valueForms(secret), Fingerprint(secret), 1)
	pair := clientID + ":" + secret
	s.putAllLocked(pairForms(pair), Fingerprint(pair), 1)
}

// RemoveClientCredentials unregisters what AddClientCredentials registered.
func (s *Set) RemoveClientCredentials(clientID, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.putAllLocked(valueForms(secret), "", -1)
	s.putAllLocked(pairForms(clientID+":"+secret), "", -1)
}

// valueForms are the forms a secret value travels in.
func valueForms(v string) []string {
	if len(v) < MinSecretLen {
		return nil
	}
	forms := []string{v, url.QueryEscape(v), url.PathEscape(v), url.QueryEscape(url.QueryEscape(v))}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
		forms = append(forms, enc.EncodeToString([]byte(v)))
	}
	// Inside a JSON text a secret with a quote, a backslash or a control
	// character (a trailing newline from a secret file) is escaped, so the
	// raw form alone would not match it.
	return append(forms, jsonForms(v)...)
}

// pairForms are the Basic credentials of "id:secret" in all four alphabets.
func pairForms(pair string) []string {
	var forms []string
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		forms = append(forms, enc.EncodeToString([]byte(pair)))
	}
	return forms
}

// jsonForms returns how v is written inside a JSON string literal, by
// encoders that do and do not escape HTML characters, when that differs
// from v.
func jsonForms(v string) []string {
	var out []string
	for _, escapeHTML := range []bool{true, false} {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(escapeHTML)
		if err := enc.Encode(v); err != nil {
			continue
		}
		// Encode writes "\"...\"\n"; keep what is between the quotes.
		lit := strings.TrimSuffix(b.String(), "\n")
		lit = lit[1 : len(lit)-1]
		if lit != v {
			out = append(out, lit)
		}
	}
	return out
}

// putAllLocked adds delta registrations to each distinct form (one value's
// forms often coincide: a secret without special characters escapes to
// itself), and drops the matcher so the next scan builds one.
func (s *Set) putAllLocked(forms []string, fp string, delta int) {
	for i, f := range forms {
		if len(f) < MinSecretLen || slices.Contains(forms[:i], f) {
			continue
		}
		e, ok := s.forms[f]
		switch {
		case !ok && delta > 0:
			if s.forms == nil {
				s.forms = map[string]*entry{}
			}
			s.seq++
			s.forms[f] = &entry{fp: fp, refs: delta, seq: s.seq}
		case !ok:
			continue
		default:
			e.refs += delta
			if e.refs <= 0 {
				delete(s.forms, f)
			}
		}
		s.cur.Store(nil)
	}
}

// Len is the number of registered encoded forms.
func (s *Set) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.forms)
}

// String replaces every registered secret in text with its fingerprint.
// A registered form that overlaps a longer one is left to it, so a value
// never half-replaces a longer one.
func (s *Set) String(text string) string {
	if text == "" {
		return text
	}
	return s.matcher().replace(text)
}

// matcher returns the automaton of the forms registered now, building it
// if a change dropped it.
func (s *Set) matcher() *matcher {
	if m := s.cur.Load(); m != nil {
		return m
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.cur.Load(); m != nil {
		return m
	}
	forms := make([]form, 0, len(s.forms))
	seqs := make(map[string]uint64, len(s.forms))
	for text, e := range s.forms {
		forms = append(forms, form{text: text, fp: e.fp})
		seqs[text] = e.seq
	}
	// Longest first, so that a value never half-replaces a longer one;
	// equal lengths in registration order.
	sort.Slice(forms, func(i, j int) bool {
		if len(forms[i].text) != len(forms[j].text) {
			return len(forms[i].text) > len(forms[j].text)
		}
		return seqs[forms[i].text] < seqs[forms[j].text]
	})
	m := newMatcher(forms)
	s.cur.Store(m)
	return m
}

// Header returns a redacted copy of h. Authorization keeps its scheme and
// fingerprints the credentials; Cookie and Set-Cookie values are
// fingerprinted; every other value has registered secrets replaced.
func (s *Set) Header(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		ck := http.CanonicalHeaderKey(k)
		cp := make([]string, len(vs))
		for i, v := range vs {
			switch ck {
			case "Authorization", "Proxy-Authorization":
				cp[i] = Authorization(v)
			case "Cookie", "Set-Cookie":
				cp[i] = cookie(v)
			case "Location", "Referer", "Content-Location":
				cp[i] = s.URL(v)
			default:
				cp[i] = s.String(v)
			}
		}
		out[k] = cp
	}
	return out
}

// Authorization fingerprints the credentials of an Authorization header
// value and keeps the scheme, so "Basic …" and "Bearer …" stay readable.
// Leading and trailing whitespace is shown as written, because a stray
// newline is exactly what a reader may need to see.
func Authorization(v string) string { return authorization(v, Fingerprint) }

func authorization(v string, fingerprint func(string) string) string {
	const space = " \t\r\n"
	core := strings.TrimLeft(v, space)
	lead := v[:len(v)-len(core)]
	cred := strings.TrimRight(core, space)
	trail := core[len(cred):]
	if cred == "" {
		return v
	}
	scheme, rest, found := strings.Cut(cred, " ")
	if !found {
		return lead + fingerprint(cred) + trail
	}
	secret := strings.TrimLeft(rest, " ")
	gap := rest[:len(rest)-len(secret)]
	return lead + scheme + " " + gap + fingerprint(secret) + trail
}

func cookie(v string) string {
	parts := strings.Split(v, ";")
	for i, p := range parts {
		name, val, ok := strings.Cut(p, "=")
		if !ok || i > 0 && !isSessionCookieName(strings.TrimSpace(name)) {
			continue
		}
		parts[i] = name + "=" + Fingerprint(val)
	}
	return strings.Join(parts, ";")
}

// isSessionCookieName tells a cookie pair from a Set-Cookie attribute.
func isSessionCookieName(name string) bool {
	switch strings.ToLower(name) {
	case "path", "domain", "expires", "max-age", "secure", "httponly", "samesite", "partitioned":
		return false
	}
	return true
}

// Values fingerprints the sensitive fields of parsed form or query values
// and scrubs registered secrets from the others. It returns a copy.
func (s *Set) Values(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		cp := make([]string, len(vs))
		for i, x := range vs {
			if SensitiveFields[k] && x != "" {
				cp[i] = Fingerprint(x)
			} else {
				cp[i] = s.String(x)
			}
		}
		out[k] = cp
	}
	return out
}

// Form redacts an application/x-www-form-urlencoded body. It rewrites the
// body pair by pair, so the order, the separators and any malformed pair
// are kept as sent: a reader must see what the client really sent.
func (s *Set) Form(body string) string {
	pairs := strings.Split(body, "&")
	for i, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			pairs[i] = s.String(p)
			continue
		}
		key, err := url.QueryUnescape(k)
		if err != nil {
			key = k
		}
		if SensitiveFields[key] && v != "" {
			raw, err := url.QueryUnescape(v)
			if err != nil {
				raw = v
			}
			pairs[i] = k + "=" + Fingerprint(raw)
			continue
		}
		pairs[i] = k + "=" + s.String(v)
	}
	return s.String(strings.Join(pairs, "&"))
}

// URL redacts the sensitive query parameters and fragment parameters of a
// URL (the implicit grant put tokens in the fragment) and scrubs registered
// secrets from the rest. A string that does not parse is scrubbed as text.
func (s *Set) URL(raw string) string {
	base, frag, hasFrag := strings.Cut(raw, "#")
	path, query, hasQuery := strings.Cut(base, "?")
	out := s.String(userinfo(path))
	if hasQuery {
		out += "?" + s.Form(query)
	}
	if hasFrag {
		out += "#" + s.Form(frag)
	}
	return out
}

// userinfo fingerprints the password of a URL's "user:password@" part,
// which proxy URLs in particular carry.
func userinfo(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	authority, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	at := strings.LastIndexByte(authority, '@')
	if at < 0 {
		return u
	}
	user, pass, ok := strings.Cut(authority[:at], ":")
	if !ok || pass == "" {
		return u
	}
	raw, err := url.PathUnescape(pass)
	if err != nil {
		raw = pass
	}
	return scheme + "://" + user + ":" + Fingerprint(raw) + authority[at:] + path
}

// JSON redacts the values of sensitive string fields anywhere in a JSON
// text, without re-encoding it (key order and spacing stay as received),
// and scrubs registered secrets from the rest.
func (s *Set) JSON(body string) string {
	var b strings.Builder
	i := 0
	sensitiveJSON(body, func(val string, start, end int) {
		b.WriteString(body[i:start])
		if val == "" && end-start == 2 {
			b.WriteString(`""`)
		} else {
			b.WriteString(`"` + Fingerprint(val) + `"`)
		}
		i = end
	})
	if i == 0 {
		return s.String(body)
	}
	b.WriteString(body[i:])
	return s.String(b.String())
}

// SensitiveJSON calls fn with the value of every sensitive string field
// anywhere in a JSON text (decoded), as JSON would fingerprint it: what a
// caller must also look for elsewhere in the same exchange.
func SensitiveJSON(body string, fn func(string)) {
	sensitiveJSON(body, func(val string, _, _ int) { fn(val) })
}

// sensitiveJSON finds each string value of a sensitive field: its decoded
// value and where its literal (quotes included) starts and ends in body.
// It scans strings and skips the rest, so it never fails on broken JSON.
func sensitiveJSON(body string, fn func(val string, start, end int)) {
	i := 0
	for i < len(body) {
		j := strings.IndexByte(body[i:], '"')
		if j < 0 {
			return
		}
		j += i
		end := stringEnd(body, j)
		i = end
		if !SensitiveFields[jsonString(body[j:end])] {
			continue
		}
		// A key: skip whitespace and the colon, then take a string value.
		k := skipJSONSpace(body, i)
		if k >= len(body) || body[k] != ':' {
			continue
		}
		k = skipJSONSpace(body, k+1)
		if k >= len(body) || body[k] != '"' {
			continue
		}
		vend := stringEnd(body, k)
		fn(jsonString(body[k:vend]), k, vend)
		i = vend
	}
}

func skipJSONSpace(body string, k int) int {
	for k < len(body) && (body[k] == ' ' || body[k] == '\t' || body[k] == '\n' || body[k] == '\r') {
		k++
	}
	return k
}

// jsonString returns the value of the JSON string literal lit (quotes
// included), decoding escapes so that "ab\/cd" fingerprints like "ab/cd".
// An unterminated or invalid literal yields its text between the quotes.
func jsonString(lit string) string {
	if strings.IndexByte(lit, '\\') >= 0 {
		var v string
		if json.Unmarshal([]byte(lit), &v) == nil {
			return v
		}
	}
	lit = lit[1:]
	if strings.HasSuffix(lit, `"`) && !strings.HasSuffix(lit, `\"`) {
		lit = lit[:len(lit)-1]
	}
	return lit
}

// stringEnd returns the index just past the JSON string starting at body[start]
// (a quote), or len(body) when it is unterminated.
func stringEnd(body string, start int) int {
	for k := start + 1; k < len(body); {
		// The next quote, found a word at a time: tokens make long strings.
		q := strings.IndexByte(body[k:], '"')
		if q < 0 {
			return len(body)
		}
		b := strings.IndexByte(body[k:k+q], '\\')
		if b < 0 {
			return k + q + 1
		}
		k += b + 2 // the escaped character, whatever it is, is skipped
	}
	return len(body)
}

// Body redacts a request or response body according to its content type.
func (s *Set) Body(contentType, body string) string {
	ct := strings.ToLower(contentType)
	// A body whose content type lies is a classic mistake (JSON sent as a
	// form, web-api#1503): redact it by what it looks like, too.
	t := strings.TrimSpace(body)
	looksJSON := strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")
	switch {
	case looksJSON:
		return s.JSON(body)
	case strings.Contains(ct, "x-www-form-urlencoded"), strings.Contains(ct, "json"):
		return s.Form(body)
	case strings.Contains(ct, "html"):
		return s.String(body)
	default:
		// Form redaction only touches pairs whose key is a sensitive field,
		// so text that is not a form comes through as String would leave it.
		return s.Form(body)
	}
}
