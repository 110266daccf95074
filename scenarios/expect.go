package scenarios

// Expect lists what must hold after a step's action. Every field that is
// set is one check, evaluated in the order of the fields below (and, for
// headers and json, in the order written); a step fails when any check
// fails, and its result lists every check with expected and actual.
// Strings in expectations are Templates.
//
// Which fields an action accepts (Load rejects the others):
//
//	authorize           status body body_contains page_text page_text_contains content_type headers redirect
//	consent             redirect dialog_shown login_shown
//	callback            redirect
//	exchange            status statuses error error_description body body_contains content_type headers json refresh_token scope
//	refresh             the same as exchange, and rotated
//	client_credentials  the same as exchange
//	api                 status statuses api_error body body_contains page_text page_text_contains content_type headers json
//	advance_clock, revoke, inject, set_policy: none (they fail only when the control API refuses)
//
// With repeat or parallel above 1, a step makes N requests and only
// statuses, error, error_description, api_error, body, body_contains,
// content_type and headers are allowed: statuses counts all responses, the
// others must hold for every response whose status is 400 or above. The
// step's exports then come from the successful (2xx) response with the
// lowest request number (requests are numbered 1..N in the order they are
// started), or from the last response when none succeeded.
type Expect struct {
	// Status is the HTTP status code.
	Status int `yaml:"status" schema:"min=100,max=599"`
	// Statuses maps a status code to how many of the N responses must have
	// it; a status not listed must not occur. Only with repeat or parallel.
	Statuses map[int]int `yaml:"statuses"`
	// Error is the OAuth "error" member of a JSON token response.
	Error *Template `yaml:"error"`
	// ErrorDescription is the OAuth "error_description" member. The empty
	// string means the body has no error_description (Spotify's bare
	// {"error":"invalid_client"}).
	ErrorDescription *Template `yaml:"error_description"`
	// APIError is the Web API error object {"error":{"status","message"}}.
	APIError *APIError `yaml:"api_error"`
	// Body is the whole response body, byte for byte (for Spotify's
	// plain-text 403s).
	Body *Template `yaml:"body"`
	// BodyContains lists substrings the body must contain (a string or a
	// list).
	BodyContains Texts `yaml:"body_contains"`
	// PageText is the visible text of an HTML page, exactly, as PageText
	// extracts it (for Spotify's one-line error pages).
	PageText *Template `yaml:"page_text"`
	// PageTextContains lists substrings the page text must contain.
	PageTextContains Texts `yaml:"page_text_contains"`
	// ContentType is the media type of the Content-Type header, compared
	// without parameters and case-insensitively ("application/json"
	// matches "application/json; charset=utf-8").
	ContentType string `yaml:"content_type"`
	// Headers checks response headers by name (case-insensitive). A header
	// with several values is compared as the values joined with ", ".
	// Matchers compare the header's text: equals and contains take a
	// string (a number is compared as written), length and type are not
	// allowed.
	Headers Assertions `yaml:"headers"`
	// JSON checks values of the body parsed as JSON, by path (see
	// LookupJSON): refresh_token, error.message, items[0].name,
	// items[*].name.
	JSON Assertions `yaml:"json"`
	// RefreshToken says whether the token response carries a non-empty
	// refresh_token.
	RefreshToken *bool `yaml:"refresh_token"`
	// Rotated says whether a refresh response carries a refresh_token that
	// differs from the one sent. A response without refresh_token, or with
	// the same one, is not rotated.
	Rotated *bool `yaml:"rotated"`
	// Scope checks the granted scope: the space-separated "scope" member of
	// the token response as a set (an absent member is the empty set).
	Scope *ScopeExpect `yaml:"scope"`
	// Redirect checks the redirect (see Authorize, Consent, Callback). When
	// the step has no redirect (for example a 400 error page), every
	// redirect check fails.
	Redirect *RedirectExpect `yaml:"redirect"`
	// DialogShown says whether the consent page appeared (Consent only):
	// false when the user's earlier consent was remembered.
	DialogShown *bool `yaml:"dialog_shown"`
	// LoginShown says whether the login page appeared (Consent only): false
	// when the scenario's browser context was already logged in.
	LoginShown *bool `yaml:"login_shown"`
}

// APIError is Expect.APIError: the body must be the Web API's JSON error
// object, {"error":{"status":<int>,"message":<string>}} (whitespace and key
// order do not matter), with these members.
type APIError struct {
	// Status is error.status.
	Status int `yaml:"status" schema:"min=100,max=599"`
	// Message is error.message, exactly.
	Message *Template `yaml:"message"`
	// Reason is error.reason (player errors, QUOTA_EXCEEDED).
	Reason *Template `yaml:"reason"`
}

// ScopeExpect is Expect.Scope. Each field is a space-separated string or a
// list.
type ScopeExpect struct {
	// Equals: the granted set is exactly this set (order does not matter;
	// "" is the empty set).
	Equals *Scopes `yaml:"equals"`
	// Contains: every one of these was granted.
	Contains Scopes `yaml:"contains"`
	// Omits: none of these was granted.
	Omits Scopes `yaml:"omits"`
}

// RedirectExpect is Expect.Redirect: checks of the redirect as
// ParseRedirect reads it.
type RedirectExpect struct {
	// To: the redirect URL without its query and fragment equals this (for
	// example ${steps.auth.redirect_uri}).
	To *Template `yaml:"to"`
	// Code: a non-empty code parameter is present (true) or absent (false).
	Code *bool `yaml:"code"`
	// State: the state parameter equals this; "" means no state parameter.
	State *Template `yaml:"state"`
	// Error: the error parameter equals this (access_denied,
	// unsupported_response_type).
	Error *Template `yaml:"error"`
	// ErrorDescription: the error_description parameter equals this; ""
	// means none.
	ErrorDescription *Template `yaml:"error_description"`
	// In: where the parameters are, query or fragment.
	In string `yaml:"in" schema:"enum=query|fragment"`
}

// Assertions is an ordered list of matchers keyed by a JSON path or a
// header name. In YAML it is a mapping, key: {matcher}, checked in the
// order written.
type Assertions []Assertion

// Assertion is one entry of Assertions.
type Assertion struct {
	Key   string
	Match Match
	Pos   Pos
}

// Match is a set of checks of one value (a JSON value at a path, or a
// header). Every field that is set must hold. See Match.Eval.
type Match struct {
	// Present: the value exists (true) or does not (false). For JSON, a
	// member with the value null exists.
	Present *bool `yaml:"present"`
	// Absent: true is the same as present: false.
	Absent *bool `yaml:"absent"`
	// Equals: the value equals this. JSON values compare by type and value
	// (3600 equals 3600.0, "3600" does not equal 3600; objects and arrays
	// compare deeply); strings are Templates. Use type: null for null.
	Equals any `yaml:"equals"`
	// Matches: the value, as a string (a non-string JSON value as its
	// compact JSON encoding), matches this regular expression (RE2,
	// unanchored: use ^ and $).
	Matches string `yaml:"matches"`
	// Contains: a string contains this substring; an array has an element
	// equal to it; an object has this key.
	Contains any `yaml:"contains"`
	// Omits: the opposite of contains (an absent value omits everything).
	Omits any `yaml:"omits"`
	// Length: a string's length in characters, an array's or object's
	// number of entries.
	Length *int `yaml:"length" schema:"min=0"`
	// Type: the JSON type, one of string, number, boolean, null, object,
	// array.
	Type string `yaml:"type" schema:"enum=string|number|boolean|null|object|array"`
}

// Scopes is a set of scope names, written as a space-separated string or a
// list of strings.
type Scopes []string

// String joins the scopes with single spaces, as the scope parameter is
// sent.
func (s Scopes) String() string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += " "
		}
		out += v
	}
	return out
}

// Texts is a list of Templates, written as one string or a list of strings.
type Texts []Template
