package fakespotify

import (
	"encoding/binary"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/grade"
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

// What one log entry keeps at most: the start of each body, and the
// request's query and each header set. A header value or query parameter
// past the cap is left out whole (a secret is never kept in part, where
// redaction could not recognise it), and the entry says what was cut.
const (
	captureLimit   = 16 << 10
	maxQueryBytes  = 8 << 10
	maxHeaderBytes = 8 << 10
)

// DefaultRequestLogBytes is the request log's byte budget when neither the
// configuration (request_log_bytes) nor WithRequestLogBytes sets one.
const DefaultRequestLogBytes = config.DefaultRequestLogBytes

// entryOverhead is what an entry costs besides its strings and bodies:
// the struct, its links and the slice and string headers.
const entryOverhead = 320

// rawRequest is a log entry as captured, unredacted: redacting on read
// keeps the hot path cheap, and the clear values never leave the process.
// It holds no live header maps: headers are encoded in one string each.
type rawRequest struct {
	Request  // the scalar fields; Header, Query, Form and bodies stay nil
	rawQuery string
	// header, respHdr, body and respBody share one string (compact): an
	// entry costs two allocations, itself and that.
	header   string // appendHeader of the request's headers
	respHdr  string // and of the answer's
	body     string
	respBody string
	cut      []string // what did not fit: "query", "header", "body", …
	// startTick and endTick are taken from one counter when the request
	// arrived and when its answer was decided, so that grading can tell a
	// request sent after a 429 from one already in flight.
	startTick, endTick uint64

	size       int64 // what the entry counts against the budget
	app        *appLog
	prev, next *rawRequest // in arrival order, across apps
	aprev      *rawRequest // in its app's window
	anext      *rawRequest
}

// requestLog keeps a window of requests per app, so one noisy client
// cannot push another's history out, under one byte budget for all: past
// it the oldest entries go first, whichever app's they are.
type requestLog struct {
	size  int // entries per app
	sized bool
	// budget bounds the bytes of every entry kept (WithRequestLogBytes).
	budget      int64
	budgetSized bool
	// grading holds the fake's default grade options (WithGradeOptions):
	// grading reads nothing but this log, so its settings live with it.
	grading grade.Options
	seq     atomic.Uint64
	ticks   atomic.Uint64

	mu         sync.Mutex
	apps       map[string]*appLog
	head, tail *rawRequest // every entry, oldest first
	used       int64
}

// appLog is one app's window.
type appLog struct {
	head, tail *rawRequest
	n          int
	dropped    uint64 // entries evicted since the window was last cleared
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

// WithRequestLogBytes sets the request log's byte budget across all apps,
// in place of the configuration's request_log_bytes (default 64 MiB).
// Past it the oldest entries are dropped first, whichever app's they are;
// grading says how many an app's window lost.
func WithRequestLogBytes(n int64) Option {
	return func(f *Fake) {
		if n > 0 {
			f.log.budget, f.log.budgetSized = n, true
		}
	}
}

func (l *requestLog) init(size int, budget int64) {
	if !l.sized {
		l.size = size
	}
	if !l.budgetSized {
		l.budget = budget
	}
	if l.budget <= 0 {
		l.budget = DefaultRequestLogBytes
	}
	l.apps = map[string]*appLog{}
}

func (l *requestLog) enabled() bool { return l.size > 0 }

// Bytes is what the entries kept count against the budget.
func (l *requestLog) bytes() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.used
}

// count is how many entries one app's window holds ("*" = all apps').
func (l *requestLog) count(clientID string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for id, a := range l.apps {
		if clientID == "*" || id == clientID {
			n += a.n
		}
	}
	return n
}

// add files an entry under ringKey: the client id when it names a
// registered app, else "" — so made-up client ids cannot grow the log.
func (l *requestLog) add(ringKey string, e *rawRequest) {
	if !l.enabled() {
		return
	}
	e.size = entryOverhead + int64(len(e.rawQuery)+len(e.header)+len(e.respHdr)+len(e.body)+len(e.respBody)+
		len(e.ClientID)+len(e.UserID)+len(e.Method)+len(e.Path))
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.apps[ringKey]
	if !ok {
		a = &appLog{}
		l.apps[ringKey] = a
	}
	e.app = a
	e.prev, l.tail = l.tail, e
	if e.prev != nil {
		e.prev.next = e
	} else {
		l.head = e
	}
	e.aprev, a.tail = a.tail, e
	if e.aprev != nil {
		e.aprev.anext = e
	} else {
		a.head = e
	}
	a.n++
	l.used += e.size
	if a.n > l.size {
		a.dropped++
		l.removeLocked(a.head)
	}
	// The newest entry always stays: one request is never over budget.
	for l.used > l.budget && l.head != e {
		l.head.app.dropped++
		l.removeLocked(l.head)
	}
}

// removeLocked unlinks e from both lists.
func (l *requestLog) removeLocked(e *rawRequest) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		l.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		l.tail = e.prev
	}
	a := e.app
	if e.aprev != nil {
		e.aprev.anext = e.anext
	} else {
		a.head = e.anext
	}
	if e.anext != nil {
		e.anext.aprev = e.aprev
	} else {
		a.tail = e.aprev
	}
	a.n--
	l.used -= e.size
	e.prev, e.next, e.aprev, e.anext = nil, nil, nil, nil
}

func (l *requestLog) drop(clientID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if a, ok := l.apps[clientID]; ok {
		for a.head != nil {
			l.removeLocked(a.head)
		}
		delete(l.apps, clientID)
	}
}

// windowsLocked are the apps one call is about ("*" = every app).
func (l *requestLog) windowsLocked(clientID string) []*appLog {
	if clientID == "*" {
		out := make([]*appLog, 0, len(l.apps))
		for _, a := range l.apps {
			out = append(out, a)
		}
		return out
	}
	if a, ok := l.apps[clientID]; ok {
		return []*appLog{a}
	}
	return nil
}

// entries returns one app's entries in arrival order ("" = requests no app
// could be attributed to; "*" = every app's, by sequence). Entries are
// never changed once filed, so they are read outside the lock.
func (l *requestLog) entries(clientID string) []*rawRequest {
	out, _ := l.snapshot(clientID)
	return out
}

// reset clears one app's window ("*" = all), so that a request being
// logged at that moment lands in the new window instead of being lost.
func (l *requestLog) reset(clientID string) { l.take(clientID) }

// take returns one app's entries oldest first and clears its window in the
// same critical section ("*" = every window), so that no request falls
// between two grading windows. dropped is how many the window had lost.
func (l *requestLog) take(clientID string) (out []*rawRequest, dropped uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, a := range l.windowsLocked(clientID) {
		for a.head != nil {
			e := a.head
			out = append(out, e)
			l.removeLocked(e)
		}
		dropped += a.dropped
		a.dropped = 0
	}
	sortBySeq(out)
	return out, dropped
}

// snapshot is entries plus how many the window lost.
func (l *requestLog) snapshot(clientID string) (out []*rawRequest, dropped uint64) {
	l.mu.Lock()
	for _, a := range l.windowsLocked(clientID) {
		for e := a.head; e != nil; e = e.anext {
			out = append(out, e)
		}
		dropped += a.dropped
	}
	l.mu.Unlock()
	sortBySeq(out)
	return out, dropped
}

// sortBySeq puts entries in arrival order: a window holds them in the
// order they completed.
func sortBySeq(es []*rawRequest) {
	sort.Slice(es, func(i, j int) bool { return es[i].Seq < es[j].Seq })
}

// appendHeader appends h to b: each name and value with its length
// before it, so that a request's headers cost no map.
// Values that would take the whole past limit are left out, and cut says
// so.
func appendHeader(b []byte, h http.Header, limit int) (_ []byte, cut bool) {
	type field struct {
		k  string
		vs []string
	}
	var room [24]field // the headers of any ordinary request, on the stack
	fields := room[:0]
	n := 0
	for k, vs := range h {
		fields = append(fields, field{k, vs})
		for _, v := range vs {
			n += len(k) + len(v) + 2*binary.MaxVarintLen32
		}
	}
	if n > limit {
		// Which values are left out must not depend on the map's order.
		// A set that fits whole reads the same in any order: names are
		// unique, and each name's values keep theirs.
		slices.SortFunc(fields, func(a, b field) int { return strings.Compare(a.k, b.k) })
	}
	start := len(b)
	for _, f := range fields {
		k := f.k
		for _, v := range f.vs {
			if len(b)-start+len(k)+len(v)+2*binary.MaxVarintLen32 > limit {
				cut = true
				continue
			}
			b = binary.AppendUvarint(b, uint64(len(k)))
			b = append(b, k...)
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		}
	}
	return b, cut
}

// compact fills in what the entry keeps of the query, of both header sets
// and of both bodies, within their caps, and notes every part that did
// not fit. The header sets and bodies are put together in scratch and
// kept as one string.
func (e *rawRequest) compact(scratch *[]byte, rawQuery string, header, respHeader http.Header, body, respBody []byte, bodyCut, respCut bool) {
	var cut, respHdrCut bool
	if e.rawQuery, cut = capQuery(rawQuery, maxQueryBytes); cut {
		e.cut = append(e.cut, "query")
	}
	b, hdrCut := appendHeader((*scratch)[:0], header, maxHeaderBytes)
	nh := len(b)
	b, respHdrCut = appendHeader(b, respHeader, maxHeaderBytes)
	nr := len(b)
	b = append(b, body...)
	nb := len(b)
	b = append(b, respBody...)
	*scratch = b
	all := string(b)
	e.header, e.respHdr, e.body, e.respBody = all[:nh], all[nh:nr], all[nr:nb], all[nb:]
	if hdrCut {
		e.cut = append(e.cut, "header")
	}
	if bodyCut {
		e.cut = append(e.cut, "body")
	}
	if respHdrCut {
		e.cut = append(e.cut, "response_header")
	}
	if respCut {
		e.cut = append(e.cut, "response_body")
	}
}

// eachHeader calls fn with every name and value of an encoded header set,
// in order, until fn returns false.
func eachHeader(enc string, fn func(k, v string) bool) {
	for len(enc) > 0 {
		var k, v string
		k, enc = nextField(enc)
		v, enc = nextField(enc)
		if !fn(k, v) {
			return
		}
	}
}

// nextField splits one length-prefixed string off an encoded header set.
func nextField(enc string) (field, rest string) {
	l, n := uint64(enc[0]), 1
	if l >= 0x80 { // a length past one byte of varint
		l, n = binary.Uvarint([]byte(enc[:min(len(enc), binary.MaxVarintLen32)]))
	}
	return enc[n : n+int(l)], enc[n+int(l):]
}

// headerGet is the first value of name in an encoded header set, as
// http.Header.Get finds it.
func headerGet(enc, name string) string {
	if !canonical(name) {
		name = http.CanonicalHeaderKey(name)
	}
	out := ""
	eachHeader(enc, func(k, v string) bool {
		if k == name {
			out = v
			return false
		}
		return true
	})
	return out
}

// canonical reports a header name already in canonical form, as the
// fake's own callers spell them ("Content-Type"), which need no
// CanonicalHeaderKey: a letter after a hyphen or at the start upper case,
// every other letter lower case.
func canonical(name string) bool {
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '-':
			upper = true
			continue
		case 'a' <= c && c <= 'z':
			if upper {
				return false
			}
		case 'A' <= c && c <= 'Z':
			if !upper {
				return false
			}
		case '0' <= c && c <= '9':
		default:
			return false // CanonicalHeaderKey decides what to make of it
		}
		upper = false
	}
	return true
}

// decodeHeader is an encoded header set as a map again.
func decodeHeader(enc string) http.Header {
	if enc == "" {
		return nil
	}
	h := http.Header{}
	eachHeader(enc, func(k, v string) bool {
		h[k] = append(h[k], v)
		return true
	})
	return h
}

// capQuery keeps the whole parameters of a query that fit in limit.
func capQuery(q string, limit int) (string, bool) {
	if len(q) <= limit {
		return q, false
	}
	cut := strings.LastIndexByte(q[:limit+1], '&')
	if cut < 0 {
		return "", true
	}
	return q[:cut], true
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

// RequestCount is how many requests the log holds for one app (clientID
// "" for requests no app could be attributed to, "*" for all): what
// Requests would return, without copying it.
func (f *Fake) RequestCount(clientID string) int { return f.log.count(clientID) }

// RequestLogBytes is what the request log holds now, counted as its byte
// budget (WithRequestLogBytes) counts it.
func (f *Fake) RequestLogBytes() int64 { return f.log.bytes() }

// ResetRequests clears the log of one app ("*" = all) and so starts a new
// grading window for it: Requests and Grade see only what the app sends
// from now on. Tests that share one app call it between tests (a test
// that needs its app alone clones one instead, see CloneApp). Facts from
// before the reset — a code issued, a token rotated — are gone with the
// log, so rules that need them judge only what they can still see and
// never guess; GradeAndReset grades and resets in one step.
func (f *Fake) ResetRequests(clientID string) { f.log.reset(clientID) }

// requestHeader is the first value of a request header.
func (e *rawRequest) requestHeader(name string) string { return headerGet(e.header, name) }

// responseHeader is the first value of a response header.
func (e *rawRequest) responseHeader(name string) string { return headerGet(e.respHdr, name) }

// hasForm reports whether the request has a form body.
func (e *rawRequest) hasForm() bool {
	return len(e.body) > 0 && strings.HasPrefix(e.requestHeader("Content-Type"), "application/x-www-form-urlencoded")
}

// form is the request's form body, parsed, or nil when it has none.
func (e *rawRequest) form() url.Values {
	if !e.hasForm() {
		return nil
	}
	form, _ := url.ParseQuery(e.body)
	return form
}
