package fakespotify

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// LogLine is what the log line of one request shows, redacted: what
// `spotcheck fake` writes at its default log level. It is built from the
// request's record directly, redacting only these fields, so a log line
// costs a fraction of the full record WithLogger gets; each field reads
// exactly as the same field of that record.
type LogLine struct {
	Method   string
	Path     string
	Status   int
	Endpoint wire.Endpoint
	Duration time.Duration
	ClientID string
	UserID   string
	Injected bool
	// Query and Form are the query and form parameters as ReadableQuery
	// writes them, "" when there are none.
	Query, Form   string
	Authorization string
	// ResponseBody is the answer's body when its status is 400 or above,
	// else "".
	ResponseBody string
}

// WithLogLine is called after every request with the fields of its log
// line (see LogLine): what a request logger needs, at a fraction of the
// cost of WithLogger's full record.
func WithLogLine(fn func(LogLine)) Option { return func(f *Fake) { f.linef = fn } }

// scrub removes what the fake knows to be secret from any text it shows:
// app secrets, user passwords and the control token, in every encoding
// they travel in, and every token the fake issued, wherever a client put
// it.
func (f *Fake) scrub(text string) string {
	return redact.Tokens(f.secrets.String(text), f.recognize)
}

// recognize reports whether a token-shaped value is one this fake issued:
// an access token, a refresh token or a code, however old, revoked, or
// whose app was deleted. The store tells by the value's MAC alone (no
// lookup, no lock: see store.Recognize).
func (f *Fake) recognize(candidate string) bool { return f.store.Recognize(candidate) }

// exchangeScrubber redacts the fields of one logged exchange in two
// passes: the sensitive values seen anywhere in this exchange (so that a
// code in a Location header is also scrubbed from the HTML body that
// repeats it), then the fake-wide secrets (f.scrub). The exchange's
// values are collected only when a field could hold one, and a set to
// scrub them is built only when a field is at least as long as one: most
// log lines need neither.
type exchangeScrubber struct {
	f *Fake
	e *rawRequest

	parsedForm bool
	formValues url.Values

	collected bool
	shortest  int // the length of the shortest of the exchange's sensitive values
	local     *redact.Set
}

// text scrubs free text: a path, a parameter value that is not sensitive.
func (x *exchangeScrubber) text(t string) string {
	if len(t) < redact.MinSecretLen {
		// Shorter than any secret a Set registers, and than any token
		// redact.Tokens looks at: nothing to scrub ("/v1/me").
		return t
	}
	if len(t) >= x.minLocal() {
		t = x.set().String(t)
	}
	return x.f.scrub(t)
}

// values redacts parsed parameters: sensitive ones become fingerprints,
// the others are scrubbed as text.
func (x *exchangeScrubber) values(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		cp := make([]string, len(vs))
		for i, s := range vs {
			cp[i] = x.value(k, s)
		}
		out[k] = cp
	}
	if x.e.Endpoint == EndpointLogin || x.e.Endpoint == EndpointConsent {
		// The authorize URL a login page carries in ?continue= has no
		// secrets of its own, but a client may put one there.
		if c, ok := out["continue"]; ok {
			for i := range c {
				c[i] = x.set().URL(c[i])
			}
		}
	}
	return out
}

// body redacts a request or response body by its content type.
func (x *exchangeScrubber) body(contentType, b string) string {
	return x.f.scrub(x.set().Body(contentType, b))
}

// header redacts a header map.
func (x *exchangeScrubber) header(h http.Header) http.Header {
	out := x.set().Header(h)
	for _, vs := range out {
		for i := range vs {
			vs[i] = x.f.scrub(vs[i])
		}
	}
	return out
}

// form is the request's form body, parsed once.
func (x *exchangeScrubber) form() url.Values {
	if !x.parsedForm {
		x.parsedForm, x.formValues = true, x.e.form()
	}
	return x.formValues
}

// minLocal is the shortest text the exchange's own values could be found
// in: the shortest of them (every encoding of a value is at least as long
// as the value), and never under redaction's minimum.
func (x *exchangeScrubber) minLocal() int {
	if !x.collected {
		x.collected = true
		x.shortest = int(^uint(0) >> 1)
		x.eachLocal(func(v string) { x.shortest = min(x.shortest, len(v)) })
	}
	return x.shortest
}

// set is the exchange's values as a redact.Set.
func (x *exchangeScrubber) set() *redact.Set {
	if x.local == nil {
		var secrets []string
		x.eachLocal(func(v string) { secrets = append(secrets, v) })
		x.local = &redact.Set{}
		x.local.Add(secrets...)
	}
	return x.local
}

// eachLocal calls fn with each sensitive value of the exchange at least
// redact.MinSecretLen long: sensitive query and form parameters, those of a
// redirect's Location, the Authorization credentials, and the sensitive
// fields of a JSON answer. It parses nothing into maps: most log lines
// only need the length of the shortest.
func (x *exchangeScrubber) eachLocal(fn func(string)) {
	add := func(v string) {
		if len(v) >= redact.MinSecretLen {
			fn(v)
		}
	}
	addValues := func(v url.Values) {
		for k, vs := range v {
			if redact.SensitiveFields[k] {
				for _, s := range vs {
					add(s)
				}
			}
		}
	}
	e := x.e
	eachSensitiveParam(e.rawQuery, add)
	if e.hasForm() {
		eachSensitiveParam(e.body, add)
	}
	if loc := e.responseHeader("Location"); loc != "" {
		if u, err := url.Parse(loc); err == nil {
			addValues(u.Query())
			frag, _ := url.ParseQuery(u.Fragment)
			addValues(frag)
		}
	}
	if _, cred, ok := strings.Cut(e.requestHeader("Authorization"), " "); ok {
		add(cred)
	}
	if strings.Contains(e.responseHeader("Content-Type"), "json") {
		redact.SensitiveJSON(e.respBody, add)
	}
}

// nextParam splits the first parameter off a query or form, decoded, as
// url.ParseQuery reads it; ok is false for a pair ParseQuery skips. The
// request log caps a query and a body far below ParseQuery's limit on the
// number of parameters, so reading pair by pair sees what it sees.
func nextParam(q string) (k, v, rest string, ok bool) {
	k, rest, _ = strings.Cut(q, "&")
	if k == "" || strings.Contains(k, ";") {
		return "", "", rest, false
	}
	k, v, _ = strings.Cut(k, "=")
	k, err := url.QueryUnescape(k)
	if err != nil {
		return "", "", rest, false
	}
	v, err = url.QueryUnescape(v)
	if err != nil {
		return "", "", rest, false
	}
	return k, v, rest, true
}

// eachSensitiveParam calls fn with the value of every sensitive parameter.
func eachSensitiveParam(q string, fn func(string)) {
	for q != "" {
		k, v, rest, ok := nextParam(q)
		q = rest
		if ok && redact.SensitiveFields[k] {
			fn(v)
		}
	}
}

// readable is ReadableQuery(x.values(parsed q)) — what a log line shows of
// a query or form — written straight from the text for the few
// parameters a request usually has, without the maps.
func (x *exchangeScrubber) readable(q string) string {
	type param struct{ k, v string }
	var room [8]param
	ps := room[:0]
	// Login and consent pages rewrite ?continue= (values); more
	// parameters than fit here take the general way too.
	general := x.e.Endpoint == EndpointLogin || x.e.Endpoint == EndpointConsent
	for rest := q; rest != "" && !general; {
		k, v, next, ok := nextParam(rest)
		rest = next
		if !ok {
			continue
		}
		if len(ps) == len(room) {
			general = true
			break
		}
		ps = append(ps, param{k, v})
	}
	if general {
		parsed, _ := url.ParseQuery(q)
		return ReadableQuery(x.values(parsed))
	}
	slices.SortStableFunc(ps, func(a, b param) int { return strings.Compare(a.k, b.k) })
	var b strings.Builder
	b.Grow(len(q) + 16)
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.k))
		b.WriteByte('=')
		v := x.value(p.k, p.v)
		if redact.IsFingerprint(v) {
			b.WriteString(v)
		} else {
			b.WriteString(url.QueryEscape(v))
		}
	}
	return b.String()
}

// value redacts one parameter: a sensitive one becomes a fingerprint,
// another is scrubbed as text.
func (x *exchangeScrubber) value(k, v string) string {
	if redact.SensitiveFields[k] && v != "" {
		return x.f.scrub(x.f.fps.Fingerprint(v))
	}
	return x.text(v)
}

// redacted is the full record of a logged request, every field redacted.
func (f *Fake) redacted(e *rawRequest) Request {
	r := e.Request
	x := &exchangeScrubber{f: f, e: e}
	r.Path = x.text(e.Path)
	if e.rawQuery != "" {
		q, _ := url.ParseQuery(e.rawQuery)
		r.Query = x.values(q)
	}
	r.Header = x.header(decodeHeader(e.header))
	if len(e.body) > 0 {
		r.Body = x.body(e.requestHeader("Content-Type"), e.body)
	}
	if form := x.form(); form != nil {
		r.Form = x.values(form)
	}
	r.ResponseHeader = x.header(decodeHeader(e.respHdr))
	r.Truncated = e.cut
	if len(e.respBody) > 0 {
		r.ResponseBody = x.body(e.responseHeader("Content-Type"), e.respBody)
	}
	return r
}

// logLine is the request's LogLine: the fields of redacted, and only those.
func (f *Fake) logLine(e *rawRequest) LogLine {
	x := &exchangeScrubber{f: f, e: e}
	l := LogLine{
		Method: e.Method, Path: x.text(e.Path), Status: e.Status, Endpoint: e.Endpoint, Duration: e.Duration,
		ClientID: e.ClientID, UserID: e.UserID, Injected: e.Injected,
	}
	if e.rawQuery != "" {
		l.Query = x.readable(e.rawQuery)
	}
	if e.hasForm() {
		l.Form = x.readable(e.body)
	}
	if auth := e.requestHeader("Authorization"); auth != "" {
		l.Authorization = f.scrub(f.fps.Authorization(auth))
	}
	if e.Status >= 400 && len(e.respBody) > 0 {
		l.ResponseBody = x.body(e.responseHeader("Content-Type"), e.respBody)
	}
	return l
}
