package wire

// The policies: where Spotify has behaved differently over time, the fake
// does today's behaviour by default and the older ones on request. Each
// policy is a named string type with typed values; Policies lists them
// all, with what each value means, for configuration, the control API,
// scenarios and the README alike.

// RefreshPolicy is how the refresh grant behaves (§3.2, §4, Appendix B.2).
type RefreshPolicy string

const (
	Refresh2026         RefreshPolicy = "2026"
	RefreshPKCERotate   RefreshPolicy = "pkce-rotate"
	RefreshAlwaysRotate RefreshPolicy = "always-rotate"
)

// RedirectSecurityPolicy is which registered redirect URIs /authorize
// trusts (§2.2).
type RedirectSecurityPolicy string

const (
	RedirectSecurity2025   RedirectSecurityPolicy = "2025"
	RedirectSecurityLegacy RedirectSecurityPolicy = "legacy"
)

// UnauthorizedMessagePolicy is the wording of the Web API's 401 for a
// token it cannot use (§5.2, Appendix B.3).
type UnauthorizedMessagePolicy string

const (
	Unauthorized2026   UnauthorizedMessagePolicy = "2026"
	UnauthorizedLegacy UnauthorizedMessagePolicy = "legacy"
)

// Message is the 401's message for an invalid or an expired token.
func (p UnauthorizedMessagePolicy) Message(expired bool) string {
	switch {
	case p != UnauthorizedLegacy:
		return MsgBadToken2026
	case expired:
		return MsgExpiredLegacy
	}
	return MsgInvalidLegacy
}

// ImplicitGrantPolicy is how /authorize refuses response_type=token after
// the implicit grant's removal (§1.4, Appendix B.1).
type ImplicitGrantPolicy string

const (
	ImplicitFragment ImplicitGrantPolicy = "fragment"
	ImplicitPage     ImplicitGrantPolicy = "page"
	// ImplicitAllowed is Spotify before the removal: response_type=token
	// is approved like a code request and the browser comes back with
	// #access_token=…&token_type=Bearer&expires_in=3600&state=… (§1.2),
	// and any other response_type is the page "response_type must be
	// code or token" (§1.3).
	ImplicitAllowed ImplicitGrantPolicy = "allowed"
)

// AllowlistMessagePolicy is the wording of the development-mode 403 for a
// user not on the app's allowlist (§8.2).
type AllowlistMessagePolicy string

const (
	Allowlist2024     AllowlistMessagePolicy = "2024"
	Allowlist2021     AllowlistMessagePolicy = "2021"
	Allowlist2021June AllowlistMessagePolicy = "2021-06"
)

// Message is the plain-text body of the 403.
func (p AllowlistMessagePolicy) Message() string {
	switch p {
	case Allowlist2021:
		return MsgNotAllowed2021
	case Allowlist2021June:
		return MsgNotAllowed2021J
	}
	return MsgNotAllowed2024
}

// VerifierMessagePolicy is the wording of a PKCE verifier that does not
// match its challenge (§3.3, Appendix B.10).
type VerifierMessagePolicy string

const (
	VerifierIncorrect VerifierMessagePolicy = "incorrect"
	VerifierInvalid   VerifierMessagePolicy = "invalid"
)

// Error is the token endpoint's answer.
func (p VerifierMessagePolicy) Error() OAuthError {
	if p == VerifierInvalid {
		return ErrVerifierInvalid
	}
	return ErrVerifierIncorrect
}

// RateLimitPolicy is whether the Web API counts an app's calls in the
// rolling window of §5.4 and answers 429 past the limit.
type RateLimitPolicy string

const (
	// RateLimitOff counts nothing. It is the default although Spotify
	// does limit: Spotify publishes no numbers (§5.4), so a limit the fake
	// made up would fail users' own load tests for no reason Spotify
	// gives. [inferred]
	RateLimitOff RateLimitPolicy = "off"
	// RateLimitWindow counts each app's calls in a rolling window of
	// RateWindow on the app's clock, RateLimitExtended of them in
	// extended quota mode and RateLimitDevelopment in development mode.
	RateLimitWindow RateLimitPolicy = "rolling-30s"
)

// The rolling window of §5.4. Spotify documents the 30 seconds and that
// development mode gets less, never the numbers; the numbers are the
// fake's [inferred]: enough for any test that is not about the limit, few
// enough that a scenario reaches them in one step.
const (
	RateWindowSeconds    = 30
	RateLimitExtended    = 180
	RateLimitDevelopment = 60
)

// Limit is how many calls an app of the mode (development or not) may
// make in one window; 0 means no limit.
func (p RateLimitPolicy) Limit(development bool) int {
	switch {
	case p != RateLimitWindow:
		return 0
	case development:
		return RateLimitDevelopment
	}
	return RateLimitExtended
}

// PolicyValue is one value of a policy and what the fake does under it.
type PolicyValue struct {
	Value       string
	Description string
}

// Policy is one policy: its name in configuration files, the control API
// and scenario requirements, and its values, the default first: today's
// behaviour, except for rate_limit (see RateLimitOff).
type Policy struct {
	Name   string
	Values []PolicyValue
}

// Default is the value the fake uses unless told otherwise: what Spotify
// does today (rate_limit excepted, see RateLimitOff).
func (p Policy) Default() string { return p.Values[0].Value }

// Allows reports whether v is one of the policy's values.
func (p Policy) Allows(v string) bool {
	for _, x := range p.Values {
		if x.Value == v {
			return true
		}
	}
	return false
}

// ValueNames are the values, default first.
func (p Policy) ValueNames() []string {
	out := make([]string, len(p.Values))
	for i, v := range p.Values {
		out[i] = v.Value
	}
	return out
}

// Policies is every policy, in the order the README lists them.
var Policies = []Policy{
	{"refresh", []PolicyValue{
		{string(Refresh2026), "refresh answers carry no new refresh token; the original expires 6 months (`lifetimes.refresh_token`) after the original authorization, not extended by refreshing"},
		{string(RefreshPKCERotate), "PKCE tokens single use and rotated (reuse → `Refresh token revoked`), confidential ones never rotate or expire"},
		{string(RefreshAlwaysRotate), "every refresh returns a new refresh token and revokes the one used"},
	}},
	{"redirect_security", []PolicyValue{
		{string(RedirectSecurity2025), "`localhost` and plain-http non-loopback redirect URIs are insecure (`INVALID_CLIENT: Insecure redirect URI`)"},
		{string(RedirectSecurityLegacy), "any registered redirect URI is accepted"},
	}},
	{"unauthorized_message", []PolicyValue{
		{string(Unauthorized2026), "`" + MsgBadToken2026 + "` for every token the Web API cannot use"},
		{string(UnauthorizedLegacy), "`" + MsgExpiredLegacy + "` / `" + MsgInvalidLegacy + "`"},
	}},
	{"implicit_grant", []PolicyValue{
		{string(ImplicitFragment), "`response_type=token` is redirected back with `#error=unsupported_response_type` (Dec 2025)"},
		{string(ImplicitPage), "`response_type=token` gets the page `response_type must be code` (Mar 2026)"},
		{string(ImplicitAllowed), "before the removal on 2025-11-27: `response_type=token` is approved and redirected back with `#access_token=…&token_type=Bearer&expires_in=3600&state=…`; another `response_type` gets the page `response_type must be code or token`"},
	}},
	{"allowlist_message", []PolicyValue{
		{string(Allowlist2024), "the development-mode 403 says `" + MsgNotAllowed2024 + "`"},
		{string(Allowlist2021), "`" + MsgNotAllowed2021 + "`"},
		{string(Allowlist2021June), "`" + MsgNotAllowed2021J + "`"},
	}},
	{"verifier_message", []PolicyValue{
		{string(VerifierIncorrect), "a PKCE mismatch is `" + ErrVerifierIncorrect.Description + "`"},
		{string(VerifierInvalid), "`" + ErrVerifierInvalid.Description + "`"},
	}},
	{"rate_limit", []PolicyValue{
		{string(RateLimitOff), "no limit (Spotify publishes no numbers; injected 429s still work)"},
		{string(RateLimitWindow), "each app's Web API calls count in a rolling 30-second window on its clock: past 180 (60 in development mode) the answer is 429 with `Retry-After` in seconds and `" + MsgRateLimited + "`"},
	}},
}

// LookupPolicy returns a policy by name.
func LookupPolicy(name string) (Policy, bool) {
	for _, p := range Policies {
		if p.Name == name {
			return p, true
		}
	}
	return Policy{}, false
}
