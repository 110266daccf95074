// Package accounts is the fake accounts.spotify.com: the authorization
// endpoint with its login and consent pages, and the token endpoint. Every
// status, error string and page text follows the wire reference,
// fakespotify/wire/REFERENCE.md (sections cited as §n); where the
// reference marks a behaviour [inferred], the choice is documented where
// it is made.
package accounts

import (
	crand "crypto/rand"
	"encoding/hex"
	"net/http"
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
	env    Env
	store  *store.Store    // mints codes and tokens, and keeps what must be kept
	basics wire.BasicCache // the Basic credentials clients send again and again
}

// New returns the accounts service over a store.
func New(env Env, st *store.Store) *Service { return &Service{env: env, store: st} }

// ParseBasic is wire.ParseBasic of an Authorization header value,
// remembered for the credentials a client sends with every request: the
// token endpoint and whoever attributes its requests read them alike.
func (s *Service) ParseBasic(header string) (wire.Basic, bool) { return s.basics.Parse(header) }

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

func newSessionID() string {
	buf := make([]byte, 24)
	_, _ = crand.Read(buf)
	return hex.EncodeToString(buf)
}

// SessionCookie is the login cookie; Spotify's own is also named sp_dc.
const SessionCookie = "sp_dc"

func (s *Service) sessionUser(r *http.Request) (string, bool) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return "", false
	}
	return s.store.Session(c.Value, s.env.Base())
}
