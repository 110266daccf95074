package explain_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/explain"
)

// explain runs the default catalog over a text input.
func explainText(input string) *explain.Result {
	GinkgoHelper()
	res, err := explain.Default().Explain([]byte(input), explain.Options{Name: "pasted"})
	Expect(err).NotTo(HaveOccurred())
	return res
}

func ids(res *explain.Result) []string {
	var out []string
	for _, m := range res.Matches {
		out = append(out, m.Entry.ID)
	}
	return out
}

// The inputs below are real: texts quoted in fakespotify/wire/REFERENCE.md (with the
// issue or PR they come from) and the error formats of the client libraries
// as their source code builds them (spotipy exceptions.py/client.py/oauth2.py,
// golang.org/x/oauth2 token.go, zmb3/spotify spotify.go and auth.go,
// spotify-web-api-node response-error.js, jwilsson/spotify-web-api-php).
var _ = Describe("Explain on real-world error texts", func() {
	DescribeTable("names the right entry first",
		func(input, want string) {
			res := explainText(input)
			Expect(res.Recognised()).To(BeTrue(), "not recognised; closest: %v", res.Closest)
			Expect(ids(res)[0]).To(Equal(want), "matches: %v", ids(res))
			Expect(res.Matches[0].Confidence).To(BeNumerically(">=", explain.Recognised))
		},

		// ---- /api/token JSON bodies (§3.3)
		Entry("token: code unknown or reused (web-api#267)", `{"error":"invalid_grant","error_description":"Invalid authorization code"}`, "code-invalid"),
		Entry("token: code expired (td-p/5808002)", `{"error":"invalid_grant","error_description":"Authorization code expired"}`, "code-expired"),
		Entry("token: redirect_uri differs (spotify-web-api-node#405)", `{"error":"invalid_grant","error_description":"Invalid redirect URI"}`, "token-redirect-uri-mismatch"),
		Entry("token: wrong secret (novatorem#42)", `{"error":"invalid_client","error_description":"Invalid client secret"}`, "client-secret-invalid"),
		Entry("token: unknown client (pyspodl#7)", `{"error":"invalid_client","error_description":"Invalid client"}`, "client-id-invalid"),
		Entry("token: no client auth (web-api#412)", `{"error":"invalid_client"}`, "client-auth-missing"),
		Entry("token: JSON body with a form content type (web-api#1503)", `{"error":"unsupported_grant_type","error_description":"grant_type parameter is missing"}`, "grant-type-missing"),
		Entry("token: grant type echoed with a trailing space (Spotify-KMP#1)", `{"error":"unsupported_grant_type","error_description":"grant_type client_credentials  is not supported"}`, "grant-type-unsupported"),
		Entry("token: older unsupported-grant wording (Heimdallr.swift#109)", `grant_type must be client_credentials, authorization_code or refresh_token`, "grant-type-unsupported"),
		Entry("token: PKCE mismatch, 2022-2024 wording (web-api-examples#126)", `{"error":"invalid_grant","error_description":"code_verifier was incorrect"}`, "pkce-verifier-mismatch"),
		Entry("token: PKCE mismatch, alternative wording (pocketbase#887)", `{"error":"invalid_grant","error_description":"code_verifier was invalid"}`, "pkce-verifier-mismatch"),
		Entry("token: PKCE mismatch paraphrased (zmb3/spotify#129)", `Getting invalid code_verifier when exchanging the code`, "pkce-verifier-mismatch"),
		Entry("token: verifier missing (spotipy#640)", `{"error":"invalid_request","error_description":"code_verifier required"}`, "pkce-verifier-missing"),
		Entry("token: refresh token revoked (home-assistant/core#124333)", `{"error":"invalid_grant","error_description":"Refresh token revoked"}`, "refresh-token-revoked"),
		Entry("token: refresh token garbage (web-api#1202)", `{"error":"invalid_grant","error_description":"Invalid refresh token"}`, "refresh-token-invalid"),
		Entry("token: bare invalid_grant on refresh, 2026 (spotify-mcp-server#63)", `{"error": "invalid_grant"}`, "refresh-token-expired"),
		Entry("token: JSON content type, 415 (web-api#321)", `{"error":"server_error","error_description":"Unexpected status: 415"}`, "token-body-json"),

		// ---- /authorize page texts (§1.3)
		Entry("page: redirect URI not registered (spotify-player#846)", `INVALID_CLIENT: Invalid redirect URI`, "redirect-uri-mismatch"),
		Entry("page: insecure redirect URI (node-red-contrib-spotify#36)", `INVALID_CLIENT: Insecure redirect URI`, "redirect-uri-insecure"),
		Entry("page: unknown client (audio-band#259)", `INVALID_CLIENT: Invalid client`, "client-id-invalid"),
		Entry("page: illegal scope (web-api#1262)", `Illegal scope`, "scope-illegal"),
		Entry("page: illegal scope, capitalised (angular-oauth2-oidc#430)", `Illegal Scope`, "scope-illegal"),
		Entry("page: missing client_id (web-api-examples#16)", `Missing required parameter: client_id`, "param-missing"),
		Entry("page: missing redirect_uri (spotify-player#704)", `Missing required parameter: redirect_uri`, "param-missing"),
		Entry("page: implicit grant refused, 2026 (spotify_to_ytmusic#248)", `response_type must be code`, "implicit-grant-removed"),
		Entry("page: bad response_type before the sunset", `response_type must be code or token`, "response-type-invalid"),
		Entry("dashboard: insecure URI when saving (Spotify-Downloader#12)", `This redirect URI is not secure. Learn more here.`, "redirect-uri-insecure"),
		Entry("page: the HTML of the error page (web-api#1116 shape)",
			`<!DOCTYPE html><html ng-app="accounts" ng-csp><head><title>Error - Spotify</title><link rel="stylesheet" href="https://accounts.scdn.co/css/index.css"></head><body><div class="container"><h1>Oops! Something went wrong, please try again or check out our help area.</h1><p>INVALID_CLIENT: Invalid redirect URI</p></div></body></html>`,
			"redirect-uri-mismatch"),
		Entry("issue text: user quoting the blank page (obsidian-spotify-link#25)", `When I click connect I get a page that is blank except for the text "INVALID_CLIENT: Invalid redirect URI". My redirect is http://127.0.0.1:8888/callback`, "redirect-uri-mismatch"),

		// ---- callbacks (§1.2, §1.4)
		Entry("callback: user pressed Cancel", `http://127.0.0.1:8888/callback?error=access_denied&state=34fFs29kd09`, "access-denied"),
		Entry("callback: implicit grant removed (spotify-backup#66)", `http://127.0.0.1:3000/redirect#error=unsupported_response_type`, "implicit-grant-removed"),
		Entry("callback: implicit grant, auth_callback URL (albums-availability#9)", `http://localhost:3000/?auth_callback#error=unsupported_response_type`, "implicit-grant-removed"),
		Entry("spotipy: parse_auth_response_url", `spotipy.oauth2.SpotifyOauthError: Received error from auth server: access_denied`, "access-denied"),
		Entry("zmb3/spotify: Authenticator.Token on a denial", `spotify: auth failed - access_denied`, "access-denied"),
		Entry("zmb3/spotify: state differs", `spotify: redirect state parameter doesn't match`, "state-mismatch"),
		Entry("spotipy: SpotifyStateError", `spotipy.oauth2.SpotifyStateError: Expected 5f2c9 but recieved 8ab01`, "state-mismatch"),
		Entry("authorize URL: implicit grant", `https://accounts.spotify.com/authorize?client_id=5c098bcc800e45d49e476265bc9b6934&response_type=token&redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fcallback`, "implicit-grant-removed"),
		Entry("authorize URL: removed scope", `https://accounts.spotify.com/authorize?client_id=5c098bcc800e45d49e476265bc9b6934&response_type=code&redirect_uri=https%3A%2F%2Fexample.com%2Fcallback&scope=user-read-private%20user-read-birthdate`, "scope-illegal"),
		Entry("authorize URL: client_id=undefined (Nowify#50)", `https://accounts.spotify.com/authorize?client_id=undefined&response_type=code&redirect_uri=https%3A%2F%2Fnowify.example%2Fcallback`, "client-id-invalid"),

		// ---- Web API (§5)
		Entry("api: expired token until 2025 (ng-spotify-importer#296)", `{"error":{"status":401,"message":"The access token expired"}}`, "access-token-expired"),
		Entry("api: 2026 merged 401 (SpotifyEsp32#31)", `{"error": {"status": 401, "message": "Missing/invalid/expired access token"}}`, "access-token-expired"),
		Entry("api: invalid token (web-api#1397)", `{"error":{"status":401,"message":"Invalid access token"}}`, "access-token-invalid"),
		Entry("api: no token (deezer-downloader#159)", `{"error":{"status":401,"message":"No token provided"}}`, "access-token-missing"),
		Entry("api: not a bearer header (spotilink#9)", `{"error":{"status":400,"message":"Only valid bearer authentication supported"}}`, "auth-header-malformed"),
		Entry("api: WWW-Authenticate header of an expired token", `www-authenticate: Bearer realm="spotify", error="invalid_token", error_description="The access token expired"`, "access-token-expired"),
		Entry("api: scope 403 as Python bytes (applemusic-playlist-to-spotify#6)", `b'{\n  "error" : {\n    "status" : 403,\n    "message" : "Insufficient client scope"\n  }\n}'`, "scope-insufficient"),
		Entry("api: dev-mode 403, June 2021 (spotipy#688)", `b"User not approved for app"`, "user-not-allowlisted"),
		Entry("api: dev-mode 403, 2021-2023 (php#235)", `User not registered in the Developer Dashboard`, "user-not-allowlisted"),
		Entry("api: dev-mode 403, 2024-2026 (spotify_to_ytmusic#122)", `Check settings on developer.spotify.com/dashboard, the user may not be registered.`, "user-not-allowlisted"),
		Entry("api: dev-mode 403, unverified 2026 wording (OSC-Chat-Tools#32)", `The user is not registered for this application. Please check your settings on https://developer.spotify.com/dashboard.`, "user-not-allowlisted"),
		Entry("api: owner without Premium (spotipy#1233)", `Active premium subscription required for the owner of the app. When the subscription status changes, it can take a few hours before requests are allowed again.`, "owner-not-premium"),
		Entry("dashboard: Premium banner (spotisub#105)", `Your application is blocked from accessing the Web API since you do not have a Spotify Premium subscription. Upgrade to Spotify Premium to access the Web API and unlock additional features for your app.`, "owner-not-premium"),
		Entry("api: rate limit body (spotify-player#1073)", `{"error": {"status": 429, "message": "API rate limit exceeded"}}`, "rate-limited"),
		Entry("api: 2026 quota reason (blog 2026-07-23)", `{"error":{"status":429,"message":"Quota exceeded","reason":"QUOTA_EXCEEDED"}}`, "rate-limited"),
		Entry("api: empty 429 in a curl dump (web-api#1267)", "< HTTP/2 429\n< retry-after: 86400\n< content-length: 0\n<", "rate-limited"),
		Entry("api: player needs Premium", `{"error":{"status":403,"message":"Player command failed: Premium required","reason":"PREMIUM_REQUIRED"}}`, "premium-required"),
		Entry("api: restricted endpoint in a request log (wiz-spotify-connected#41)", `GET https://api.spotify.com/v1/recommendations?seed_artists=4NHQUGzhtTLFvgF5SZesLK&limit=10 403`, "endpoint-restricted"),
		Entry("api: related artists 403 in a Node log (spotatui#517)", `[spotify] GET /v1/artists/0OdUWJ0sBjDrqHygGUXeCF/related-artists -> 403 Forbidden`, "endpoint-restricted"),
		Entry("api: app-only token on /v1/me (web-api-node#166)", `GET https://api.spotify.com/v1/me 401 {"error":{"status":401,"message":"Unauthorized"}}`, "app-token-user-endpoint"),
		Entry("api: app-only token on /v1/me, 2020 answer (SpotifyAPI-NET#502)", `GET https://api.spotify.com/v1/me/playlists 400 {"error":{"status":400,"message":"invalid id"}}`, "app-token-user-endpoint"),
		Entry("api: app-only token on /v1/me, empty 403 (web-api#855)", `GET https://api.spotify.com/v1/me: spotify: HTTP 403: Forbidden (body empty)`, "app-token-user-endpoint"),

		// ---- spotipy (exceptions.py, client.py, oauth2.py)
		Entry("spotipy: dev-mode 403", "spotipy.exceptions.SpotifyException: http status: 403, code:-1 - https://api.spotify.com/v1/me/:\n User not registered in the Developer Dashboard, reason: None", "user-not-allowlisted"),
		Entry("spotipy: Premium owner 403 (spotipy#1233)", "spotipy.exceptions.SpotifyException: http status: 403, code: -1 - https://api.spotify.com/v1/me/playlists?limit=50&offset=0:\n Active premium subscription required for the owner of the app. When the subscription status changes, it can take a few hours before requests are allowed again., reason: None", "owner-not-premium"),
		Entry("spotipy: expired token", "spotipy.exceptions.SpotifyException: http status: 401, code: -1 - https://api.spotify.com/v1/me/player/currently-playing:\n The access token expired, reason: None", "access-token-expired"),
		Entry("spotipy: retries exhausted on 429", "spotipy.exceptions.SpotifyException: http status: 429, code: -1 - /v1/search?q=abba&type=track:\n Max Retries, reason: too many 429 error responses", "rate-limited"),
		Entry("spotipy: oauth error, code reused", `spotipy.oauth2.SpotifyOauthError: error: invalid_grant, error_description: Invalid authorization code`, "code-invalid"),
		Entry("spotipy: oauth error, wrong secret", `spotipy.oauth2.SpotifyOauthError: error: invalid_client, error_description: Invalid client secret`, "client-secret-invalid"),
		Entry("spotipy: oauth error without description", `spotipy.oauth2.SpotifyOauthError: error: invalid_client, error_description: None`, "client-auth-missing"),
		Entry("spotipy: full traceback, refresh revoked",
			"Traceback (most recent call last):\n  File \"/app/main.py\", line 41, in <module>\n    sp.current_user()\n  File \"/usr/lib/python3.12/site-packages/spotipy/oauth2.py\", line 583, in refresh_access_token\n    self._handle_oauth_error(http_error)\n  File \"/usr/lib/python3.12/site-packages/spotipy/oauth2.py\", line 146, in _handle_oauth_error\n    raise SpotifyOauthError(\nspotipy.oauth2.SpotifyOauthError: error: invalid_grant, error_description: Refresh token revoked",
			"refresh-token-revoked"),

		// ---- golang.org/x/oauth2 (token.go RetrieveError.Error)
		Entry("oauth2: old format with the body", "oauth2: cannot fetch token: 400 Bad Request\nResponse: {\"error\":\"invalid_grant\",\"error_description\":\"Invalid authorization code\"}", "code-invalid"),
		Entry("oauth2: old format, unknown client (MusicRepair#41)", "oauth2: cannot fetch token: 400 Bad Request Response: {\"error\":\"invalid_client\",\"error_description\":\"Invalid client\"}", "client-id-invalid"),
		Entry("oauth2: new format, expired code", `oauth2: "invalid_grant" "Authorization code expired"`, "code-expired"),
		Entry("oauth2: new format, wrong secret", `oauth2: "invalid_client" "Invalid client secret"`, "client-secret-invalid"),
		Entry("oauth2: new format, no description", `oauth2: "invalid_client"`, "client-auth-missing"),
		Entry("oauth2: wrapped by net/http", `Post "https://accounts.spotify.com/api/token": oauth2: "invalid_grant" "code_verifier was incorrect"`, "pkce-verifier-mismatch"),
		Entry("oauth2: in a zerolog line", `{"level":"error","error":"oauth2: \"invalid_grant\" \"Invalid redirect URI\"","time":"2026-09-12T10:22:01Z","message":"exchange failed"}`, "token-redirect-uri-mismatch"),

		// ---- zmb3/spotify (spotify.go decodeError)
		Entry("zmb3: plain-text dev-mode 403 (zmb3#232)", `spotify: couldn't decode error: (46) [User not registered in the Developer Dashboard]`, "user-not-allowlisted"),
		Entry("zmb3: plain-text Premium 403 (zmb3#301)", `spotify: couldn't decode error: (159) [Active premium subscription required for the owner of the app. When the subscription status changes, it can take a few hours before requests are allowed again.]`, "owner-not-premium"),
		Entry("zmb3: Error.Message of a 401", `The access token expired`, "access-token-expired"),
		Entry("zmb3: empty 429", `spotify: HTTP 429: Too Many Requests (body empty)`, "rate-limited"),

		// ---- spotify-web-api-node (response-error.js)
		Entry("web-api-node: WebapiAuthenticationError, code reused", "WebapiAuthenticationError: An authentication error occurred while communicating with Spotify's Web API.\nDetails: invalid_grant Invalid authorization code.", "code-invalid"),
		Entry("web-api-node: WebapiAuthenticationError without description", "WebapiAuthenticationError: An authentication error occurred while communicating with Spotify's Web API.\nDetails: invalid_client.", "client-auth-missing"),
		Entry("web-api-node: WebapiRegularError, expired token", "WebapiRegularError: An error occurred while communicating with Spotify's Web API.\nDetails: The access token expired.", "access-token-expired"),
		Entry("web-api-node: WebapiRegularError, scope", "WebapiRegularError: An error occurred while communicating with Spotify's Web API.\nDetails: Insufficient client scope.", "scope-insufficient"),
		Entry("web-api-node: WebapiPlayerError", "WebapiPlayerError: An error occurred while communicating with Spotify's Web API.\nDetails: Player command failed: Premium required PREMIUM_REQUIRED.", "premium-required"),

		// ---- axios / fetch dumps, other libraries, logs
		Entry("axios: dev-mode 403 (your_spotify#207)",
			"AxiosError: Request failed with status code 403\n    at settle (/app/node_modules/axios/lib/core/settle.js:19:12)\n  response: {\n    status: 403,\n    statusText: 'Forbidden',\n    headers: { 'content-type': 'text/plain' },\n    data: 'User not registered in the Developer Dashboard'\n  }",
			"user-not-allowlisted"),
		Entry("axios: token error as a JS object literal",
			"AxiosError: Request failed with status code 400\n  config: { url: 'https://accounts.spotify.com/api/token', method: 'post' },\n  response: {\n    status: 400,\n    data: { error: 'invalid_grant', error_description: 'Invalid authorization code' }\n  }",
			"code-invalid"),
		Entry("axios: bare 429", "AxiosError: Request failed with status code 429", "rate-limited"),
		Entry("fetch: status and body text", `Error: Spotify token request failed: 400 {"error":"invalid_grant","error_description":"Invalid redirect URI"}`, "token-redirect-uri-mismatch"),
		Entry("PHP: SpotifyWebAPIAuthException (jwilsson)", `PHP Fatal error:  Uncaught SpotifyWebAPI\SpotifyWebAPIAuthException: Invalid authorization code in /var/www/vendor/jwilsson/spotify-web-api-php/src/Request.php:58`, "code-invalid"),
		Entry("PHP: dev-mode 403 as exception message", `SpotifyWebAPI\SpotifyWebAPIException: Check settings on developer.spotify.com/dashboard, the user may not be registered.`, "user-not-allowlisted"),
		Entry("form-encoded error in a log", `token endpoint said: error=invalid_client&error_description=Invalid+client+secret`, "client-secret-invalid"),
		Entry("multi-line log with the error buried",
			"2026-09-30T10:00:01Z INFO  starting server on :8888\n2026-09-30T10:00:07Z INFO  GET /login 302\n2026-09-30T10:00:19Z INFO  GET /callback?code=AQBD4CLvpVxk2vTzv3Tz5Ue8v0R6y1M5iUQyJqQqT9xX0dXbq3YlB7X3oJrKQ&state=7f3k 200\n2026-09-30T10:00:19Z ERROR Error during Spotify callback: WebapiAuthenticationError: An authentication error occurred while communicating with Spotify's Web API.\nDetails: invalid_grant Invalid redirect URI.\n    at /app/node_modules/spotify-web-api-node/src/http-manager.js:71:19\n2026-09-30T10:00:19Z INFO  GET /favicon.ico 404",
			"token-redirect-uri-mismatch"),
		Entry("Rust client comparing .text() (a public client's source)", `Error: Spotify API returned 403 Forbidden: Check settings on developer.spotify.com/dashboard, the user may not be registered.`, "user-not-allowlisted"),
	)

	DescribeTable("does not claim to know what it does not",
		func(input string) {
			res := explainText(input)
			Expect(res.Recognised()).To(BeFalse(), "recognised as %v", ids(res))
		},
		Entry("greeting", `hello world`),
		Entry("connection refused", `Error: connect ECONNREFUSED 127.0.0.1:8888`),
		Entry("another provider's invalid_grant (Google)", `{"error":"invalid_grant","error_description":"Bad Request"}`),
		Entry("plain 500", `500 Internal Server Error`),
		Entry("a 404 for a bad id", `{"error":{"status":404,"message":"Non existing id: 'spotify:track:4uLU6hMCjMI75M1A2tKUQC'"}}`),
		Entry("a 502", `{"error":{"status":502,"message":"Bad gateway."}}`),
		Entry("empty 403 from zmb3 (cause unknown)", `spotify: HTTP 403: Forbidden (body empty)`),
		Entry("a JavaScript TypeError", `TypeError: Cannot read properties of undefined (reading 'access_token')`),
		Entry("TLS client certificate error", `remote error: tls: Invalid client certificate`),
		Entry("a successful callback without --state", `http://127.0.0.1:8888/callback?code=AQBD4CLvpVxk2vTzv3Tz5Ue8v0R6y1M5iUQyJqQqT9xX0dXbq3YlB7X3oJrKQ&state=abc`),
		Entry("403 Forbidden alone", `403 Forbidden`),
		Entry("401 Unauthorized alone", `HTTP/1.1 401 Unauthorized`),
		Entry("Discord-style redirect error", `{"error": "invalid_request", "error_description": "Invalid \"redirect_uri\" in request."}`),
		Entry("a sentence that mentions scopes", `We should document which scope each endpoint needs.`),
		Entry("Unauthorized without a user path", `{"error":{"status":401,"message":"Unauthorized"}}`),
		Entry("assertion that looks like spotipy's state error", `AssertionError: Expected 200 but received 404`),
	)

	It("keeps an ambiguous page/token text at medium confidence and offers both", func() {
		res := explainText(`Invalid redirect URI`)
		Expect(res.Matches[0].Entry.ID).To(Equal("token-redirect-uri-mismatch"))
		Expect(res.Matches[0].Level()).To(Equal(explain.LevelMedium))
		var closest []string
		for _, c := range res.Closest {
			closest = append(closest, c.Entry.ID)
		}
		Expect(closest).To(ContainElement("redirect-uri-mismatch"))
	})

	It("reads a bare OAuth code as medium, since the description may be cut off", func() {
		res := explainText(`invalid_client`)
		Expect(ids(res)).To(HaveLen(1))
		Expect(res.Matches[0].Entry.ID).To(Equal("client-auth-missing"))
		Expect(res.Matches[0].Level()).To(Equal(explain.LevelMedium))
	})

	It("pins the cause when the wording says which one it is", func() {
		res := explainText(`{"error":"unsupported_grant_type","error_description":"grant_type client_credentials  is not supported"}`)
		Expect(res.Matches[0].Cause).To(Equal("whitespace"))
		Expect(res.Matches[0].Causes()[0].ID).To(Equal("whitespace"))
	})

	It("names the wording era of a dev-mode 403", func() {
		Expect(explainText(`User not approved for app`).Matches[0].Wording).To(Equal("June 2021"))
		Expect(explainText(`User not registered in the Developer Dashboard`).Matches[0].Wording).To(Equal("October 2021 to November 2023"))
	})

	It("lists every distinct error of a log, best first", func() {
		res := explainText("first: oauth2: \"invalid_client\" \"Invalid client secret\"\nlater: {\"error\":{\"status\":429,\"message\":\"API rate limit exceeded\"}}")
		Expect(ids(res)).To(ContainElements("client-secret-invalid", "rate-limited"))
	})

	It("finds each of several errors buried deep in a 7 MB log", func() {
		res, err := explain.Default().Explain(longLog(), explain.Options{Name: "app.log"})
		Expect(err).NotTo(HaveOccurred())
		Expect(ids(res)).To(ConsistOf("refresh-token-revoked", "rate-limited", "endpoint-restricted"))
	})

	It("says so and lists close entries when nothing matches", func() {
		res := explainText(`{"error":"invalid_grant","error_description":"Bad Request"}`)
		Expect(res.Recognised()).To(BeFalse())
		var closest []string
		for _, c := range res.Closest {
			closest = append(closest, c.Entry.ID)
		}
		Expect(closest).NotTo(BeEmpty())
		Expect(strings.Join(closest, " ")).To(ContainSubstring("code-invalid"))
	})
})
