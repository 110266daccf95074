// Package store keeps what the fake accounts service has issued and must
// remember: the registered apps (by a serial that is never reused), users'
// consent and grants, authorization codes and login sessions. Access and
// refresh tokens are self-verifying (token.go): a token carries what it
// stands for under a MAC, so the store keeps nothing per token and its
// memory does not grow with how many are issued. It owns no clock:
// callers pass the time, so each app can run on its own (offset) clock.
// What expires is swept, so memory stays bounded however long the fake
// runs.
package store

import (
	"container/heap"
	"sync"
	"time"
)

// Grace periods: how long an expired entry is kept so that it can still
// be told apart from one never issued. A code is answered "expired"
// rather than "invalid" for CodeGrace after its ten minutes; a grant is
// kept RefreshGrace past its refresh tokens' lifetime.
const (
	CodeGrace    = time.Hour
	RefreshGrace = 30 * 24 * time.Hour
)

// Code is an authorization code, bound to everything the token request
// must repeat.
type Code struct {
	Value         string // set by PutCode
	ClientID      string
	UserID        string
	RedirectURI   string // exactly as sent to /authorize
	Scopes        []string
	Challenge     string // "" without PKCE; kept exactly as sent (a padded one never matches)
	ChallengeKind string // "S256"
	Issued        time.Time
	Expires       time.Time
	Used          bool
	app           uint64 // the serial of the app it was issued to
}

// Store is safe for concurrent use. Issuing and checking tokens takes at
// most a read lock, for a map lookup or two; nothing it does per request
// walks all apps, grants or tokens.
type Store struct {
	mint *minter

	mu      sync.RWMutex
	apps    map[string]*appRec // by client id
	serials map[uint64]*appRec // by serial, for tokens
	nextApp uint64
	// nextGrant numbers grants across apps, so a grant id is never reused.
	nextGrant uint64
	users     interner
	codes     map[string]*Code
	sweep     sweepHeap // codes and grants
	sweepMax  int       // rebuild the heap when it outgrows this (see sweepLocked)
	sessions  sessions
}

// New returns an empty store with a fresh random key: another store
// recognises none of its values.
func New() *Store {
	return &Store{
		mint:     newMinter(),
		apps:     map[string]*appRec{},
		serials:  map[uint64]*appRec{},
		users:    newInterner(),
		codes:    map[string]*Code{},
		sessions: newSessions(),
	}
}

// appRec is a registered app and the grants its users gave it.
type appRec struct {
	clientID string
	serial   uint64
	users    map[uint32]*userGrants // by interned user id
}

// AddApp registers an app under a new serial. Tokens carry the serial, not
// the client id, so an app deleted and registered again under the same
// client id does not revive the old app's tokens. Registering a client id
// that is registered already is a no-op.
func (s *Store) AddApp(clientID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.apps[clientID]; ok {
		return
	}
	s.nextApp++
	a := &appRec{clientID: clientID, serial: s.nextApp, users: map[uint32]*userGrants{}}
	s.apps[clientID] = a
	s.serials[a.serial] = a
}

// DeleteApp forgets an app with its consents and grants: its tokens and
// codes stop working (they name a serial no app has any more).
func (s *Store) DeleteApp(clientID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.apps[clientID]; ok {
		delete(s.apps, clientID)
		delete(s.serials, a.serial)
	}
}

// PutCode mints a code for c, sets c.Value and stores it. base is the
// fake-wide time used for sweeping. It reports false when c.ClientID is
// not a registered app.
func (s *Store) PutCode(c *Code, base time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[c.ClientID]
	if !ok {
		return false
	}
	c.app = a.serial
	c.Value = s.mint.mint(&claims{kind: kindCode, app: a.serial, issued: c.Issued, until: c.Expires})
	s.codes[c.Value] = c
	s.pushLocked(sweepItem{at: base.Add(c.Expires.Sub(c.Issued) + CodeGrace).UnixNano(), code: c.Value})
	s.sweepLocked(base)
	return true
}

// TakeCode looks up a code presented by clientID and marks it used. It
// returns the code as it was before this call (so Used tells whether it had
// already been used), or nil when unknown. A code of another client is
// returned but not consumed: the presenting client has no right to it. A
// code of a deleted app is another client's, even if an app with the same
// client id was registered since.
func (s *Store) TakeCode(value, clientID string) *Code {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.codes[value]
	if !ok {
		return nil
	}
	before := *c
	a, ok := s.apps[clientID]
	switch {
	case c.ClientID != clientID:
		// Another client's: not consumed.
	case !ok || c.app != a.serial:
		before.ClientID = "" // a deleted app's: nobody's any more
	default:
		c.Used = true
	}
	return &before
}

// Recognize reports whether candidate is an access token, refresh token or
// code that this store issued, however long ago and whether or not it
// still works (expired, revoked, rotated, its app deleted): the
// redaction of the fake's log calls it on every token-shaped run of text.
// candidate must be the whole value, nothing around it: a maximal run of
// base64url characters (A–Z a–z 0–9 - _) of length AccessLen, RefreshLen
// or CodeLen; anything else is false at the cost of a length check. It
// checks the shape (length, prefix, alphabet), then the MAC (about a
// microsecond); it looks nothing up and takes no lock, so its cost does
// not depend on how many values were issued. It is safe for concurrent
// use. A value of another store, or changed in any character, is false.
func (s *Store) Recognize(candidate string) bool { return s.mint.recognize(candidate) }

// Sizes counts what the store holds: the figures its memory grows with.
type Sizes struct {
	Apps     int // registered apps
	Codes    int // codes until swept (an hour after they expire)
	Consents int // user × app records: consent, and the grants under it
	Grants   int // authorizations, revoked ones included until dropped
	Sessions int // login sessions
}

// Sizes reports how many entries the store holds. It walks every app: it
// is for specs and monitoring, not for a request's path.
func (s *Store) Sizes() Sizes {
	s.mu.RLock()
	defer s.mu.RUnlock()
	z := Sizes{Apps: len(s.apps), Codes: len(s.codes), Sessions: len(s.sessions.byID)}
	for _, a := range s.apps {
		z.Consents += len(a.users)
		for _, u := range a.users {
			z.Grants += len(u.grants)
		}
	}
	return z
}

// Sweep drops every code and grant whose time ended by base, and the
// sessions that expired by then.
func (s *Store) Sweep(base time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(base)
}

// sweepItem is a code or a grant that may be dropped at a time on the
// base clock (Unix nanoseconds).
type sweepItem struct {
	at    int64
	code  string // a code's value, or "" for a grant
	app   uint64
	user  uint32
	grant uint64
}

type sweepHeap []sweepItem

func (h sweepHeap) Len() int           { return len(h) }
func (h sweepHeap) Less(i, j int) bool { return h[i].at < h[j].at }
func (h sweepHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *sweepHeap) Push(x any)        { *h = append(*h, x.(sweepItem)) }
func (h *sweepHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

func (s *Store) pushLocked(it sweepItem) { heap.Push(&s.sweep, it) }

// sweepLocked pops everything due. Each entry is pushed once and popped
// once, so the cost is amortised O(log n) per code or grant. A grant that
// was revoked, or whose app was deleted, leaves its item behind; when
// those make the heap twice what it was after the last rebuild, it is
// rebuilt from the live items (amortised O(1) per item).
func (s *Store) sweepLocked(base time.Time) {
	now := base.UnixNano()
	for len(s.sweep) > 0 && s.sweep[0].at <= now {
		it := heap.Pop(&s.sweep).(sweepItem)
		if it.code != "" {
			delete(s.codes, it.code)
			continue
		}
		if g, u, ok := s.grantLocked(it.app, it.user, it.grant); ok && g.sweepAt == it.at {
			u.drop(it.user, it.grant, s.serials[it.app])
		}
	}
	s.sessions.sweep(base)
	if len(s.sweep) > max(s.sweepMax, 1024) {
		live := s.sweep[:0]
		for _, it := range s.sweep {
			if g, _, ok := s.grantLocked(it.app, it.user, it.grant); it.code != "" || ok && g.sweepAt == it.at {
				live = append(live, it)
			}
		}
		clear(s.sweep[len(live):])
		s.sweep = live
		heap.Init(&s.sweep)
		s.sweepMax = 2 * len(s.sweep)
	}
	if cap(s.sweep) > 1024 && len(s.sweep) < cap(s.sweep)/4 {
		s.sweep = append(sweepHeap(nil), s.sweep...)
	}
}

// interner maps strings to small integers and back; index 0 is "".
type interner struct {
	ids  map[string]uint32
	vals []string
}

func newInterner() interner { return interner{ids: map[string]uint32{"": 0}, vals: []string{""}} }

func (in *interner) id(s string) uint32 {
	if i, ok := in.ids[s]; ok {
		return i
	}
	i := uint32(len(in.vals))
	in.ids[s] = i
	in.vals = append(in.vals, s)
	return i
}

func (in *interner) val(i uint32) (string, bool) {
	if int(i) >= len(in.vals) {
		return "", false
	}
	return in.vals[i], true
}
