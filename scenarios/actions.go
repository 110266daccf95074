package scenarios

import (
	"time"

	"github.com/spotcheck/spotcheck/fakespotify/config"
)

// Authorize builds an authorization URL and requests it:
//
//	GET <accounts base><path>?<query>
//
// with the recording HTTP client, following no redirect and sending no
// cookie, so the response is Spotify's first answer: a 302 to the
// redirect_uri (the fake with auto consent), a 302 to the login page
// (real Spotify, or the fake when the scenario requires the browser), or an
// error page (400 text/html with one line of text).
//
// The query holds client_id, response_type, redirect_uri, state, scope,
// show_dialog, code_challenge_method and code_challenge (each only when it
// has a value, see the fields), then Params, which add parameters or
// replace a standard one of the same name; then every name in Omit is
// removed. It is encoded as url.Values.Encode does (keys sorted).
//
// The redirect is the Location header of a 3xx response, resolved against
// the request URL and read with ParseRedirect; code, error and
// error_description are exported when it carries them.
type Authorize struct {
	// App is the app whose client id and redirect URI are the defaults.
	// Default: the scenario's app.
	App string `yaml:"app"`
	// ClientID is the client_id sent. Default ${app.client_id} of App.
	ClientID Template `yaml:"client_id"`
	// ResponseType is the response_type sent. Default "code".
	ResponseType Template `yaml:"response_type"`
	// RedirectURI is the redirect_uri sent. Default ${app.redirect_uri}
	// of App: its first registered URI (on spotify, SPOTIFY_REDIRECT_URI).
	RedirectURI Template `yaml:"redirect_uri"`
	// Scope is the scope sent: a space-separated string or a list, joined
	// with single spaces. Absent: no scope parameter; an empty string or
	// list sends scope= with no value.
	Scope *Scopes `yaml:"scope"`
	// State is the state sent. Absent: the runner generates 16 random bytes,
	// hex-encoded (32 characters). To send no state, put state in Omit.
	State *Template `yaml:"state"`
	// ShowDialog sends show_dialog=true or show_dialog=false. Absent: not
	// sent.
	ShowDialog *bool `yaml:"show_dialog"`
	// PKCE selects the challenge sent: none (default), s256
	// (code_challenge_method=S256) or plain (code_challenge_method=plain,
	// code_challenge = the verifier).
	PKCE PKCE `yaml:"pkce" schema:"enum=none|s256|plain"`
	// Verifier is the PKCE code verifier. Absent: the runner generates 64
	// random characters from A-Z a-z 0-9 - . _ ~. Only with pkce s256 or
	// plain.
	Verifier Template `yaml:"verifier"`
	// ChallengeEncoding says how the S256 digest is written: base64url
	// (default, unpadded: what Spotify wants), padded (base64url with "="
	// padding) or hex (lowercase). Only with pkce s256. See Challenge.
	ChallengeEncoding ChallengeEncoding `yaml:"challenge_encoding" schema:"enum=base64url|padded|hex"`
	// CodeChallenge replaces the computed code_challenge value (it is sent
	// even with pkce none).
	CodeChallenge *Template `yaml:"code_challenge"`
	// CodeChallengeMethod replaces the code_challenge_method value (it is
	// sent even with pkce none).
	CodeChallengeMethod *Template `yaml:"code_challenge_method"`
	// Params adds raw query parameters or replaces standard ones.
	Params map[string]Template `yaml:"params"`
	// Omit removes parameters by name (for example redirect_uri, client_id,
	// state), after everything else.
	Omit []string `yaml:"omit"`
	// Path is the accounts path requested. Default "/authorize" (Spotify
	// also answers "/authorize/" and "/en/authorize").
	Path string `yaml:"path" schema:"pattern=^/"`
}

// PKCE is Authorize.PKCE.
type PKCE string

const (
	PKCENone  PKCE = "none"
	PKCES256  PKCE = "s256"
	PKCEPlain PKCE = "plain"
)

// ChallengeEncoding is Authorize.ChallengeEncoding.
type ChallengeEncoding string

const (
	ChallengeBase64URL ChallengeEncoding = "base64url"
	ChallengePadded    ChallengeEncoding = "padded"
	ChallengeHex       ChallengeEncoding = "hex"
)

// Consent drives the browser through the login and consent pages, as the
// scenario's user, for the URL of an earlier Authorize step. It needs
// `requires: [browser]` (Load rejects it otherwise): without the browser,
// the fake's clones consent automatically and the Authorize step already
// gets the redirect.
//
// The runner:
//  1. opens the authorize URL in the scenario's browser context: one
//     incognito context per scenario, shared by all its Consent steps, so
//     the login and earlier consents are remembered like in a real
//     browser;
//  2. if the login page appears (#login-username), types the user's name
//     and password into #login-username and #login-password and clicks
//     #login-button (login_shown);
//  3. if the consent page appears, clicks [data-testid="auth-accept"]
//     (approve) or [data-testid="auth-cancel"] (deny) (dialog_shown);
//  4. waits for the first top-level navigation to the authorize step's
//     redirect_uri (its URL without query and fragment equals it; other
//     requests to that host, such as /favicon.ico, do not count), catches
//     it (the page is never loaded, no callback server is needed) and
//     parses it with ParseRedirect: that URL is the step's redirect.
//
// Deny when the consent page does not appear (consent remembered) makes
// the step fail. A page or redirect that does not come in time is a step
// failure naming the selector and URL, with the screenshot kept.
type Consent struct {
	// From is the Authorize step whose URL is opened. Default: the latest
	// earlier Authorize step.
	From string `yaml:"from"`
	// Decision is approve (default) or deny.
	Decision Decision `yaml:"decision" schema:"enum=approve|deny"`
	// User logs in. Default: the scenario's user. Fake-only: on spotify the
	// login is always the test account.
	User string `yaml:"user"`
}

// Decision is Consent.Decision.
type Decision string

const (
	DecisionApprove Decision = "approve"
	DecisionDeny    Decision = "deny"
)

// Callback is the app's callback handler: it parses a redirect, with
// ParseRedirect, without any request. Its expectations are redirect ones
// (for example that the state came back unchanged).
type Callback struct {
	// From is an earlier Authorize or Consent step whose redirect is parsed.
	// Default, when URL is not set either: the latest earlier Authorize or
	// Consent step.
	From string `yaml:"from"`
	// URL is a redirect URL to parse instead (for example one a user pasted).
	URL *Template `yaml:"url"`
}

// TokenRequest is what Exchange, Refresh and ClientCredentials have in
// common: one POST to the token endpoint. The request is built so:
//
//  1. Parameters, in this order: grant_type, the action's own (code,
//     redirect_uri, code_verifier | refresh_token | scope), then by Auth:
//     body adds client_id and client_secret, public adds client_id, basic
//     and none add nothing. Params then add parameters or replace ones of
//     the same name; every name in Omit is removed last.
//  2. Authorization header: with auth basic, "Basic " +
//     base64(client_id ":" client_secret) (standard base64 with padding;
//     the two values are not form-encoded first). Authorization, when set,
//     is sent verbatim instead, whatever Auth is.
//  3. With params_in body: the body is the parameters as
//     application/x-www-form-urlencoded (url.Values.Encode, keys sorted)
//     or, with body_format json, as a JSON object of strings (keys
//     sorted). With params_in query: they go in the URL query the same
//     way and the body is empty.
//  4. Content-Type: ContentType when set (an empty string sends no
//     Content-Type header); otherwise application/x-www-form-urlencoded,
//     or application/json for body_format json.
//  5. Headers are added last.
//
// A token request is made repeat times one after the other, or parallel
// times at once (see Expect for what is then checked and exported).
type TokenRequest struct {
	// App is the app whose credentials are the defaults. Default: for
	// Exchange the app of the Authorize step the code came from, for
	// Refresh the app of the step the refresh token came from, otherwise
	// the scenario's app.
	App string `yaml:"app"`
	// Auth is how the client authenticates: basic (Authorization: Basic),
	// body (client_id and client_secret in the parameters), public
	// (client_id only: a PKCE client) or none (no credentials at all).
	// Default: public when the code (or the refresh token's code) came
	// from an Authorize step with pkce s256 or plain, basic otherwise.
	Auth AuthStyle `yaml:"auth" schema:"enum=basic|body|public|none"`
	// ClientID is the client id sent. Default ${app.client_id} of App.
	ClientID Template `yaml:"client_id"`
	// ClientSecret is the secret sent (with auth basic or body). Default
	// ${app.client_secret} of App.
	ClientSecret Template `yaml:"client_secret"`
	// Authorization, when set, is the Authorization header value verbatim
	// (for a malformed Basic header, say).
	Authorization *Template `yaml:"authorization"`
	// GrantType is the grant_type sent. Default authorization_code,
	// refresh_token or client_credentials. Omit it with omit: [grant_type].
	GrantType Template `yaml:"grant_type"`
	// ContentType replaces the Content-Type header; "" sends none.
	ContentType *Template `yaml:"content_type"`
	// BodyFormat is form (default) or json.
	BodyFormat BodyFormat `yaml:"body_format" schema:"enum=form|json"`
	// ParamsIn is body (default) or query.
	ParamsIn ParamsIn `yaml:"params_in" schema:"enum=body|query"`
	// Params adds raw parameters or replaces standard ones.
	Params map[string]Template `yaml:"params"`
	// Omit removes parameters by name, after everything else.
	Omit []string `yaml:"omit"`
	// Headers adds request headers. Authorization and Content-Type are set
	// with authorization and content_type instead.
	Headers map[string]Template `yaml:"headers"`
	// Repeat sends the request this many times, one after the other
	// (default 1).
	Repeat int `yaml:"repeat" schema:"min=1,max=1000"`
	// Parallel sends the request this many times at once (default 1): for
	// example 50 exchanges of one code, of which exactly one may succeed.
	Parallel int `yaml:"parallel" schema:"min=1,max=1000"`
	// Path is the accounts path posted to. Default "/api/token".
	Path string `yaml:"path" schema:"pattern=^/"`
}

// AuthStyle is TokenRequest.Auth.
type AuthStyle string

const (
	AuthBasic  AuthStyle = "basic"
	AuthBody   AuthStyle = "body"
	AuthPublic AuthStyle = "public"
	AuthNone   AuthStyle = "none"
)

// BodyFormat is TokenRequest.BodyFormat.
type BodyFormat string

const (
	BodyForm BodyFormat = "form"
	BodyJSON BodyFormat = "json"
)

// ParamsIn is TokenRequest.ParamsIn.
type ParamsIn string

const (
	ParamsInBody  ParamsIn = "body"
	ParamsInQuery ParamsIn = "query"
)

// Exchange trades an authorization code for tokens (grant_type
// authorization_code). See TokenRequest for how the request is built.
type Exchange struct {
	TokenRequest `yaml:",inline"`
	// Code is the code sent. Default ${steps.<s>.code} of the latest
	// earlier Authorize, Consent or Callback step.
	Code Template `yaml:"code"`
	// RedirectURI is the redirect_uri sent. Default: the redirect_uri of the
	// Authorize step the code came from (${steps.<authorize>.redirect_uri}),
	// or ${app.redirect_uri} when Code is not such a reference.
	RedirectURI Template `yaml:"redirect_uri"`
	// CodeVerifier is the code_verifier sent; absent, none is sent. Default:
	// the verifier of the Authorize step the code came from, when that step
	// used PKCE. omit: [code_verifier] sends none even then.
	CodeVerifier *Template `yaml:"code_verifier"`
}

// Refresh uses a refresh token (grant_type refresh_token). A stale token
// (the one before a rotation) is ${steps.<earlier>.refresh_token} of the
// step before the rotation, or ${steps.<rotating step>.used_refresh_token};
// a foreign token is one a step of another app got; a garbage token is any
// literal.
type Refresh struct {
	TokenRequest `yaml:",inline"`
	// RefreshToken is the refresh_token sent. Default
	// ${steps.<s>.refresh_token} of the latest earlier Exchange or Refresh
	// step.
	RefreshToken Template `yaml:"refresh_token"`
}

// ClientCredentials asks for an app-only token (grant_type
// client_credentials).
type ClientCredentials struct {
	TokenRequest `yaml:",inline"`
	// Scope is sent as scope when set (Spotify ignores it: app-only tokens
	// carry no user scopes).
	Scope *Scopes `yaml:"scope"`
}

// API calls the Web API:
//
//	<method> <api base><path>?<query>
//
// with Authorization: Bearer <token> (auth bearer), no Authorization
// header (auth none), or Authorization verbatim when set. The query is
// encoded as url.Values.Encode does. JSON is sent JSON-encoded (after every
// string in it is expanded as a Template) with Content-Type
// application/json; Body is sent as it is. Headers are added last.
type API struct {
	// Method is GET (default), POST, PUT, DELETE or PATCH.
	Method string `yaml:"method" schema:"enum=GET|POST|PUT|DELETE|PATCH"`
	// Path is the API path, starting with /v1/. Put the query in Query.
	Path Template `yaml:"path" schema:"required,pattern=^/"`
	// Query holds query parameters.
	Query map[string]Template `yaml:"query"`
	// JSON is a request body, any YAML value.
	JSON any `yaml:"json"`
	// Body is a raw request body (not with JSON).
	Body *Template `yaml:"body"`
	// ContentType replaces the Content-Type header; "" sends none. Default
	// application/json with JSON, none otherwise.
	ContentType *Template `yaml:"content_type"`
	// Auth is bearer (default) or none.
	Auth APIAuth `yaml:"auth" schema:"enum=bearer|none"`
	// Token is the bearer token. Default ${steps.<s>.access_token} of the
	// latest earlier Exchange, Refresh or ClientCredentials step.
	Token Template `yaml:"token"`
	// Authorization, when set, is the Authorization header value verbatim,
	// instead of the bearer token (for example "Basic abc", or "Bearer "
	// with no token).
	Authorization *Template `yaml:"authorization"`
	// Headers adds request headers. Authorization and Content-Type are set
	// with authorization and content_type instead.
	Headers map[string]Template `yaml:"headers"`
	// Repeat sends the request this many times, one after the other.
	Repeat int `yaml:"repeat" schema:"min=1,max=1000"`
	// Parallel sends the request this many times at once.
	Parallel int `yaml:"parallel" schema:"min=1,max=1000"`
}

// APIAuth is API.Auth.
type APIAuth string

const (
	APIBearer APIAuth = "bearer"
	APINone   APIAuth = "none"
)

// Count is how many requests a token or API step makes: Repeat or Parallel,
// at least 1.
func (r *TokenRequest) Count() int { return count(r.Repeat, r.Parallel) }

// Count is how many requests the step makes: Repeat or Parallel, at least 1.
func (a *API) Count() int { return count(a.Repeat, a.Parallel) }

func count(repeat, parallel int) int {
	return max(repeat, parallel, 1)
}

// AdvanceClock moves the fake's clock forward for every app the scenario
// uses (each clone's own clock, never the fake-wide one), so that codes
// expire after 10 minutes, access tokens after an hour and refresh tokens
// after their absolute lifetime. Fake-only.
type AdvanceClock struct {
	// By is how far, in Go's duration syntax (10m1s, 4380h). Positive.
	By Duration `yaml:"by" schema:"required"`
}

// Revoke removes a user's grant for an app, as the user does on their
// account page: every refresh token of that user and app then fails with
// `Refresh token revoked`. Fake-only.
type Revoke struct {
	// User is whose grant. Default: the scenario's user.
	User string `yaml:"user"`
	// App is which app's grant. Default: the scenario's app.
	App string `yaml:"app"`
}

// RotateSecret gives an app a new client secret, as "Rotate client
// secret" in the dashboard does: from the next step on the app's secret
// (${app.client_secret}, and what token steps send by default) is the new
// one, and the old one gets `Invalid client secret`. Keep the old one in a
// var (vars are expanded before step 1) to send it. Fake-only.
type RotateSecret struct {
	// App is whose secret. Default: the scenario's app.
	App string `yaml:"app"`
}

// Inject makes the fake answer the next Count requests of an app to a path
// with a canned response instead of the real one (a one-shot fault). The
// fake matches a request to the app by its client credentials or its
// access token, so a request it cannot attribute (a garbage token) does
// not take the fault. Fake-only.
type Inject struct {
	// App is the app whose requests are answered (matched by client id).
	// Default: the scenario's app.
	App string `yaml:"app"`
	// Method matches the request method; empty matches any.
	Method string `yaml:"method" schema:"enum=GET|POST|PUT|DELETE|PATCH"`
	// Path matches the request path exactly, without the query (for
	// example /v1/me or /api/token).
	Path string `yaml:"path" schema:"required,pattern=^/"`
	// Count is how many requests get the fault (default 1).
	Count int `yaml:"count" schema:"min=1"`
	// Status is the status code answered.
	Status int `yaml:"status" schema:"required,min=100,max=599"`
	// Body is the body answered (may be empty).
	Body string `yaml:"body"`
	// ContentType is the Content-Type answered; empty: the fake's default.
	ContentType string `yaml:"content_type"`
	// Headers are extra response headers, for example Retry-After.
	Headers map[string]string `yaml:"headers"`
}

// SetPolicy switches the fake's policies for every app the scenario uses
// (the clones), from this step on. Empty fields stay as they are. Prefer a
// policy requirement when the policy holds for the whole scenario.
// Fake-only.
type SetPolicy config.Policies

// Policies returns the policies to set, as the fake's type.
func (p *SetPolicy) Policies() config.Policies { return config.Policies(*p) }

// Duration is a time.Duration written in Go's syntax ("10m1s").
type Duration time.Duration

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String formats as time.Duration does.
func (d Duration) String() string { return time.Duration(d).String() }
