package webapi

import (
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/config"
)

// Token is what the Web API needs to know about a presented access token.
type Token struct {
	ClientID string
	UserID   string    // "" for a client-credentials (app-only) token
	Scopes   []string  // as granted; shared with the store, never changed
	Expires  time.Time // on the app's clock (Backend.Now(ClientID))
	Revoked  bool
}

// AppOnly reports whether the token was issued by the client-credentials grant.
func (t Token) AppOnly() bool { return t.UserID == "" }

// Backend is what the Web API reads from the rest of the fake: the tokens
// the accounts service issued, the registered apps, users and catalog, the
// clock and the policies in force. The fake's store implements it.
type Backend interface {
	// AccessToken looks up a presented access token. ok is false for a
	// token the fake never issued; expired and revoked tokens are returned
	// with ok true so that the answer can say which.
	AccessToken(token string) (t Token, ok bool)
	App(clientID string) (config.App, bool)
	User(id string) (config.User, bool)
	// Users lists every user, so that a playlist id finds its owner.
	Users() []config.User
	Catalog() *config.Catalog
	// Now is the app's clock: the fake's clock plus any offset scoped to
	// that client id ("" for the fake-wide clock).
	Now(clientID string) time.Time
	// Policies are the effective policies for an app ("" = fake-wide).
	Policies(clientID string) config.Policies
}
