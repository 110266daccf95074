package store

import (
	"time"
)

// A user's authorization of an app is a grant: each code exchange makes
// one, with its scopes, whether its client is public (PKCE), the time of
// the authorization (the 2026 refresh lifetime runs from there) and a
// rotation generation. Its refresh tokens carry the grant's id and the
// generation they were issued at; its access tokens carry the grant's id.
// So rotating bumps one number, revoking marks the grant, and neither
// needs to know which tokens exist. The user's consent to the app (the
// scopes the consent page will not ask for again) is kept beside the
// user's grants to that app.
//
// A revoked grant is kept until its last access token has expired (the
// time Revoke is given), so that its tokens answer "revoked" until then;
// after that, a grant that is gone can only have been revoked or outlived
// its refresh lifetime, and its tokens say which by their own times
// (expired, or a refresh token still within its lifetime: revoked).
//
// Memory: a grant is about 200 bytes (its scopes included), a user's
// record of consent about 400. A grant is kept until then, until its app
// is deleted, or (policy 2026) RefreshGrace past its refresh tokens' six
// months; under the older policies refresh tokens never expire, so
// neither do their grants.

// userGrants is what one user gave one app: consent and grants.
type userGrants struct {
	consented bool
	scopes    map[string]bool // consented scopes
	grants    map[uint64]*grant
}

type grant struct {
	scopes   []string // as authorized: refresh answers repeat them in order
	public   bool
	authTime time.Time
	gen      uint64 // rotation generation: a refresh token of another is rotated away
	revoked  bool
	sweepAt  int64 // base-clock Unix ns when it may be dropped; 0: never
}

// grantRef names a grant and a generation of its refresh token.
type grantRef struct {
	app, grant uint64
	user       uint32
	gen        uint64
}

// Access is what an access token says.
type Access struct {
	Value    string
	ClientID string
	UserID   string   // "" for client credentials
	Scopes   []string // the grant's, shared: callers must not modify it
	Issued   time.Time
	Expires  time.Time // on the app's clock
}

// Refresh is what a refresh token says, with its grant's state.
type Refresh struct {
	Value    string
	ClientID string
	UserID   string
	Scopes   []string  // the grant's (nil once the grant is gone); shared
	Public   bool      // issued to a PKCE (public) client
	AuthTime time.Time // the user's original authorization; rotation does not extend it
	Issued   time.Time
	Rotated  bool // replaced by a newer token (rotation) and no longer valid
	ref      grantRef
}

// Authorization is a user's authorization of an app, as a code exchange
// makes it.
type Authorization struct {
	ClientID string
	UserID   string
	Scopes   []string
	Public   bool      // the code was redeemed by a PKCE (public) client
	AuthTime time.Time // on the app's clock
}

// AppToken mints a client-credentials access token. Nothing is stored:
// the token carries its app and times. It reports false when clientID is
// not a registered app.
func (s *Store) AppToken(clientID string, issued, expires time.Time) (string, bool) {
	s.mu.RLock()
	a, ok := s.apps[clientID]
	s.mu.RUnlock()
	if !ok {
		return "", false
	}
	return s.mint.mint(&claims{kind: kindAccess, app: a.serial, issued: issued, until: expires}), true
}

// Authorize records a new grant and mints its first access and refresh
// tokens, the access token valid from issued until expires. sweep is
// when (on the base clock) the grant may be dropped, zero never, as grants
// whose refresh tokens never expire must be kept. It reports false when
// the app is not registered.
func (s *Store) Authorize(au Authorization, issued, expires, sweep time.Time) (access, refresh string, ok bool) {
	s.mu.Lock()
	a, ok := s.apps[au.ClientID]
	if !ok {
		s.mu.Unlock()
		return "", "", false
	}
	uid := s.users.id(au.UserID)
	s.nextGrant++
	ref := grantRef{app: a.serial, grant: s.nextGrant, user: uid}
	g := &grant{scopes: au.Scopes, public: au.Public, authTime: au.AuthTime}
	if !sweep.IsZero() {
		g.sweepAt = sweep.UnixNano()
		s.pushLocked(sweepItem{at: g.sweepAt, app: ref.app, user: uid, grant: ref.grant})
	}
	a.user(uid).grants[ref.grant] = g
	s.mu.Unlock()
	access, refresh = s.mintPair(ref, g, issued, expires, true)
	return access, refresh, true
}

// mintPair mints an access token of a grant and, when withRefresh, a
// refresh token at ref's generation.
func (s *Store) mintPair(ref grantRef, g *grant, issued, expires time.Time, withRefresh bool) (access, refresh string) {
	access = s.mint.mint(&claims{kind: kindAccess, app: ref.app, grant: ref.grant, user: ref.user, issued: issued, until: expires})
	if withRefresh {
		refresh = s.mint.mint(&claims{kind: kindRefresh, public: g.public, app: ref.app, grant: ref.grant,
			user: ref.user, gen: ref.gen, issued: issued, until: g.authTime})
	}
	return access, refresh
}

// AccessToken reads an access token: what it says, and whether the grant
// it was issued under has been revoked since (while the grant is kept; a
// token whose grant is gone has expired, see above). ok is false for
// anything this store did not issue and for a token whose app was deleted.
func (s *Store) AccessToken(value string) (a Access, revoked, ok bool) {
	c, ok := s.mint.open(value, kindAccess)
	if !ok {
		return Access{}, false, false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	app, ok := s.serials[c.app]
	if !ok {
		return Access{}, false, false
	}
	a = Access{Value: value, ClientID: app.clientID, Issued: c.issued, Expires: c.until}
	if c.grant == 0 {
		return a, false, true
	}
	a.UserID, _ = s.users.val(c.user)
	g, _, ok := s.grantLocked(c.app, c.user, c.grant)
	if !ok {
		return a, false, true
	}
	a.Scopes = g.scopes
	return a, g.revoked, true
}

// RefreshState says why a refresh token can or cannot be used.
type RefreshState int

const (
	RefreshValid   RefreshState = iota
	RefreshUnknown              // never issued by this store, or its app was deleted
	RefreshRevoked              // the token was rotated away (Rotated), or its grant revoked
	// RefreshEnded: the grant is gone — revoked a while ago, or dropped
	// RefreshGrace after its refresh lifetime — and the store cannot say
	// which; the token's AuthTime tells whether the lifetime has passed.
	RefreshEnded
)

// RefreshToken reads a refresh token: what it says, and its state.
func (s *Store) RefreshToken(value string) (Refresh, RefreshState) {
	c, ok := s.mint.open(value, kindRefresh)
	if !ok {
		return Refresh{}, RefreshUnknown
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	app, ok := s.serials[c.app]
	if !ok {
		return Refresh{}, RefreshUnknown
	}
	r := Refresh{Value: value, ClientID: app.clientID, Public: c.public, AuthTime: c.until, Issued: c.issued,
		ref: grantRef{app: c.app, grant: c.grant, user: c.user, gen: c.gen}}
	r.UserID, _ = s.users.val(c.user)
	g, _, ok := s.grantLocked(c.app, c.user, c.grant)
	if !ok {
		return r, RefreshEnded
	}
	r.Scopes = g.scopes
	r.Rotated = g.gen != c.gen
	if r.Rotated || g.revoked {
		return r, RefreshRevoked
	}
	return r, RefreshValid
}

// Renew mints a new access token for the grant of r, a refresh token
// RefreshToken called valid, and when rotate also the next refresh token,
// which retires r. It reports false when r can no longer be used: its
// grant was revoked since, or another refresh rotated it first — two
// concurrent refreshes with one rotating token must not both succeed.
func (s *Store) Renew(r Refresh, issued, expires time.Time, rotate bool) (access, next string, ok bool) {
	ref := r.ref
	if rotate {
		s.mu.Lock()
	} else {
		s.mu.RLock()
	}
	g, _, ok := s.grantLocked(ref.app, ref.user, ref.grant)
	ok = ok && !g.revoked && g.gen == ref.gen
	if ok && rotate {
		g.gen++
		ref.gen = g.gen
	}
	if rotate {
		s.mu.Unlock()
	} else {
		s.mu.RUnlock()
	}
	if !ok {
		return "", "", false
	}
	access, next = s.mintPair(ref, g, issued, expires, rotate)
	return access, next, true
}

// Consent returns the scopes the user has already granted the app, and
// whether an active consent exists.
func (s *Store) Consent(user, client string) (map[string]bool, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.userLocked(user, client)
	if !ok || !u.consented {
		return nil, false
	}
	cp := make(map[string]bool, len(u.scopes))
	for k := range u.scopes {
		cp[k] = true
	}
	return cp, true
}

// GrantConsent records that the user approved the scopes for the app.
func (s *Store) GrantConsent(user, client string, scopes []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[client]
	if !ok {
		return
	}
	u := a.user(s.users.id(user))
	u.consented = true
	for _, sc := range scopes {
		u.scopes[sc] = true
	}
}

// Revoke withdraws the user's consent and grants to the app (clientID ""
// = every app): every refresh and access token issued under them stops
// working and the next authorization asks for consent again. The revoked
// grants are dropped at drop (on the base clock), when their last access
// token has expired. It returns how many apps had consent or grants to
// revoke.
func (s *Store) Revoke(user, clientID string, drop time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	uid, ok := s.users.ids[user]
	if !ok {
		return 0
	}
	n := 0
	revoke := func(a *appRec) {
		u, ok := a.users[uid]
		if !ok {
			return
		}
		revoked := u.consented
		u.consented, u.scopes = false, map[string]bool{}
		for id, g := range u.grants {
			if g.revoked {
				continue
			}
			revoked = true
			g.revoked, g.sweepAt = true, drop.UnixNano()
			s.pushLocked(sweepItem{at: g.sweepAt, app: a.serial, user: uid, grant: id})
		}
		if len(u.grants) == 0 {
			delete(a.users, uid)
		}
		if revoked {
			n++
		}
	}
	if clientID != "" {
		if a, ok := s.apps[clientID]; ok {
			revoke(a)
		}
		return n
	}
	for _, a := range s.apps {
		revoke(a)
	}
	return n
}

// user returns the record of what the user gave the app, making it.
func (a *appRec) user(uid uint32) *userGrants {
	u, ok := a.users[uid]
	if !ok {
		u = &userGrants{scopes: map[string]bool{}, grants: map[uint64]*grant{}}
		a.users[uid] = u
	}
	return u
}

// drop forgets a grant, and the user's record once it holds nothing.
func (u *userGrants) drop(uid uint32, id uint64, a *appRec) {
	delete(u.grants, id)
	if len(u.grants) == 0 && !u.consented && a != nil {
		delete(a.users, uid)
	}
}

func (s *Store) userLocked(user, clientID string) (*userGrants, bool) {
	a, ok := s.apps[clientID]
	if !ok {
		return nil, false
	}
	uid, ok := s.users.ids[user]
	if !ok {
		return nil, false
	}
	u, ok := a.users[uid]
	return u, ok
}

func (s *Store) grantLocked(app uint64, uid uint32, id uint64) (*grant, *userGrants, bool) {
	a, ok := s.serials[app]
	if !ok {
		return nil, nil, false
	}
	u, ok := a.users[uid]
	if !ok {
		return nil, nil, false
	}
	g, ok := u.grants[id]
	return g, u, ok
}
