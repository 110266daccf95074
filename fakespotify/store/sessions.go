package store

import "time"

// Login sessions expire, and there are never more than MaxSessions, so a
// fake that serves logins for weeks does not grow (688k logins once cost
// 157 MB). [inferred] Spotify documents neither lifetime; its sp_dc cookie
// outlives a browser restart. The fake's choice: a day without use, or a
// week in all, on the fake-wide clock — longer than any test or working
// day, so nobody is asked to log in twice in one sitting, and short enough
// that a fake running for weeks forgets its old browsers. A session costs
// about 120 bytes, so the cap bounds them at about 8 MB; past it the
// oldest session is dropped, as a browser that logged in 65,536 logins ago
// is the least likely to come back.
const (
	SessionIdle     = 24 * time.Hour
	SessionLifetime = 7 * 24 * time.Hour
	MaxSessions     = 1 << 16
)

type session struct {
	user          string
	created, used int64 // base-clock Unix ns
}

// sessions is a map and the ids in the order they were made: the oldest
// is the first to expire (their lifetime is the same) and the first to go
// when the cap is reached.
type sessions struct {
	byID  map[string]*session
	order []string // order[head:] may name sessions already gone: skipped
	head  int
}

func newSessions() sessions { return sessions{byID: map[string]*session{}} }

func (ss *sessions) expired(x *session, now int64) bool {
	return now-x.created >= int64(SessionLifetime) || now-x.used >= int64(SessionIdle)
}

// sweep drops expired sessions from the oldest end. One that went idle
// behind a younger first session waits for its turn, at most
// SessionLifetime, and is refused meanwhile.
func (ss *sessions) sweep(now time.Time) {
	t := now.UnixNano()
	for ss.head < len(ss.order) {
		id := ss.order[ss.head]
		if x, ok := ss.byID[id]; ok && !ss.expired(x, t) {
			break
		}
		delete(ss.byID, id)
		ss.pop()
	}
	// Ids of sessions that expired when looked up wait behind a live
	// first one; when they outnumber the live ones, keep only the live.
	if len(ss.order)-ss.head > 2*len(ss.byID)+1024 {
		live := make([]string, 0, 2*len(ss.byID))
		for _, id := range ss.order[ss.head:] {
			if _, ok := ss.byID[id]; ok {
				live = append(live, id)
			}
		}
		ss.order, ss.head = live, 0
	}
}

// pop removes the first id, compacting the slice once half of it is gone.
func (ss *sessions) pop() {
	ss.order[ss.head] = ""
	ss.head++
	if ss.head >= 1024 && ss.head >= len(ss.order)/2 {
		ss.order = append([]string(nil), ss.order[ss.head:]...)
		ss.head = 0
	}
}

// NewSession records a logged-in browser session at now (the fake-wide
// clock), first dropping expired sessions and, at MaxSessions, the oldest.
func (s *Store) NewSession(id, user string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := &s.sessions
	ss.sweep(now)
	for len(ss.byID) >= MaxSessions && ss.head < len(ss.order) {
		delete(ss.byID, ss.order[ss.head])
		ss.pop()
	}
	t := now.UnixNano()
	ss.byID[id] = &session{user: user, created: t, used: t}
	ss.order = append(ss.order, id)
}

// Session returns the user of a session id that has not expired by now,
// and counts this as a use.
func (s *Store) Session(id string, now time.Time) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x, ok := s.sessions.byID[id]
	if !ok {
		return "", false
	}
	t := now.UnixNano()
	if s.sessions.expired(x, t) {
		delete(s.sessions.byID, id)
		return "", false
	}
	x.used = t
	return x.user, true
}
