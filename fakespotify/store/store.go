// Package store keeps what the fake accounts service has issued:
// authorization codes, access and refresh tokens, users' grants (consent)
// and login sessions. It owns no clock: callers pass the time, so each app
// can run on its own (offset) clock. Expired entries are swept after a
// grace period, so memory stays bounded however many tokens are issued,
// while a recently expired value is still recognised ("expired" rather
// than "invalid", as Spotify answers).
package store

import (
	"container/heap"
	"sync"
	"time"
)

// Grace is how long an expired entry is kept so that it can still be told
// apart from one never issued.
const (
	CodeGrace    = time.Hour
	AccessGrace  = 24 * time.Hour
	RefreshGrace = 30 * 24 * time.Hour
)

// Code is an authorization code, bound to everything the token request
// must repeat.
type Code struct {
	Value         string
	ClientID      string
	UserID        string
	RedirectURI   string // exactly as sent to /authorize
	Scopes        []string
	Challenge     string // "" without PKCE; kept exactly as sent (a padded one never matches)
	ChallengeKind string // "S256"
	Issued        time.Time
	Expires       time.Time
	Used          bool
}

// Access is an issued access token (stored compactly, see access.go).
type Access struct {
	Value    string
	ClientID string
	UserID   string // "" for client credentials
	Scopes   []string
	Issued   time.Time
	Expires  time.Time
}

// Refresh is an issued refresh token.
type Refresh struct {
	Value    string
	ClientID string
	UserID   string
	Scopes   []string
	Public   bool      // issued to a PKCE (public) client
	AuthTime time.Time // the user's original authorization; rotation does not extend it
	Issued   time.Time
	Rotated  bool // replaced by a newer token (rotation) and no longer valid
	grantGen uint64
}

// Grant is a user's consent to an app, with the revocation generation that
// every token issued under it carries.
type Grant struct {
	Scopes map[string]bool
	gen    uint64
	active bool
}

type grantKey struct{ user, client string }

// Store is safe for concurrent use.
type Store struct {
	mu       sync.Mutex
	codes    map[string]*Code
	access   map[accessKey]accessRec
	refresh  map[string]*Refresh
	grants   map[grantKey]*Grant
	sessions map[string]string
	sweep    sweepHeap // codes and refresh tokens
	// Access tokens, pointer-free (access.go).
	accessSweep accessSweep
	clients     interner
	users       interner
	scopes      scopeSets
}

// New returns an empty store.
func New() *Store {
	return &Store{
		codes:    map[string]*Code{},
		access:   map[accessKey]accessRec{},
		clients:  newInterner(),
		users:    newInterner(),
		scopes:   newScopeSets(),
		refresh:  map[string]*Refresh{},
		grants:   map[grantKey]*Grant{},
		sessions: map[string]string{},
	}
}

// Sweep times are on the base clock (the callers' "base" argument), so
// that one heap serves apps whose clocks are offset differently.

// PutCode stores a new code. base is the fake-wide time used for sweeping.
func (s *Store) PutCode(c *Code, base time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[c.Value] = c
	s.pushLocked(kindCode, c.Value, base.Add(c.Expires.Sub(c.Issued)+CodeGrace))
	s.sweepLocked(base)
}

// TakeCode looks up a code presented by clientID and marks it used. It
// returns the code as it was before this call (so Used tells whether it had
// already been used), or nil when unknown. A code of another client is
// returned but not consumed: the presenting client has no right to it.
func (s *Store) TakeCode(value, clientID string) *Code {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.codes[value]
	if !ok {
		return nil
	}
	before := *c
	if c.ClientID == clientID {
		c.Used = true
	}
	return &before
}

// Issue stores an access token and, when r is not nil, a refresh token,
// both under the user's current grant generation. refreshSweep is when
// (on the base clock) the refresh token may be forgotten; zero keeps it
// for ever, as refresh tokens that never expire must be.
func (s *Store) Issue(a *Access, r *Refresh, base, refreshSweep time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gen := uint64(0)
	if a.UserID != "" {
		gen = s.grantLocked(a.UserID, a.ClientID).gen
	}
	s.putAccessLocked(a, gen, base)
	if r != nil {
		r.grantGen = gen
		s.refresh[r.Value] = r
		if !refreshSweep.IsZero() {
			s.pushLocked(kindRefresh, r.Value, refreshSweep)
		}
	}
	s.sweepLocked(base)
}

func (s *Store) grantLocked(user, client string) *Grant {
	k := grantKey{user, client}
	g, ok := s.grants[k]
	if !ok {
		g = &Grant{Scopes: map[string]bool{}}
		s.grants[k] = g
	}
	return g
}

// AccessToken returns a copy of an access token and whether its grant has
// been revoked since it was issued.
func (s *Store) AccessToken(value string) (a Access, revoked, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, gen, ok := s.accessLocked(value)
	if !ok {
		return Access{}, false, false
	}
	return a, a.UserID != "" && s.grantLocked(a.UserID, a.ClientID).gen != gen, true
}

// RefreshState says why a refresh token can or cannot be used.
type RefreshState int

const (
	RefreshValid   RefreshState = iota
	RefreshUnknown              // never issued (or swept)
	RefreshRevoked              // the grant was revoked, or the token was rotated away
)

// RefreshToken returns a copy of a refresh token and its state.
func (s *Store) RefreshToken(value string) (Refresh, RefreshState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.refresh[value]
	if !ok {
		return Refresh{}, RefreshUnknown
	}
	if r.Rotated || s.grantLocked(r.UserID, r.ClientID).gen != r.grantGen {
		return *r, RefreshRevoked
	}
	return *r, RefreshValid
}

// Rotate retires old (if still valid) and stores next in its place. It
// reports false when old was already retired or revoked: two concurrent
// refreshes with one rotating token must not both succeed. The retired
// token is remembered for RefreshGrace so that reusing it is answered
// "revoked"; next is swept at nextSweep (zero: never).
func (s *Store) Rotate(old string, next *Refresh, base, nextSweep time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.refresh[old]
	if !ok || r.Rotated || s.grantLocked(r.UserID, r.ClientID).gen != r.grantGen {
		return false
	}
	r.Rotated = true
	next.grantGen = r.grantGen
	s.refresh[next.Value] = next
	s.pushLocked(kindRefresh, old, base.Add(RefreshGrace))
	if !nextSweep.IsZero() {
		s.pushLocked(kindRefresh, next.Value, nextSweep)
	}
	s.sweepLocked(base)
	return true
}

// Consent returns the scopes the user has already granted the app, and
// whether an active grant exists.
func (s *Store) Consent(user, client string) (map[string]bool, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.grants[grantKey{user, client}]
	if !ok || !g.active {
		return nil, false
	}
	cp := make(map[string]bool, len(g.Scopes))
	for k := range g.Scopes {
		cp[k] = true
	}
	return cp, true
}

// GrantConsent records that the user approved the scopes for the app.
func (s *Store) GrantConsent(user, client string, scopes []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.grantLocked(user, client)
	g.active = true
	for _, sc := range scopes {
		g.Scopes[sc] = true
	}
}

// Revoke withdraws the user's grant to the app (clientID "" = every app):
// every refresh and access token issued under it stops working and the
// next authorization asks for consent again. It returns how many grants
// were revoked.
func (s *Store) Revoke(user, clientID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, g := range s.grants {
		if k.user == user && (clientID == "" || k.client == clientID) {
			g.gen++
			g.active = false
			g.Scopes = map[string]bool{}
			n++
		}
	}
	return n
}

// NewSession records a logged-in browser session.
func (s *Store) NewSession(id, user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions[id] = user
}

// Session returns the user of a session id.
func (s *Store) Session(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.sessions[id]
	return u, ok
}

// Sizes reports how many entries each map holds (for tests and benchmarks).
func (s *Store) Sizes() (codes, access, refresh int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.codes), len(s.access), len(s.refresh)
}

// Sweep drops every entry whose grace period ended by base.
func (s *Store) Sweep(base time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(base)
}

type kind uint8

const (
	kindCode kind = iota
	kindRefresh
)

type sweepItem struct {
	at    time.Time
	kind  kind
	value string
}

type sweepHeap []sweepItem

func (h sweepHeap) Len() int           { return len(h) }
func (h sweepHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h sweepHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *sweepHeap) Push(x any)        { *h = append(*h, x.(sweepItem)) }
func (h *sweepHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

func (s *Store) pushLocked(k kind, v string, at time.Time) {
	heap.Push(&s.sweep, sweepItem{at: at, kind: k, value: v})
}

// sweepLocked pops everything due. Each entry is pushed once and popped
// once, so the cost is amortised O(log n) per issued value.
func (s *Store) sweepLocked(base time.Time) {
	s.sweepAccessLocked(base)
	for len(s.sweep) > 0 && !s.sweep[0].at.After(base) {
		it := heap.Pop(&s.sweep).(sweepItem)
		switch it.kind {
		case kindCode:
			delete(s.codes, it.value)
		case kindRefresh:
			delete(s.refresh, it.value)
		}
	}
	if cap(s.sweep) > 1024 && len(s.sweep) < cap(s.sweep)/4 {
		s.sweep = append(sweepHeap(nil), s.sweep...)
	}
}
