package explain_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks/explain"
)

// Issue 16: the ways real reports differ from the texts Spotify sends.
// Each input is a shape seen in a public thread (cited where one text
// stands for it); the corpus spec (corpus_test.go) measures the whole.
var _ = Describe("Explain on text as users paste it", func() {
	DescribeTable("names the right entry first",
		func(input, want string) {
			res := explainText(input)
			Expect(res.Recognised()).To(BeTrue(), "not recognised; closest: %v", res.Closest)
			Expect(ids(res)[0]).To(Equal(want), "matches: %v", ids(res))
		},
		// Glued prefixes, articles, punctuation and line breaks.
		Entry("a translated page glues its words to the code", `请检查INVALID_CLIENT: Invalid redirect URI`, "redirect-uri-mismatch"),
		Entry("a log label glued to the code", `errorINVALID_CLIENT: Invalid redirect URI`, "redirect-uri-mismatch"),
		Entry("the article left out", `HTTP 403: Check settings on developer.spotify.com/dashboard, user may not be registered`, "user-not-allowlisted"),
		Entry("the comma left out and the line wrapped", "403 Check settings on developer.spotify.com/dashboard the user may not be\nregistered", "user-not-allowlisted"),
		Entry("two spaces for one", `INVALID_CLIENT:  Invalid  redirect URI`, "redirect-uri-mismatch"),
		Entry("Markdown emphasis around the page text (spotify-cli#17)", `the page just states _INVALID_CLIENT: Invalid redirect URI_ so it's not possible`, "redirect-uri-mismatch"),
		Entry("a sentence going on after the message (spotify-tui#760)", `getting INVALID_CLIENT: Invalid client error`, "client-id-invalid"),

		// Wordings without a rule before issue 16.
		Entry("Failed to get client (spotify-scheduler#6)", `I get this error in browser: INVALID_CLIENT: Failed to get client - Also`, "client-id-invalid"),
		Entry("requests' raise_for_status on a withdrawn endpoint (ad-spotify-mood-lights-sync#17)", `requests.exceptions.HTTPError: 403 Client Error: Forbidden for url: https://api.spotify.com/v1/audio-features/?ids=1LC2Hcgf2RgEbxPHNTnzaC`, "endpoint-restricted"),
		Entry("related artists answering 404 (Lidify#24)", "Spotify Error: http status: 404, code:-1 - https://api.spotify.com/v1/artists/yyy/related-artists:\n Not Found, reason: None", "endpoint-restricted"),
		Entry("recommendations named next to a 404 (Lucky#696)", `[Spotify] recommendations API returned 404 for artist <id>`, "endpoint-restricted"),
		Entry("an editorial playlist answering 404 (spotizerr#190)", `HTTP Error for GET to https://api.spotify.com/v1/playlists/37i9dQZF1E8UhEicLSfyWN with Params: {} returned 404 due to Resource not found`, "endpoint-restricted"),
		Entry("a withdrawn endpoint answering 429", `GET https://api.spotify.com/v1/recommendations?seed_genres=rock -> 429`, "endpoint-restricted"),
		Entry("Invalid limit on search (Spotty-Plugin#234)", `HTTP Status Code: 400 {"error":{"status":400,"message":"Invalid limit"}}`, "search-limit-dev-mode"),
		Entry("Invalid limit on an artist's albums (spotipy#1231)", `HTTP Error for GET to https://api.spotify.com/v1/artists/4s3cCLEcBhVUWLNDFJjRL1/albums with Params: {'limit': 15} returned 400 due to Invalid limit`, "limit-over-dev-mode-max"),
		Entry("This request requires user authentication (SpotifyAPI-NET#645)", `"This request requires user authentication."`, "app-token-user-endpoint"),
		Entry("404 Invalid username", `{"error":{"status":404,"message":"Invalid username"}}`, "invalid-username"),
		Entry("Permissions missing in a spotipy message (spotipy#641)", `I get an error "Permissions missing, reason: None"`, "scope-insufficient"),
		Entry("an auth library's state cookie (vscode-spotify#51)", `Failed to retrieve access token : "state_mismatch"`, "state-mismatch"),
		Entry("Auth.js state cookie", `[auth][error] InvalidCheck: State cookie was missing.`, "state-mismatch"),
		// Auth frameworks' state checks, worded as their source words them.
		// https://github.com/jaredhanson/passport-oauth2/blob/master/lib/state/session.js
		Entry("passport-oauth2's state store", `{"message":"Unable to verify authorization request state."} after the Spotify callback`, "state-mismatch"),
		// https://github.com/lepture/authlib/blob/master/authlib/integrations/base_client/errors.py
		Entry("Authlib's MismatchingStateError", `authlib.integrations.base_client.errors.MismatchingStateError: mismatching_state: CSRF Warning! State not equal in request and response.`, "state-mismatch"),
		// https://github.com/omniauth/omniauth-oauth2/blob/master/lib/omniauth/strategies/oauth2.rb
		Entry("OmniAuth's failure log", `(spotify) Authentication failure! csrf_detected: OmniAuth::Strategies::OAuth2::CallbackError, csrf_detected | CSRF detected`, "state-mismatch"),
		// https://github.com/spring-projects/spring-security/blob/main/oauth2/oauth2-client/src/main/java/org/springframework/security/oauth2/client/web/OAuth2LoginAuthenticationFilter.java
		Entry("Spring Security's login filter", `org.springframework.security.oauth2.core.OAuth2AuthenticationException: [authorization_request_not_found]`, "state-mismatch"),
		// https://github.com/firebase/functions-samples (spotify-auth, functions/index.js)
		Entry("an app's own state check (Firebase's spotify-auth sample)", `Error: State cookie not set or expired. Maybe you took too long to authorize. Please try again.`, "state-mismatch"),
		Entry("an app's own state check failing", `Error: State validation failed`, "state-mismatch"),
		// https://github.com/spotify/web-api-examples (authorization/authorization_code/app.js)
		Entry("Spotify's example app's own callback", `http://127.0.0.1:8888/#error=state_mismatch`, "state-mismatch"),
		Entry("No token provided, retold next to a 401", `GET /v1/me/playlists -> 401: access token is not provided`, "access-token-missing"),
		// https://developer.spotify.com/documentation/web-api/concepts/quota-modes
		Entry("the allowlist, in words, next to a 403", `My friend gets 403 Forbidden; I guess his account is not added to the User Management list yet`, "user-not-allowlisted"),
		Entry("the allowlist fix, in words", "Every call answers HTTP 403 for other people.\nAdding their emails to the User Management section fixed it.", "user-not-allowlisted"),
		// https://developer.spotify.com/blog/2025-02-12-increasing-the-security-requirements-for-integrating-with-spotify
		Entry("the implicit grant's removal, in words", `Login broke today, I think because the implicit grant flow was deprecated by Spotify`, "implicit-grant-removed"),
		Entry("the implicit grant's removal, the other way round", `Spotify removed the implicit grant, so the #access_token never comes back`, "implicit-grant-removed"),
		// spotify/ios-sdk#257: the SDK's challenge, the server's exchange.
		Entry("an SDK's code_challenge with the exchange on the app's server", "The SDK opens a page with the parameter `code_challenge`. We send the code to our server to get the access token and it fails.", "pkce-verifier-missing"),

		Entry("spotify-web-api-node's [object Object] with a Retry-After (node-red-contrib-spotify#27)", `WebapiError: [object Object] at _toError (/opt/node_modules/spotify-web-api-node/src/http-manager.js:47:10) { body: {}, headers: { 'cache-control': 'private, max-age=0', 'retry-after': '12118' } }`, "rate-limited"),
		Entry("spotify-web-api-node's Details: Unauthorized. (spotify-web-api-node#488)", "WebapiRegularError: An error occurred while communicating with Spotify's Web API.\nDetails: Unauthorized..", "scope-insufficient"),

		// Prose.
		Entry("localhost refused, in words (ytm2spt#36)", `Since April 9, Spotify does not allow localhost URI`, "redirect-uri-insecure"),
		Entry("an hour's expiry, in words (spotify-downloader#150)", `This token expires every hour, so the script will fail with an HTTP 401 error.`, "access-token-expired"),
		Entry("Cancel pressed, in words (spottydata#23)", `If I start authenticating with Spotify and then cancel this authentication, the page will return to the "Token Error" page`, "access-denied"),
		Entry("a 403 with an empty body on /v1/me (web-api#855)", "grant_type = 'client_credentials'\nSubmit a GET request on /v1/me\nGot a 403 error with Empty Body", "app-token-user-endpoint"),
		Entry("a 403 with an empty body on /v1/me, in words", `403 with an empty body on /v1/me`, "app-token-user-endpoint"),
		Entry("a blank page after accepting", `I get a blank page after accepting the permissions`, "callback-not-handled"),
	)

	It("says what spotify-web-api-node's [object Object] hides, and names the plain-text 403s", func() {
		res := explainText("WebapiError: [object Object]\n    at _toError (node_modules/spotify-web-api-node/src/http-manager.js:48:10) {\n  body: {},\n  statusCode: 403\n}")
		Expect(ids(res)).To(Equal([]string{"user-not-allowlisted", "owner-not-premium"}))
		Expect(res.Matches[0].Level()).To(Equal(explain.LevelMedium))
		Expect(res.Notes).To(ContainElement(ContainSubstring("was not a JSON error")))
	})

	Describe("an authorize URL with the user's placeholders", func() {
		It("checks the real values and says the others were left alone", func() {
			res := explainText(`https://accounts.spotify.com/authorize/?client_id=<client_id>&response_type=code&scope=user-library-read+user-read-email&show_dialog=true`)
			Expect(ids(res)).To(Equal([]string{"param-missing"}), "no client-id-invalid for <client_id>")
			Expect(res.Matches[0].Findings).To(ConsistOf(ContainSubstring("no redirect_uri")))
			Expect(res.Notes).To(ContainElement(ContainSubstring("placeholders instead of values (client_id)")))
		})
		DescribeTable("finds no mistake in a placeholder",
			func(u string) {
				res := explainText(u)
				Expect(res.Recognised()).To(BeFalse(), "matches: %v", ids(res))
				Expect(res.Notes).To(ContainElement(ContainSubstring("placeholders")))
			},
			Entry("braces", `https://accounts.spotify.com/authorize?client_id={CLIENTID}&response_type=code&redirect_uri={REDIRECT_URI}`),
			Entry("angle brackets with spaces", `open https://accounts.spotify.com/authorize?client_id=<your client id>&response_type=code&redirect_uri=<your redirect uri> in the browser`),
			Entry("YOUR_CLIENT_ID", `https://accounts.spotify.com/authorize?client_id=YOUR_CLIENT_ID&response_type=code&redirect_uri=https%3A%2F%2Fexample.com%2Fcb`),
		)
	})

	DescribeTable("a loosely worded insecure redirect URI pins the cause the text shows",
		func(input, cause string) {
			res := explainText(input)
			Expect(ids(res)[0]).To(Equal("redirect-uri-insecure"))
			Expect(res.Matches[0].Cause).To(Equal(cause))
		},
		Entry("localhost", `Insecure redirect URI when using http://localhost:8888/callback`, "localhost"),
		Entry("a custom scheme", `insecure redirect uri for myapp://callback`, "custom-scheme"),
		Entry("a LAN address over http", `insecure redirect URI: http://192.168.1.20:8888/callback`, "http-remote"),
	)

	DescribeTable("access_denied tells Cancel from a refusal nobody asked for",
		func(input, cause string) {
			res := explainText(input)
			Expect(ids(res)[0]).To(Equal("access-denied"))
			Expect(res.Matches[0].Cause).To(Equal(cause))
		},
		Entry("Cancel pressed", `I clicked cancel and the app says error=access_denied`, "cancel"),
		Entry("nobody pressed anything", `Every user gets error=access_denied on the callback without even pressing cancel`, "app-refused"),
	)

	// Hints (catalog.yaml `hints`): words that tell an entry from a close one
	// when the error was only recognised from words. A message quoted as
	// Spotify sends it, or a parsed response, keeps its entry.
	DescribeTable("a hint tells close entries apart only when the error came in words",
		func(input, want, cause string) {
			res := explainText(input)
			Expect(ids(res)).NotTo(BeEmpty())
			Expect(ids(res)[0]).To(Equal(want), "matches: %v", ids(res))
			if cause != "" {
				Expect(res.Matches[0].Cause).To(Equal(cause))
			}
		},
		// spotify/web-api-examples#39: the pair was never base64-encoded.
		Entry("invalid client next to a Basic header built by hand", "I get invalid client even though the id and secret are right.\nheaders: { Authorization: 'Basic ' + Buffer.from(client_id + ':' + client_secret) }", "client-auth-missing", "basic-malformed"),
		Entry("the same words without the header: the unknown client id", `I get invalid client even though the id and secret are right.`, "client-id-invalid", ""),
		// spotify/web-api#1372: Spotify's description quoted as it came.
		Entry("Spotify's description quoted on its own keeps its entry", "I encoded id:secret in base64 and sent Authorization: Basic …\n400 Server Error : \"Invalid Client\"", "client-id-invalid", ""),
		Entry("a parsed response keeps its entry", `curl -H "Authorization: Basic $(echo -n id:secret | base64)" … → {"error":"invalid_client","error_description":"Invalid client"}`, "client-id-invalid", ""),
		// ghrlt/spotify-status-to-instagram-notes#4: an app's own message.
		Entry("an app's 'Invalid access token' an hour after login", "It stops after 1h with: \"Invalid access token. Unable to refresh it. Please re-authorize the app.\"", "access-token-expired", "expired"),
		Entry("Spotify's 'Invalid access token' as it came keeps its entry", `After an hour I get {"error":{"status":401,"message":"Invalid access token"}}`, "access-token-invalid", ""),
		Entry("'Invalid access token' without a time keeps its entry", `"Invalid access token. Unable to refresh it. Please re-authorize the app."`, "access-token-invalid", ""),
	)

	// witnessmenow/spotify-api-arduino#39: the status in the first line, the
	// person's guess in the last.
	It("in a short report, weighs a person's guess against the one status it mentions", func() {
		res := explainText("playerControls does not work, i get Status: HTTP/1.0 403 Forbidden.\n\nbut getCurrentlyPlaying works. I tried different scopes and the problem persists.\n\n\nIs that happening because I don't have premium or is something else?")
		Expect(ids(res)).To(HaveLen(1))
		Expect(ids(res)[0]).To(Equal("premium-required"))
	})
	DescribeTable("a person's guess still needs a status of its own",
		func(input string) {
			Expect(explainText(input).Recognised()).To(BeFalse(), "recognised as %v", ids(explainText(input)))
		},
		Entry("no status at all", `Is this happening because I don't have premium?`),
		Entry("two different statuses, both far from it", "Is that because I don't have premium?\n\n\n\n\n\n\n\nThe player answers 403 Forbidden, the profile 401 Unauthorized."),
	)

	It("keeps an app's error name after 'access token:' readable", func() {
		Expect(explainOutputs(`Failed to retrieve access token : "state_mismatch"`)).NotTo(ContainSubstring("redacted"))
	})

	DescribeTable("does not take near wordings for the new ones",
		func(input string) {
			Expect(explainText(input).Recognised()).To(BeFalse(), "recognised as %v", ids(explainText(input)))
		},
		Entry("a form's CSRF token (Django), not OAuth state", `Forbidden (403) CSRF verification failed. Request aborted. CSRF token missing.`),
		Entry("a TLS chain, not state", `Error: unable to verify the first certificate`),
		Entry("the implicit grant named without its removal", `We moved from the implicit grant to the code flow with PKCE last year.`),
		Entry("another provider's implicit flow", `Google deprecated the implicit flow for its sign-in library.`),
		Entry("a user not registered on the app's own site, no status", `The user is not registered yet, so the signup form shows first.`),
		Entry("a user not registered, next to a 404", `GET /api/users/42 -> 404: user not registered`),
		Entry("a state that is a US state", `The state of California does not match the shipping address.`),
		Entry("a refresh token not provided on a 400", `400 Bad Request: refresh token is not provided`),
		Entry("a token not provided without any status", `the token is not provided by the config loader`),
		Entry("code_challenge without a server exchanging the code", `We compute the code_challenge with S256 in the browser and the exchange works.`),
	)

	DescribeTable("still refuses a phrase that runs on inside a word",
		func(input string) {
			Expect(explainText(input).Recognised()).To(BeFalse())
		},
		Entry("lowercase letters before a lowercase phrase", `xillegal scopes are fine`),
		Entry("a longer word", `Invalid client certificate`),
	)
})

// Issue 16, parts C–E: causes recognised from the evidence a report carries
// in its own words, not from one report's phrasing. Each positive row is a
// real report's wording (its thread in the comment); each negative row is
// the nearest wording that must stay "not recognised".
var _ = Describe("Explain on causes told in a report's own words", func() {
	DescribeTable("names the cause first",
		func(input, want string) {
			res := explainText(input)
			Expect(res.Recognised()).To(BeTrue(), "not recognised; closest: %v", res.Closest)
			Expect(ids(res)[0]).To(Equal(want), "matches: %v", ids(res))
		},
		// A status on a Web API path.
		// https://github.com/yianL/atom-spotified/issues/13
		Entry("a bare 401 on a Web API path", "spotify-poller.js [sm]:44 GET https://api.spotify.com/v1/tracks/1EDVfFvmSSTFGHC9EVUauV 401 (Unauthorized)", "access-token-missing"),
		// https://github.com/jakubito/spotify-release-list/issues/81
		Entry("a 502 on a Web API path", "in the network tab I am getting a `502 Bad Gateway` to this endpoint: `https://api.spotify.com/v1/me/following/?type=artist`", "spotify-transient-error"),
		// https://github.com/teal-fm/piper/pull/73
		Entry("the front end's 502 page after a token refresh", "spotify token refresh failed (502):\n<title>502 Server Error</title>\n<h2>The server encountered a temporary error and could not complete your request.<p>Please try again in 30 seconds.</h2>", "spotify-transient-error"),
		// https://github.com/Chimildic/goofy/issues/261
		Entry("a 404 on an editorial 37i9dQZEVXb… playlist", "Номер: 404\nАдрес: https://api.spotify.com/v1/playlists/37i9dQZEVXbqUGAw5VCQ7w?limit=50&locale=RU\nТекст ответа: {\"error\": {\"status\": 404, \"message\": \"Resource not found\" } }", "endpoint-restricted"),
		// https://github.com/librespot-org/librespot-java/issues/496
		Entry("a 403 on an endpoint that needs a scope", "> **GET** https://api.spotify.com/v1/me/top/tracks?offset=0&limit=10\n\nAuthorized with the \"playlist-read\" scope. But then I was hit with a \"403\"...", "scope-insufficient"),
		// Withdrawn endpoints named with a removal word, either order.
		// https://github.com/wjakethompson/taylor/issues/55
		Entry("the removal, then the endpoint", "Spotify ended access to the audio features end point in November 2024", "endpoint-restricted"),
		// https://github.com/kubukoz/spotify-next/pull/562
		Entry("the endpoint, then 'is gone'", "The Audio Analysis API is gone in new apps", "endpoint-restricted"),
		// https://github.com/topi314/LavaSrc/issues/241
		Entry("endpoints deprecated, in general", "Spotify deprecated some endpoints of their api such as get-recommendations", "endpoint-restricted"),
		// https://github.com/Ssenseii/harmoni/issues/24
		Entry("the February 2026 playlist tracks removal", "Spotify's February 2026 API update removed the /playlists/{id}/tracks endpoint and replaced it with /playlists/{id}/items.", "endpoint-restricted"),
		// https://github.com/studiowebux/obsidian-spotify-link/issues/36
		Entry("an endpoint marked deprecated, next to a 403", "The endpoint is marked as deprecated; when trying to use it, it returns 403", "endpoint-restricted"),
		// Redirect URIs.
		// https://github.com/univrsal/tuna/issues/134
		Entry("Invalid Client with a space and URL for URI", `it gave me an "Invalid Client: invalid redirect URL" error`, "redirect-uri-mismatch"),
		// https://github.com/Darren-project/obsidian-spotify/issues/2
		Entry("Invalid redirect uri next to the dashboard's list", "Invalid redirect uri\n\nI believe the correct redirect URI needs to be allowlisted in the app you create on the developer portal", "redirect-uri-mismatch"),
		// https://github.com/tejxv/spotify-monthly-saves/issues/2
		Entry("localhost disallowed", "It seems Spotify has disallowed `localhost` to be used as a URI", "redirect-uri-insecure"),
		// https://github.com/UsefulSoftwareCo/executor/issues/823
		Entry("127.0.0.1, not localhost", "spotify only support http on 127.0.0.1 not localhost", "redirect-uri-insecure"),
		// https://github.com/ItsRiprod/DeskThing/issues/135
		Entry("the dashboard would not accept a localhost URI", "the URI should be `http://localhost:8888/callback/spotify`\n\nSpotify developer app webpage would not accept this entry", "redirect-uri-insecure"),
		// Premium, state, scope, refresh token, rate limit, search.
		// https://github.com/lufinkey/react-native-spotify/issues/35
		Entry("the SDK's kSpErrorNeedsPremium", `{"code":93,"message":"kSpErrorNeedsPremium"}`, "premium-required"),
		// https://github.com/lufinkey/react-native-spotify/issues/100
		Entry("my account is not premium", "I receive an error that says my account is not premium", "premium-required"),
		// https://github.com/aquantumofdonuts/mixarr/issues/39
		Entry("Invalid state format", "Authorization Failed\n\nInvalid state format", "state-mismatch"),
		// https://github.com/georgecjl/spotify-rs/issues/10
		Entry("spotify-rs's InvalidStateParameter", "How do you avoid the `InvalidStateParameter` error caused when calling `client.authenticate`", "state-mismatch"),
		// https://github.com/music-assistant/server/pull/4182
		Entry("invalid scope in words", "fails during authorization with an `invalid scope` error", "scope-illegal"),
		// https://github.com/microeinhundert/music-app/issues/4
		Entry("Invalid token scopes", "Error: Invalid token scopes.", "scope-insufficient"),
		// https://github.com/librespot-org/librespot/pull/1732
		Entry("refresh_token omitted", "Spotify may omit refresh_token from successful refresh responses.", "refresh-token-not-returned"),
		// https://github.com/beetbox/beets/issues/4369
		Entry("rate limiting and retry-after in prose", "Spotify has a rate-limiting feature. Fortunately, the response includes the `retry-after` value that we should be using to back off.", "rate-limited"),
		// https://github.com/Oceanity/firebot-spotify/pull/103
		Entry("the search maximum lowered, in words", "Spotify has lowered the maximum allowed value for the `limit` parameter in the `/search` endpoint down to 10", "search-limit-dev-mode"),
		// https://github.com/samrayner/discographer/issues/1
		Entry("the 2017 change, retold", "401 errors - Spotify API now requires authentication for all calls", "access-token-missing"),
		// https://github.com/sabarnac/spotify-batch-unfollow-app/issues/17
		Entry("the implicit grant's redirect error named in prose", "the callback is returning a `unsupported_response_type`", "implicit-grant-removed"),
		// https://github.com/auth0/custom-social-connections/issues/44
		Entry("the token request's redirect URI differing, in words", "the next request for actually retrieving the token uses different `redirect_url` than for the initial request", "token-redirect-uri-mismatch"),
		// https://github.com/ShwetKhatri2001/Swetify-Music/pull/40
		Entry("the allowlist message as a Q&A page's address", "the API requests are failing returning this error : https://stackoverflow.com/questions/71631183/spotify-403-user-not-registered-in-the-developer-dashboard", "user-not-allowlisted"),
	)

	DescribeTable("does not take the nearest wordings for them",
		func(input string) {
			Expect(explainText(input).Recognised()).To(BeFalse(), "recognised as %v", ids(explainText(input)))
		},
		Entry("a 401 on another service's /v1 path", `GET https://example.com/v1/orders 401 (Unauthorized)`),
		Entry("a 502 on another service's /v1 path", `POST /v1/invoices -> 502 Bad Gateway`),
		Entry("a 403 on a Web API endpoint that needs no scope, nothing else", `GET https://api.spotify.com/v1/search?q=x -> 403`),
		Entry("a feature of the app's own removed, named like an endpoint", `We removed the recommendations carousel from the home page.`),
		Entry("a withdrawn endpoint named without a removal word", `The audio features of this track look great in the chart.`),
		Entry("a player state that is invalid, not OAuth state", `The player hit an invalid state transition after seeking.`),
		Entry("a free account playing with the API", `I made a free account to play with the API and everything works.`),
		Entry("localhost working", `The app listens on localhost:8888 and the login works fine.`),
		Entry("Retry-After without a rate limit", `Our HTTP client reads Retry-After headers in utils.py.`),
		Entry("a search limit of 10 in the app's own UI", `The search limit is 10 by default in our settings page.`),
		Entry("a scope named valid", `The scope user-read-email is valid and granted.`),
		Entry("the same redirect URI for both requests", `The token request uses the same redirect_uri as the initial request.`),
		Entry("another unsupported format", `The parser raised "unsupported response format" on the XML feed.`),
	)
})
