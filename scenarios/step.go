package scenarios

// Step is one action and what it must produce. In YAML a step is a mapping
// with an optional name, exactly one action key and an optional expect:
//
//	steps:
//	  - name: token
//	    exchange: {auth: body}
//	    expect: {status: 200, refresh_token: true}
//
// Exactly one of the action fields is set after Load; Action returns it.
type Step struct {
	// Name is how later steps refer to this one (${steps.<name>.…}).
	// Default "step-N", N counting from 1. Unique within the scenario.
	Name string `yaml:"name" schema:"pattern=^[A-Za-z0-9_-]+$"`

	Authorize         *Authorize         `yaml:"authorize"`
	Consent           *Consent           `yaml:"consent"`
	Callback          *Callback          `yaml:"callback"`
	Exchange          *Exchange          `yaml:"exchange"`
	Refresh           *Refresh           `yaml:"refresh"`
	ClientCredentials *ClientCredentials `yaml:"client_credentials"`
	API               *API               `yaml:"api"`
	AdvanceClock      *AdvanceClock      `yaml:"advance_clock"`
	Revoke            *Revoke            `yaml:"revoke"`
	Inject            *Inject            `yaml:"inject"`
	SetPolicy         *SetPolicy         `yaml:"set_policy"`
	RotateSecret      *RotateSecret      `yaml:"rotate_secret"`

	// Expect lists what must hold after the action. Only what is written is
	// checked: a step without expectations passes when its action could be
	// carried out (a response arrived, the browser reached the redirect).
	Expect Expect `yaml:"expect"`

	// Pos is where the step's mapping starts.
	Pos Pos `yaml:"-"`
}

// Action returns the step's one action, or nil before Load has checked it.
func (s *Step) Action() Action {
	switch {
	case s.Authorize != nil:
		return s.Authorize
	case s.Consent != nil:
		return s.Consent
	case s.Callback != nil:
		return s.Callback
	case s.Exchange != nil:
		return s.Exchange
	case s.Refresh != nil:
		return s.Refresh
	case s.ClientCredentials != nil:
		return s.ClientCredentials
	case s.API != nil:
		return s.API
	case s.AdvanceClock != nil:
		return s.AdvanceClock
	case s.Revoke != nil:
		return s.Revoke
	case s.Inject != nil:
		return s.Inject
	case s.SetPolicy != nil:
		return s.SetPolicy
	case s.RotateSecret != nil:
		return s.RotateSecret
	}
	return nil
}

func (s *Step) appName() string {
	switch a := s.Action().(type) {
	case *Authorize:
		return a.App
	case *Exchange:
		return a.App
	case *Refresh:
		return a.App
	case *ClientCredentials:
		return a.App
	case *Revoke:
		return a.App
	case *Inject:
		return a.App
	case *RotateSecret:
		return a.App
	}
	return ""
}

// Kind names an action: the YAML key of the step.
type Kind string

const (
	KindAuthorize         Kind = "authorize"
	KindConsent           Kind = "consent"
	KindCallback          Kind = "callback"
	KindExchange          Kind = "exchange"
	KindRefresh           Kind = "refresh"
	KindClientCredentials Kind = "client_credentials"
	KindAPI               Kind = "api"
	KindAdvanceClock      Kind = "advance_clock"
	KindRevoke            Kind = "revoke"
	KindInject            Kind = "inject"
	KindSetPolicy         Kind = "set_policy"
	KindRotateSecret      Kind = "rotate_secret"
)

// Kinds lists every action in the order the documentation gives them.
var Kinds = []Kind{KindAuthorize, KindConsent, KindCallback, KindExchange, KindRefresh,
	KindClientCredentials, KindAPI, KindAdvanceClock, KindRevoke, KindInject, KindSetPolicy, KindRotateSecret}

// FakeOnly reports whether the action drives the fake's control API (it
// has no counterpart on real Spotify).
func (k Kind) FakeOnly() bool {
	switch k {
	case KindAdvanceClock, KindRevoke, KindInject, KindSetPolicy, KindRotateSecret:
		return true
	}
	return false
}

// Exports lists the fields a step of this kind makes available to later
// steps as ${steps.<name>.<field>}. Besides these, every HTTP action
// (authorize, exchange, refresh, client_credentials, api) exports
// json.<path> (a value of the response body parsed as JSON; see
// LookupJSON) and header.<Name> (a response header, case-insensitive).
// Fake-only actions export nothing.
//
// The request-side exports (RequestExports) always exist once the step
// ran, empty when the parameter was not sent. A reference to a response
// export the step did not produce — code when the redirect carried none,
// refresh_token when the response had none, a json path that is absent —
// is an error of the step that uses it, not of the step that was referred
// to. json.<path> gives a string as it is and any other JSON value in its
// compact JSON encoding; header.<Name> gives the values joined with ", ".
func (k Kind) Exports() []string {
	return exports[k]
}

// RequestExports lists the exports known before the response arrives. An
// expect block may refer to these of its own step (for example
// redirect.state: ${steps.auth.state} inside step auth).
func (k Kind) RequestExports() []string {
	return requestExports[k]
}

// HTTP reports whether the action is one HTTP request (or repeat/parallel
// copies of it) whose response the expectations inspect.
func (k Kind) HTTP() bool {
	switch k {
	case KindAuthorize, KindExchange, KindRefresh, KindClientCredentials, KindAPI:
		return true
	}
	return false
}

var tokenExports = []string{"status", "body", "access_token", "refresh_token", "scope", "expires_in", "token_type"}

var exports = map[Kind][]string{
	// state is the state sent; verifier and challenge exist only with pkce
	// s256 or plain. code, error and error_description come from the
	// redirect when the response is a redirect to the redirect_uri;
	// location is the raw Location header; page_text is PageText(body).
	KindAuthorize: {"url", "client_id", "redirect_uri", "scope", "state", "verifier", "challenge",
		"status", "body", "location", "page_text", "code", "error", "error_description"},
	// url is the redirect the browser was sent to; state is the state it
	// carried back.
	KindConsent:  {"url", "code", "state", "error", "error_description"},
	KindCallback: {"url", "code", "state", "error", "error_description"},
	KindExchange: tokenExports,
	// refresh_token is the token to use next: the new one when the response
	// carried one, else the one sent (what a correct client keeps);
	// used_refresh_token is the one sent.
	KindRefresh:           append(append([]string{}, tokenExports...), "used_refresh_token"),
	KindClientCredentials: {"status", "body", "access_token", "scope", "expires_in", "token_type"},
	KindAPI:               {"status", "body"},
}

var requestExports = map[Kind][]string{
	KindAuthorize: {"url", "client_id", "redirect_uri", "scope", "state", "verifier", "challenge"},
	KindRefresh:   {"used_refresh_token"},
}

// Action is one of *Authorize, *Consent, *Callback, *Exchange, *Refresh,
// *ClientCredentials, *API, *AdvanceClock, *Revoke, *Inject, *SetPolicy,
// *RotateSecret. A
// runner type-switches on it.
type Action interface {
	Kind() Kind
}

func (*Authorize) Kind() Kind         { return KindAuthorize }
func (*Consent) Kind() Kind           { return KindConsent }
func (*Callback) Kind() Kind          { return KindCallback }
func (*Exchange) Kind() Kind          { return KindExchange }
func (*Refresh) Kind() Kind           { return KindRefresh }
func (*ClientCredentials) Kind() Kind { return KindClientCredentials }
func (*API) Kind() Kind               { return KindAPI }
func (*AdvanceClock) Kind() Kind      { return KindAdvanceClock }
func (*Revoke) Kind() Kind            { return KindRevoke }
func (*Inject) Kind() Kind            { return KindInject }
func (*SetPolicy) Kind() Kind         { return KindSetPolicy }
func (*RotateSecret) Kind() Kind      { return KindRotateSecret }
