package doctor

import (
	"sort"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/explain"
	"github.com/spotcheck/spotcheck/fakespotify/analyze"
)

// Groups of checks, as reports show them.
const (
	GroupEnvironment = "environment"
	GroupCredentials = "credentials"
	GroupClientAuth  = "client-auth"
	GroupRedirects   = "redirect-uris"
	GroupScopes      = "scopes"
	GroupFlow        = "flow"
	GroupTokenCache  = "token-cache"
	GroupUserToken   = "user-token"
	GroupStorage     = "token-storage"
	GroupSecrets     = "secrets"
	GroupFull        = "full-flow"
)

// ID names a finding. It is the analyzer's type, so that an id the doctor,
// the catalog and the grader share is one constant (analyze.AccessTokenExpired
// is doctor.AccessTokenExpired), and a misspelt id does not compile.
type ID = analyze.ID

// Every finding id the doctor reports itself; --full also reports the
// catalog ids its flow runs into (lookup).
const (
	ClockSkew                ID = "clock-skew"
	ClientIDMissing          ID = "client-id-missing"
	ClientSecretMissing      ID = "client-secret-missing"
	ClientIDMalformed        ID = "client-id-malformed"
	ClientSecretMalformed    ID = "client-secret-malformed"
	ClientIDWhitespace       ID = "client-id-whitespace"
	ClientSecretWhitespace   ID = "client-secret-whitespace"
	ClientIDQuoted           ID = "client-id-quoted"
	ClientSecretQuoted       ID = "client-secret-quoted"
	ClientIDBasicHeader      ID = "client-id-basic-header"
	ClientSecretBasicHeader  ID = "client-secret-basic-header"
	CredentialsSwapped       ID = "credentials-swapped"
	ClientSecretEqualsID     ID = "client-secret-equals-id"
	ClientIDInvalid             = analyze.ClientIDInvalid
	ClientSecretInvalid         = analyze.ClientSecretInvalid
	ClientAuthMissing           = analyze.ClientAuthMissing
	OwnerNotPremium          ID = "owner-not-premium"
	RedirectURIMissing       ID = "redirect-uri-missing"
	RedirectURIMalformed     ID = "redirect-uri-malformed"
	RedirectURILocalhost        = analyze.RedirectURILocalhost
	RedirectURIHTTP          ID = "redirect-uri-http"
	RedirectURIFragment      ID = "redirect-uri-fragment"
	RedirectURICustomScheme  ID = "redirect-uri-custom-scheme"
	RedirectURIVariant       ID = "redirect-uri-variant"
	RedirectURIMismatch      ID = "redirect-uri-mismatch"
	RedirectURIInsecure      ID = "redirect-uri-insecure"
	ScopeIllegal             ID = "scope-illegal"
	ScopeOpenid              ID = "scope-openid"
	ScopeInternal            ID = "scope-internal"
	ScopeCommaSeparated      ID = "scope-comma-separated"
	ScopeMissingForEndpoint  ID = "scope-missing-for-endpoint"
	ScopeWriteUnused         ID = "scope-write-unused"
	EndpointRestricted       ID = "endpoint-restricted"
	ImplicitGrantRemoved        = analyze.ImplicitGrantRemoved
	ResponseTypeInvalid      ID = "response-type-invalid"
	AppTokenUserEndpoint        = analyze.AppTokenUserEndpoint
	PKCEChallengePadded      ID = "pkce-challenge-padded"
	PKCEChallengeHex         ID = "pkce-challenge-hex"
	PKCEChallengeMismatch    ID = "pkce-challenge-mismatch"
	PKCEVerifierMalformed    ID = "pkce-verifier-malformed"
	PKCEMethodNotS256           = analyze.PKCEMethodNotS256
	PKCEClientSecret         ID = "pkce-client-secret"
	AccessTokenExpired          = analyze.AccessTokenExpired
	CachedScopeNarrower      ID = "cached-scope-narrower"
	RefreshTokenRevoked         = analyze.RefreshTokenRevoked
	RefreshTokenInvalid      ID = "refresh-token-invalid"
	RefreshTokenExpired      ID = "refresh-token-expired"
	RefreshTokenNearExpiry   ID = "refresh-token-near-expiry"
	RefreshTokenDropped      ID = "refresh-token-dropped"
	RefreshTokenRotated      ID = "refresh-token-rotated"
	TokenCacheClientMismatch ID = "token-cache-client-mismatch"
	UserNotAllowlisted       ID = "user-not-allowlisted"
	AccessTokenInvalid          = analyze.AccessTokenInvalid
	MeFieldsMissing          ID = "me-fields-missing"
	MeFieldsRemovedDevMode   ID = "me-fields-removed-dev-mode"
	TokenCachePermissions    ID = "token-cache-permissions"
	TokenCacheNotIgnored     ID = "token-cache-not-ignored"
	TokenCacheCommitted      ID = "token-cache-committed"
	TokenCacheWebRoot        ID = "token-cache-web-root"
	SecretInClientCode       ID = "secret-in-client-code"
	SecretInEnvFile          ID = "secret-in-env-file"
	SecretInSource           ID = "secret-in-source"
	SecretLikeValue          ID = "secret-like-value"
	SecretInHistory          ID = "secret-in-history"
	TestAccountLoginFailed   ID = "test-account-login-failed"
	FullFlowFailed           ID = "full-flow-failed"
)

// Def is what every finding with one id has in common. Where a finding is
// exactly an error the catalog explains (Catalog set), its title and fix
// are the catalog entry's, so that doctor, run and explain speak with one
// voice; the doctor adds its own evidence and, where it knows more, a
// sharper fix in front of the catalog's.
type Def struct {
	ID       ID
	Severity checks.Severity
	Group    string
	Title    string
	Fix      string
	Catalog  bool // title and fix come from the catalog entry with this id
}

const (
	sevError   = checks.SeverityError
	sevWarning = checks.SeverityWarning
	sevInfo    = checks.SeverityInfo
)

// defs is every finding the doctor can report. README and tests read it
// through Definitions, so a new id cannot go undocumented.
var defs = []Def{
	{ID: ClockSkew, Severity: sevWarning, Group: GroupEnvironment,
		Title: "The local clock differs from Spotify's by more than two minutes",
		Fix:   "Synchronise the clock (timedatectl set-ntp true, or the OS's time settings): token caches compute expires_at from the local clock and refresh too late or too early when it is off."},

	{ID: ClientIDMissing, Severity: sevError, Group: GroupCredentials,
		Title: "No client id is configured",
		Fix:   "Set SPOTIFY_CLIENT_ID (or pass --client-id) to the Client ID shown under Dashboard > app > Settings."},
	{ID: ClientSecretMissing, Severity: sevError, Group: GroupCredentials,
		Title: "No client secret is configured, but the flow needs one",
		Fix:   "Set SPOTIFY_CLIENT_SECRET or pass --client-secret-file with the secret from Dashboard > app > Settings > View client secret. An app that cannot keep a secret (browser, mobile, desktop) uses --flow pkce and no secret."},
	{ID: ClientIDMalformed, Severity: sevError, Group: GroupCredentials,
		Title: "The client id is not 32 lowercase hex characters",
		Fix:   "Copy the Client ID from Dashboard > app > Settings into the app's configuration and check that the variable is actually set where the authorize URL and the token request are built."},
	{ID: ClientSecretMalformed, Severity: sevError, Group: GroupCredentials,
		Title: "The client secret is not 32 lowercase hex characters",
		Fix:   "Copy the secret from Dashboard > app > Settings > View client secret into SPOTIFY_CLIENT_SECRET or the secret file, nothing before or after it."},
	{ID: ClientIDWhitespace, Severity: sevError, Group: GroupCredentials,
		Title: "The client id has whitespace or a line break in it",
		Fix:   "Remove the whitespace where the value is set (a .env line, a secret store, `export`): Spotify compares the id byte for byte."},
	{ID: ClientSecretWhitespace, Severity: sevError, Group: GroupCredentials,
		Title: "The client secret has whitespace or a line break in it",
		Fix:   "Remove the whitespace where the value is set; when it comes from a file, write it with `printf %s` (no trailing space) or use --client-secret-file, which drops one final line break."},
	{ID: ClientIDQuoted, Severity: sevError, Group: GroupCredentials,
		Title: "The client id is wrapped in quotes",
		Fix:   "Remove the quotes: the loader that reads the value keeps them (many .env readers and Docker --env-file do)."},
	{ID: ClientSecretQuoted, Severity: sevError, Group: GroupCredentials,
		Title: "The client secret is wrapped in quotes",
		Fix:   "Remove the quotes: the loader that reads the value keeps them (many .env readers and Docker --env-file do)."},
	{ID: ClientIDBasicHeader, Severity: sevError, Group: GroupCredentials,
		Title: "The client id holds a Basic Authorization value instead of the bare id",
		Fix:   "Store the bare client id and let the client build \"Authorization: Basic base64(client_id:client_secret)\" itself, on one line (base64 -w0)."},
	{ID: ClientSecretBasicHeader, Severity: sevError, Group: GroupCredentials,
		Title: "The client secret holds a Basic Authorization value instead of the bare secret",
		Fix:   "Store the bare client secret and let the client build \"Authorization: Basic base64(client_id:client_secret)\" itself, on one line (base64 -w0)."},
	{ID: CredentialsSwapped, Severity: sevError, Group: GroupCredentials,
		Title: "The client id and the client secret are swapped",
		Fix:   "Swap the two values: the Client ID goes into SPOTIFY_CLIENT_ID, the Client secret into SPOTIFY_CLIENT_SECRET. Then rotate the secret (Dashboard > app > Settings > Rotate client secret): it has been sent as a client id, which is not treated as secret."},
	{ID: ClientSecretEqualsID, Severity: sevError, Group: GroupCredentials,
		Title: "The client secret is the client id",
		Fix:   "Put the Client secret from Dashboard > app > Settings > View client secret into SPOTIFY_CLIENT_SECRET; it is a different value from the Client ID."},

	{ID: ClientIDInvalid, Severity: sevError, Group: GroupClientAuth, Catalog: true},
	{ID: ClientSecretInvalid, Severity: sevError, Group: GroupClientAuth, Catalog: true},
	{ID: ClientAuthMissing, Severity: sevError, Group: GroupClientAuth, Catalog: true},
	{ID: OwnerNotPremium, Severity: sevError, Group: GroupClientAuth, Catalog: true},

	{ID: RedirectURIMissing, Severity: sevError, Group: GroupRedirects,
		Title: "No redirect URI is configured",
		Fix:   "Set SPOTIFY_REDIRECT_URI (or pass --redirect-uri, repeatable) to the callback URL the app sends, e.g. http://127.0.0.1:8888/callback for local development."},
	{ID: RedirectURIMalformed, Severity: sevError, Group: GroupRedirects,
		Title: "The redirect URI is not an absolute URL",
		Fix:   "Use an absolute URL with a scheme and a host, e.g. https://app.example.com/callback or http://127.0.0.1:8888/callback."},
	{ID: RedirectURILocalhost, Severity: sevError, Group: GroupRedirects,
		Title: "The redirect URI uses localhost, which Spotify rejects since 2025",
		Fix:   "Use the loopback IP literal instead of the name (http://127.0.0.1:PORT/… or http://[::1]:PORT/…), in the app and under Dashboard > app > Settings > Redirect URIs; delete the localhost entry."},
	{ID: RedirectURIHTTP, Severity: sevError, Group: GroupRedirects,
		Title: "The redirect URI uses plain http on a host that is not a loopback address",
		Fix:   "Serve the callback over https and register the https URL; plain http is only allowed for 127.0.0.1 and [::1] since the 2025 rules."},
	{ID: RedirectURIFragment, Severity: sevError, Group: GroupRedirects,
		Title: "The redirect URI has a fragment (#…)",
		Fix:   "Drop the fragment: Spotify appends ?code=… to the redirect URI, and a fragment is never sent to the server (RFC 6749 §3.1.2 forbids it)."},
	{ID: RedirectURICustomScheme, Severity: sevWarning, Group: GroupRedirects,
		Title: "The redirect URI uses a custom scheme",
		Fix:   "Custom schemes are still documented as supported, but an Android developer saw \"insecure redirect URI\" for one in 2025; prefer an https App Link / Universal Link, or a loopback http://127.0.0.1 URI for desktop apps."},
	{ID: RedirectURIVariant, Severity: sevInfo, Group: GroupRedirects,
		Title: "The redirect URI has a trailing slash or capital letters: compare it with the dashboard character by character",
		Fix:   "Spotify matches redirect URIs byte for byte (case, trailing slash, port). Run the doctor online to let it probe which spelling is registered."},
	{ID: RedirectURIMismatch, Severity: sevError, Group: GroupRedirects, Catalog: true},
	{ID: RedirectURIInsecure, Severity: sevError, Group: GroupRedirects, Catalog: true},

	{ID: ScopeIllegal, Severity: sevError, Group: GroupScopes, Catalog: true},
	{ID: ScopeOpenid, Severity: sevError, Group: GroupScopes,
		Title: "An OpenID Connect scope is requested; Spotify is not an OpenID provider",
		Fix:   "Remove openid, profile, email and offline_access: Spotify answers \"Illegal scope\". Read the user with GET /v1/me (user-read-email for the email); refresh tokens come with every authorization code."},
	{ID: ScopeInternal, Severity: sevError, Group: GroupScopes,
		Title: "A scope only Spotify's own apps may use is requested",
		Fix:   "Remove the scope: it works only with Spotify's own client ids, and any other app gets \"Illegal scope\". Request the documented scope for the feature instead."},
	{ID: ScopeCommaSeparated, Severity: sevError, Group: GroupScopes,
		Title: "The scopes are separated by commas; Spotify expects spaces",
		Fix:   "Join scopes with spaces (encoded once: %20 or +). \"user-read-email,user-read-private\" is one unknown scope to Spotify and gets \"Illegal scope\"."},
	{ID: ScopeMissingForEndpoint, Severity: sevError, Group: GroupScopes,
		Title: "An endpoint the app uses needs a scope that is not requested",
		Fix:   "Add the scope to the authorize request, then authorize again (show_dialog=true shows the consent page again): refreshing never adds a scope, and the call gets 403 \"Insufficient client scope\" until then."},
	{ID: ScopeWriteUnused, Severity: sevInfo, Group: GroupScopes,
		Title: "Write scopes are requested that no endpoint the app uses needs",
		Fix:   "Ask only for what the app uses: users read the consent page, and a smaller grant is a smaller leak."},
	{ID: EndpointRestricted, Severity: sevWarning, Group: GroupScopes, Catalog: true},

	{ID: ImplicitGrantRemoved, Severity: sevError, Group: GroupFlow, Catalog: true},
	{ID: ResponseTypeInvalid, Severity: sevError, Group: GroupFlow, Catalog: true},
	{ID: AppTokenUserEndpoint, Severity: sevError, Group: GroupFlow, Catalog: true},
	{ID: PKCEChallengePadded, Severity: sevError, Group: GroupFlow,
		Title: "The PKCE code_challenge ends with '=' padding",
		Fix:   "Encode the SHA-256 of the verifier with base64url WITHOUT padding (RFC 7636 §4.2): strip the trailing '='. Spotify answers the code exchange with \"code_verifier was incorrect\" otherwise."},
	{ID: PKCEChallengeHex, Severity: sevError, Group: GroupFlow,
		Title: "The PKCE code_challenge is the hex SHA-256 of the verifier, not base64url",
		Fix:   "code_challenge = base64url(SHA-256(verifier)) without padding: encode the 32 raw digest bytes, not their hex string."},
	{ID: PKCEChallengeMismatch, Severity: sevError, Group: GroupFlow,
		Title: "The PKCE code_challenge does not belong to the code_verifier",
		Fix:   "Compute code_challenge = base64url(SHA-256(ASCII(verifier))) without padding from the verifier that is later sent to /api/token, and keep that verifier for the attempt."},
	{ID: PKCEVerifierMalformed, Severity: sevError, Group: GroupFlow,
		Title: "The PKCE code_verifier breaks the 43 to 128 characters of A-Z a-z 0-9 - . _ ~ rule",
		Fix:   "Generate the verifier from 32 random bytes encoded base64url without padding (43 characters), as RFC 7636 §4.1 shows."},
	{ID: PKCEMethodNotS256, Severity: sevError, Group: GroupFlow,
		Title: "The authorize request does not use code_challenge_method=S256",
		Fix:   "Send code_challenge_method=S256 with the challenge; Spotify documents S256 only."},
	{ID: PKCEClientSecret, Severity: sevWarning, Group: GroupFlow,
		Title: "A client secret is configured for a public (PKCE) client",
		Fix:   "A PKCE client runs where users can read it (browser, phone, desktop): do not ship the secret with it. Remove it from the app's configuration; if the secret ever shipped, rotate it."},

	{ID: AccessTokenExpired, Severity: sevInfo, Group: GroupTokenCache, Catalog: true},
	{ID: CachedScopeNarrower, Severity: sevWarning, Group: GroupTokenCache,
		Title: "The cached token was granted fewer scopes than the app requests",
		Fix:   "Authorize again with the full scope list (show_dialog=true shows the consent page again) and replace the cache: refreshing never adds scopes, so calls needing the missing ones get 403 \"Insufficient client scope\"."},
	{ID: RefreshTokenRevoked, Severity: sevError, Group: GroupTokenCache, Catalog: true},
	{ID: RefreshTokenInvalid, Severity: sevError, Group: GroupTokenCache, Catalog: true},
	{ID: RefreshTokenExpired, Severity: sevError, Group: GroupTokenCache, Catalog: true},
	{ID: RefreshTokenNearExpiry, Severity: sevWarning, Group: GroupTokenCache,
		Title: "The refresh token reaches its 6-month lifetime within 30 days",
		Fix:   "Refreshing does not extend it (2026 rule): prompt the user to authorize again before the deadline, which starts a new 6 months."},
	{ID: RefreshTokenDropped, Severity: sevError, Group: GroupTokenCache,
		Title: "The token cache has an access token but no refresh token",
		Fix:   "Since mid-2026 a refresh answer carries no refresh_token: keep the one from the code exchange instead of overwriting it with the missing field (`new.refresh_token or old.refresh_token`). Authorize once more to get a refresh token back."},
	{ID: RefreshTokenRotated, Severity: sevInfo, Group: GroupTokenCache,
		Title: "Spotify returned a new refresh token; the doctor saved it to the cache",
		Fix:   "Rotation revokes the old refresh token: the client must store the refresh_token of every refresh answer that has one, and keep the old one when it has none."},
	{ID: TokenCacheClientMismatch, Severity: sevError, Group: GroupTokenCache,
		Title: "The token cache belongs to another client id",
		Fix:   "A refresh token only works with the client that obtained it: use the cache of this app, or authorize again with this client id."},

	{ID: UserNotAllowlisted, Severity: sevError, Group: GroupUserToken, Catalog: true},
	{ID: AccessTokenInvalid, Severity: sevError, Group: GroupUserToken, Catalog: true},
	{ID: MeFieldsMissing, Severity: sevInfo, Group: GroupUserToken,
		Title: "GET /v1/me leaves out fields the token's scopes do not cover",
		Fix:   "email needs user-read-email; country, product and explicit_content need user-read-private. Request them only if the app reads them; without the scope the field is left out, never refused."},
	{ID: MeFieldsRemovedDevMode, Severity: sevWarning, Group: GroupUserToken,
		Title: "GET /v1/me leaves out fields despite the scopes: development-mode apps lost them in February 2026",
		Fix:   "Development-mode apps no longer get email, country, product or followers from /v1/me whatever the scopes; do not rely on them, or apply for extended quota mode."},

	{ID: TokenCachePermissions, Severity: sevWarning, Group: GroupStorage,
		Title: "The token cache is readable by other users of the machine",
		Fix:   "chmod 600 the file (and create it with mode 0600): it holds a refresh token that acts as the user until it expires."},
	{ID: TokenCacheNotIgnored, Severity: sevError, Group: GroupStorage,
		Title: "The token cache is inside a git work tree and not ignored: the next `git add .` commits it",
		Fix:   "Add the file to .gitignore (or move it out of the work tree, e.g. to the user's cache directory)."},
	{ID: TokenCacheCommitted, Severity: sevError, Group: GroupStorage,
		Title: "The token cache is tracked by git",
		Fix:   "git rm --cached the file, add it to .gitignore, and have the user remove the app's access at spotify.com/account/apps: the refresh token is in the repository's history now."},
	{ID: TokenCacheWebRoot, Severity: sevError, Group: GroupStorage,
		Title: "The token cache lies under a directory a web server or bundler publishes",
		Fix:   "Move the cache out of the served tree (public/, static/, www/, dist/, build/, htdocs/ …): anyone who guesses its URL gets the refresh token."},

	{ID: SecretInClientCode, Severity: sevError, Group: GroupSecrets,
		Title: "The client secret is in client-side code, which ships to every user",
		Fix:   "Rotate the secret now (Dashboard > app > Settings > Rotate client secret), remove it from the code and the built bundles, and move the token exchange to a server or switch the client to PKCE, which needs no secret."},
	{ID: SecretInEnvFile, Severity: sevError, Group: GroupSecrets,
		Title: "The client secret is in a .env file that git tracks or would commit",
		Fix:   "Rotate the secret, `git rm --cached` the file, add .env* to .gitignore and commit a .env.example with placeholders instead."},
	{ID: SecretInSource, Severity: sevError, Group: GroupSecrets,
		Title: "The client secret is in a file that git tracks or would commit",
		Fix:   "Rotate the secret, read it from the environment or a secret file that is not committed, and remove it from the file."},
	{ID: SecretLikeValue, Severity: sevWarning, Group: GroupSecrets,
		Title: "A 32-hex value is assigned to a secret-like name in a file git tracks or would commit",
		Fix:   "If it is a real secret (of this app, an old rotated one, or another service's), rotate it and read it from the environment instead; if it is a test value, exclude the file with --scan-exclude."},
	{ID: SecretInHistory, Severity: sevError, Group: GroupSecrets,
		Title: "The client secret is in the git history, though no longer in the files",
		Fix:   "Rotate the secret: removing it from the files does not remove it from the history that every clone has."},

	{ID: TestAccountLoginFailed, Severity: sevError, Group: GroupFull,
		Title: "The test account could not log in",
		Fix:   "Check SPOTCHECK_TEST_USERNAME and SPOTCHECK_TEST_PASSWORD (the fake's users are alice/alice-password and bob/bob-password)."},
	{ID: FullFlowFailed, Severity: sevError, Group: GroupFull,
		Title: "The browser authorization flow did not end at /v1/me",
		Fix:   "See the evidence for the step that failed; run the doctor without --full first to find configuration problems."},
}

var defByID = func() map[ID]*Def {
	m := make(map[ID]*Def, len(defs))
	for i := range defs {
		m[defs[i].ID] = &defs[i]
	}
	return m
}()

// Definitions returns every finding id the doctor reports, sorted by id,
// with titles and fixes resolved from the catalog where they come from it.
func Definitions() []Def {
	out := make([]Def, 0, len(defs))
	for _, d := range defs {
		out = append(out, resolve(d))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// lookup returns the resolved definition of id. A catalog id the doctor
// does not list (one the --full flow ran into) is taken from the catalog
// as an error of the full-flow group.
func lookup(id ID) Def {
	if d, ok := defByID[id]; ok {
		return resolve(*d)
	}
	d := Def{ID: id, Severity: sevError, Group: GroupFull, Catalog: true}
	return resolve(d)
}

func resolve(d Def) Def {
	if !d.Catalog {
		return d
	}
	if e, ok := explain.Default().Entry(string(d.ID)); ok {
		if d.Title == "" {
			d.Title = e.Title
		}
		if d.Fix == "" {
			d.Fix = e.Fix
		}
	}
	return d
}
