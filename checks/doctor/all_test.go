package doctor_test

import (
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/spotcheck/spotcheck/checks"
	"github.com/spotcheck/spotcheck/checks/doctor"
	"github.com/spotcheck/spotcheck/fakespotify"
)

var _ = Describe("doctor against a fake app wrong in every way at once", func() {
	It("finds each problem exactly once, and no finding caused by another", func() {
		s := newScenario(srv, "dev", fakespotify.AppOverrides{
			Allowlist: []string{"bob"},
			RedirectURIs: []string{"http://localhost:8888/callback", callback + "/", "https://app.example.com/callback",
				"http://127.0.0.1:9999/other"},
		})
		s.env[checks.EnvClientSecret] = s.app.ClientSecret + "\n"
		s.flags.RedirectURIs = []string{"http://localhost:8888/callback", callback, "https://app.example.com/callback#done"}
		s.env[checks.EnvScopes] = "user-read-email,user-read-private user-top-raed openid"
		s.opts.Uses = []string{"GET /v1/me/player/recently-played"}
		s.opts.Now = func() time.Time { return time.Now().Add(10 * time.Minute) }

		gitInit(s.dir)
		write(s.dir, "src/app.js", "export const SPOTIFY_SECRET = '"+s.app.ClientSecret+"'\n")
		write(s.dir, ".env", "SPOTIFY_CLIENT_SECRET="+s.app.ClientSecret+"\n")
		write(s.dir, "old/settings.py", "CLIENT_SECRET = '"+s.app.ClientSecret+"'\n")
		commitAll(s.dir, "initial")
		Expect(os.Remove(filepath.Join(s.dir, "old", "settings.py"))).To(Succeed())
		commitAll(s.dir, "move the secret out of settings.py")
		s.opts.ScanDir, s.opts.ScanHistory = s.dir, 10

		s.cachePath = filepath.Join(s.dir, "public", ".cache")
		path := s.cache(doctor.FormatSpotipy, "user-read-email", map[string]any{"expires_at": time.Now().Add(-time.Hour).Unix()})
		Expect(os.Chmod(path, 0o644)).To(Succeed())

		res := s.mustRun()
		Expect(ids(res)).To(Equal([]string{
			"access-token-expired",
			"cached-scope-narrower",
			"client-secret-whitespace",
			"clock-skew",
			"redirect-uri-fragment",
			"redirect-uri-localhost",
			"redirect-uri-mismatch",
			"scope-comma-separated",
			"scope-illegal",
			"scope-missing-for-endpoint",
			"scope-openid",
			"secret-in-client-code",
			"secret-in-env-file",
			"secret-in-history",
			"token-cache-not-ignored",
			"token-cache-permissions",
			"token-cache-web-root",
			"user-not-allowlisted",
		}), "findings: %s", describe(res))
		for _, c := range res.Checks {
			Expect(c.Status).NotTo(Equal(checks.StatusError), "check %s: %s", c.ID, c.Message)
		}
		// The repaired secret was used for everything online: the refresh
		// and the API call got through to the allowlist verdict.
		Expect(finding(res, "client-secret-whitespace").Evidence).To(ContainElement(ContainSubstring("Invalid client secret")))
		Expect(finding(res, "user-not-allowlisted").Evidence).To(ContainElement(ContainSubstring("the user may not be registered")))
	})

	It("finds the public-client problems at once: padded challenge, a secret it should not hold, an owner without Premium", func() {
		s := newScenario(srv, "nopremium", fakespotify.AppOverrides{})
		s.opts.Flow = doctor.FlowPKCE
		s.opts.CodeVerifier, s.opts.CodeChallenge = verifier, challengeOf(verifier)+"="
		s.env[checks.EnvScopes] = "user-read-email user-read-private user-read-play-history"
		s.opts.Uses = []string{"GET /v1/me/top/tracks", "GET /v1/artists/0TnOYISbd1XYRBk9myaseg/related-artists"}
		res := s.mustRun()
		Expect(ids(res)).To(Equal([]string{
			"endpoint-restricted",
			"owner-not-premium",
			"pkce-challenge-padded",
			"pkce-client-secret",
			"scope-internal",
			"scope-missing-for-endpoint",
		}), "findings: %s", describe(res))
	})

	It("finds the credential problems at once without echoing them downstream", func() {
		s := newScenario(srv, "web", fakespotify.AppOverrides{})
		s.env[checks.EnvClientID] = `"` + s.app.ClientID + `"`
		s.env[checks.EnvClientSecret] = " " + s.app.ClientSecret
		s.env[checks.EnvRedirectURI] = "http://localhost:8888/callback"
		res := s.mustRun()
		Expect(ids(res)).To(Equal([]string{"client-id-quoted", "client-secret-whitespace", "redirect-uri-localhost"}), "findings: %s", describe(res))
		// The localhost URI is not registered for web; the probe found
		// the 127.0.0.1 spelling that is.
		Expect(finding(res, "redirect-uri-localhost").Evidence).To(ContainElement(
			"Spotify accepts http://127.0.0.1:8888/callback (127.0.0.1 instead of localhost): that is the spelling the dashboard has"))
	})
})
