package fakespotify

import (
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

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

// requestHeader is the first value of a request header.
func (e *rawRequest) requestHeader(name string) string { return e.Header.Get(name) }

// responseHeader is the first value of a response header.
func (e *rawRequest) responseHeader(name string) string { return e.ResponseHeader.Get(name) }

// form is the request's form body, parsed, or nil when it has none.
func (e *rawRequest) form() url.Values {
	if len(e.body) == 0 || !strings.HasPrefix(e.requestHeader("Content-Type"), "application/x-www-form-urlencoded") {
		return nil
	}
	form, _ := url.ParseQuery(string(e.body))
	return form
}
