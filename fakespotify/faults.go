package fakespotify

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Inject queues a fault. A Count of 0 means once.
func (f *Fake) Inject(ft Fault) { f.faults.add(ft) }

// ClearFaults drops every queued fault of an app ("" = those for any app,
// "*" = all).
func (f *Fake) ClearFaults(clientID string) { f.faults.clear(clientID) }

// faultList holds the queued faults by the client id they are for ("" =
// any client), so that a request looks at its own app's faults and the
// fake-wide ones, never at every app's: with a fault queued for each of a
// thousand clones, a request costs what it costs with one.
type faultList struct {
	active   atomic.Int32 // fast path: most requests see no faults at all
	mu       sync.Mutex
	seq      uint64 // queueing order, across the lists
	byClient map[string][]*queuedFault
	n        int32
}

type queuedFault struct {
	Fault
	left int
	seq  uint64
}

func (l *faultList) add(ft Fault) {
	if ft.Count == 0 {
		ft.Count = 1
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byClient == nil {
		l.byClient = map[string][]*queuedFault{}
	}
	l.seq++
	l.byClient[ft.ClientID] = append(l.byClient[ft.ClientID], &queuedFault{Fault: ft, left: ft.Count, seq: l.seq})
	l.setLen(l.n + 1)
}

func (l *faultList) setLen(n int32) {
	l.n = n
	l.active.Store(n)
}

func (l *faultList) clear(clientID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if clientID == "*" {
		clear(l.byClient)
		l.setLen(0)
		return
	}
	l.setLen(l.n - int32(len(l.byClient[clientID])))
	delete(l.byClient, clientID)
}

// take returns the first fault queued that matches the request and uses
// one of its counts, or nil.
func (l *faultList) take(method, path, clientID string) *Fault {
	if l.active.Load() == 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	key, i := "", first(l.byClient[""], method, path, clientID)
	if clientID != "" {
		if j := first(l.byClient[clientID], method, path, clientID); j >= 0 && (i < 0 || l.byClient[clientID][j].seq < l.byClient[""][i].seq) {
			key, i = clientID, j
		}
	}
	if i < 0 {
		return nil
	}
	list := l.byClient[key]
	q := list[i]
	ft := q.Fault
	if q.left > 0 {
		q.left--
		if q.left == 0 {
			if list = append(list[:i], list[i+1:]...); len(list) == 0 {
				delete(l.byClient, key)
			} else {
				l.byClient[key] = list
			}
			l.setLen(l.n - 1)
		}
	}
	return &ft
}

// first is the index of the first fault in list that matches, or -1.
func first(list []*queuedFault, method, path, clientID string) int {
	for i, q := range list {
		if q.matches(method, path, clientID) {
			return i
		}
	}
	return -1
}

func (q *queuedFault) matches(method, path, clientID string) bool {
	if q.Method != "" && !strings.EqualFold(q.Method, method) {
		return false
	}
	if q.ClientID != "" && q.ClientID != clientID {
		return false
	}
	if prefix, ok := strings.CutSuffix(q.Path, "*"); ok {
		return strings.HasPrefix(path, prefix)
	}
	return q.Path == path
}

// writeFault answers with an injected fault.
func writeFault(w http.ResponseWriter, ft *Fault) {
	h := w.Header()
	ct := ft.ContentType
	if ct == "" {
		ct = "text/plain; charset=utf-8"
		if b := strings.TrimSpace(ft.Body); strings.HasPrefix(b, "{") || strings.HasPrefix(b, "[") {
			ct = "application/json; charset=utf-8"
		}
	}
	if ft.Body != "" || ft.ContentType != "" {
		h.Set("Content-Type", ct)
	}
	for k, v := range ft.Headers {
		h.Set(k, v)
	}
	h.Set("Content-Length", strconv.Itoa(len(ft.Body)))
	status := ft.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(ft.Body))
}
