package grade

import (
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/accounts"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// Entry is one logged request as the fake captured it, with clear values:
// Run needs the codes and tokens themselves to tell which request used
// what another one was given, and it only ever emits their fingerprints.
// Never print an Entry.
type Entry struct {
	Seq      uint64
	Time     time.Time // on the app's clock, when the answer had been written
	Duration time.Duration
	// StartTick and EndTick come from one counter shared by all requests:
	// a request whose StartTick is above another's EndTick was sent after
	// that one had been answered; requests already in flight were not.
	StartTick, EndTick uint64

	ClientID, UserID string
	Endpoint         wire.Endpoint // the rules read authorize, login, consent, token and api
	Method, Path     string
	RawQuery         string
	Header           http.Header
	Body             []byte

	Status         int
	ResponseHeader http.Header
	ResponseBody   []byte
	Injected       bool // answered by an injected fault

	// Exchange returns the redacted request for a finding's exchanges; nil
	// leaves them out.
	Exchange func() wire.Exchange
}

// Oracle answers what the log alone cannot, from the fake's store: facts
// about tokens issued before the window began.
type Oracle interface {
	// AccessExpiry is when an access token expires, on its app's clock.
	AccessExpiry(token string) (time.Time, bool)
	// RefreshRotated reports whether a refresh token was replaced by a
	// rotated one.
	RefreshRotated(token string) bool
}

// req is an Entry with its parameters parsed once.
type req struct {
	*Entry
	q    url.Values
	form url.Values     // only for form bodies
	body string         // a form body, read once for form and analyze
	tok  *tokenResponse // set by newSession from the flow

	errParsed        bool // errCode and errDesc are read on first use
	errCode, errDesc string
}

// tokenResponse is a successful token answer (not an injected fault's),
// as analyze read it.
type tokenResponse struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    time.Duration
	Scope        []string
	HasScope     bool
}

func parse(e *Entry) *req {
	r := &req{Entry: e}
	r.q = accounts.ParseFormLenient(e.RawQuery)
	if mt, _, _ := mime.ParseMediaType(e.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
		r.body = string(e.Body)
		r.form = accounts.ParseFormLenient(r.body)
	}
	if r.form == nil {
		r.form = url.Values{}
	}
	return r
}

// grant is the grant_type of a POST to the token endpoint, or "".
func (r *req) grant() string {
	if r.Endpoint != wire.EndpointToken || r.Method != http.MethodPost {
		return ""
	}
	return r.form.Get("grant_type")
}

// hasBasic reports whether the request had a Basic Authorization header,
// whatever it held.
func (r *req) hasBasic() bool {
	_, ok := wire.ParseBasic(r.Header.Get("Authorization"))
	return ok
}

// basicAuth reports whether the request carried client credentials, with
// a secret, in a Basic Authorization header (decoded leniently: a secret
// is sent however it was encoded).
func (r *req) basicAuth() bool {
	b, _ := wire.ParseBasic(r.Header.Get("Authorization"))
	return b.Decoded && b.ClientSecret != ""
}

// sentSecret reports whether a token request carried a client secret, in
// the header or in the body.
func (r *req) sentSecret() bool { return r.basicAuth() || r.form.Get("client_secret") != "" }

// bearer is the access token an API request presented, in the header or
// (wrongly) in the query.
func (r *req) bearer() string {
	if scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(tok)
	}
	return r.q.Get("access_token")
}

// authParams are the authorization-request parameters behind a request
// that can issue a code: the query of /authorize, or the request the
// consent form carries.
func (r *req) authParams() url.Values {
	switch r.Endpoint {
	case wire.EndpointAuthorize:
		return r.q
	case wire.EndpointConsent:
		return accounts.ParseFormLenient(r.form.Get("request"))
	}
	return nil
}
