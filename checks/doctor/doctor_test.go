package doctor_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/doctor"
	"github.com/spotcheck/spotcheck/fakespotify"
	"github.com/spotcheck/spotcheck/fakespotify/config"
	"github.com/spotcheck/spotcheck/fakespotify/wire"
)

// srv is one fake for the whole suite: every scenario clones its own app,
// so clocks, policies, grants and request logs never mix.
var srv *fakespotify.Server

var _ = BeforeSuite(func() {
	var err error
	srv, err = fakespotify.Start(fakespotify.DefaultConfig())
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(srv.Close)
})

const (
	otherHex = "0123456789abcdef0123456789abcdef"
	verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636 appendix B
)

func challengeOf(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func ptr[T any](v T) *T { return &v }

var _ = Describe("doctor against a fake app wrong in one way", func() {
	DescribeTable("finds exactly the expected ids, nothing else",
		func(from string, o fakespotify.AppOverrides, prep func(*scenario), want ...string) {
			s := newScenario(srv, from, o)
			if prep != nil {
				prep(s)
			}
			res := s.mustRun()
			if want == nil {
				want = []string{}
			}
			Expect(ids(res)).To(Equal(want), "findings: %s", describe(res))
			for _, c := range res.Checks {
				Expect(c.Status).NotTo(Equal(checks.StatusError), "check %s could not be evaluated: %s", c.ID, c.Message)
			}
		},
		Entry("a correctly configured app", "web", fakespotify.AppOverrides{}, nil),
		Entry("a correctly configured app with a fresh token cache and the endpoints it uses", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.env[checks.EnvScopes] = "user-read-email user-read-private user-top-read"
			s.cache(doctor.FormatSpotcheck, "user-read-email user-read-private user-top-read", nil)
			s.opts.Uses = []string{"GET /v1/me", "/v1/me/top/artists"}
		}),
		Entry("a correctly configured app with a spotipy cache", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.cache(doctor.FormatSpotipy, "user-read-email user-read-private", nil)
		}),

		// credentials
		Entry("no client id", "web", fakespotify.AppOverrides{}, func(s *scenario) { delete(s.env, checks.EnvClientID) },
			"client-id-missing"),
		Entry("no client secret for the code flow", "web", fakespotify.AppOverrides{}, func(s *scenario) { delete(s.env, checks.EnvClientSecret) },
			"client-secret-missing"),
		Entry("a client id that is a placeholder", "web", fakespotify.AppOverrides{}, func(s *scenario) { s.env[checks.EnvClientID] = "undefined" },
			"client-id-malformed"),
		Entry("a client id Spotify does not know", "web", fakespotify.AppOverrides{}, func(s *scenario) { s.env[checks.EnvClientID] = otherHex },
			"client-id-invalid"),
		Entry("a rotated secret (the app has a new one; the old is given)", "web", fakespotify.AppOverrides{ClientSecret: "aaaabbbbccccddddeeeeffff00001111"}, func(s *scenario) {
			s.env[checks.EnvClientSecret] = "9d8c7b6a5f4e3d2c1b0a99887766554f"
		}, "client-secret-invalid"),
		Entry("id and secret swapped", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.env[checks.EnvClientID], s.env[checks.EnvClientSecret] = s.app.ClientSecret, s.app.ClientID
		}, "credentials-swapped"),
		Entry("the secret is the id", "web", fakespotify.AppOverrides{}, func(s *scenario) { s.env[checks.EnvClientSecret] = s.app.ClientID },
			"client-secret-equals-id"),
		Entry("a secret with a trailing line break", "web", fakespotify.AppOverrides{}, func(s *scenario) { s.env[checks.EnvClientSecret] += "\n" },
			"client-secret-whitespace"),
		Entry("a client id with a leading space", "web", fakespotify.AppOverrides{}, func(s *scenario) { s.env[checks.EnvClientID] = " " + s.app.ClientID },
			"client-id-whitespace"),
		Entry("a quoted secret", "web", fakespotify.AppOverrides{}, func(s *scenario) { s.env[checks.EnvClientSecret] = `"` + s.app.ClientSecret + `"` },
			"client-secret-quoted"),
		Entry("a Basic header, wrapped by base64, stored as the secret", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			b := base64.StdEncoding.EncodeToString([]byte(s.app.ClientID + ":" + s.app.ClientSecret))
			s.env[checks.EnvClientSecret] = "Basic " + b[:76] + "\n" + b[76:]
		}, "client-secret-basic-header"),
		Entry("a secret of the wrong length", "web", fakespotify.AppOverrides{}, func(s *scenario) { s.env[checks.EnvClientSecret] = s.app.ClientSecret[:31] },
			"client-secret-malformed"),
		Entry("a Basic header stored as the client id", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.env[checks.EnvClientID] = "Basic " + base64.StdEncoding.EncodeToString([]byte(s.app.ClientID+":"+s.app.ClientSecret))
		}, "client-id-basic-header"),
		Entry("the owner has no Premium (development mode, 2026)", "nopremium", fakespotify.AppOverrides{}, nil,
			"owner-not-premium"),

		// redirect URIs
		Entry("a redirect URI without a scheme", "web", fakespotify.AppOverrides{}, func(s *scenario) { s.env[checks.EnvRedirectURI] = "127.0.0.1:8888/callback" },
			"redirect-uri-malformed"),
		Entry("no redirect URI", "web", fakespotify.AppOverrides{}, func(s *scenario) { delete(s.env, checks.EnvRedirectURI) },
			"redirect-uri-missing"),
		Entry("a redirect URI the app has not registered (the dashboard has a trailing slash)", "web",
			fakespotify.AppOverrides{RedirectURIs: []string{callback + "/", "https://app.example.com/callback"}}, nil,
			"redirect-uri-mismatch"),
		Entry("a localhost redirect URI (registered before 2025)", "legacy", fakespotify.AppOverrides{}, func(s *scenario) {
			s.env[checks.EnvRedirectURI] = "http://localhost:8888/callback"
		}, "redirect-uri-localhost"),
		Entry("plain http on a public host", "legacy", fakespotify.AppOverrides{}, func(s *scenario) {
			s.env[checks.EnvRedirectURI] = "http://app.example.com/callback"
		}, "redirect-uri-http"),
		Entry("a fragment in the redirect URI", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.env[checks.EnvRedirectURI] = "https://app.example.com/callback#done"
		}, "redirect-uri-fragment"),
		Entry("a custom scheme, registered", "web", fakespotify.AppOverrides{RedirectURIs: []string{callback, "com.example.app:/callback"}}, func(s *scenario) {
			s.env[checks.EnvRedirectURI] = "com.example.app:/callback"
		}, "redirect-uri-custom-scheme"),

		// scopes
		Entry("a mistyped scope", "web", fakespotify.AppOverrides{}, func(s *scenario) { s.env[checks.EnvScopes] = "user-read-email user-read-privat" },
			"scope-illegal"),
		Entry("a removed scope", "web", fakespotify.AppOverrides{}, func(s *scenario) { s.env[checks.EnvScopes] = "user-read-email user-read-birthdate" },
			"scope-illegal"),
		Entry("openid", "web", fakespotify.AppOverrides{}, func(s *scenario) { s.env[checks.EnvScopes] = "openid user-read-email" },
			"scope-openid"),
		Entry("a scope only Spotify's own apps may use", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.env[checks.EnvScopes] = "user-read-email user-personalized"
		}, "scope-internal"),
		Entry("scopes joined with commas", "web", fakespotify.AppOverrides{}, func(s *scenario) { s.env[checks.EnvScopes] = "user-read-email,user-read-private" },
			"scope-comma-separated"),
		Entry("an endpoint whose scope is not requested", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.opts.Uses = []string{"GET /v1/me/top/artists"}
		}, "scope-missing-for-endpoint"),
		Entry("a write scope no endpoint needs", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.env[checks.EnvScopes] = "user-read-email playlist-modify-private"
			s.opts.Uses = []string{"GET /v1/me"}
		}, "scope-write-unused"),
		Entry("an endpoint closed to new and development-mode apps", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.opts.Uses = []string{"GET /v1/recommendations"}
		}, "endpoint-restricted"),

		// flow
		Entry("the implicit grant", "web", fakespotify.AppOverrides{}, func(s *scenario) { s.opts.Flow = doctor.FlowImplicit },
			"implicit-grant-removed"),
		Entry("an authorize URL with response_type=token", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.opts.AuthorizeURL = "https://accounts.spotify.com/authorize?client_id=" + s.app.ClientID + "&response_type=token&redirect_uri=" + callback
		}, "implicit-grant-removed"),
		Entry("an authorize URL with another response_type", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.opts.AuthorizeURL = "https://accounts.spotify.com/authorize?client_id=" + s.app.ClientID + "&response_type=id_token&redirect_uri=" + callback
		}, "response-type-invalid"),
		Entry("a PKCE challenge with padding", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			pkce(s)
			s.opts.CodeVerifier, s.opts.CodeChallenge = verifier, challengeOf(verifier)+"="
		}, "pkce-challenge-padded"),
		// Named for the alphabet, not the padding: stripping "=" alone would
		// not make it right (RFC 7636's example digest has a "+" there).
		Entry("a padded PKCE challenge in the standard base64 alphabet", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			pkce(s)
			sum := sha256.Sum256([]byte(verifier))
			s.opts.CodeVerifier, s.opts.CodeChallenge = verifier, base64.StdEncoding.EncodeToString(sum[:])
		}, "pkce-challenge-mismatch"),
		Entry("a hex PKCE challenge", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			pkce(s)
			sum := sha256.Sum256([]byte(verifier))
			s.opts.CodeVerifier, s.opts.CodeChallenge = verifier, hex.EncodeToString(sum[:])
		}, "pkce-challenge-hex"),
		Entry("a PKCE challenge of another verifier", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			pkce(s)
			s.opts.CodeVerifier, s.opts.CodeChallenge = verifier, challengeOf(verifier+"x")
		}, "pkce-challenge-mismatch"),
		Entry("a PKCE verifier that is too short", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			pkce(s)
			s.opts.CodeVerifier, s.opts.CodeChallenge = "short-verifier", challengeOf("short-verifier")
		}, "pkce-verifier-malformed"),
		Entry("an authorize URL with code_challenge_method=plain", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			pkce(s)
			s.opts.CodeVerifier = verifier
			s.opts.AuthorizeURL = "https://accounts.spotify.com/authorize?client_id=" + s.app.ClientID + "&response_type=code&redirect_uri=" + callback +
				"&code_challenge_method=plain&code_challenge=" + challengeOf(verifier)
		}, "pkce-method-not-s256"),
		Entry("a correct PKCE pair", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			pkce(s)
			s.opts.CodeVerifier, s.opts.CodeChallenge = verifier, challengeOf(verifier)
		}),
		Entry("a client secret in a PKCE client", "web", fakespotify.AppOverrides{}, func(s *scenario) { s.opts.Flow = doctor.FlowPKCE },
			"pkce-client-secret"),
		Entry("client credentials calling a user endpoint", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.opts.Flow = doctor.FlowClientCredentials
			s.opts.Uses = []string{"GET /v1/me"}
		}, "app-token-user-endpoint"),

		// token cache and user token
		Entry("an expired access token (the refresh works)", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.cache(doctor.FormatSpotipy, "user-read-email user-read-private", map[string]any{"expires_at": time.Now().Add(-time.Hour).Unix()})
		}, "access-token-expired"),
		Entry("a token granted fewer scopes than requested", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.cache(doctor.FormatSpotcheck, "user-read-email", nil)
		}, "cached-scope-narrower"),
		Entry("a revoked refresh token", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.cache(doctor.FormatSpotipy, "user-read-email user-read-private", nil)
			Expect(srv.Revoke("alice", s.app.ClientID)).To(Equal(1))
		}, "refresh-token-revoked"),
		Entry("a garbage refresh token", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.cache(doctor.FormatSpotipy, "user-read-email user-read-private", map[string]any{"refresh_token": "AQ-not-a-real-refresh-token"})
		}, "refresh-token-invalid"),
		Entry("a refresh token past 6 months (Spotify refuses it)", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.cache(doctor.FormatSpotipy, "user-read-email user-read-private", map[string]any{"expires_at": time.Now().Add(-time.Hour).Unix()})
			Expect(srv.AdvanceClockFor(s.app.ClientID, 4400*time.Hour)).To(Succeed())
			// The expired access token is the same root cause seen early.
		}, "access-token-expired", "refresh-token-expired"),
		Entry("a refresh token past 6 months by its authorized_at, and refused", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.cache(doctor.FormatSpotcheck, "user-read-email user-read-private", map[string]any{
				"authorized_at": time.Now().Add(-4400 * time.Hour).UTC().Format(time.RFC3339)})
			Expect(srv.AdvanceClockFor(s.app.ClientID, 4400*time.Hour)).To(Succeed())
		}, "refresh-token-expired"),
		Entry("a refresh token that ends within 30 days", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.cache(doctor.FormatSpotcheck, "user-read-email user-read-private", map[string]any{
				"authorized_at": time.Now().Add(-4380*time.Hour + 10*24*time.Hour).UTC().Format(time.RFC3339)})
		}, "refresh-token-near-expiry"),
		Entry("a cache whose refresh token was nulled by a client expecting rotation", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.cache(doctor.FormatSpotipy, "user-read-email user-read-private", map[string]any{"refresh_token": json.RawMessage("null")})
		}, "refresh-token-dropped"),
		Entry("a PKCE client refreshing a token a confidential client obtained", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.cache(doctor.FormatSpotipy, "user-read-email user-read-private", nil)
			pkce(s)
		}, "client-auth-missing"),
		Entry("no refresh token, and the user revoked the grant", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.cache(doctor.FormatSpotipy, "user-read-email user-read-private", map[string]any{"refresh_token": nil})
			srv.Revoke("alice", s.app.ClientID)
		}, "access-token-invalid", "refresh-token-dropped"),
		Entry("a cache of another client id", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			other := newScenario(srv, "other", fakespotify.AppOverrides{})
			other.cachePath = filepath.Join(s.dir, ".cache")
			other.cache(doctor.FormatSpotcheck, "user-read-email user-read-private", nil)
			s.opts.TokenCache = other.cachePath
		}, "token-cache-client-mismatch"),
		Entry("a user not on the allowlist (development mode)", "dev", fakespotify.AppOverrides{Allowlist: []string{"bob"}}, func(s *scenario) {
			s.cache(doctor.FormatSpotipy, "user-read-email user-read-private", nil)
		}, "user-not-allowlisted"),
		Entry("an owner without Premium, with a user token too", "nopremium", fakespotify.AppOverrides{}, func(s *scenario) {
			s.cache(doctor.FormatSpotipy, "user-read-email user-read-private", nil)
		}, "owner-not-premium"),
		Entry("development mode hides /v1/me fields despite the scopes", "dev", fakespotify.AppOverrides{}, func(s *scenario) {
			s.cache(doctor.FormatSpotipy, "user-read-email user-read-private", nil)
		}, "me-fields-removed-dev-mode"),
		Entry("/v1/me fields the scopes do not cover", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.env[checks.EnvScopes] = "user-top-read"
			s.cache(doctor.FormatSpotipy, "user-top-read", nil)
		}, "me-fields-missing"),

		// storage
		Entry("a token cache others can read", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			Expect(os.Chmod(s.cache(doctor.FormatSpotipy, "user-read-email user-read-private", nil), 0o644)).To(Succeed())
		}, "token-cache-permissions"),
		Entry("a token cache in a git work tree, not ignored", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			gitInit(s.dir)
			s.cache(doctor.FormatSpotipy, "user-read-email user-read-private", nil)
		}, "token-cache-not-ignored"),
		Entry("a token cache in a git work tree, ignored", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			gitInit(s.dir)
			write(s.dir, ".gitignore", ".cache\n")
			s.cache(doctor.FormatSpotipy, "user-read-email user-read-private", nil)
		}),
		Entry("a token cache committed to git", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			gitInit(s.dir)
			s.cache(doctor.FormatSpotipy, "user-read-email user-read-private", nil)
			commitAll(s.dir, "oops")
		}, "token-cache-committed"),
		Entry("a token cache under public/", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.cachePath = filepath.Join(s.dir, "public", ".cache")
			s.cache(doctor.FormatSpotipy, "user-read-email user-read-private", nil)
		}, "token-cache-web-root"),

		// secrets in the repository
		Entry("the secret in client-side code", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			repo(s, map[string]string{"src/spotify.js": "const secret = '" + s.app.ClientSecret + "';\n"})
		}, "secret-in-client-code"),
		Entry("the secret in a built bundle", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			repo(s, map[string]string{"dist/app.min.js": "var a=1;var b=\"" + s.app.ClientSecret + "\";"})
		}, "secret-in-client-code"),
		Entry("the secret in an Android resource", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			repo(s, map[string]string{"app/src/main/res/values/strings.xml": "<string name=\"spotify_secret\">" + s.app.ClientSecret + "</string>\n"})
		}, "secret-in-client-code"),
		Entry("the secret in a committed .env", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			repo(s, map[string]string{".env": "SPOTIFY_CLIENT_SECRET=" + s.app.ClientSecret + "\n"})
		}, "secret-in-env-file"),
		Entry("the secret in server code", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			repo(s, map[string]string{"server/auth.py": "import os\n\nSECRET = '" + s.app.ClientSecret + "'\n"})
		}, "secret-in-source"),
		Entry("another 32-hex value assigned to a secret-like name", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			repo(s, map[string]string{"config/settings.yaml": "service:\n  api_secret: " + otherHex + "\n"})
		}, "secret-like-value"),
		Entry("the secret only in git history", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			repo(s, map[string]string{"settings.py": "CLIENT_SECRET = '" + s.app.ClientSecret + "'\n"})
			write(s.dir, "settings.py", "import os\nCLIENT_SECRET = os.environ['SPOTIFY_CLIENT_SECRET']\n")
			commitAll(s.dir, "read the secret from the environment")
			s.opts.ScanHistory = 10
		}, "secret-in-history"),
		Entry("the secret in the files and the history: reported once", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			repo(s, map[string]string{"src/main.ts": "export const secret = \"" + s.app.ClientSecret + "\"\n"})
			s.opts.ScanHistory = 10
		}, "secret-in-client-code"),
		Entry("a repository without commits yet, with --scan-history", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			gitInit(s.dir)
			write(s.dir, "README.md", "nothing secret\n")
			s.opts.ScanDir, s.opts.ScanHistory = s.dir, 10
		}),
		Entry("the secret in an ignored file only", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			repo(s, map[string]string{".gitignore": ".env.local\n"})
			write(s.dir, ".env.local", "SPOTIFY_CLIENT_SECRET="+s.app.ClientSecret+"\n")
		}),

		// environment
		Entry("a local clock ten minutes fast", "web", fakespotify.AppOverrides{}, func(s *scenario) {
			s.opts.Now = func() time.Time { return time.Now().Add(10 * time.Minute) }
		}, "clock-skew"),
	)

	It("confirms a repaired value with Spotify's answer to it as configured, sent byte for byte", func() {
		s := newScenario(srv, "web", fakespotify.AppOverrides{})
		b := base64.StdEncoding.EncodeToString([]byte(s.app.ClientID + ":" + s.app.ClientSecret))
		s.env[checks.EnvClientSecret] = "Basic " + b[:76] + "\n" + b[76:]
		f := finding(s.mustRun(), "client-secret-basic-header")
		Expect(f.Evidence).To(ContainElement(ContainSubstring("line break inside")))
		Expect(f.Evidence).To(ContainElement(ContainSubstring(`as configured, Spotify answers: POST /api/token → HTTP 400 {"error":"invalid_client"}`)))
		Expect(f.Exchanges).To(HaveLen(1))
		Expect(f.Exchanges[0].RequestHeaders.Get("Authorization")).To(HavePrefix("Basic [redacted"))
	})

	It("says which spelling of a rejected redirect URI the dashboard has", func() {
		s := newScenario(srv, "web", fakespotify.AppOverrides{RedirectURIs: []string{callback + "/"}})
		f := finding(s.mustRun(), "redirect-uri-mismatch")
		Expect(f.Evidence).To(ContainElement("Spotify accepts " + callback + "/ (with a trailing slash): that is the spelling the dashboard has"))
		Expect(f.Fix).To(HavePrefix("Send exactly " + callback + "/ from the app"))
	})

	DescribeTable("finds the registered spelling two or three edits away and names each difference",
		func(registered, sent, id, how string) {
			s := newScenario(srv, "web", fakespotify.AppOverrides{RedirectURIs: []string{registered}})
			s.env[checks.EnvRedirectURI] = sent
			f := finding(s.mustRun(), id)
			Expect(f.Evidence).To(ContainElement("Spotify accepts " + registered + " (" + how + "): that is the spelling the dashboard has"))
			Expect(f.Fix).To(HavePrefix("Send exactly " + registered + " from the app: that is what the dashboard has, and it differs from what the app sends in: " + how + "."))
		},
		Entry("localhost and a trailing slash (the issue's case)", callback, "http://localhost:8888/callback/",
			"redirect-uri-localhost", "without the trailing slash, 127.0.0.1 instead of localhost"),
		Entry("a slash and the scheme", "https://app.example.com/callback", "http://app.example.com/callback/",
			"redirect-uri-http", "without the trailing slash, https instead of http"),
		Entry("three at once: slash, host and case", "http://127.0.0.1:8888/callback", "http://LOCALHOST:8888/Callback/",
			"redirect-uri-localhost", "without the trailing slash, 127.0.0.1 instead of localhost, in lowercase"),
	)

	It("says how far it looked when no spelling nearby is registered", func() {
		s := newScenario(srv, "web", fakespotify.AppOverrides{RedirectURIs: []string{"http://127.0.0.1:9999/elsewhere"}})
		f := finding(s.mustRun(), "redirect-uri-mismatch")
		Expect(f.Evidence).To(ContainElement(MatchRegexp(`^none of the \d+ nearest spellings is registered either \(up to 3 of: with a trailing slash; localhost instead of 127\.0\.0\.1; \[::1\] instead of 127\.0\.0\.1; https instead of http; without the port :8888\)$`)))
	})

	It("folds Spotify's insecure-page answer into the localhost finding and names the URI to register", func() {
		s := newScenario(srv, "legacy", fakespotify.AppOverrides{})
		s.env[checks.EnvRedirectURI] = "http://localhost:8888/callback"
		f := finding(s.mustRun(), "redirect-uri-localhost")
		Expect(f.Evidence).To(ContainElement(ContainSubstring("INVALID_CLIENT: Insecure redirect URI")))
		Expect(f.Fix).To(HavePrefix("Use http://127.0.0.1:8888/callback in the app"))
	})

	It("suggests the scope a typo meant", func() {
		s := newScenario(srv, "web", fakespotify.AppOverrides{})
		s.env[checks.EnvScopes] = "user-read-email user-top-raed"
		f := finding(s.mustRun(), "scope-illegal")
		Expect(f.Evidence).To(ContainElement(`did you mean "user-top-read"?`))
		Expect(f.Evidence).To(ContainElement(ContainSubstring("Illegal scope")), "the online probe's answer as evidence")
	})

	It("writes a rotated refresh token back to the cache, keeping its mode", func() {
		s := newScenario(srv, "web", fakespotify.AppOverrides{Policies: config.Policies{Refresh: wire.RefreshAlwaysRotate}})
		path := s.cache(doctor.FormatSpotipy, "user-read-email user-read-private", nil)
		old := s.refresh
		res := s.mustRun()
		Expect(ids(res)).To(Equal([]string{"refresh-token-rotated"}))
		tc, err := doctor.ReadTokenCache(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(tc.RefreshToken).NotTo(Equal(old))
		Expect(tc.RefreshToken).To(HavePrefix("AQ"))
		Expect(tc.AccessToken).To(Equal(s.access), "other fields are kept")
		st, _ := os.Stat(path)
		Expect(st.Mode().Perm()).To(Equal(os.FileMode(0o600)))
		// The saved token works: a second run refreshes (and rotates) again.
		Expect(ids(s.mustRun())).To(Equal([]string{"refresh-token-rotated"}))
	})

	It("records every check that ran, passing ones included", func() {
		s := newScenario(srv, "web", fakespotify.AppOverrides{})
		res := s.mustRun()
		Expect(outcome(res, "client-authentication").Status).To(Equal(checks.StatusPass))
		Expect(outcome(res, "redirect-uri-registered").Status).To(Equal(checks.StatusPass))
		Expect(outcome(res, "token-cache-storage").Status).To(Equal(checks.StatusSkip))
		Expect(outcome(res, "token-cache-storage").Message).To(Equal("no --token-cache given"))
		Expect(res.Kind).To(Equal("doctor"))
		Expect(res.Subject).To(Equal("client id " + s.app.ClientID + " (env SPOTIFY_CLIENT_ID)"))
		seen := map[string]bool{}
		for _, c := range res.Checks {
			Expect(seen[c.ID]).To(BeFalse(), "check %s twice", c.ID)
			seen[c.ID] = true
		}
		for _, f := range res.Findings {
			Expect(seen[f.Check]).To(BeTrue(), "finding %s names check %s", f.ID, f.Check)
		}
	})
})

// pkce makes the scenario a public client.
func pkce(s *scenario) {
	s.opts.Flow = doctor.FlowPKCE
	delete(s.env, checks.EnvClientSecret)
}

// repo makes the scenario's directory a git repository with files
// committed, and scans it.
func repo(s *scenario, files map[string]string) {
	gitInit(s.dir)
	for rel, content := range files {
		write(s.dir, rel, content)
	}
	commitAll(s.dir, "initial")
	s.opts.ScanDir = s.dir
}

func describe(res *checks.FindingsResult) string {
	var b strings.Builder
	for _, f := range res.Findings {
		b.WriteString("\n  " + f.ID + ": " + strings.Join(f.Evidence, " | "))
	}
	for _, c := range res.Checks {
		if c.Status == checks.StatusError {
			b.WriteString("\n  check error " + c.ID + ": " + c.Message)
		}
	}
	return b.String()
}
