package analyze

// ID names one client mistake. The ids are the error catalog's
// (checks/explain/catalog.yaml), which the doctor shares: a corpus and
// users' skip lists name them, so they never change. The fake's grader
// still spells some of them its own way (Alias).
type ID string

// The mistakes the analyzer finds across exchanges.
const (
	StateMismatch            ID = "state-mismatch"
	TokenRedirectURIMismatch ID = "token-redirect-uri-mismatch"
	CodeExpired              ID = "code-expired"
	CodeInvalid              ID = "code-invalid"
	ClientIDMismatch         ID = "client-id-mismatch"
	ClientIDInvalid          ID = "client-id-invalid"
	ClientSecretInvalid      ID = "client-secret-invalid"
	ClientAuthMissing        ID = "client-auth-missing"
	RefreshTokenRevoked      ID = "refresh-token-revoked"
	AppTokenUserEndpoint     ID = "app-token-user-endpoint"
	AccessTokenMissing       ID = "access-token-missing"
	AccessTokenExpired       ID = "access-token-expired"
	AccessTokenInvalid       ID = "access-token-invalid"
	ScopeInsufficient        ID = "scope-insufficient"
	RateLimited              ID = "rate-limited"
)

// Ids the fake's grader shares with the catalog or the doctor for the
// mistakes it judges from single requests.
const (
	ImplicitGrantRemoved ID = "implicit-grant-removed"
	RedirectURILocalhost ID = "redirect-uri-localhost"
	PKCEMethodNotS256    ID = "pkce-method-not-s256"
)

// IDs are every id the analyzer can return, in the order it looks.
var IDs = []ID{
	StateMismatch, TokenRedirectURIMismatch, CodeExpired, CodeInvalid, ClientIDMismatch, ClientIDInvalid,
	ClientSecretInvalid, ClientAuthMissing, RefreshTokenRevoked, AppTokenUserEndpoint, AccessTokenMissing,
	AccessTokenExpired, AccessTokenInvalid, ScopeInsufficient, RateLimited,
}
