// Package accounts is the fake accounts.spotify.com: the authorization
// endpoint with its login and consent pages, and the token endpoint. Every
// status, error string and page text follows the wire reference,
// fakespotify/wire/REFERENCE.md (sections cited as §n); where the
// reference marks a behaviour [inferred], the choice is documented where
// it is made.
package accounts

import (
	crand "crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/store"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Env is what the accounts service reads from the rest of the fake.
type Env interface {
	App(clientID string) (config.App, bool)
	User(id string) (config.User, bool)
	// UserByLogin finds a user by id or email, as the login form accepts either.
	UserByLogin(login string) (config.User, bool)
	// Now is the app's clock ("" = fake-wide); Base is the fake-wide clock
	// the store sweeps by.
	Now(clientID string) time.Time
	Base() time.Time
	Policies(clientID string) config.Policies
	// Consent returns the consent mode in force for an app and the user
	// that auto consent approves as.
	Consent(clientID string) (mode, autoUser string)
	Lifetimes() config.Lifetimes
}

// Service serves the accounts paths. It is safe for concurrent use.
type Service struct {
	env   Env
	store *store.Store
	rng   sync.Pool
}

// New returns the accounts service over a store.
func New(env Env, st *store.Store) *Service {
	s := &Service{env: env, store: st}
	s.rng.New = func() any {
		var seed [32]byte
		_, _ = crand.Read(seed[:])
		return rand.NewChaCha8(seed)
	}
	return s
}

// Store is the service's store (shared with the Web API and the control
// endpoints).
func (s *Service) Store() *store.Store { return s.store }

// ServeHTTP routes the accounts paths.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case p == "/api/token":
		s.token(w, r)
	case p == "/api/token/":
		s.tokenTrailingSlash(w, r)
	case wire.IsAuthorizePath(p):
		s.authorize(w, r)
	case p == "/authorize/decision":
		s.decision(w, r)
	case p == "/login":
		s.login(w, r)
	default:
		http.NotFound(w, r)
	}
}

// randomToken makes an opaque base64url value with Spotify's prefix: codes
// and refresh tokens start "AQ", access tokens "BQ" (§7). ChaCha8 is a
// CSPRNG seeded from crypto/rand, pooled per goroutine so issuing tokens
// does not serialise on one generator.
func (s *Service) randomToken(prefix string, n int) string {
	var raw [256]byte // on the stack: n is at most codeBytes
	buf := raw[:n]
	r := s.rng.Get().(*rand.ChaCha8)
	_, _ = r.Read(buf)
	s.rng.Put(r)
	var encoded [400]byte
	e := encoded[:base64.RawURLEncoding.EncodedLen(n)]
	base64.RawURLEncoding.Encode(e, buf)
	var b strings.Builder // one allocation: the token itself
	b.Grow(len(prefix) + len(e))
	b.WriteString(prefix)
	b.Write(e)
	return b.String()
}

// Sizes of issued values, to look like Spotify's (§3.2, §1.2: codes about
// 300 characters, access tokens 150 to 300).
const (
	codeBytes    = 222 // 296 base64 chars + "AQ"
	accessBytes  = 150 // 200 chars + "BQ"
	refreshBytes = 99  // 132 chars + "AQ"
)

func (s *Service) newSessionID() string {
	r := s.rng.Get().(*rand.ChaCha8)
	buf := make([]byte, 24)
	_, _ = r.Read(buf)
	s.rng.Put(r)
	return hex.EncodeToString(buf)
}

// SessionCookie is the login cookie; Spotify's own is also named sp_dc.
const SessionCookie = "sp_dc"

func (s *Service) sessionUser(r *http.Request) (string, bool) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return "", false
	}
	return s.store.Session(c.Value)
}
