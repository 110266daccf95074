package fakespotify

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/grade"
	"github.com/spotcheck/spotcheck/fakespotify/redact"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Endpoint classes of Request.Endpoint, under the names they had here
// before wire held them.
const (
	EndpointAuthorize = wire.EndpointAuthorize
	EndpointLogin     = wire.EndpointLogin
	EndpointConsent   = wire.EndpointConsent
	EndpointToken     = wire.EndpointToken
	EndpointAPI       = wire.EndpointAPI
	EndpointControl   = wire.EndpointControl
	EndpointOther     = wire.EndpointOther
)

// captureLimit bounds what the log keeps of each body.
const captureLimit = 16 << 10

// rawRequest is a log entry as captured, unredacted: redacting on read
// keeps the hot path cheap, and the clear values never leave the process.
type rawRequest struct {
	Request
	rawQuery string
	body     []byte
	respBody []byte
	// startTick and endTick are taken from one counter when the request
	// arrived and when its answer was decided, so that grading can tell a
	// request sent after a 429 from one already in flight.
	startTick, endTick uint64
}

// requestLog is a ring buffer per app, so one noisy client cannot push
// another's history out, and memory is bounded by apps × size.
type requestLog struct {
	size  int
	sized bool // set by WithRequestLog, which overrides the config
	// grading holds the fake's default grade options (WithGradeOptions):
	// grading reads nothing but this log, so its settings live with it.
	grading grade.Options
	seq     atomic.Uint64
	ticks   atomic.Uint64
	mu      sync.Mutex
	rings   map[string]*ring
}

type ring struct {
	mu      sync.Mutex
	entries []*rawRequest
	next    int
	full    bool
	dropped uint64 // entries overwritten since the ring was last cleared
}

// WithRequestLog sets how many requests the fake keeps per app, in place
// of the configuration's request_log. Zero turns the log off: Requests and
// Grade then see nothing (a benchmark's baseline, or a fake that must keep
// no request data at all).
func WithRequestLog(size int) Option {
	return func(f *Fake) {
		if size < 0 {
			size = 0
		}
		f.log.size, f.log.sized = size, true
	}
}

func (l *requestLog) init(size int) {
	if !l.sized {
		l.size = size
	}
	l.rings = map[string]*ring{}
}

func (l *requestLog) enabled() bool { return l.size > 0 }

func (l *requestLog) ring(clientID string) *ring {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.rings[clientID]
	if !ok {
		r = &ring{entries: make([]*rawRequest, l.size)}
		l.rings[clientID] = r
	}
	return r
}

// add files an entry under ringKey: the client id when it names a
// registered app, else "" — so made-up client ids cannot grow the log.
func (l *requestLog) add(ringKey string, e *rawRequest) {
	if !l.enabled() {
		return
	}
	r := l.ring(ringKey)
	r.mu.Lock()
	if r.entries[r.next] != nil {
		r.dropped++
	}
	r.entries[r.next] = e
	r.next = (r.next + 1) % len(r.entries)
	if r.next == 0 {
		r.full = true
	}
	r.mu.Unlock()
}

func (l *requestLog) drop(clientID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.rings, clientID)
}

// entries returns one app's entries in arrival order ("" = requests no app
// could be attributed to; "*" = every app's, by sequence).
func (l *requestLog) entries(clientID string) []*rawRequest {
	var rings []*ring
	l.mu.Lock()
	if clientID == "*" {
		for _, r := range l.rings {
			rings = append(rings, r)
		}
	} else if r, ok := l.rings[clientID]; ok {
		rings = append(rings, r)
	}
	l.mu.Unlock()
	var out []*rawRequest
	for _, r := range rings {
		r.mu.Lock()
		out = append(out, r.ordered()...)
		r.mu.Unlock()
	}
	sortBySeq(out)
	return out
}

// reset clears one app's ring ("*" = all). The ring is emptied in place,
// under its lock, so that a request being logged at that moment lands in
// the new window instead of being lost with the old ring.
func (l *requestLog) reset(clientID string) {
	l.take(clientID)
}

// take returns one app's entries oldest first and clears its ring in the
// same critical section ("*" = every ring), so that no request falls
// between two grading windows. dropped is how many the ring had
// overwritten.
func (l *requestLog) take(clientID string) (out []*rawRequest, dropped uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var rings []*ring
	if clientID == "*" {
		for _, r := range l.rings {
			rings = append(rings, r)
		}
	} else if r, ok := l.rings[clientID]; ok {
		rings = append(rings, r)
	}
	for _, r := range rings {
		r.mu.Lock()
		out = append(out, r.ordered()...)
		dropped += r.dropped
		clear(r.entries)
		r.next, r.full, r.dropped = 0, false, 0
		r.mu.Unlock()
	}
	sortBySeq(out)
	return out, dropped
}

// snapshot is entries plus how many the ring had overwritten.
func (l *requestLog) snapshot(clientID string) ([]*rawRequest, uint64) {
	l.mu.Lock()
	r, ok := l.rings[clientID]
	l.mu.Unlock()
	if !ok {
		return nil, 0
	}
	r.mu.Lock()
	out, dropped := r.ordered(), r.dropped
	r.mu.Unlock()
	sortBySeq(out)
	return out, dropped
}

// ordered returns the ring's entries oldest first; r.mu must be held.
func (r *ring) ordered() []*rawRequest {
	var out []*rawRequest
	if r.full {
		out = append(out, r.entries[r.next:]...)
	}
	return append(out, r.entries[:r.next]...)
}

// sortBySeq puts entries in arrival order: a ring holds them in the order
// they completed.
func sortBySeq(es []*rawRequest) {
	sort.Slice(es, func(i, j int) bool { return es[i].Seq < es[j].Seq })
}

// Requests returns the redacted log of one app (clientID "" for requests
// no app could be attributed to, "*" for all), oldest first.
func (f *Fake) Requests(clientID string) []Request {
	raw := f.log.entries(clientID)
	out := make([]Request, len(raw))
	for i, e := range raw {
		out[i] = f.redacted(e)
	}
	return out
}

// ResetRequests clears the log of one app ("*" = all) and so starts a new
// grading window for it: Requests and Grade see only what the app sends
// from now on. Tests that share one app call it between tests (a test
// that needs its app alone clones one instead, see CloneApp). Facts from
// before the reset — a code issued, a token rotated — are gone with the
// log, so rules that need them judge only what they can still see and
// never guess; GradeAndReset grades and resets in one step.
func (f *Fake) ResetRequests(clientID string) { f.log.reset(clientID) }

// redacted applies two passes: structural redaction plus every sensitive
// value seen anywhere in this exchange (so a code in a Location header is
// also scrubbed from the HTML body that repeats it), then the fake-wide
// secrets (app credentials, user passwords).
func (f *Fake) redacted(e *rawRequest) Request {
	r := e.Request
	local := &redact.Set{}
	ct := e.Header.Get("Content-Type")
	respCT := e.ResponseHeader.Get("Content-Type")
	var query, form url.Values
	if e.rawQuery != "" {
		query, _ = url.ParseQuery(e.rawQuery)
		addSensitive(local, query)
	}
	if len(e.body) > 0 && strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		form, _ = url.ParseQuery(string(e.body))
		addSensitive(local, form)
	}
	if loc, err := url.Parse(e.ResponseHeader.Get("Location")); err == nil {
		addSensitive(local, loc.Query())
		frag, _ := url.ParseQuery(loc.Fragment)
		addSensitive(local, frag)
	}
	if _, cred, ok := strings.Cut(e.Header.Get("Authorization"), " "); ok {
		local.Add(cred)
	}
	if strings.Contains(respCT, "json") {
		var tok map[string]any
		if json.Unmarshal(e.respBody, &tok) == nil {
			for k, v := range tok {
				if s, ok := v.(string); ok && redact.SensitiveFields[k] {
					local.Add(s)
				}
			}
		}
	}
	scrub := f.secrets.String
	if query != nil {
		r.Query = scrubValues(local.Values(query), scrub)
		if r.Endpoint == EndpointLogin || r.Endpoint == EndpointConsent {
			r.Query = redactContinue(local, r.Query)
		}
	}
	r.Header = scrubHeader(local.Header(e.Header), scrub)
	if len(e.body) > 0 {
		r.Body = scrub(local.Body(ct, string(e.body)))
	}
	if form != nil {
		r.Form = scrubValues(local.Values(form), scrub)
	}
	r.ResponseHeader = scrubHeader(local.Header(e.ResponseHeader), scrub)
	if len(e.respBody) > 0 {
		r.ResponseBody = scrub(local.Body(respCT, string(e.respBody)))
	}
	return r
}

func addSensitive(s *redact.Set, v url.Values) {
	for k, vs := range v {
		if redact.SensitiveFields[k] {
			s.Add(vs...)
		}
	}
}

func scrubValues(v url.Values, scrub func(string) string) url.Values {
	for _, vs := range v {
		for i := range vs {
			vs[i] = scrub(vs[i])
		}
	}
	return v
}

func scrubHeader(h http.Header, scrub func(string) string) http.Header {
	for _, vs := range h {
		for i := range vs {
			vs[i] = scrub(vs[i])
		}
	}
	return h
}

// redactContinue redacts the authorize URL carried in a login page's
// ?continue= (it has no secrets of its own, but a client may put one there).
func redactContinue(s interface{ URL(string) string }, q map[string][]string) map[string][]string {
	if c, ok := q["continue"]; ok {
		for i := range c {
			c[i] = s.URL(c[i])
		}
	}
	return q
}

// recorder captures the status, headers and the start of the body.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
	// ticks is the log's counter; endTick is read from it when the answer
	// is decided, before any byte of it can reach the client.
	ticks   *atomic.Uint64
	endTick uint64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
		r.endTick = r.ticks.Add(1)
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
		r.endTick = r.ticks.Add(1)
	}
	if room := captureLimit - r.body.Len(); room > 0 {
		if len(b) < room {
			room = len(b)
		}
		r.body.Write(b[:room])
	}
	return r.ResponseWriter.Write(b)
}

// ServeHTTP answers every path of accounts.spotify.com and api.spotify.com
// that the fake knows, plus the control endpoints. Each request is
// attributed to an app, matched against injected faults and logged.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	endpoint := classify(r.URL.Path)
	if endpoint == EndpointControl {
		if !f.control {
			http.NotFound(w, r)
			return
		}
		f.serveControl(w, r)
		return
	}
	startTick := f.log.ticks.Add(1)
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		body = readUpTo(r, captureLimit+1)
		rest := r.Body
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), rest), rest}
		if len(body) > captureLimit {
			body = body[:captureLimit]
		}
	}
	clientID, userID := f.attribute(endpoint, r, body)
	var seq uint64
	var arrived time.Time
	if f.log.enabled() || f.logf != nil {
		seq, arrived = f.log.seq.Add(1), f.NowFor(clientID)
	}
	rec := &recorder{ResponseWriter: w, ticks: &f.log.ticks}
	injected := f.faults.take(r.Method, r.URL.Path, clientID)
	switch {
	case injected != nil:
		writeFault(rec, injected)
	case endpoint == EndpointAPI:
		f.api.ServeHTTP(rec, r)
	case endpoint == EndpointOther:
		http.NotFound(rec, r)
	default:
		f.accounts.ServeHTTP(rec, r)
	}
	if !f.log.enabled() && f.logf == nil {
		f.maybeSweep()
		return
	}
	e := &rawRequest{
		Request: Request{
			Seq:      seq,
			Time:     arrived,
			Duration: time.Since(start),
			ClientID: clientID,
			UserID:   userID,
			Endpoint: endpoint,
			Method:   r.Method,
			Path:     r.URL.Path,
			// net/http gives each request its own header map and never
			// touches it after the handler returns, so it is kept as is.
			Header: r.Header,
			Status: rec.status,
			// Like the request's, the response header map is this
			// request's own and no longer written once the handler returns.
			ResponseHeader: w.Header(),
			Injected:       injected != nil,
		},
		rawQuery:  r.URL.RawQuery,
		body:      body,
		respBody:  rec.body.Bytes(), // the recorder is this request's alone
		startTick: startTick,
		endTick:   rec.endTick,
	}
	if e.Status == 0 {
		e.Status = http.StatusOK
	}
	if e.endTick == 0 {
		e.endTick = f.log.ticks.Add(1)
	}
	ringKey := clientID
	if _, registered := (&env{f}).App(clientID); !registered {
		ringKey = ""
	}
	f.log.add(ringKey, e)
	if f.logf != nil {
		f.logf(f.redacted(e))
	}
	f.maybeSweep()
}

// maybeSweep also sweeps when nothing new is issued (e.g. a fake serving
// only Web API calls after a clock jump); stores sweep on every issue.
func (f *Fake) maybeSweep() {
	if f.sweepTick.Add(1)%4096 == 0 {
		f.store.Sweep(f.Now())
	}
}

func classify(path string) wire.Endpoint {
	switch {
	case strings.HasPrefix(path, ControlPrefix):
		return EndpointControl
	case strings.HasPrefix(path, "/v1/") || path == "/v1":
		return EndpointAPI
	case path == "/api/token" || path == "/api/token/":
		return EndpointToken
	case wire.IsAuthorizePath(path):
		return EndpointAuthorize
	case path == "/authorize/decision":
		return EndpointConsent
	case path == "/login":
		return EndpointLogin
	}
	return EndpointOther
}

// attribute finds which app (and user) a request belongs to, the way the
// real service would have to: the client_id parameter, Basic credentials,
// or the app an access token was issued to.
func (f *Fake) attribute(endpoint wire.Endpoint, r *http.Request, body []byte) (clientID, userID string) {
	switch endpoint {
	case EndpointAuthorize:
		return r.URL.Query().Get("client_id"), ""
	case EndpointLogin:
		cont := r.URL.Query().Get("continue")
		if cont == "" && r.Method == http.MethodPost {
			form, _ := url.ParseQuery(string(body))
			cont = form.Get("continue")
		}
		if u, err := url.Parse(cont); err == nil {
			return u.Query().Get("client_id"), ""
		}
	case EndpointConsent:
		form, _ := url.ParseQuery(string(body))
		q, _ := url.ParseQuery(form.Get("request"))
		return q.Get("client_id"), ""
	case EndpointToken:
		if id := basicClientID(r.Header.Get("Authorization")); id != "" {
			return id, ""
		}
		form, _ := url.ParseQuery(string(body))
		if id := form.Get("client_id"); id != "" {
			return id, ""
		}
		// Spotify ignores token parameters in the query, but whose client
		// put its credentials there is exactly what grading must know.
		if strings.Contains(r.URL.RawQuery, "client_id=") {
			return r.URL.Query().Get("client_id"), ""
		}
	case EndpointAPI:
		h := r.Header.Get("Authorization")
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok && strings.Contains(r.URL.RawQuery, "access_token=") {
			// Not a way Spotify accepts a token; attributed so that the
			// app's grade shows it.
			tok, ok = r.URL.Query().Get("access_token"), true
		}
		if ok {
			if a, _, ok := f.store.AccessToken(tok); ok {
				return a.ClientID, a.UserID
			}
		}
	}
	return "", ""
}

// basicClientID is the client id Basic credentials name, in a scheme of
// any case as the token endpoint reads it, and leniently decoded: a header
// the token endpoint refuses (a wrapped base64) still shows whose client
// sent it, which is what grading must know.
func basicClientID(h string) string {
	if b, ok := wire.ParseBasic(h); ok && b.Decoded {
		return b.ClientID
	}
	return ""
}

// readUpTo reads at most limit bytes of the body. A declared
// Content-Length sizes the buffer exactly: token requests are a few dozen
// bytes, and io.ReadAll's 512-byte start was the fake's largest allocation.
func readUpTo(r *http.Request, limit int64) []byte {
	if n := r.ContentLength; n >= 0 && n < limit {
		buf := make([]byte, n)
		k, _ := io.ReadFull(r.Body, buf)
		return buf[:k]
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, limit))
	return b
}
