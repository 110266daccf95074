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

type faultList struct {
	active atomic.Int32 // fast path: most requests see no faults at all
	mu     sync.Mutex
	list   []*queuedFault
}

type queuedFault struct {
	Fault
	left int
}

func (l *faultList) add(ft Fault) {
	if ft.Count == 0 {
		ft.Count = 1
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, &queuedFault{Fault: ft, left: ft.Count})
	l.active.Store(int32(len(l.list)))
}

func (l *faultList) clear(clientID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	kept := l.list[:0]
	for _, q := range l.list {
		if clientID != "*" && q.ClientID != clientID {
			kept = append(kept, q)
		}
	}
	l.list = kept
	l.active.Store(int32(len(l.list)))
}

// take returns the first fault matching the request and uses one of its
// counts, or nil.
func (l *faultList) take(method, path, clientID string) *Fault {
	if l.active.Load() == 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, q := range l.list {
		if !q.matches(method, path, clientID) {
			continue
		}
		ft := q.Fault
		if q.left > 0 {
			q.left--
			if q.left == 0 {
				l.list = append(l.list[:i], l.list[i+1:]...)
				l.active.Store(int32(len(l.list)))
			}
		}
		return &ft
	}
	return nil
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
